#include "ContextChart.h"

#include "Figure.h"

#include <QCategoryAxis>
#include <QFontMetricsF>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QScatterSeries>
#include <QValueAxis>
#include <algorithm>
#include <cmath>

#include "ChartTicks.h"
#include "ConfigModel.h"
#include "ContextFigure.h"
#include "FigureRenderer.h"
#include "kvscope/dtype.h"
#include "kvscope/format.h"

using namespace Qt::StringLiterals;

namespace {

// Half a power of two of air on each side so end markers are not clipped.
constexpr double kXPad = ContextFigure::kXPad;

}  // namespace

ContextChart::ContextChart(const ConfigModel *model, QGraphicsItem *parent) : KvChart(model, parent) {
    const Log2XAxis x = addLog2XAxis(u"context_length (log scale)"_s);
    m_xLog = x.log;
    m_xLabels = x.labels;
    m_y = new QValueAxis(this);
    m_y->setTickType(QValueAxis::TicksDynamic);
    m_y->setTickAnchor(0.0);
    m_y->setMinorTickCount(0);
    addAxis(m_y, Qt::AlignLeft);

    m_mha = makeLine(mhaName());
    m_gqa = makeLine(gqaName(4));
    m_currentLine = makeLine(currentName(0));
    m_currentPoints = new QScatterSeries(this);
    addSeries(m_currentPoints);
    m_currentPoints->attachAxis(m_xLog);
    m_currentPoints->attachAxis(m_y);
    adopt(m_currentPoints);
    hideFromLegend(m_currentPoints);

    setLook(ChartLook::Light);
    refresh();
}

ContextChart::~ContextChart() = default;

QString ContextChart::mhaName() { return ContextFigure::mhaName(); }
QString ContextChart::gqaName(int groups) { return ContextFigure::gqaName(groups); }
QString ContextChart::extraName(int groups, double compression) { return ContextFigure::extraName(groups, compression); }
QString ContextChart::currentName(std::uint64_t context) { return ContextFigure::currentName(context); }

QLineSeries *ContextChart::makeLine(const QString &name) {
    auto *line = new QLineSeries(this);
    line->setName(name);
    addSeries(line);
    line->attachAxis(m_xLog);
    line->attachAxis(m_y);
    adopt(line);
    return line;
}

QString ContextChart::headlineText() const { return ContextFigure::headline(); }

QString ContextChart::configText() const { return ContextFigure::configText(*model()); }

void ContextChart::syncExtraSeries(const std::vector<ContextPlot::Extra> &extras) {
    QList<int> wanted;
    for (const ContextPlot::Extra &e : extras) wanted.append(e.groups);
    const QList<int> existing = m_extras.keys();
    for (int g : existing) {
        if (!wanted.contains(g)) {
            QLineSeries *line = m_extras.take(g);
            removeSeries(line);
            delete line;
        }
    }
    bool added = false;
    for (const ContextPlot::Extra &e : extras) {
        if (!m_extras.contains(e.groups)) {
            m_extras.insert(e.groups, makeLine(e.name));
            added = true;
        }
    }
    if (added) keepMarkerLast();
}

void ContextChart::keepMarkerLast() {
    // Keep the legend in reading order (MHA and GQA, the extras by group
    // count, the model's curves, the budget, then the context marker) and the
    // current-context rings drawn on top, however the curves came and went:
    // move every series after MHA and GQA behind them again, in that order.
    // They are the same objects, not new ones.
    QList<QXYSeries *> order;
    for (QLineSeries *line : std::as_const(m_extras)) order.append(line);
    for (const QString &key : std::as_const(m_modelKeys)) {
        if (QLineSeries *line = m_modelLines.value(key)) order.append(line);
    }
    order << m_budgetLine << m_budgetMarkers << m_currentLine << m_currentPoints;
    for (QXYSeries *s : std::as_const(order)) {
        if (!s) continue;
        removeSeries(s);
        addSeries(s);
        s->attachAxis(m_xLog);
        s->attachAxis(m_y);
    }
    hideFromLegend(m_currentPoints);
    styleSeries();
}

