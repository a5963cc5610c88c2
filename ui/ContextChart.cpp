#include "ContextChart.h"

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
#include "kvscope/dtype.h"
#include "kvscope/format.h"

using namespace Qt::StringLiterals;

namespace {

// Half a power of two of air on each side so end markers are not clipped.
constexpr double kXPad = ContextFigure::kXPad;

}  // namespace

ContextChart::ContextChart(const ConfigModel *model, QGraphicsItem *parent) : KvChart(model, parent) {
    m_xLog = new QLogValueAxis(this);
    m_xLog->setBase(2.0);
    m_xLog->setVisible(false);
    m_xLog->setProperty("kvscopeHelper", true);
    m_xLabels = new QCategoryAxis(this);
    m_xLabels->setLabelsPosition(QCategoryAxis::AxisLabelsPositionOnValue);
    m_xLabels->setTitleText(u"context_length (log scale)"_s);
    // The labels' axis spans the plot as 0..1 for good: see updateXTicks().
    m_xLabels->setRange(0.0, 1.0);
    m_xLabels->setStartValue(0.0);
    m_y = new QValueAxis(this);
    m_y->setTickType(QValueAxis::TicksDynamic);
    m_y->setTickAnchor(0.0);
    m_y->setMinorTickCount(0);
    addAxis(m_xLog, Qt::AlignBottom);
    addAxis(m_xLabels, Qt::AlignBottom);
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

void ContextChart::syncExtraSeries(const QList<int> &groups) {
    // Extra curves equal to MHA or to the current setting would hide under
    // those curves: they are listed in the CSV but not drawn twice.
    QList<int> wanted;
    for (int g : groups) {
        if (g != 1 && g != m_groups) wanted.append(g);
    }
    const QList<int> existing = m_extras.keys();
    for (int g : existing) {
        if (!wanted.contains(g)) {
            QLineSeries *line = m_extras.take(g);
            removeSeries(line);
            delete line;
        }
    }
    bool added = false;
    for (int g : wanted) {
        if (!m_extras.contains(g)) {
            m_extras.insert(g, makeLine(extraName(g, g)));
            added = true;
        }
    }
    if (added) keepMarkerLast();
}

void ContextChart::keepMarkerLast() {
    // Keep the legend in reading order (curves, the budget, then the context marker)
    // and the current-context rings drawn on top: move those two series
    // behind the new curves. They are the same objects, not new ones.
    for (QXYSeries *s : {static_cast<QXYSeries *>(m_budgetLine), static_cast<QXYSeries *>(m_budgetMarkers),
                         static_cast<QXYSeries *>(m_currentLine), static_cast<QXYSeries *>(m_currentPoints)}) {
        if (!s) continue;
        removeSeries(s);
        addSeries(s);
        s->attachAxis(m_xLog);
        s->attachAxis(m_y);
    }
    hideFromLegend(m_currentPoints);
    styleSeries();
}

void ContextChart::syncModelSeries(const std::vector<const ModelCurve *> &curves) {
    // Series are added and removed only when the set of curves changes;
    // otherwise their points are replaced.
    QStringList wanted;
    for (const ModelCurve *c : curves) wanted.append(c->key);
    if (wanted == m_modelKeys) return;
    for (QLineSeries *line : std::as_const(m_modelLines)) {
        removeSeries(line);
        delete line;
    }
    m_modelLines.clear();
    for (const ModelCurve *c : curves) m_modelLines.insert(c->key, makeLine(c->name));
    m_modelKeys = wanted;
    keepMarkerLast();
}

QString ContextChart::updateSeries() {
    const ConfigModel *m = model();
    const auto &result = m->contextPoints();
    m_groups = m->nKvGroups();
    m_gqa->setName(gqaName(m_groups));
    m_currentLine->setName(currentName(static_cast<std::uint64_t>(m->contextLength())));
    syncExtraSeries(m->extraGroups());
    // A loaded model: its real curve and the what-ifs the user did not hide
    // replace the book's MHA and GQA curves.
    std::vector<const ModelCurve *> curves;
    for (const ModelCurve &c : m->modelCurves()) {
        if (c.key == u"model"_s || !m->hiddenVariants().contains(c.key)) curves.push_back(&c);
    }
    for (const ModelCurve &c : m->pinnedCurves()) curves.push_back(&c);
    syncModelSeries(curves);
    const auto &plan = m->plan();
    syncBudgetSeries(plan.ok());
    // Under tensor parallelism the curves are one GPU's share, like the budget.
    m_perGpu = m->chartPerGpu();
    auto perGpuPoints = [m](const QString &key) {
        const ConfigModel::BudgetCurve *curve = m->budgetCurve(key);
        return curve ? curve->per_gpu : std::vector<kvscope::LayoutPoint>{};
    };
    m_modelCurves.clear();
    for (const ModelCurve *c : curves) {
        m_modelCurves.push_back(*c);
        if (m_perGpu) m_modelCurves.back().points = perGpuPoints(c->key);
    }
    const bool book = !m->hasModel();
    for (QLineSeries *line : {m_mha, m_gqa}) {
        line->setVisible(book);
        legend()->markers(line).constFirst()->setVisible(book);
    }
    m_bookDrawn.clear();
    if (!result) {
        m_points.clear();
        m_mha->clear();
        m_gqa->clear();
        return QString::fromStdString(result.error().message);
    }
    const auto &estimate = m->estimate();
    if (!estimate) return QString::fromStdString(estimate.error().message);

    m_points = *result;
    const QList<int> extraGroups = m->extraGroups();
    const std::uint64_t context = static_cast<std::uint64_t>(m->contextLength());

    // The book's curves in bytes as drawn: totals, or per GPU.
    std::vector<kvscope::LayoutPoint> mhaBytes, gqaBytes;
    QMap<int, std::vector<kvscope::LayoutPoint>> extraBytes;
    if (m_perGpu) {
        mhaBytes = perGpuPoints(u"book_mha"_s);
        gqaBytes = perGpuPoints(u"book_gqa"_s);
        for (int g : extraGroups) extraBytes[g] = perGpuPoints(u"book_g%1"_s.arg(g));
    } else {
        for (const auto &p : m_points) {
            mhaBytes.push_back({p.context_length, p.mha_bytes});
            gqaBytes.push_back({p.context_length, p.gqa_bytes});
            for (qsizetype i = 0; i < extraGroups.size() && static_cast<std::size_t>(i) < p.extra_gqa_bytes.size(); ++i)
                extraBytes[extraGroups[i]].push_back({p.context_length, p.extra_gqa_bytes[static_cast<std::size_t>(i)]});
        }
    }
    // The rings at the current context.
    std::uint64_t mhaNow = estimate->mha_bytes, gqaNow = estimate->gqa_bytes;
    if (m_perGpu) {
        const ConfigModel::BudgetCurve *mhaCurve = m->budgetCurve(u"book_mha"_s);
        const ConfigModel::BudgetCurve *gqaCurve = m->budgetCurve(u"book_gqa"_s);
        mhaNow = mhaCurve ? mhaCurve->per_gpu_at_context : 0;
        gqaNow = gqaCurve ? gqaCurve->per_gpu_at_context : 0;
    }

    std::uint64_t maxBytes = 0;
    if (book) {
        maxBytes = std::max(mhaNow, gqaNow);
        for (const auto *list : {&mhaBytes, &gqaBytes}) {
            for (const auto &p : *list) maxBytes = std::max(maxBytes, p.bytes);
        }
    }
    // With a model the book's curves are hidden: scale to the model's and the extras.
    for (const auto &list : std::as_const(extraBytes)) {
        for (const auto &p : list) maxBytes = std::max(maxBytes, p.bytes);
    }
    for (const ModelCurve &c : m_modelCurves) {
        for (const auto &p : c.points) maxBytes = std::max(maxBytes, p.bytes);
    }
    if (plan) {
        // With a budget the chart is about where curves cross it: the y axis
        // holds the budget and the current curve (the chart reaches past its
        // crossing), and steeper curves leave through the top after crossing.
        maxBytes = plan->kv_budget_bytes;
        const std::vector<kvscope::LayoutPoint> *primary = &gqaBytes;
        for (const ModelCurve &c : m_modelCurves) {
            if (c.key == u"model"_s) primary = &c.points;
        }
        for (const auto &p : *primary) maxBytes = std::max(maxBytes, p.bytes);
    }
    m_unit = kvscope::unitFor(maxBytes, m->byteUnit());
    m_unitName = QString::fromLatin1(m_unit.suffix.data(), static_cast<qsizetype>(m_unit.suffix.size()));
    const double divisor = m_unit.divisor;
    auto y = [divisor](std::uint64_t bytes) { return static_cast<double>(bytes) / divisor; };
    auto toPoints = [&y](const std::vector<kvscope::LayoutPoint> &bytes) {
        QList<QPointF> points;
        points.reserve(static_cast<qsizetype>(bytes.size()));
        for (const auto &p : bytes) points.append(QPointF(static_cast<double>(p.context_length), y(p.bytes)));
        return points;
    };

    m_mha->replace(toPoints(mhaBytes));
    m_gqa->replace(toPoints(gqaBytes));
    m_bookDrawn.insert(m_mha, std::move(mhaBytes));
    m_bookDrawn.insert(m_gqa, std::move(gqaBytes));
    for (auto it = m_extras.begin(); it != m_extras.end(); ++it) {
        const std::vector<kvscope::LayoutPoint> bytes = extraBytes.value(it.key());
        // Compression as the book's legend shows it: MHA bytes over this curve's bytes.
        if (!m_points.empty() && !bytes.empty()) {
            const auto idx = static_cast<std::size_t>(extraGroups.indexOf(it.key()));
            const double ratio = kvscope::divideExact(m_points.back().mha_bytes, m_points.back().extra_gqa_bytes[idx]);
            it.value()->setName(extraName(it.key(), ratio));
        }
        it.value()->replace(toPoints(bytes));
        // A group count whose K/V heads cannot be split over the GPUs has no
        // per-GPU curve: it leaves the chart and the legend meanwhile.
        it.value()->setVisible(!bytes.empty());
        legend()->markers(it.value()).constFirst()->setVisible(!bytes.empty());
        m_bookDrawn.insert(it.value(), bytes);
    }

    // Axes: powers of two with air at both ends; y from 0 to a round number above the data.
    m_minExp = std::log2(static_cast<double>(m_points.front().context_length));
    m_maxExp = std::log2(static_cast<double>(m_points.back().context_length));
    m_xLog->setRange(std::exp2(m_minExp - kXPad), std::exp2(m_maxExp + kXPad));
    const ChartTicks ticks = ChartTicks::forMaximum(static_cast<double>(maxBytes) / divisor);
    // A little below zero so the markers of the smallest values are whole.
    setTicks(m_y, -ticks.max * 0.03, ticks.max, ticks.step);
    m_y->setLabelFormat(ticks.labelFormat);
    m_y->setTitleText(ContextFigure::yTitle(m_perGpu, m_unitName));
    updateXTicks(true);

    const double cx = static_cast<double>(context);
    m_currentLine->replace({QPointF(cx, -ticks.max * 0.03), QPointF(cx, ticks.max)});
    const auto &real = m->modelEstimate();
    if (!book && real) {
        const ConfigModel::BudgetCurve *modelCurve = m_perGpu ? m->budgetCurve(u"model"_s) : nullptr;
        m_currentPoints->replace(
            {QPointF(cx, y(m_perGpu ? (modelCurve ? modelCurve->per_gpu_at_context : 0) : real->bytes.total))});
    } else {
        m_currentPoints->replace({QPointF(cx, y(mhaNow)), QPointF(cx, y(gqaNow))});
    }
    for (const ModelCurve &c : m_modelCurves) {
        if (QLineSeries *line = m_modelLines.value(c.key)) {
            line->setName(ContextFigure::modelCurveName(c.key, c.name));
            line->replace(toPoints(c.points));
        }
    }
    if (plan) {
        const QString size = QString::fromStdString(kvscope::formatBytes(plan->kv_budget_bytes, m->byteUnit()));
        m_budgetLine->setName(m->kvBudgetBytes() > 0 ? ContextFigure::directBudgetName(size)
                                                    : budgetName(size, m->gpuCount(), m->gpuLabel()));
        m_budgetMarkers->setName(fitsName(plan->max_context_length, m->workload().batch_size));
        updateBudget(y(plan->kv_budget_bytes), std::exp2(m_minExp - kXPad), std::exp2(m_maxExp + kXPad));
    }
    return {};
}

void ContextChart::updateBudget(double budgetY, double xMin, double xMax) {
    const ConfigModel *m = model();
    m_budgetLine->replace({QPointF(xMin, budgetY), QPointF(xMax, budgetY)});
    // A marker where each drawn curve of the current model crosses the line,
    // when that is on the chart.
    m_markers.clear();
    QList<QPointF> points;
    const double first = static_cast<double>(m_points.front().context_length);
    const double last = static_cast<double>(m_points.back().context_length);
    for (const ConfigModel::BudgetCurve &curve : m->budgetCurves()) {
        if (!curve.max_context || curve.max_context->value == 0 || curve.max_context->at_limit) continue;
        const QXYSeries *series = nullptr;
        if (curve.key == u"book_mha"_s) {
            series = m_mha;
        } else if (curve.key == u"book_gqa"_s) {
            series = m_gqa;
        } else if (curve.key.startsWith(u"book_g"_s)) {
            series = m_extras.value(curve.key.mid(6).toInt());
        } else {
            series = m_modelLines.value(curve.key);
        }
        if (!series || !series->isVisible()) continue;
        const double x = static_cast<double>(curve.max_context->value);
        if (x < first || x > last) continue;
        m_markers.append({curve.key, series->name(), x});
        points.append(QPointF(x, budgetY));
    }
    m_budgetMarkers->replace(points);
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
    // Label every power of two when they fit, else every 2nd, 5th or 10th
    // (so 1K, 1M, 1G stay labelled): labels never overlap.
    const QFontMetricsF metrics(tickFont());
    const double span = (m_maxExp - m_minExp) + 2 * kXPad;
    const double width = plotArea().width() > 50 ? plotArea().width() : 480.0;
    const double perPower = width / span;
    const double labelWidth = metrics.horizontalAdvance(u"512K"_s) * 1.6;
    int step = 1;
    for (int candidate : {1, 2, 5, 10, 20}) {
        step = candidate;
        if (perPower * candidate >= labelWidth) break;
    }
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
    // Most updates (every control but a context step past the sweep's end)
    // keep the tick set: then the axis is left alone.
    const QStringList shown = m_xLabels->categoriesLabels();
    bool same = shown == labels;
    for (qsizetype i = 0; same && i < labels.size(); ++i) same = m_xLabels->endValue(labels[i]) == positions[i];
    if (same) return;
    for (const QString &label : shown) m_xLabels->remove(label);
    for (qsizetype i = 0; i < labels.size(); ++i) m_xLabels->append(labels[i], positions[i]);
}

QStringList ContextChart::xTickLabels() const { return m_xLabels->categoriesLabels(); }

QString ContextChart::describe(const QXYSeries *series, const QPointF &point) const {
    const ConfigModel *m = model();
    const auto &estimate = m->estimate();
    if (m_points.empty() || !estimate) return {};
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
        text += u"\n%1 blocks of %2 tokens"_s.arg(thousands(plan->num_blocks)).arg(m->blockSize());
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
        return u"%1\nLargest context that fits at batch %2: %3 tokens\nIn blocks: %4 of the %5 budget per GPU"_s.arg(
            nearest->curveName, QString::number(m->batchSize()), thousands(curve->max_context->value),
            thousands(curve->paged_bytes), thousands(plan->kv_budget_bytes));
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
        const bool pinned = key.startsWith(u"pin"_s);
        styleLine(line, seriesColor(real ? 1 : index++), real ? 2.2 : (pinned ? 1.6 : 1.3),
                  real || pinned ? Qt::SolidLine : Qt::DashLine);
        line->setPointsVisible(real || pinned);
    }
    if (m_budgetLine) {
        // A red that reads on white and dark, unlike any curve's colour.
        const QColor budget = isDark() ? QColor(0xff, 0x6b, 0x6b) : QColor::fromRgb(ContextFigure::kBudgetColor);
        styleLine(m_budgetLine, budget, 1.6, Qt::DashDotLine);
        m_budgetLine->setPointsVisible(false);
        m_budgetMarkers->setMarkerShape(QScatterSeries::MarkerShapeRotatedRectangle);
        m_budgetMarkers->setMarkerSize(isPrint() ? 9.0 : 12.0);
        m_budgetMarkers->setColor(budget);
        m_budgetMarkers->setBorderColor(isDark() ? QColor(0x20, 0x20, 0x28) : QColor(Qt::white));
        m_budgetMarkers->setPen(QPen(m_budgetMarkers->borderColor(), 1.0));
    }
    styleLine(m_currentLine, gridColor().darker(isDark() ? 60 : 170), 1.0, Qt::DashLine);
    m_currentLine->setPointsVisible(false);
    m_currentPoints->setMarkerShape(QScatterSeries::MarkerShapeCircle);
    m_currentPoints->setMarkerSize(isPrint() ? 8.0 : 10.0);
    m_currentPoints->setColor(Qt::transparent);
    m_currentPoints->setBorderColor(textColor());
    QPen ring(textColor(), 1.4);
    m_currentPoints->setPen(ring);
}
