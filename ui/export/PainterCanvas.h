#pragma once

#include "FigureCanvas.h"

class QFont;
class QPainter;

// A figure drawn through QPainter: PNG exports, and the report's pages
// through QPdfWriter. Painter units must be points.
class PainterCanvas : public figure::Canvas {
public:
    explicit PainterCanvas(QPainter *painter);

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

    // The font a figure font is drawn in: Helvetica where installed (as in
    // the PDF and SVG figures), else the system's sans serif.
    static QFont qFont(const figure::Font &font);

private:
    void apply(std::optional<figure::Rgb> fill, std::optional<figure::Pen> outline);

    QPainter *m_painter;
};