void ContextChart::syncModelSeries(const std::vector<ModelCurve> &curves, const QStringList &names) {
    // Series are added and removed only when the set of curves changes;
    // otherwise their points are replaced.
    QStringList wanted;
    for (const ModelCurve &c : curves) wanted.append(c.key);
    if (wanted == m_modelKeys) return;
    for (QLineSeries *line : std::as_const(m_modelLines)) {
        removeSeries(line);
        delete line;
    }
    m_modelLines.clear();
    for (qsizetype i = 0; i < wanted.size(); ++i) m_modelLines.insert(wanted[i], makeLine(names[i]));
    m_modelKeys = wanted;
    keepMarkerLast();
}

QString ContextChart::updateSeries() {
    // What to draw comes from the same computation as the exported figure.
    const ConfigModel *m = model();
    const ContextPlot plot = ContextFigure::plot(*m);
    m_groups = plot.groups;
    m_gqa->setName(gqaName(m_groups));
    m_currentLine->setName(plot.currentName);
    syncExtraSeries(plot.extras);
    syncModelSeries(plot.modelCurves, plot.modelNames);
    syncBudgetSeries(plot.hasBudget);
    m_perGpu = plot.perGpu;
    m_modelCurves = plot.modelCurves;
    for (QLineSeries *line : {m_mha, m_gqa}) {
        line->setVisible(plot.book);
        legend()->markers(line).constFirst()->setVisible(plot.book);
    }
    m_bookDrawn.clear();
    m_markers.clear();
    m_hasData = plot.error.isEmpty();
    if (!m_hasData) {
        m_mha->clear();
        m_gqa->clear();
        return plot.error;
    }

    m_unitName = plot.unitName;
    auto toPoints = [&plot](const std::vector<kvscope::LayoutPoint> &bytes) {
        QList<QPointF> points;
        points.reserve(static_cast<qsizetype>(bytes.size()));
        for (const auto &p : bytes) points.append(QPointF(static_cast<double>(p.context_length), plot.y(p.bytes)));
        return points;
    };
    m_mha->replace(toPoints(plot.mha));
    m_gqa->replace(toPoints(plot.gqa));
    m_bookDrawn.insert(m_mha, plot.mha);
    m_bookDrawn.insert(m_gqa, plot.gqa);
    for (const ContextPlot::Extra &e : plot.extras) {
        QLineSeries *line = m_extras.value(e.groups);
        line->setName(e.name);
        line->replace(toPoints(e.points));
        // A group count whose K/V heads cannot be split over the GPUs has no
        // per-GPU curve: it leaves the chart and the legend meanwhile.
        line->setVisible(!e.points.empty());
        legend()->markers(line).constFirst()->setVisible(!e.points.empty());
        m_bookDrawn.insert(line, e.points);
    }

    // Axes: powers of two with air at both ends; y from just below 0 to a round number above the data.
    m_minExp = std::log2(static_cast<double>(plot.firstContext));
    m_maxExp = std::log2(static_cast<double>(plot.lastContext));
    m_xLog->setRange(plot.xMin(), plot.xMax());
    setTicks(m_y, plot.yMin, plot.yTicks.max, plot.yTicks.step);
    m_y->setLabelFormat(plot.yTicks.labelFormat);
    m_y->setTitleText(plot.yTitle);
    updateXTicks(true);

    const double cx = static_cast<double>(m->contextLength());
    m_currentLine->replace({QPointF(cx, plot.yMin), QPointF(cx, plot.yTicks.max)});
    QList<QPointF> rings;
    for (std::uint64_t bytes : plot.rings) rings.append(QPointF(cx, plot.y(bytes)));
    m_currentPoints->replace(rings);
    for (std::size_t i = 0; i < plot.modelCurves.size(); ++i) {
        if (QLineSeries *line = m_modelLines.value(plot.modelCurves[i].key)) {
            line->setName(plot.modelNames[static_cast<qsizetype>(i)]);
            line->replace(toPoints(plot.modelCurves[i].points));
            // A what-if whose K/V heads cannot be split over the GPUs has no
            // per-GPU curve: like such an extra, it leaves the legend meanwhile.
            const bool drawn = !plot.modelCurves[i].points.empty();
            line->setVisible(drawn);
            legend()->markers(line).constFirst()->setVisible(drawn);
        }
    }
    if (plot.hasBudget) {
        m_budgetLine->setName(plot.budgetName);
        m_budgetMarkers->setName(plot.fitsName);
        const double budgetY = plot.y(plot.budgetBytes);
        m_budgetLine->replace({QPointF(plot.xMin(), budgetY), QPointF(plot.xMax(), budgetY)});
        QList<QPointF> points;
        for (const ContextPlot::Marker &marker : plot.markers) {
            m_markers.append({marker.key, marker.curveName, static_cast<double>(marker.context)});
            points.append(QPointF(static_cast<double>(marker.context), budgetY));
        }
        m_budgetMarkers->replace(points);
    }
    return {};
}

