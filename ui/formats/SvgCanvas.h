#pragma once

#include <QByteArray>
#include <QSizeF>
#include <QString>

#include "FigureCanvas.h"

// An SVG 1.1 document written by hand, QtCore only, so the CLI writes an SVG
// figure without starting a GUI. Text is set in Helvetica (or a look-alike)
// and measured with Helvetica's metrics.
class SvgCanvas : public figure::Canvas {
public:
    SvgCanvas(QSizeF size, QString title);

    void drawPolyline(const QList<QPointF> &points, const figure::Pen &pen) override;
    void drawPolygon(const QList<QPointF> &points, std::optional<figure::Rgb> fill,
                     std::optional<figure::Pen> outline) override;
    void drawCircle(QPointF center, double radius, std::optional<figure::Rgb> fill,
                    std::optional<figure::Pen> outline) override;
    void drawText(QPointF baseline, const QString &text, const figure::Font &font, figure::Rgb color,
                  bool vertical = false) override;
    void setClip(const QRectF &rect) override;
    void clearClip() override;

    // Helvetica's widths for WinAnsi characters; others, which a viewer sets
    // in a fallback font, are guessed: 1 em for CJK, 0.6 em otherwise.
    double textWidth(const QString &text, const figure::Font &font) const override;
    double ascent(const figure::Font &font) const override;
    double descent(const figure::Font &font) const override;

    // The complete SVG document (UTF-8). Call once, after drawing.
    QByteArray finish();

private:
    QSizeF m_size;
    QString m_title;
    QByteArray m_body;
    int m_clipCount = 0;
    bool m_clipped = false;
};
