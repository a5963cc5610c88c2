#include "CairoCanvas.h"

#include <cairo.h>
#include <numbers>
#include <vector>

#include "FigureFonts.h"

namespace figure {

namespace {

// matplotlib's dash patterns, in line widths.
std::vector<double> dashes(const Pen &pen) {
    const double w = std::max(pen.width, 0.5);
    switch (pen.dash) {
        case Dash::Solid:
            return {};
        case Dash::Dashed:
            return {3.7 * w, 1.6 * w};
        case Dash::DashDot:
            return {6.4 * w, 1.6 * w, 1.0 * w, 1.6 * w};
        case Dash::Dotted:
            // Round caps turn zero-length dashes into dots.
            return {0.0, 2.2 * w};
    }
    return {};
}

}  // namespace

CairoCanvas::CairoCanvas(cairo_t *cr) : m_cr(cr) {
    // Unhinted outlines and metrics: the same widths on every surface.
    cairo_font_options_t *options = cairo_font_options_create();
    cairo_font_options_set_hint_style(options, CAIRO_HINT_STYLE_NONE);
    cairo_font_options_set_hint_metrics(options, CAIRO_HINT_METRICS_OFF);
    cairo_set_font_options(m_cr, options);
    cairo_font_options_destroy(options);
    cairo_set_line_cap(m_cr, CAIRO_LINE_CAP_ROUND);
    cairo_set_line_join(m_cr, CAIRO_LINE_JOIN_ROUND);
}

void CairoCanvas::setSource(Rgb color) {
    cairo_set_source_rgb(m_cr, ((color >> 16) & 0xFF) / 255.0, ((color >> 8) & 0xFF) / 255.0, (color & 0xFF) / 255.0);
}

void CairoCanvas::setPen(const Pen &pen) {
    setSource(pen.color);
    cairo_set_line_width(m_cr, pen.width);
    const std::vector<double> pattern = dashes(pen);
    cairo_set_dash(m_cr, pattern.data(), static_cast<int>(pattern.size()), 0.0);
}

void CairoCanvas::fillAndStroke(std::optional<Rgb> fill, const std::optional<Pen> &outline) {
    if (fill) {
        setSource(*fill);
        if (outline) cairo_fill_preserve(m_cr);
        else cairo_fill(m_cr);
    }
    if (outline) {
        setPen(*outline);
        cairo_stroke(m_cr);
    }
    cairo_new_path(m_cr);
}

void CairoCanvas::drawPolyline(const QList<QPointF> &points, const Pen &pen) {
    if (points.size() < 2) return;
    cairo_move_to(m_cr, points.constFirst().x(), points.constFirst().y());
    for (qsizetype i = 1; i < points.size(); ++i) cairo_line_to(m_cr, points[i].x(), points[i].y());
    setPen(pen);
    cairo_stroke(m_cr);
}

void CairoCanvas::drawPolygon(const QList<QPointF> &points, std::optional<Rgb> fill, std::optional<Pen> outline) {
    if (points.size() < 2) return;
    cairo_move_to(m_cr, points.constFirst().x(), points.constFirst().y());
    for (qsizetype i = 1; i < points.size(); ++i) cairo_line_to(m_cr, points[i].x(), points[i].y());
    cairo_close_path(m_cr);
    fillAndStroke(fill, outline);
}

void CairoCanvas::drawCircle(QPointF center, double radius, std::optional<Rgb> fill, std::optional<Pen> outline) {
    cairo_new_sub_path(m_cr);
    cairo_arc(m_cr, center.x(), center.y(), radius, 0, 2 * std::numbers::pi);
    cairo_close_path(m_cr);
    fillAndStroke(fill, outline);
}

void CairoCanvas::selectFont(cairo_font_face_t *face, const Font &font) const {
    cairo_set_font_face(m_cr, face);
    cairo_set_font_size(m_cr, font.size);
}

void CairoCanvas::drawText(QPointF baseline, const QString &text, const Font &font, Rgb color, bool vertical) {
    cairo_save(m_cr);
    cairo_translate(m_cr, baseline.x(), baseline.y());
    if (vertical) cairo_rotate(m_cr, -std::numbers::pi / 2);
    setSource(color);
    double x = 0;
    // cairo_show_text keeps the characters with the glyphs: PDF text stays searchable.
    for (const FigureFonts::Run &run : FigureFonts::instance().runs(text, font.bold)) {
        selectFont(run.face, font);
        cairo_move_to(m_cr, x, 0);
        cairo_show_text(m_cr, run.utf8.constData());
        cairo_text_extents_t extents;
        cairo_text_extents(m_cr, run.utf8.constData(), &extents);
        x += extents.x_advance;
    }
    cairo_restore(m_cr);
}

void CairoCanvas::setClip(const QRectF &rect) {
    cairo_reset_clip(m_cr);
    cairo_rectangle(m_cr, rect.x(), rect.y(), rect.width(), rect.height());
    cairo_clip(m_cr);
}

void CairoCanvas::clearClip() { cairo_reset_clip(m_cr); }

double CairoCanvas::textWidth(const QString &text, const Font &font) const {
    double width = 0;
    cairo_save(m_cr);
    for (const FigureFonts::Run &run : FigureFonts::instance().runs(text, font.bold)) {
        selectFont(run.face, font);
        cairo_text_extents_t extents;
        cairo_text_extents(m_cr, run.utf8.constData(), &extents);
        width += extents.x_advance;
    }
    cairo_restore(m_cr);
    return width;
}

double CairoCanvas::ascent(const Font &font) const { return fontExtents(font).ascent; }

double CairoCanvas::descent(const Font &font) const { return fontExtents(font).descent; }

CairoCanvas::Extents CairoCanvas::fontExtents(const Font &font) const {
    cairo_save(m_cr);
    selectFont(FigureFonts::instance().primary(font.bold), font);
    cairo_font_extents_t extents;
    cairo_font_extents(m_cr, &extents);
    cairo_restore(m_cr);
    return {extents.ascent, extents.descent};
}

}  // namespace figure
