#pragma once

#include <QList>
#include <QPointF>
#include <QRectF>
#include <QString>
#include <cstdint>
#include <optional>

// What a figure is drawn on: a PDF page, an SVG document or a QPainter
// (PNG, the report). The figure's layout asks the canvas for text sizes, so
// one layout serves every format. Coordinates are points, origin at the top
// left, y down. QtCore only: the CLI draws PDF and SVG figures without
// starting a GUI.
namespace figure {

using Rgb = std::uint32_t;  // 0xRRGGBB, always opaque

enum class Dash { Solid, Dashed, DashDot };

struct Pen {
    Rgb color = 0x000000;
    double width = 1.0;
    Dash dash = Dash::Solid;
};

struct Font {
    double size = 10.0;  // in points
    bool bold = false;
};

class Canvas {
public:
    virtual ~Canvas() = default;

    // An open path through the points (round caps and joins).
    virtual void drawPolyline(const QList<QPointF> &points, const Pen &pen) = 0;
    // A closed path: rectangles, diamonds, the legend's box.
    virtual void drawPolygon(const QList<QPointF> &points, std::optional<Rgb> fill, std::optional<Pen> outline) = 0;
    virtual void drawCircle(QPointF center, double radius, std::optional<Rgb> fill, std::optional<Pen> outline) = 0;
    // Text starting at `baseline` (the left end of its baseline). Vertical
    // text reads bottom to top, turned 90 degrees counter-clockwise about
    // that point.
    virtual void drawText(QPointF baseline, const QString &text, const Font &font, Rgb color,
                          bool vertical = false) = 0;
    // Until clearClip(), drawing is limited to `rect` (the plot area).
    virtual void setClip(const QRectF &rect) = 0;
    virtual void clearClip() = 0;

    virtual double textWidth(const QString &text, const Font &font) const = 0;
    virtual double ascent(const Font &font) const = 0;   // above the baseline, positive
    virtual double descent(const Font &font) const = 0;  // below the baseline, positive
};

}  // namespace figure
