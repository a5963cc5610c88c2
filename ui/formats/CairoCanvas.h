#pragma once

#include "FigureCanvas.h"

typedef struct _cairo cairo_t;
typedef struct _cairo_font_face cairo_font_face_t;


// A figure drawn through cairo, onto whatever surface `cr` targets (PDF,
// SVG, PNG, EPS; see CairoDocument). Text is set in FigureFonts' faces with
// unhinted metrics, so textWidth() is what drawText() covers on every
// surface. Units are points.
namespace figure {

class CairoCanvas : public Canvas {
public:
    explicit CairoCanvas(cairo_t *cr);

    void drawPolyline(const QList<QPointF> &points, const Pen &pen) override;
    void drawPolygon(const QList<QPointF> &points, std::optional<Rgb> fill, std::optional<Pen> outline) override;
    void drawCircle(QPointF center, double radius, std::optional<Rgb> fill, std::optional<Pen> outline) override;
    void drawText(QPointF baseline, const QString &text, const Font &font, Rgb color, bool vertical = false) override;
    void setClip(const QRectF &rect) override;
    void clearClip() override;

    double textWidth(const QString &text, const Font &font) const override;
    double ascent(const Font &font) const override;
    double descent(const Font &font) const override;

private:
    void setSource(Rgb color);
    void setPen(const Pen &pen);
    void fillAndStroke(std::optional<Rgb> fill, const std::optional<Pen> &outline);
    void selectFont(cairo_font_face_t *face, const Font &font) const;
    struct Extents {
        double ascent = 0;
        double descent = 0;
    };
    // DejaVu Sans' ascent and descent at the font's size.
    Extents fontExtents(const Font &font) const;

    cairo_t *m_cr;
};

}  // namespace figure
