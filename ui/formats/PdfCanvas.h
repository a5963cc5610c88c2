#pragma once

#include <QByteArray>
#include <QSizeF>
#include <QString>
#include <QStringView>

#include "FigureCanvas.h"

// A one-page PDF 1.4 written by hand, QtCore only: vector paths and text in
// the standard fonts Helvetica and Helvetica-Bold (not embedded, WinAnsi
// encoded), so the CLI writes a PDF figure without starting a GUI.
// Text outside WinAnsi comes out as '?': check canEncode() first and fall
// back to Qt's PDF writer when it is false.
class PdfCanvas : public figure::Canvas {
public:
    PdfCanvas(QSizeF pageSize, QString title);

    // True when every character of `text` has a WinAnsi code.
    static bool canEncode(QStringView text);

    void drawPolyline(const QList<QPointF> &points, const figure::Pen &pen) override;
    void drawPolygon(const QList<QPointF> &points, std::optional<figure::Rgb> fill,
                     std::optional<figure::Pen> outline) override;
    void drawCircle(QPointF center, double radius, std::optional<figure::Rgb> fill,
                    std::optional<figure::Pen> outline) override;
    void drawText(QPointF baseline, const QString &text, const figure::Font &font, figure::Rgb color,
                  bool vertical = false) override;
    void setClip(const QRectF &rect) override;
    void clearClip() override;

    double textWidth(const QString &text, const figure::Font &font) const override;
    double ascent(const figure::Font &font) const override;
    double descent(const figure::Font &font) const override;

    // The complete PDF document. Call once, after drawing.
    QByteArray finish();

private:
    // PDF's origin is at the bottom left: y is flipped point by point, so
    // text needs no mirrored text matrix.
    QByteArray point(QPointF p) const;
    void appendPen(const figure::Pen &pen);
    void appendFill(figure::Rgb color);
    void appendPath(const QList<QPointF> &points);
    void appendCirclePath(QPointF center, double radius);
    // Fills and/or strokes the path just appended, and closes it if `closed`.
    void paintPath(std::optional<figure::Rgb> fill, const std::optional<figure::Pen> &outline, bool closed);

    QSizeF m_pageSize;
    QString m_title;
    QByteArray m_content;
    bool m_clipped = false;
};