void ContextChart::syncBudgetSeries(bool active) {
    // Added when a plan appears and removed when it goes: a toggle, not a slider step.
    if (active == (m_budgetLine != nullptr)) return;
    if (!active) {
        for (QXYSeries *s : {static_cast<QXYSeries *>(m_budgetLine), static_cast<QXYSeries *>(m_budgetMarkers)}) {
            removeSeries(s);
            delete s;
        }
        m_budgetLine = nullptr;
        m_budgetMarkers = nullptr;
        m_markers.clear();
        return;
    }
    m_budgetLine = makeLine(QString());
    m_budgetMarkers = new QScatterSeries(this);
    addSeries(m_budgetMarkers);
    m_budgetMarkers->attachAxis(m_xLog);
    m_budgetMarkers->attachAxis(m_y);
    adopt(m_budgetMarkers);
    keepMarkerLast();
}

QString ContextChart::budgetName(const QString &size, int gpus, const QString &gpuLabel) {
    return ContextFigure::budgetName(size, gpus, gpuLabel);
}

QString ContextChart::fitsName(const kvscope::Solved &maxContext, std::uint32_t batch) {
    return ContextFigure::fitsName(maxContext, batch);
}

QString ContextChart::budgetLineName() const { return m_budgetLine ? m_budgetLine->name() : QString(); }
QString ContextChart::budgetMarkersName() const { return m_budgetMarkers ? m_budgetMarkers->name() : QString(); }

QStringList ContextChart::budgetMarkerKeys() const {
    QStringList keys;
    for (const Marker &marker : m_markers) keys.append(marker.key);
    return keys;
}

void ContextChart::plotAreaResized() { updateXTicks(false); }

void ContextChart::updateXTicks(bool force) {
    const QFontMetricsF metrics(tickFont());
    const double span = (m_maxExp - m_minExp) + 2 * kXPad;
    const double width = plotArea().width() > 50 ? plotArea().width() : 480.0;
    const int step = figure::FigureRenderer::log2LabelStep(width / span,
                                                           metrics.horizontalAdvance(figure::FigureRenderer::kWidestLog2Label.toString()));
    if (!force && step == m_tickStep) return;
    m_tickStep = step;
    // Each label sits at its power's fraction of the log2 span, on an axis
    // whose range stays 0..1: changing that range would make Qt Charts lay
    // out the old labels and the whole chart at once, on every context step
    // that moves the sweep's end. New labels wait for the next layout pass.
    const double low = m_minExp - kXPad;
    const int first = static_cast<int>(std::ceil(m_minExp));
    const int last = static_cast<int>(std::floor(m_maxExp));
    QStringList labels;
    QList<double> positions;
    for (int e = first; e <= last; ++e) {
        if (e % step != 0) continue;
        labels.append(ChartTicks::powerOfTwoLabel(e));
        positions.append((e - low) / span);
    }
    // Most updates (every control but a context step past the sweep's end) keep the tick set.
    setCategoryLabels(m_xLabels, labels, positions);
}

QStringList ContextChart::xTickLabels() const { return m_xLabels->categoriesLabels(); }

