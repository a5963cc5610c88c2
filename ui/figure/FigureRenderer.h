#pragma once

#include <QRectF>
#include <QSizeF>
#include <QStringView>

#include "Figure.h"

// Lays a Figure out on a canvas the way the seed's matplotlib figures look
// (two-line title, axes with a light grid, a boxed legend inside the plot)
// and draws it. Text sizes come from the canvas, so the layout holds for
// every output format.
namespace figure {

class FigureRenderer {
public:
    // Point sizes of the print look.
    static constexpr Font kTitleFont{11.0, true};
    static constexpr Font kSubtitleFont{9.0, false};
    static constexpr Font kLabelFont{10.0, false};
    static constexpr Font kTickFont{9.0, false};
    static constexpr Font kLegendFont{9.0, false};

    // Draws `figure` into `box` (points) on `canvas`.
    static void draw(const Figure &figure, Canvas &canvas, const QRectF &box);
    // The plot area draw() uses for `figure` in `box`.
    static QRectF plotArea(const Figure &figure, const Canvas &canvas, const QRectF &box);
    // Every how many powers of two a log2 axis is labelled: every one when
    // the labels fit, else every 2nd, 5th or 10th (so 1K, 1M, 1G stay
    // labelled); labels never overlap. `labelWidth` is kWidestLog2Label's.
    static int log2LabelStep(double pointsPerPower, double labelWidth);
    static constexpr QStringView kWidestLog2Label = u"512K";
    // The log2 axis' labelled exponents for a plot `width` points wide.
    static QList<int> log2TickExponents(const Axis &axis, const Canvas &canvas, double width);
};

}  // namespace figure
