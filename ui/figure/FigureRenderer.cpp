#include "FigureRenderer.h"

#include <QStringList>
#include <algorithm>
#include <array>
#include <cmath>

#include "ChartTicks.h"
#include "FigureTheme.h"

using namespace Qt::StringLiterals;

namespace figure {

namespace {

constexpr double kTickLength = 3.5;
constexpr double kLegendInset = 6.0;
constexpr double kLegendSwatch = 20.0;
constexpr double kLegendGap = 10.0;  // between the plot's furniture and a legend outside it

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

QPointF toPlot(const Figure &figure, const QRectF &plot, QPointF value) {
    return {plot.left() + fraction(figure.x, value.x()) * plot.width(),
            plot.bottom() - fraction(figure.y, value.y()) * plot.height()};
}

void drawMarker(Canvas &canvas, const Series &series, QPointF at) {
    const double r = series.markerSize / 2.0;
    auto polygon = [&](std::initializer_list<QPointF> offsets) {
        QList<QPointF> points;
        for (QPointF offset : offsets) points.append(at + offset);
        canvas.drawPolygon(points, series.markerFill, series.markerOutline);
    };
    switch (series.marker) {
        case Marker::None:
            return;
        case Marker::Circle:
            canvas.drawCircle(at, r, series.markerFill, series.markerOutline);
            return;
        case Marker::Diamond:
            polygon({{0, -r}, {r, 0}, {0, r}, {-r, 0}});
            return;
        case Marker::Square: {
            const double h = r * 0.85;
            polygon({{-h, -h}, {h, -h}, {h, h}, {-h, h}});
            return;
        }
        case Marker::TriangleUp: {
            const double t = r * 1.1;
            polygon({{0, -t}, {t * 0.87, t * 0.5}, {-t * 0.87, t * 0.5}});
            return;
        }
        case Marker::TriangleDown: {
            const double t = r * 1.1;
            polygon({{0, t}, {t * 0.87, -t * 0.5}, {-t * 0.87, -t * 0.5}});
            return;
        }
    }
}

// A title line wider than the figure (a small PNG) is set smaller to fit
// between the side margins, instead of running off both edges.
Font fitted(const Canvas &canvas, Font font, const QString &text, double width) {
    const double textWidth = canvas.textWidth(text, font);
    if (textWidth > width && width > 0) font.size *= width / textWidth;
    return font;
}

// Does the segment a-b pass through `rect`? (Liang-Barsky clipping.)
bool segmentHits(QPointF a, QPointF b, const QRectF &rect) {
    double t0 = 0, t1 = 1;
    const double dx = b.x() - a.x(), dy = b.y() - a.y();
    auto clip = [&](double p, double q) {
        if (p == 0) return q >= 0;
        const double t = q / p;
        if (p < 0) {
            if (t > t1) return false;
            t0 = std::max(t0, t);
        } else {
            if (t < t0) return false;
            t1 = std::min(t1, t);
        }
        return true;
    };
    return clip(-dx, a.x() - rect.left()) && clip(dx, rect.right() - a.x()) && clip(-dy, a.y() - rect.top()) &&
           clip(dy, rect.bottom() - a.y());
}

// Where a point label ("MHA") is drawn: centred above its point, moved
// sideways to stay over the plot (a point at the plot's edge on a small
// figure would put it on the tick labels). Returns its box; the baseline is
// box.top() + ascent.
QRectF pointLabelBox(const Canvas &canvas, const Series &s, QPointF at, const QRectF &plot, const Font &font) {
    const double width = canvas.textWidth(s.pointLabel, font);
    if (s.pointLabelSide == Series::LabelSide::Left) {
        const double right = at.x() - s.markerSize / 2 - 3;
        const double baseline = at.y() + (canvas.ascent(font) - canvas.descent(font)) / 2;
        return {std::max(plot.left(), right - width), baseline - canvas.ascent(font), width, lineHeight(canvas, font)};
    }
    const double left = std::clamp(at.x() - width / 2, plot.left(), std::max(plot.left(), plot.right() - width));
    const double baseline = at.y() - s.markerSize / 2 - 3 - canvas.descent(font);
    return {left, baseline - canvas.ascent(font), width, lineHeight(canvas, font)};
}

// How many lines, markers and point labels of the drawn series a legend at `rect` would cover.
int covered(const Figure &figure, const std::vector<Series> &series, const QRectF &plot, const QRectF &rect,
            const Canvas &canvas, const FigureRenderer::Fonts &fonts) {
    const QRectF area = rect.adjusted(-2, -2, 2, 2);
    int count = 0;
    for (const Series &s : series) {
        QList<QPointF> points;
        for (const QPointF &p : s.points) points.append(toPlot(figure, plot, p));
        if (s.line) {
            const double half = s.line->width / 2;
            const QRectF widened = area.adjusted(-half, -half, half, half);
            for (qsizetype i = 1; i < points.size(); ++i) count += segmentHits(points[i - 1], points[i], widened);
        }
        const double r = s.markerSize / 2 + 1;
        for (const QPointF &p : points) {
            if (s.marker != Marker::None && area.intersects(QRectF(p - QPointF(r, r), p + QPointF(r, r)))) ++count;
            if (!s.pointLabel.isEmpty() && area.intersects(pointLabelBox(canvas, s, p, plot, fonts.label))) ++count;
        }
    }
    return count;
}

struct Layout {
    FigureRenderer::Fonts fonts;
    QRectF plot;
    Font headlineFont;
    Font configFont;
    Font noteFont;
    double headlineBaseline = 0;
    double configBaseline = 0;
    double noteBaseline = 0;
    double tickLabelWidth = 0;  // the widest y tick label
    FigureRenderer::LegendBox legend;
    std::vector<const Series *> entries;  // the legend's, in order
    std::vector<double> columnWidths;
    double legendRow = 0;
    double legendScale = 1;  // of its font, swatch and padding
};

void setLegendScale(Layout &layout, const Canvas &canvas, double scale) {
    layout.legendScale = scale;
    layout.legend.font = layout.fonts.legend;
    layout.legend.font.size *= scale;
    // Rows as matplotlib spaces them: a line and a third of an em between.
    layout.legendRow = lineHeight(canvas, layout.legend.font) + 0.35 * layout.legend.font.size;
}

// The legend's box at `columns` columns, entries filled row by row.
QSizeF legendSize(Layout &layout, const Canvas &canvas, int columns) {
    const auto n = static_cast<int>(layout.entries.size());
    const double k = layout.legendScale;
    layout.columnWidths.assign(static_cast<std::size_t>(columns), 0.0);
    for (int i = 0; i < n; ++i) {
        const double width = (5 + kLegendSwatch + 5) * k +
                             canvas.textWidth(layout.entries[static_cast<std::size_t>(i)]->name, layout.legend.font) +
                             6 * k;
        double &column = layout.columnWidths[static_cast<std::size_t>(i % columns)];
        column = std::max(column, width);
    }
    double width = 0;
    for (double w : layout.columnWidths) width += w;
    const int rows = (n + columns - 1) / columns;
    return {width, layout.legendRow * rows + 4 * k};
}

Layout layOut(const Figure &figure, const std::vector<Series> &series, const Canvas &canvas, const QRectF &box,
              const FigureStyle &style) {
    Layout layout;
    layout.fonts = FigureRenderer::fonts(style);
    const FigureRenderer::Fonts &fonts = layout.fonts;
    // Tight margins, as matplotlib's tight_layout leaves them.
    const double left = box.left() + 6, right = box.right() - 10, bottom = box.bottom() - 4;
    // Without a title: room for half the top y label, or for a point label
    // ("MQA") above a point at the top of the plot.
    double top = box.top() + 4 + canvas.ascent(fonts.tick) / 2;
    for (const Series &s : series) {
        if (!s.pointLabel.isEmpty()) top = std::max(top, box.top() + 4 + lineHeight(canvas, fonts.label) + s.markerSize / 2 + 3);
    }
    if (style.title) {
        const double titleWidth = box.width() - 2 * 6;  // centred: the left margin on both sides
        layout.headlineFont = fitted(canvas, fonts.title, figure.headline, titleWidth);
        layout.configFont = fitted(canvas, fonts.subtitle, figure.configLine, titleWidth);
        layout.headlineBaseline = box.top() + 4 + canvas.ascent(layout.headlineFont);
        layout.configBaseline = layout.headlineBaseline + canvas.descent(layout.headlineFont) + 2 +
                                canvas.ascent(layout.configFont);
        double lastBaseline = layout.configBaseline;
        Font lastFont = layout.configFont;
        if (!figure.note.isEmpty()) {
            layout.noteFont = fitted(canvas, fonts.subtitle, figure.note, titleWidth);
            layout.noteBaseline = layout.configBaseline + canvas.descent(layout.configFont) + 2 + canvas.ascent(layout.noteFont);
            lastBaseline = layout.noteBaseline;
            lastFont = layout.noteFont;
        }
        top = lastBaseline + canvas.descent(lastFont) + 12;
    }
    for (const Tick &tick : figure.y.ticks)
        layout.tickLabelWidth = std::max(layout.tickLabelWidth, canvas.textWidth(tick.label, fonts.tick));
    const double plotLeft = left + lineHeight(canvas, fonts.label) + 6 + layout.tickLabelWidth + 2 + kTickLength;
    const double belowPlot = lineHeight(canvas, fonts.label) + 4 + lineHeight(canvas, fonts.tick) + 2 + kTickLength;
    // Room for half of the last x label past the plot's right edge.
    const double halfLabel = canvas.textWidth(u"128K"_s, fonts.tick) / 2;
    auto plotRect = [&](double plotRight, double plotBottom) {
        return QRectF(QPointF(plotLeft, top), QPointF(std::max(plotLeft + 1, plotRight), std::max(top + 1, plotBottom)));
    };
    layout.plot = plotRect(right - halfLabel, bottom - belowPlot);

    for (const Series &s : series) {
        if (!s.name.isEmpty()) layout.entries.push_back(&s);
    }
    if (!figure.error.isEmpty() || style.legend == LegendPlacement::None || layout.entries.empty()) {
        layout.entries.clear();
        return layout;
    }
    setLegendScale(layout, canvas, 1.0);
    const QSizeF single = legendSize(layout, canvas, 1);

    if (style.legend != LegendPlacement::Outside) {
        // The figure's own corner first, then the others.
        const QRectF &plot = layout.plot;
        const double insetLeft = plot.left() + kLegendInset, insetTop = plot.top() + kLegendInset;
        const double insetRight = plot.right() - kLegendInset - single.width();
        const double insetBottom = plot.bottom() - kLegendInset - single.height();
        std::array<QPointF, 4> corners{QPointF(insetLeft, insetTop), QPointF(insetRight, insetTop),
                                       QPointF(insetLeft, insetBottom), QPointF(insetRight, insetBottom)};
        if (figure.legendCorner == Corner::BottomRight) std::swap(corners[0], corners[3]);
        std::optional<QRectF> best;
        int bestCount = 0;
        const bool fits = single.width() + 2 * kLegendInset <= plot.width() &&
                          single.height() + 2 * kLegendInset <= plot.height();
        for (const QPointF &corner : corners) {
            if (!fits) break;
            const QRectF rect(corner, single);
            const int count = covered(figure, series, plot, rect, canvas, fonts);
            if (!best || count < bestCount) {
                best = rect;
                bestCount = count;
            }
        }
        if (best && (bestCount == 0 || style.legend == LegendPlacement::Inside)) {
            layout.legend.rect = *best;
            return layout;
        }
    }

    // Outside: to the right while the plot keeps most of its width, else
    // below the x axis' title, in as many columns as the width holds.
    const double plotRight = right - single.width() - kLegendGap - halfLabel;
    const double plotWidth = layout.plot.width();
    if (plotRight - plotLeft >= 0.55 * plotWidth && single.height() <= layout.plot.height()) {
        layout.plot = plotRect(plotRight, layout.plot.bottom());
        layout.legend.rect = QRectF(QPointF(right - single.width(), layout.plot.top()), single);
        layout.legend.inside = false;
        return layout;
    }
    const double available = box.width() - 12;
    int columns = 1;
    QSizeF size;
    for (double scale : {1.0, 0.9, 0.8, 0.7, 0.6, 0.5}) {
        setLegendScale(layout, canvas, scale);
        columns = static_cast<int>(layout.entries.size());
        size = legendSize(layout, canvas, columns);
        while (columns > 1 && size.width() > available) size = legendSize(layout, canvas, --columns);
        if (size.height() <= box.height() * 0.3 && size.width() <= available) break;
    }
    layout.plot = plotRect(right - halfLabel, bottom - size.height() - kLegendGap / 2 - belowPlot);
    const double legendTop = layout.plot.bottom() + belowPlot + kLegendGap / 2;
    layout.legend.rect = QRectF(QPointF(box.center().x() - size.width() / 2, legendTop), size);
    layout.legend.inside = false;
    layout.legend.columns = columns;
    return layout;
}

void drawCentered(Canvas &canvas, double centerX, double baseline, const QString &text, const Font &font, Rgb color) {
    canvas.drawText(QPointF(centerX - canvas.textWidth(text, font) / 2, baseline), text, font, color);
}

void drawLegend(const Layout &layout, Canvas &canvas, const FigureTheme &theme) {
    if (layout.entries.empty()) return;
    const QRectF &box = layout.legend.rect;
    const Font &font = layout.legend.font;
    const double k = layout.legendScale;
    canvas.drawPolygon({box.topLeft(), box.topRight(), box.bottomRight(), box.bottomLeft()}, theme.legendFill,
                       Pen{theme.legendBorder, 0.8});
    const int columns = layout.legend.columns;
    for (std::size_t i = 0; i < layout.entries.size(); ++i) {
        const Series *s = layout.entries[i];
        double x = box.left();
        for (std::size_t c = 0; c < i % static_cast<std::size_t>(columns); ++c) x += layout.columnWidths[c];
        const double middle = box.top() + 2 * k +
                              layout.legendRow * static_cast<double>(i / static_cast<std::size_t>(columns)) +
                              layout.legendRow / 2;
        const QPointF swatchLeft(x + 5 * k, middle), swatchRight(x + (5 + kLegendSwatch) * k, middle);
        if (s->line) canvas.drawPolyline({swatchLeft, swatchRight}, *s->line);
        if (s->marker != Marker::None) drawMarker(canvas, *s, (swatchLeft + swatchRight) / 2);
        const double baseline = middle + (canvas.ascent(font) - canvas.descent(font)) / 2;
        canvas.drawText(QPointF(x + (5 + kLegendSwatch + 5) * k, baseline), s->name, font, theme.text);
    }
}

std::vector<Series> styledSeries(const Figure &figure, const FigureTheme &theme) {
    std::vector<Series> styled;
    styled.reserve(figure.series.size());
    int curve = 0;
    for (const Series &s : figure.series) styled.push_back(theme.styled(s, s.curve ? curve++ : 0));
    return styled;
}

}  // namespace

FigureRenderer::Fonts FigureRenderer::fonts(const FigureStyle &style) {
    const double f = style.fontSize;
    return {{f * 1.1, true}, {f * 0.9, false}, {f, false}, {f * 0.9, false}, {f * 0.9, false}};
}

int FigureRenderer::log2LabelStep(double pointsPerPower, double labelWidth) {
    for (int step : {1, 2, 5, 10}) {
        if (pointsPerPower * step >= labelWidth * 1.6) return step;
    }
    return 20;
}

QList<int> FigureRenderer::log2TickExponents(const Axis &axis, const Canvas &canvas, double width,
                                             const FigureStyle &style) {
    const double low = std::log2(axis.min), high = std::log2(axis.max);
    if (!(high > low)) return {};
    const int step =
        log2LabelStep(width / (high - low), canvas.textWidth(kWidestLog2Label.toString(), fonts(style).tick));
    QList<int> exponents;
    for (int e = static_cast<int>(std::ceil(low)); e <= static_cast<int>(std::floor(high)); ++e) {
        if (e % step == 0) exponents.append(e);
    }
    return exponents;
}

QList<qsizetype> FigureRenderer::spacedLabels(const QList<double> &centers, const QList<double> &widths, double gap) {
    QList<qsizetype> kept;
    auto clear = [&](qsizetype a, qsizetype b) {
        return centers[b] - widths[b] / 2 >= centers[a] + widths[a] / 2 + gap;
    };
    for (qsizetype i = 0; i < centers.size(); ++i) {
        if (kept.isEmpty() || clear(kept.constLast(), i)) kept.append(i);
    }
    const qsizetype last = centers.size() - 1;
    if (last > 0 && kept.constLast() != last) {
        while (!kept.isEmpty() && !clear(kept.constLast(), last)) kept.removeLast();
        kept.append(last);
    }
    return kept;
}

QList<Tick> FigureRenderer::labelledTicks(const Axis &axis, bool horizontal, const Canvas &canvas, double length,
                                         const FigureStyle &style) {
    QList<Tick> ticks;
    if (axis.log2 && !axis.ticks.isEmpty()) {
        const Font font = fonts(style).tick;
        QList<double> centers, widths;
        for (const Tick &tick : axis.ticks) {
            centers.append(fraction(axis, tick.value) * length);
            widths.append(horizontal ? canvas.textWidth(tick.label, font) : lineHeight(canvas, font));
        }
        for (qsizetype i : spacedLabels(centers, widths, font.size * 0.5)) ticks.append(axis.ticks[i]);
        return ticks;
    }
    if (axis.log2) {
        for (int e : log2TickExponents(axis, canvas, length, style)) ticks.append({std::exp2(e), ChartTicks::powerOfTwoLabel(e)});
        return ticks;
    }
    if (axis.ticks.size() < 2) return axis.ticks;
    const Font font = fonts(style).tick;
    double extent = lineHeight(canvas, font);
    if (horizontal) {
        extent = 0;
        for (const Tick &tick : axis.ticks) extent = std::max(extent, canvas.textWidth(tick.label, font));
    }
    const double spacing = std::abs(fraction(axis, axis.ticks[1].value) - fraction(axis, axis.ticks[0].value)) * length;
    int step = 1;
    while (spacing * step < extent * 1.25 && step < axis.ticks.size() - 1) ++step;
    for (qsizetype i = 0; i < axis.ticks.size(); i += step) ticks.append(axis.ticks[i]);
    return ticks;
}

QRectF FigureRenderer::plotArea(const Figure &figure, const Canvas &canvas, const QRectF &box, const FigureStyle &style) {
    return layOut(figure, styledSeries(figure, FigureTheme::of(style.theme)), canvas, box, style).plot;
}

FigureRenderer::LegendBox FigureRenderer::legendBox(const Figure &figure, const Canvas &canvas, const QRectF &box,
                                                    const FigureStyle &style) {
    return layOut(figure, styledSeries(figure, FigureTheme::of(style.theme)), canvas, box, style).legend;
}

void FigureRenderer::draw(const Figure &figure, Canvas &canvas, const QRectF &box, const FigureStyle &style) {
    const FigureTheme theme = FigureTheme::of(style.theme);
    const std::vector<Series> series = styledSeries(figure, theme);
    const Layout layout = layOut(figure, series, canvas, box, style);
    const Fonts &fonts = layout.fonts;
    const QRectF &plot = layout.plot;
    canvas.drawPolygon({box.topLeft(), box.topRight(), box.bottomRight(), box.bottomLeft()}, theme.background,
                       std::nullopt);
    if (style.title) {
        drawCentered(canvas, box.center().x(), layout.headlineBaseline, figure.headline, layout.headlineFont, theme.text);
        drawCentered(canvas, box.center().x(), layout.configBaseline, figure.configLine, layout.configFont, theme.text);
        if (!figure.note.isEmpty())
            drawCentered(canvas, box.center().x(), layout.noteBaseline, figure.note, layout.noteFont, theme.text);
    }

    if (!figure.error.isEmpty()) {
        // As the window shows it: the message where the data would be.
        const QStringList lines = canvas.wrapped(figure.error, fonts.label, plot.width() * 0.8);
        const double height = lineHeight(canvas, fonts.label) * 1.2;
        double baseline = plot.center().y() - height * static_cast<double>(lines.size()) / 2 + canvas.ascent(fonts.label);
        for (const QString &line : lines) {
            drawCentered(canvas, plot.center().x(), baseline, line, fonts.label, theme.error);
            baseline += height;
        }
        return;
    }

    auto toX = [&](double value) { return plot.left() + fraction(figure.x, value) * plot.width(); };
    auto toY = [&](double value) { return plot.bottom() - fraction(figure.y, value) * plot.height(); };
    const QList<Tick> xTicks = labelledTicks(figure.x, true, canvas, plot.width(), style);
    const QList<Tick> yLabels = labelledTicks(figure.y, false, canvas, plot.height(), style);

    // Grid, axis lines, tick marks and labels.
    const Pen grid{theme.grid, 0.6};
    for (const Tick &tick : xTicks) canvas.drawPolyline({{toX(tick.value), plot.top()}, {toX(tick.value), plot.bottom()}}, grid);
    for (const Tick &tick : figure.y.ticks) canvas.drawPolyline({{plot.left(), toY(tick.value)}, {plot.right(), toY(tick.value)}}, grid);
    const Pen axisPen{theme.text, 0.8};
    canvas.drawPolyline({plot.topLeft(), plot.bottomLeft(), plot.bottomRight()}, axisPen);
    const double xLabelBaseline = plot.bottom() + kTickLength + 2 + canvas.ascent(fonts.tick);
    // A log2 axis of given values (the groups chart's divisors) marks every
    // one, labelled or not.
    const QList<Tick> &xMarks = figure.x.log2 && !figure.x.ticks.isEmpty() ? figure.x.ticks : xTicks;
    for (const Tick &tick : xMarks) {
        const double x = toX(tick.value);
        canvas.drawPolyline({{x, plot.bottom()}, {x, plot.bottom() + kTickLength}}, axisPen);
    }
    for (const Tick &tick : xTicks) drawCentered(canvas, toX(tick.value), xLabelBaseline, tick.label, fonts.tick, theme.text);
    const double tickMiddle = (canvas.ascent(fonts.tick) - canvas.descent(fonts.tick)) / 2;
    for (const Tick &tick : yLabels) {
        const double y = toY(tick.value);
        canvas.drawPolyline({{plot.left() - kTickLength, y}, {plot.left(), y}}, axisPen);
        const double width = canvas.textWidth(tick.label, fonts.tick);
        canvas.drawText(QPointF(plot.left() - kTickLength - 2 - width, y + tickMiddle), tick.label, fonts.tick, theme.text);
    }
    // Axis titles longer than the figure is wide or high are set smaller,
    // as the title lines are.
    const double xTitleBaseline = xLabelBaseline + canvas.descent(fonts.tick) + 4 + canvas.ascent(fonts.label);
    const Font xTitleFont = fitted(canvas, fonts.label, figure.x.title, box.width() - 12);
    drawCentered(canvas, std::clamp(plot.center().x(), box.left() + canvas.textWidth(figure.x.title, xTitleFont) / 2 + 6,
                                    box.right() - canvas.textWidth(figure.x.title, xTitleFont) / 2 - 6),
                 xTitleBaseline, figure.x.title, xTitleFont, theme.text);
    // The y title reads bottom to top, centred on the plot's height where
    // the figure has room.
    // It may run past the plot's top into the gap under the title lines,
    // and down past the plot's bottom, but never into the title.
    const double yTitleTop = plot.top() - 8, yTitleLowest = xTitleBaseline + canvas.descent(fonts.label);
    const Font yTitleFont = fitted(canvas, fonts.label, figure.y.title, yTitleLowest - yTitleTop);
    const double yTitleWidth = canvas.textWidth(figure.y.title, yTitleFont);
    const double yTitleBaseline = plot.left() - kTickLength - 2 - layout.tickLabelWidth - 6 - canvas.descent(fonts.label);
    const double yTitleBottom = std::clamp(plot.center().y() + yTitleWidth / 2, yTitleTop + yTitleWidth, yTitleLowest);
    canvas.drawText(QPointF(yTitleBaseline, yTitleBottom), figure.y.title, yTitleFont, theme.text, true);

    // The data, clipped to the plot as the window clips it.
    canvas.setClip(plot);
    for (const Series &s : series) {
        QList<QPointF> points;
        points.reserve(s.points.size());
        for (const QPointF &p : s.points) points.append(QPointF(toX(p.x()), toY(p.y())));
        if (s.line && points.size() > 1) canvas.drawPolyline(points, *s.line);
        if (s.marker != Marker::None) {
            for (const QPointF &p : points) drawMarker(canvas, s, p);
        }
    }
    canvas.clearClip();
    for (const Series &s : series) {
        if (s.pointLabel.isEmpty()) continue;
        for (const QPointF &p : s.points) {
            const QRectF label = pointLabelBox(canvas, s, QPointF(toX(p.x()), toY(p.y())), plot, fonts.label);
            canvas.drawText(QPointF(label.left(), label.top() + canvas.ascent(fonts.label)), s.pointLabel, fonts.label,
                            theme.text);
        }
    }
    drawLegend(layout, canvas, theme);
}

QStringList Figure::texts() const {
    QStringList all{headline, configLine, note, error, x.title, y.title};
    for (const Tick &tick : x.ticks) all.append(tick.label);
    for (const Tick &tick : y.ticks) all.append(tick.label);
    for (const Series &s : series) all << s.name << s.pointLabel;
    all.removeAll(QString());
    return all;
}

}  // namespace figure