QString ContextChart::describe(const QXYSeries *series, const QPointF &point) const {
    const ConfigModel *m = model();
    const auto &estimate = m->estimate();
    if (!m_hasData || !estimate) return {};
    const auto current = static_cast<std::uint64_t>(m->contextLength());
    const auto giga = kvscope::gigaUnit(m->byteUnit());
    auto sized = [&giga](std::uint64_t bytes) {
        return u"%1 bytes (%2 %3)"_s.arg(thousands(bytes))
            .arg(static_cast<double>(bytes) / giga.divisor, 0, 'f', 2)
            .arg(QString::fromLatin1(giga.suffix.data(), static_cast<qsizetype>(giga.suffix.size())));
    };
    const QString cacheLabel = m_perGpu ? u"KV cache per GPU"_s : u"KV cache"_s;
    if (series == m_currentLine)
        return u"Current context_length: %1 tokens"_s.arg(thousands(current));
    if (series && (series == m_budgetLine || series == m_budgetMarkers)) {
        const auto &plan = m->plan();
        if (!plan) return {};
        QString text = u"KV budget per GPU: %1\n= %2 usable − %3 weights"_s.arg(
            sized(plan->kv_budget_bytes),
            QString::fromStdString(kvscope::formatBytes(plan->usable_bytes_per_gpu, m->byteUnit())),
            QString::fromStdString(kvscope::formatBytes(plan->weights_bytes_per_gpu, m->byteUnit())));
        if (const std::uint64_t overhead = m->deployment().overhead_bytes)
            text += u" − %1 overhead"_s.arg(QString::fromStdString(kvscope::formatBytes(overhead, m->byteUnit())));
        if (plan->usable_bytes_per_gpu == 0) text = u"KV budget per GPU: %1 (given directly)"_s.arg(sized(plan->kv_budget_bytes));
        if (plan->engine == kvscope::Engine::Vllm)
            text += u"\n%1 blocks of %2 tokens"_s.arg(thousands(plan->num_blocks)).arg(plan->block_size);
        text += u"\n"_s + QString::fromStdString(plan->layout_rule);
        if (series == m_budgetLine || m_markers.isEmpty()) return text;
        // The marker nearest the pointer, on the log axis.
        const double hoveredExp = std::log2(std::max(point.x(), 1.0));
        const Marker *nearest = &m_markers.constFirst();
        for (const Marker &marker : m_markers) {
            if (std::abs(std::log2(marker.x) - hoveredExp) < std::abs(std::log2(nearest->x) - hoveredExp))
                nearest = &marker;
        }
        const ConfigModel::BudgetCurve *curve = m->budgetCurve(nearest->key);
        if (!curve || !curve->max_context) return text;
        return u"%1\nLargest context that fits at batch %2: %3 tokens\n%4 holds %5 of the %6 budget per GPU"_s.arg(
            nearest->curveName, QString::number(m->batchSize()), thousands(curve->max_context->value),
            QString::fromUtf8(kvscope::engineLabel(plan->engine)), thousands(curve->paged_bytes),
            thousands(plan->kv_budget_bytes));
    }
    for (const ModelCurve &c : m_modelCurves) {
        if (m_modelLines.value(c.key) != series || c.points.empty()) continue;
        const double hoveredExp = std::log2(std::max(point.x(), 1.0));
        const kvscope::LayoutPoint *nearest = &c.points.front();
        for (const auto &p : c.points) {
            if (std::abs(std::log2(static_cast<double>(p.context_length)) - hoveredExp) <
                std::abs(std::log2(static_cast<double>(nearest->context_length)) - hoveredExp))
                nearest = &p;
        }
        return u"%1\ncontext_length: %2 tokens\n%3: %4 bytes"_s.arg(series->name(), thousands(nearest->context_length),
                                                                     cacheLabel, thousands(nearest->bytes));
    }

    QString what;
    std::uint64_t context = current;
    std::uint64_t bytes = 0;
    if (series == m_currentPoints) {
        // Two rings at the current context: the upper one is MHA.
        const QList<QPointF> rings = m_currentPoints->points();
        if (rings.size() != 2) return {};
        const bool isMha = std::abs(point.y() - rings[0].y()) <= std::abs(point.y() - rings[1].y());
        what = isMha ? u"MHA"_s : gqaName(m_groups);
        bytes = isMha ? estimate->mha_bytes : estimate->gqa_bytes;
        if (m_perGpu) {
            const ConfigModel::BudgetCurve *curve = m->budgetCurve(isMha ? u"book_mha"_s : u"book_gqa"_s);
            bytes = curve ? curve->per_gpu_at_context : 0;
        }
    } else {
        // Hovering a line reports a position on it: snap to the nearest data point.
        const auto it = m_bookDrawn.constFind(series);
        if (it == m_bookDrawn.constEnd() || it->empty()) return {};
        const double hoveredExp = std::log2(std::max(point.x(), 1.0));
        const kvscope::LayoutPoint *nearest = &it->front();
        for (const auto &p : *it) {
            if (std::abs(std::log2(static_cast<double>(p.context_length)) - hoveredExp) <
                std::abs(std::log2(static_cast<double>(nearest->context_length)) - hoveredExp))
                nearest = &p;
        }
        context = nearest->context_length;
        bytes = nearest->bytes;
        if (series == m_mha) {
            what = u"MHA"_s;
        } else if (series == m_gqa) {
            what = gqaName(m_groups);
        } else {
            int groups = 0;
            for (auto e = m_extras.cbegin(); e != m_extras.cend(); ++e) {
                if (e.value() == series) groups = e.key();
            }
            if (groups == 0) return {};
            what = gqaName(groups);
        }
    }
    return u"%1\ncontext_length: %2 tokens\n%3: %4"_s.arg(what, thousands(context), cacheLabel, sized(bytes));
}

