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
#include "kvscope/dtype.h"
#include "kvscope/format.h"

using namespace Qt::StringLiterals;

namespace {

// Half a power of two of air on each side so end markers are not clipped.
constexpr double kXPad = 0.35;

}  // namespace

ContextChart::ContextChart(const ConfigModel *model, QGraphicsItem *parent) : KvChart(model, parent) {
    m_xLog = new QLogValueAxis(this);
    m_xLog->setBase(2.0);
    m_xLog->setVisible(false);
    m_xLog->setProperty("kvscopeHelper", true);
    m_xLabels = new QCategoryAxis(this);
    m_xLabels->setLabelsPosition(QCategoryAxis::AxisLabelsPositionOnValue);
    m_xLabels->setTitleText(u"context_length (log scale)"_s);
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

QString ContextChart::mhaName() { return u"MHA (KV total)"_s; }
QString ContextChart::gqaName(int groups) { return u"GQA (n_kv_groups=%1)"_s.arg(groups); }
QString ContextChart::extraName(int groups, double compression) {
    return u"GQA (n_kv_groups=%1, %2\u00d7 compression)"_s.arg(groups).arg(compression, 0, 'f', 1);
}
QString ContextChart::currentName(std::uint64_t context) {
    return u"context_length=%1"_s.arg(thousands(context));
}

QLineSeries *ContextChart::makeLine(const QString &name) {
    auto *line = new QLineSeries(this);
    line->setName(name);
    addSeries(line);
    line->attachAxis(m_xLog);
    line->attachAxis(m_y);
    adopt(line);
    return line;
}

QString ContextChart::headlineText() const { return u"KV-cache vs Context Length"_s; }

QString ContextChart::configText() const {
    const ConfigModel *m = model();
    if (m->hasModel())
        return u"(%1, batch=%2, dtype=%3)"_s.arg(m->modelName()).arg(m->batchSize()).arg(m->dtype());
    QString text = u"(n_heads=%1, emb_dim=%2"_s.arg(m->nHeads()).arg(m->embDim());
    if (m->explicitHeadDim() > 0) text += u", head_dim=%1"_s.arg(m->explicitHeadDim());
    text += u", n_layers=%1, batch=%2, n_kv_groups=%3, dtype=%4)"_s.arg(m->nLayers())
                .arg(m->batchSize())
                .arg(m->nKvGroups())
                .arg(m->dtype());
    return text;
}

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
    // Keep the legend in reading order (curves, then the context marker)
    // and the current-context rings drawn on top: move those two series
    // behind the new curves. They are the same objects, not new ones.
    for (QXYSeries *s : {static_cast<QXYSeries *>(m_currentLine), static_cast<QXYSeries *>(m_currentPoints)}) {
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
    m_modelCurves.clear();
    for (const ModelCurve *c : curves) m_modelCurves.push_back(*c);
    const bool book = !m->hasModel();
    for (QLineSeries *line : {m_mha, m_gqa}) {
        line->setVisible(book);
        legend()->markers(line).constFirst()->setVisible(book);
    }
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

    std::uint64_t maxBytes = std::max(estimate->mha_bytes, estimate->gqa_bytes);
    for (const auto &p : m_points) {
        maxBytes = std::max({maxBytes, p.mha_bytes, p.gqa_bytes});
        for (auto b : p.extra_gqa_bytes) maxBytes = std::max(maxBytes, b);
    }
    if (!book) {
        // The book's curves are hidden: scale to the model's and the extras.
        maxBytes = 0;
        for (const auto &p : m_points) {
            for (auto b : p.extra_gqa_bytes) maxBytes = std::max(maxBytes, b);
        }
    }
    for (const ModelCurve &c : m_modelCurves) {
        for (const auto &p : c.points) maxBytes = std::max(maxBytes, p.bytes);
    }
    m_unit = kvscope::unitFor(maxBytes, m->byteUnit());
    m_unitName = QString::fromLatin1(m_unit.suffix.data(), static_cast<qsizetype>(m_unit.suffix.size()));
    const double divisor = m_unit.divisor;
    auto y = [divisor](std::uint64_t bytes) { return static_cast<double>(bytes) / divisor; };

    QList<QPointF> mha, gqa;
    QMap<int, QList<QPointF>> extra;
    mha.reserve(static_cast<qsizetype>(m_points.size()));
    gqa.reserve(static_cast<qsizetype>(m_points.size()));
    for (const auto &p : m_points) {
        const double x = static_cast<double>(p.context_length);
        mha.append(QPointF(x, y(p.mha_bytes)));
        gqa.append(QPointF(x, y(p.gqa_bytes)));
        for (qsizetype i = 0; i < extraGroups.size() && static_cast<std::size_t>(i) < p.extra_gqa_bytes.size(); ++i) {
            if (m_extras.contains(extraGroups[i]))
                extra[extraGroups[i]].append(QPointF(x, y(p.extra_gqa_bytes[static_cast<std::size_t>(i)])));
        }
    }
    m_mha->replace(mha);
    m_gqa->replace(gqa);
    for (auto it = m_extras.begin(); it != m_extras.end(); ++it) {
        const auto &points = extra[it.key()];
        // Compression as the book's legend shows it: MHA bytes over this curve's bytes.
        if (!m_points.empty() && !points.isEmpty()) {
            const auto idx = static_cast<std::size_t>(extraGroups.indexOf(it.key()));
            const double ratio = kvscope::divideExact(m_points.back().mha_bytes, m_points.back().extra_gqa_bytes[idx]);
            it.value()->setName(extraName(it.key(), ratio));
        }
        it.value()->replace(points);
    }

    // Axes: powers of two with air at both ends; y from 0 to a round number above the data.
    m_minExp = std::log2(static_cast<double>(m_points.front().context_length));
    m_maxExp = std::log2(static_cast<double>(m_points.back().context_length));
    m_xLog->setRange(std::exp2(m_minExp - kXPad), std::exp2(m_maxExp + kXPad));
    const ChartTicks ticks = ChartTicks::forMaximum(static_cast<double>(maxBytes) / divisor);
    // A little below zero so the markers of the smallest values are whole.
    setTicks(m_y, -ticks.max * 0.03, ticks.max, ticks.step);
    m_y->setLabelFormat(ticks.labelFormat);
    m_y->setTitleText(u"Total KV cache (%1)"_s.arg(m_unitName));
    updateXTicks(true);

    const double cx = static_cast<double>(context);
    m_currentLine->replace({QPointF(cx, -ticks.max * 0.03), QPointF(cx, ticks.max)});
    const auto &real = m->modelEstimate();
    if (!book && real)
        m_currentPoints->replace({QPointF(cx, y(real->bytes.total))});
    else
        m_currentPoints->replace({QPointF(cx, y(estimate->mha_bytes)), QPointF(cx, y(estimate->gqa_bytes))});
    for (const ModelCurve &c : m_modelCurves) {
        QList<QPointF> points;
        points.reserve(static_cast<qsizetype>(c.points.size()));
        for (const auto &p : c.points) points.append(QPointF(static_cast<double>(p.context_length), y(p.bytes)));
        if (QLineSeries *line = m_modelLines.value(c.key)) {
            if (c.key == u"model"_s)
                line->setName(tr("%1 (real layers)").arg(c.name));
            else if (c.key.startsWith(u"pin"_s))
                line->setName(tr("pinned: %1").arg(c.name));
            else
                line->setName(tr("what-if: %1").arg(c.name));
            line->replace(points);
        }
    }
    return {};
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
    const QStringList old = m_xLabels->categoriesLabels();
    for (const QString &label : old) m_xLabels->remove(label);
    m_xLabels->setRange(m_minExp - kXPad, m_maxExp + kXPad);
    m_xLabels->setStartValue(m_minExp - kXPad);
    const int first = static_cast<int>(std::ceil(m_minExp));
    const int last = static_cast<int>(std::floor(m_maxExp));
    for (int e = first; e <= last; ++e) {
        if (e % step != 0) continue;
        m_xLabels->append(ChartTicks::powerOfTwoLabel(e), e);
    }
}

QStringList ContextChart::xTickLabels() const { return m_xLabels->categoriesLabels(); }

QString ContextChart::describe(const QXYSeries *series, const QPointF &point) const {
    const ConfigModel *m = model();
    const auto &estimate = m->estimate();
    if (m_points.empty() || !estimate) return {};
    const auto current = static_cast<std::uint64_t>(m->contextLength());
    if (series == m_currentLine)
        return u"Current context_length: %1 tokens"_s.arg(thousands(current));
    for (const ModelCurve &c : m_modelCurves) {
        if (m_modelLines.value(c.key) != series || c.points.empty()) continue;
        const double hoveredExp = std::log2(std::max(point.x(), 1.0));
        const kvscope::LayoutPoint *nearest = &c.points.front();
        for (const auto &p : c.points) {
            if (std::abs(std::log2(static_cast<double>(p.context_length)) - hoveredExp) <
                std::abs(std::log2(static_cast<double>(nearest->context_length)) - hoveredExp))
                nearest = &p;
        }
        return u"%1\ncontext_length: %2 tokens\nKV cache: %3 bytes"_s.arg(series->name(),
                                                                          thousands(nearest->context_length),
                                                                          thousands(nearest->bytes));
    }

    QString what;
    std::uint64_t context = current;
    std::uint64_t bytes = 0;
    if (series == m_currentPoints) {
        // Two rings at the current context: the upper one is MHA.
        const double mhaY = static_cast<double>(estimate->mha_bytes) / m_unit.divisor;
        const double gqaY = static_cast<double>(estimate->gqa_bytes) / m_unit.divisor;
        const bool isMha = std::abs(point.y() - mhaY) <= std::abs(point.y() - gqaY);
        what = isMha ? u"MHA"_s : gqaName(m_groups);
        bytes = isMha ? estimate->mha_bytes : estimate->gqa_bytes;
    } else {
        // Hovering a line reports a position on it: snap to the nearest data point.
        const double hoveredExp = std::log2(std::max(point.x(), 1.0));
        const kvscope::ContextPoint *nearest = &m_points.front();
        for (const auto &p : m_points) {
            if (std::abs(std::log2(static_cast<double>(p.context_length)) - hoveredExp) <
                std::abs(std::log2(static_cast<double>(nearest->context_length)) - hoveredExp))
                nearest = &p;
        }
        context = nearest->context_length;
        if (series == m_mha) {
            what = u"MHA"_s;
            bytes = nearest->mha_bytes;
        } else if (series == m_gqa) {
            what = gqaName(m_groups);
            bytes = nearest->gqa_bytes;
        } else {
            int groups = 0;
            for (auto it = m_extras.cbegin(); it != m_extras.cend(); ++it) {
                if (it.value() == series) groups = it.key();
            }
            const auto idx = m->extraGroups().indexOf(groups);
            if (groups == 0 || idx < 0 || static_cast<std::size_t>(idx) >= nearest->extra_gqa_bytes.size()) return {};
            what = gqaName(groups);
            bytes = nearest->extra_gqa_bytes[static_cast<std::size_t>(idx)];
        }
    }
    const auto giga = kvscope::gigaUnit(m->byteUnit());
    return u"%1\ncontext_length: %2 tokens\nKV cache: %3 bytes (%4 %5)"_s
        .arg(what, thousands(context), thousands(bytes))
        .arg(static_cast<double>(bytes) / giga.divisor, 0, 'f', 2)
        .arg(QString::fromLatin1(giga.suffix.data(), static_cast<qsizetype>(giga.suffix.size())));
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
    styleLine(m_currentLine, gridColor().darker(isDark() ? 60 : 170), 1.0, Qt::DashLine);
    m_currentLine->setPointsVisible(false);
    m_currentPoints->setMarkerShape(QScatterSeries::MarkerShapeCircle);
    m_currentPoints->setMarkerSize(isPrint() ? 8.0 : 10.0);
    m_currentPoints->setColor(Qt::transparent);
    m_currentPoints->setBorderColor(textColor());
    QPen ring(textColor(), 1.4);
    m_currentPoints->setPen(ring);
}
