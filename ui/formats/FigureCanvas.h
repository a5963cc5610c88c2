#pragma once

#include <QList>
#include <QPointF>
#include <QRectF>
#include <QString>
#include <QStringList>
#include <cstdint>
#include <optional>

// What a figure is drawn on. The figure's layout asks the canvas for text
// sizes, so one layout serves every format; CairoCanvas draws on a cairo
// surface (PDF, SVG, PNG, EPS), a test canvas records. Coordinates are
// points, origin at the top left, y down. QtCore only.
namespace figure {

using Rgb = std::uint32_t;  // 0xRRGGBB, always opaque

enum class Dash { Solid, Dashed, DashDot, Dotted };

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

    // `text` in lines no wider than `width` where its words allow (greedy
    // word wrap); a newline starts a new line.
    QStringList wrapped(const QString &text, const Font &font, double width) const {
        QStringList lines;
        for (const QString &paragraph : text.split(u'\n')) {
            QString line;
            for (const QString &word : paragraph.split(u' ', Qt::SkipEmptyParts)) {
                const QString candidate = line.isEmpty() ? word : line + u' ' + word;
                if (!line.isEmpty() && textWidth(candidate, font) > width) {
                    lines.append(line);
                    line = word;
                } else {
                    line = candidate;
                }
            }
            lines.append(line);
        }
        return lines;
    }
};

}  // namespace figure