void ContextChart::styleSeries() {
    styleAxisFonts(m_xLabels);
    styleAxisFonts(m_y);
    styleLine(m_mha, seriesColor(0), 1.6);
    styleLine(m_gqa, seriesColor(1), 1.6);
    m_mha->setPointsVisible(true);
    m_gqa->setPointsVisible(true);
    int index = 2;
    for (QLineSeries *line : std::as_const(m_extras)) {
        styleLine(line, seriesColor(index++), 1.3);
        line->setPointsVisible(true);
    }
    for (const QString &key : std::as_const(m_modelKeys)) {
        QLineSeries *line = m_modelLines.value(key);
        if (!line) continue;
        const bool real = key == u"model"_s;
        const int slot = figure::pinSlot(key);
        const bool pinned = slot >= 0;
        const QColor color = pinned ? QColor::fromRgb(figure::pinColor(slot)) : seriesColor(real ? 1 : index++);
        styleLine(line, color, real ? 2.2 : (pinned ? 1.6 : 1.3),
                  real || pinned ? Qt::SolidLine : Qt::DashLine);
        line->setPointsVisible(real || pinned);
    }
    if (m_budgetLine) {
        // A red that reads on white and dark, unlike any curve's colour.
        const QColor budget = isDark() ? QColor(0xff, 0x6b, 0x6b) : QColor::fromRgb(ContextFigure::kBudgetColor);
        styleLine(m_budgetLine, budget, 1.6, Qt::DashDotLine);
        m_budgetLine->setPointsVisible(false);
        m_budgetMarkers->setMarkerShape(QScatterSeries::MarkerShapeRotatedRectangle);
        m_budgetMarkers->setMarkerSize(12.0);
        m_budgetMarkers->setColor(budget);
        m_budgetMarkers->setBorderColor(isDark() ? QColor(0x20, 0x20, 0x28) : QColor(Qt::white));
        m_budgetMarkers->setPen(QPen(m_budgetMarkers->borderColor(), 1.0));
    }
    styleLine(m_currentLine, gridColor().darker(isDark() ? 60 : 170), 1.0, Qt::DashLine);
    m_currentLine->setPointsVisible(false);
    m_currentPoints->setMarkerShape(QScatterSeries::MarkerShapeCircle);
    m_currentPoints->setMarkerSize(10.0);
    m_currentPoints->setColor(Qt::transparent);
    m_currentPoints->setBorderColor(textColor());
    QPen ring(textColor(), 1.4);
    m_currentPoints->setPen(ring);
}
