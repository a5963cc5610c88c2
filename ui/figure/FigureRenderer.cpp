#include "FigureRenderer.h"

#include <QStringList>
#include <algorithm>
#include <cmath>

#include "ChartTicks.h"

using namespace Qt::StringLiterals;

namespace figure {

namespace {

constexpr Rgb kText = 0x000000;
constexpr Rgb kGrid = 0xd0d0d0;
constexpr Rgb kLegendBorder = 0xcccccc;
constexpr Rgb kError = 0xb00020;
constexpr double kTickLength = 3.5;
constexpr double kLegendInset = 6.0;
constexpr double kLegendSwatch = 20.0;

double lineHeight(const Canvas &canvas, const Font &font) { return canvas.ascent(font) + canvas.descent(font); }

// Position of a value along an axis, 0 at min and 1 at max.
double fraction(const Axis &axis, double value) {
    if (axis.log2) {
        const double low = std::log2(axis.min);
        const double high = std::log2(axis.max);
        return (std::log2(std::max(value, 1e-300)) - low) / (high - low);
    }
    return (value - axis.min) / (axis.max - axis.min);
}

QList<Tick> ticksFor(const Axis &axis, const Canvas &canvas, double width) {
    if (!axis.log2) return axis.ticks;
    QList<Tick> ticks;
    for (int e : FigureRenderer::log2TickExponents(axis, canvas, width))
        ticks.append({std::exp2(e), ChartTicks::powerOfTwoLabel(e)});
    return ticks;
}

// Greedy word wrap for the error message.
QStringList wrap(const QString &text, const Canvas &canvas, const Font &font, double width) {
    QStringList lines;
    for (const QString &paragraph : text.split(u'\n')) {
        QString line;
        for (const QString &word : paragraph.split(u' ', Qt::SkipEmptyParts)) {
            const QString candidate = line.isEmpty() ? word : line + u' ' + word;
            if (!line.isEmpty() && canvas.textWidth(candidate, font) > width) {
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

void drawMarker(Canvas &canvas, const Series &series, QPointF at) {
    const double r = series.markerSize / 2.0;
    if (series.marker == Marker::Circle) {
        canvas.drawCircle(at, r, series.markerFill, series.markerOutline);
    } else if (series.marker == Marker::Diamond) {
        canvas.drawPolygon({at + QPointF(0, -r), at + QPointF(r, 0), at + QPointF(0, r), at + QPointF(-r, 0)},
                           series.markerFill, series.markerOutline);
    }
}

// A title line wider than the figure (a small PNG) is set smaller to fit
// between the side margins, instead of running off both edges.
Font fitted(const Canvas &canvas, Font font, const QString &text, double width) {
    const double textWidth = canvas.textWidth(text, font);
    if (textWidth > width && width > 0) font.size *= width / textWidth;
    return font;
}

struct Layout {
    QRectF plot;
    Font headlineFont = FigureRenderer::kTitleFont;
    Font configFont = FigureRenderer::kSubtitleFont;
    double headlineBaseline = 0;
    double configBaseline = 0;
    double tickLabelWidth = 0;  // the widest y tick label
};

Layout layOut(const Figure &figure, const Canvas &canvas, const QRectF &box) {
    Layout layout;
    // Tight margins, as matplotlib's tight_layout leaves them.
    const double left = box.left() + 6, right = box.right() - 10, bottom = box.bottom() - 4;
    const double titleWidth = box.width() - 2 * 6;  // centred: the left margin on both sides
    layout.headlineFont = fitted(canvas, FigureRenderer::kTitleFont, figure.headline, titleWidth);
    layout.configFont = fitted(canvas, FigureRenderer::kSubtitleFont, figure.configLine, titleWidth);
    layout.headlineBaseline = box.top() + 4 + canvas.ascent(layout.headlineFont);
    layout.configBaseline = layout.headlineBaseline + canvas.descent(layout.headlineFont) + 2 +
                            canvas.ascent(layout.configFont);
    const double top = layout.configBaseline + canvas.descent(layout.configFont) + 12;
    for (const Tick &tick : figure.y.ticks)
        layout.tickLabelWidth = std::max(layout.tickLabelWidth, canvas.textWidth(tick.label, FigureRenderer::kTickFont));
    const double plotLeft = left + lineHeight(canvas, FigureRenderer::kLabelFont) + 6 + layout.tickLabelWidth + 2 + kTickLength;
    const double plotBottom = bottom - lineHeight(canvas, FigureRenderer::kLabelFont) - 4 -
                              lineHeight(canvas, FigureRenderer::kTickFont) - 2 - kTickLength;
    // Room for half of the last x label past the plot's right edge.
    const double plotRight = right - canvas.textWidth(u"128K"_s, FigureRenderer::kTickFont) / 2;
    layout.plot = QRectF(QPointF(plotLeft, top), QPointF(std::max(plotLeft + 1, plotRight), std::max(top + 1, plotBottom)));
    return layout;
}

void drawCentered(Canvas &canvas, double centerX, double baseline, const QString &text, const Font &font, Rgb color) {
    canvas.drawText(QPointF(centerX - canvas.textWidth(text, font) / 2, baseline), text, font, color);
}

void drawLegend(const Figure &figure, Canvas &canvas, const QRectF &plot) {
    std::vector<const Series *> entries;
    for (const Series &s : figure.series) {
        if (!s.name.isEmpty()) entries.push_back(&s);
    }
    if (entries.empty()) return;
    const Font &font = FigureRenderer::kLegendFont;
    const double row = lineHeight(canvas, font) + 5;
    double textWidth = 0;
    for (const Series *s : entries) textWidth = std::max(textWidth, canvas.textWidth(s->name, font));
    const QSizeF size(5 + kLegendSwatch + 5 + textWidth + 6, row * static_cast<double>(entries.size()) + 4);
    const double x = figure.legendCorner == Corner::BottomRight ? plot.right() - size.width() - kLegendInset
                                                                : plot.left() + kLegendInset;
    const double y = figure.legendCorner == Corner::BottomRight ? plot.bottom() - size.height() - kLegendInset
                                                                : plot.top() + kLegendInset;
    const QRectF boxRect(QPointF(x, y), size);
    canvas.drawPolygon({boxRect.topLeft(), boxRect.topRight(), boxRect.bottomRight(), boxRect.bottomLeft()}, 0xffffff,
                       Pen{kLegendBorder, 0.8});
    double top = y + 2;
    for (const Series *s : entries) {
        const double middle = top + row / 2;
        const QPointF swatchLeft(x + 5, middle), swatchRight(x + 5 + kLegendSwatch, middle);
        if (s->line) canvas.drawPolyline({swatchLeft, swatchRight}, *s->line);
        if (s->marker != Marker::None) drawMarker(canvas, *s, (swatchLeft + swatchRight) / 2);
        const double baseline = middle + (canvas.ascent(font) - canvas.descent(font)) / 2;
        canvas.drawText(QPointF(x + 5 + kLegendSwatch + 5, baseline), s->name, font, kText);
        top += row;
    }
}

}  // namespace

int FigureRenderer::log2LabelStep(double pointsPerPower, double labelWidth) {
    for (int step : {1, 2, 5, 10}) {
        if (pointsPerPower * step >= labelWidth * 1.6) return step;
    }
    return 20;
}

QList<int> FigureRenderer::log2TickExponents(const Axis &axis, const Canvas &canvas, double width) {
    const double low = std::log2(axis.min), high = std::log2(axis.max);
    if (!(high > low)) return {};
    const int step = log2LabelStep(width / (high - low), canvas.textWidth(kWidestLog2Label.toString(), kTickFont));
    QList<int> exponents;
    for (int e = static_cast<int>(std::ceil(low)); e <= static_cast<int>(std::floor(high)); ++e) {
        if (e % step == 0) exponents.append(e);
    }
    return exponents;
}

QRectF FigureRenderer::plotArea(const Figure &figure, const Canvas &canvas, const QRectF &box) {
    return layOut(figure, canvas, box).plot;
}

void FigureRenderer::draw(const Figure &figure, Canvas &canvas, const QRectF &box) {
    const Layout layout = layOut(figure, canvas, box);
    const QRectF &plot = layout.plot;
    drawCentered(canvas, box.center().x(), layout.headlineBaseline, figure.headline, layout.headlineFont, kText);
    drawCentered(canvas, box.center().x(), layout.configBaseline, figure.configLine, layout.configFont, kText);

    if (!figure.error.isEmpty()) {
        // As the window shows it: the message where the data would be.
        const QStringList lines = wrap(figure.error, canvas, kLabelFont, plot.width() * 0.8);
        const double height = lineHeight(canvas, kLabelFont) * 1.2;
        double baseline = plot.center().y() - height * static_cast<double>(lines.size()) / 2 + canvas.ascent(kLabelFont);
        for (const QString &line : lines) {
            drawCentered(canvas, plot.center().x(), baseline, line, kLabelFont, kError);
            baseline += height;
        }
        return;
    }

    auto toX = [&](double value) { return plot.left() + fraction(figure.x, value) * plot.width(); };
    auto toY = [&](double value) { return plot.bottom() - fraction(figure.y, value) * plot.height(); };
    const QList<Tick> xTicks = ticksFor(figure.x, canvas, plot.width());

    // Grid, axis lines, tick marks and labels.
    const Pen grid{kGrid, 0.6};
    for (const Tick &tick : xTicks) canvas.drawPolyline({{toX(tick.value), plot.top()}, {toX(tick.value), plot.bottom()}}, grid);
    for (const Tick &tick : figure.y.ticks) canvas.drawPolyline({{plot.left(), toY(tick.value)}, {plot.right(), toY(tick.value)}}, grid);
    const Pen axisPen{kText, 0.8};
    canvas.drawPolyline({plot.topLeft(), plot.bottomLeft(), plot.bottomRight()}, axisPen);
    const double xLabelBaseline = plot.bottom() + kTickLength + 2 + canvas.ascent(kTickFont);
    for (const Tick &tick : xTicks) {
        const double x = toX(tick.value);
        canvas.drawPolyline({{x, plot.bottom()}, {x, plot.bottom() + kTickLength}}, axisPen);
        drawCentered(canvas, x, xLabelBaseline, tick.label, kTickFont, kText);
    }
    const double tickMiddle = (canvas.ascent(kTickFont) - canvas.descent(kTickFont)) / 2;
    for (const Tick &tick : figure.y.ticks) {
        const double y = toY(tick.value);
        canvas.drawPolyline({{plot.left() - kTickLength, y}, {plot.left(), y}}, axisPen);
        const double width = canvas.textWidth(tick.label, kTickFont);
        canvas.drawText(QPointF(plot.left() - kTickLength - 2 - width, y + tickMiddle), tick.label, kTickFont, kText);
    }
    drawCentered(canvas, plot.center().x(),
                 xLabelBaseline + canvas.descent(kTickFont) + 4 + canvas.ascent(kLabelFont), figure.x.title,
                 kLabelFont, kText);
    // The y title reads bottom to top, centred on the plot's height.
    const double yTitleBaseline = plot.left() - kTickLength - 2 - layout.tickLabelWidth - 6 - canvas.descent(kLabelFont);
    canvas.drawText(QPointF(yTitleBaseline, plot.center().y() + canvas.textWidth(figure.y.title, kLabelFont) / 2),
                    figure.y.title, kLabelFont, kText, true);

    // The data, clipped to the plot as the window clips it.
    canvas.setClip(plot);
    for (const Series &s : figure.series) {
        QList<QPointF> points;
        points.reserve(s.points.size());
        for (const QPointF &p : s.points) points.append(QPointF(toX(p.x()), toY(p.y())));
        if (s.line && points.size() > 1) canvas.drawPolyline(points, *s.line);
        if (s.marker != Marker::None) {
            for (const QPointF &p : points) drawMarker(canvas, s, p);
        }
    }
    canvas.clearClip();
    for (const Series &s : figure.series) {
        if (s.pointLabel.isEmpty()) continue;
        for (const QPointF &p : s.points) {
            drawCentered(canvas, toX(p.x()), toY(p.y()) - s.markerSize / 2 - 3 - canvas.descent(kLabelFont),
                         s.pointLabel, kLabelFont, kText);
        }
    }
    drawLegend(figure, canvas, plot);
}

QStringList Figure::texts() const {
    QStringList all{headline, configLine, error, x.title, y.title};
    for (const Tick &tick : x.ticks) all.append(tick.label);
    for (const Tick &tick : y.ticks) all.append(tick.label);
    for (const Series &s : series) all << s.name << s.pointLabel;
    all.removeAll(QString());
    return all;
}

}  // namespace figure
