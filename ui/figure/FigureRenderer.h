#pragma once

#include <QRectF>
#include <QSizeF>
#include <QStringView>

#include "Figure.h"
#include "FigureStyle.h"

// Lays a Figure out on a canvas the way the seed's matplotlib figures look
// (two-line title, axes with a light grid, a boxed legend) and draws it, in
// a FigureStyle's font size, theme and legend placement. Text sizes come
// from the canvas, so the layout holds for every output format.
namespace figure {

class FigureRenderer {
public:
    // Point sizes at the default font size (10 pt).
    static constexpr Font kTitleFont{11.0, true};
    static constexpr Font kSubtitleFont{9.0, false};
    static constexpr Font kLabelFont{10.0, false};
    static constexpr Font kTickFont{9.0, false};
    static constexpr Font kLegendFont{9.0, false};

    struct Fonts {
        Font title, subtitle, label, tick, legend;
    };
    static Fonts fonts(const FigureStyle &style);

    // Where the legend went and the box it takes (empty with none).
    // A legend below a small plot is set smaller (down to half its size),
    // so that it takes at most about 30 % of the figure's height.
    struct LegendBox {
        QRectF rect;
        bool inside = true;
        int columns = 1;
        Font font = kLegendFont;
    };

    // Draws `figure` into `box` (points) on `canvas`, background included.
    static void draw(const Figure &figure, Canvas &canvas, const QRectF &box, const FigureStyle &style = {});
    // The plot area draw() uses for `figure` in `box`.
    static QRectF plotArea(const Figure &figure, const Canvas &canvas, const QRectF &box, const FigureStyle &style = {});
    static LegendBox legendBox(const Figure &figure, const Canvas &canvas, const QRectF &box,
                               const FigureStyle &style = {});
    // Every how many powers of two a log2 axis is labelled: every one when
    // the labels fit, else every 2nd, 5th or 10th (so 1K, 1M, 1G stay
    // labelled); labels never overlap. `labelWidth` is kWidestLog2Label's.
    static int log2LabelStep(double pointsPerPower, double labelWidth);
    static constexpr QStringView kWidestLog2Label = u"512K";
    // The ticks that get a label on an axis `length` points long: every
    // power of two that fits on a log2 axis (log2TickExponents), every
    // tick on a linear one, or every 2nd, 3rd, ... where labels would touch.
    static QList<Tick> labelledTicks(const Axis &axis, bool horizontal, const Canvas &canvas, double length,
                                     const FigureStyle &style = {});
    // Of labels `widths` wide centred at `centers` (ascending), the ones to
    // draw so that none comes within `gap` of another: from the first,
    // greedily, and always the last (the end a reader looks for).
    static QList<qsizetype> spacedLabels(const QList<double> &centers, const QList<double> &widths, double gap);
    // The log2 axis' labelled exponents for a plot `width` points wide.
    static QList<int> log2TickExponents(const Axis &axis, const Canvas &canvas, double width,
                                        const FigureStyle &style = {});
};

}  // namespace figure
