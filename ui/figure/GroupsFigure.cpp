#include "GroupsFigure.h"

#include <QStringList>
#include <algorithm>
#include <cmath>

#include "ConfigModel.h"
#include "ImportedModel.h"
#include "kvscope/format.h"
#include "kvscope/layout.h"

using namespace Qt::StringLiterals;
using namespace figure;

QString GroupsFigure::headline() { return u"KV-cache Savings vs n_kv_groups"_s; }

QString GroupsFigure::configText(const ConfigModel &m) {
    QString text = u"(n_heads=%1, emb_dim=%2"_s.arg(m.nHeads()).arg(m.embDim());
    if (m.explicitHeadDim() > 0) text += u", head_dim=%1"_s.arg(m.explicitHeadDim());
    text += u", n_layers=%1, batch=%2, context=%3, dtype=%4)"_s.arg(m.nLayers())
                .arg(m.batchSize())
                .arg(m.contextLength())
                .arg(m.dtype());
    return text;
}

QString GroupsFigure::note(const ConfigModel &m) {
    const ImportedModel *imported = m.importedModel();
    if (!m.hasModel() || !imported) return {};
    const auto counts = kvscope::layerCountsByKind(imported->layout);
    const auto count = [&](kvscope::LayerKind kind) { return counts[static_cast<std::size_t>(kind)]; };
    QStringList kinds;
    if (count(kvscope::LayerKind::Mla) > 0) kinds.append(u"%1 MLA layers cache a latent"_s.arg(count(kvscope::LayerKind::Mla)));
    if (count(kvscope::LayerKind::Linear) > 0)
        kinds.append(u"%1 linear layers keep a fixed state"_s.arg(count(kvscope::LayerKind::Linear)));
    if (kinds.isEmpty()) return {};
    return u"The book's formula on the shape only: %1's %2, not K/V heads"_s.arg(m.modelName(), kinds.join(u" and "_s));
}

QString GroupsFigure::savingsName() { return u"Savings vs MHA"_s; }

QString GroupsFigure::currentName(int groups, double savings) {
    return u"current: n_kv_groups=%1 (%2%)"_s.arg(groups).arg(QString::fromStdString(kvscope::formatFixed2(savings)));
}

QStringList GroupsFigure::endLabels(std::size_t groupCounts) {
    // One head: MHA and MQA are the same configuration.
    if (groupCounts == 1) return {u"MHA = MQA"_s};
    return {u"MHA"_s, u"MQA"_s};
}

QString GroupsFigure::noGroupsError(int heads) { return u"No valid n_kv_groups for n_heads=%1."_s.arg(heads); }

double GroupsFigure::xPadLeft(int heads) {
    return std::max(0.5, (std::log2(std::max(heads, 1)) + kXPadRight) / 8.0);
}

QString GroupsFigure::xTitle() { return u"n_kv_groups (log scale)"_s; }

QList<Tick> GroupsFigure::xTicks(const std::vector<kvscope::GroupPoint> &points) {
    QList<Tick> ticks;
    for (const kvscope::GroupPoint &p : points)
        ticks.append({static_cast<double>(p.n_kv_groups), QString::number(p.n_kv_groups)});
    return ticks;
}

Figure GroupsFigure::build(const ConfigModel &m) {
    Figure f;
    f.headline = headline();
    f.configLine = configText(m);
    f.note = note(m);
    f.legendCorner = Corner::BottomRight;
    f.x.title = xTitle();
    f.y.title = u"Savings vs MHA (%)"_s;
    f.y.min = kYMin;
    f.y.max = kYMax;
    for (int v = 0; v <= 100; v += 20) f.y.ticks.append({static_cast<double>(v), QString::number(v)});

    const auto &result = m.groupPoints();
    if (!result) {
        f.error = QString::fromStdString(result.error().message);
        return f;
    }
    if (result->empty()) {
        f.error = noGroupsError(m.nHeads());
        return f;
    }
    const int heads = m.nHeads();
    f.x.log2 = true;
    f.x.min = xMin(heads);
    f.x.max = xMax(heads);
    f.x.ticks = xTicks(*result);

    Series savings;
    savings.name = savingsName();
    savings.line = Pen{cycleColor(0), 1.6, Dash::Solid};
    savings.marker = Marker::Circle;
    savings.markerSize = 6.4;
    savings.markerFill = cycleColor(0);
    savings.curve = true;
    QPointF current;
    for (const auto &p : *result) {
        const QPointF point(p.n_kv_groups, p.savings_percent);
        savings.points.append(point);
        if (static_cast<int>(p.n_kv_groups) == m.nKvGroups()) current = point;
    }
    const QStringList ends = endLabels(result->size());
    // The end labels keep clear of the highlight's marker, which may sit on either end.
    constexpr double kHighlightSize = 9.0;
    Series mhaEnd;
    mhaEnd.points = {savings.points.constFirst()};
    mhaEnd.markerSize = kHighlightSize;
    mhaEnd.pointLabel = ends.constFirst();
    // The curve rises to the right of MHA: its label goes on the left.
    if (ends.size() > 1) mhaEnd.pointLabelSide = Series::LabelSide::Left;
    f.series.push_back(savings);
    f.series.push_back(mhaEnd);
    if (ends.size() > 1) {
        Series mqaEnd;
        mqaEnd.points = {savings.points.constLast()};
        mqaEnd.markerSize = kHighlightSize;
        mqaEnd.pointLabel = ends.constLast();
        f.series.push_back(mqaEnd);
    }
    Series highlight;
    highlight.name = currentName(m.nKvGroups(), current.y());
    highlight.points = {current};
    highlight.marker = Marker::Circle;
    highlight.markerSize = kHighlightSize;
    highlight.markerFill = cycleColor(3);
    highlight.markerOutline = Pen{0x000000, 1.0};
    f.series.push_back(highlight);
    return f;
}
