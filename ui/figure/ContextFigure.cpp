#include "ContextFigure.h"

#include <QCoreApplication>
#include <QMap>
#include <algorithm>
#include <cmath>

#include "ChartTicks.h"
#include "ConfigModel.h"
#include "kvscope/format.h"

using namespace Qt::StringLiterals;
using namespace figure;

namespace {

QString tr(const char *text) { return QCoreApplication::translate("ContextChart", text); }

QString thousands(std::uint64_t value) { return QString::fromStdString(kvscope::formatThousands(value)); }

// A line with the seed's dots (6.4 pt) on its points.
Series dottedLine(const QString &name, Rgb color, double width) {
    Series s;
    s.name = name;
    s.line = Pen{color, width, Dash::Solid};
    s.marker = Marker::Circle;
    s.markerSize = 6.4;
    s.markerFill = color;
    s.curve = true;
    return s;
}

}  // namespace

QString ContextFigure::headline() { return u"KV-cache vs Context Length"_s; }

QString ContextFigure::configText(const ConfigModel &m) {
    if (m.hasModel())
        return u"(%1, batch=%2, dtype=%3)"_s.arg(m.modelName()).arg(m.batchSize()).arg(m.dtype());
    QString text = u"(n_heads=%1, emb_dim=%2"_s.arg(m.nHeads()).arg(m.embDim());
    if (m.explicitHeadDim() > 0) text += u", head_dim=%1"_s.arg(m.explicitHeadDim());
    text += u", n_layers=%1, batch=%2, n_kv_groups=%3, dtype=%4)"_s.arg(m.nLayers())
                .arg(m.batchSize())
                .arg(m.nKvGroups())
                .arg(m.dtype());
    return text;
}

QString ContextFigure::mhaName() { return u"MHA (KV total)"_s; }
QString ContextFigure::gqaName(int groups) { return u"GQA (n_kv_groups=%1)"_s.arg(groups); }
QString ContextFigure::extraName(int groups, double compression) {
    return u"GQA (n_kv_groups=%1, %2\u00d7 compression)"_s.arg(groups).arg(compression, 0, 'f', 1);
}
QString ContextFigure::currentName(std::uint64_t context) { return u"context_length=%1"_s.arg(context); }

QString ContextFigure::modelCurveName(const QString &key, const QString &name) {
    if (key == u"model"_s) return tr("%1 (real layers)").arg(name);
    if (key.startsWith(u"pin"_s)) return tr("pinned: %1").arg(name);
    return tr("what-if: %1").arg(name);
}

QString ContextFigure::budgetName(const QString &size, int gpus, const QString &gpuLabel) {
    return tr("KV budget: %1 per GPU (%2 × %3)").arg(size).arg(gpus).arg(gpuLabel);
}

QString ContextFigure::directBudgetName(const QString &size) {
    return tr("KV budget: %1 per GPU (given directly)").arg(size);
}

QString ContextFigure::fitsName(const kvscope::Solved &maxContext, std::uint32_t batch) {
    if (maxContext.value == 0) return tr("fits: not 1 token at batch %1").arg(batch);
    if (maxContext.at_limit)
        return tr("fits: every context up to %1 tokens at batch %2").arg(thousands(maxContext.value)).arg(batch);
    return tr("largest context that fits: %1 tokens at batch %2").arg(thousands(maxContext.value)).arg(batch);
}

QString ContextFigure::yTitle(bool perGpu, const QString &unit) {
    return perGpu ? u"KV cache per GPU (%1)"_s.arg(unit) : u"Total KV cache (%1)"_s.arg(unit);
}

double ContextPlot::xMin() const {
    return std::exp2(std::log2(static_cast<double>(firstContext)) - ContextFigure::kXPad);
}

double ContextPlot::xMax() const {
    return std::exp2(std::log2(static_cast<double>(lastContext)) + ContextFigure::kXPad);
}

ContextPlot ContextFigure::plot(const ConfigModel &m) {
    ContextPlot p;
    p.book = !m.hasModel();
    p.perGpu = m.chartPerGpu();
    p.groups = m.nKvGroups();
    p.currentName = currentName(static_cast<std::uint64_t>(m.contextLength()));
    const QList<int> extraGroups = m.extraGroups();
    // Extra curves equal to MHA or to the current setting would hide under
    // those curves: they are listed in the CSV but not drawn twice.
    QList<int> drawnExtras;
    for (int g : extraGroups) {
        if (g != 1 && g != p.groups && !drawnExtras.contains(g)) drawnExtras.append(g);
    }
    std::sort(drawnExtras.begin(), drawnExtras.end());
    for (int g : drawnExtras) p.extras.push_back({g, extraName(g, g), {}});
    auto perGpuPoints = [&m](const QString &key) {
        const ConfigModel::BudgetCurve *curve = m.budgetCurve(key);
        return curve ? curve->per_gpu : std::vector<kvscope::LayoutPoint>{};
    };
    // A loaded model: its real curve and the what-ifs the user did not hide
    // replace the book's MHA and GQA curves.
    for (const ModelCurve &c : m.modelCurves()) {
        if (c.key == u"model"_s || !m.hiddenVariants().contains(c.key)) p.modelCurves.push_back(c);
    }
    for (const ModelCurve &c : m.pinnedCurves()) p.modelCurves.push_back(c);
    for (ModelCurve &c : p.modelCurves) {
        if (p.perGpu) c.points = perGpuPoints(c.key);
        p.modelNames.append(modelCurveName(c.key, c.name));
    }
    const auto &plan = m.plan();
    p.hasBudget = plan.ok();

    const auto &result = m.contextPoints();
    if (!result) {
        p.error = QString::fromStdString(result.error().message);
        return p;
    }
    const auto &estimate = m.estimate();
    if (!estimate) {
        p.error = QString::fromStdString(estimate.error().message);
        return p;
    }
    const std::vector<kvscope::ContextPoint> &points = *result;
    if (points.empty()) {
        p.error = u"No context lengths to chart."_s;
        return p;
    }
    p.firstContext = points.front().context_length;
    p.lastContext = points.back().context_length;

    // The book's curves in bytes as drawn: totals, or per GPU.
    if (p.perGpu) {
        p.mha = perGpuPoints(u"book_mha"_s);
        p.gqa = perGpuPoints(u"book_gqa"_s);
        for (ContextPlot::Extra &e : p.extras) e.points = perGpuPoints(u"book_g%1"_s.arg(e.groups));
    } else {
        for (const auto &point : points) {
            p.mha.push_back({point.context_length, point.mha_bytes});
            p.gqa.push_back({point.context_length, point.gqa_bytes});
        }
        for (ContextPlot::Extra &e : p.extras) {
            const auto column = static_cast<std::size_t>(extraGroups.indexOf(e.groups));
            for (const auto &point : points) {
                if (column < point.extra_gqa_bytes.size())
                    e.points.push_back({point.context_length, point.extra_gqa_bytes[column]});
            }
        }
    }
    // Compression as the book's legend shows it: MHA bytes over this curve's bytes.
    for (ContextPlot::Extra &e : p.extras) {
        const auto column = static_cast<std::size_t>(extraGroups.indexOf(e.groups));
        if (column < points.back().extra_gqa_bytes.size())
            e.name = extraName(e.groups, kvscope::divideExact(points.back().mha_bytes, points.back().extra_gqa_bytes[column]));
    }
    std::uint64_t mhaNow = estimate->mha_bytes, gqaNow = estimate->gqa_bytes;
    if (p.perGpu) {
        const ConfigModel::BudgetCurve *mhaCurve = m.budgetCurve(u"book_mha"_s);
        const ConfigModel::BudgetCurve *gqaCurve = m.budgetCurve(u"book_gqa"_s);
        mhaNow = mhaCurve ? mhaCurve->per_gpu_at_context : 0;
        gqaNow = gqaCurve ? gqaCurve->per_gpu_at_context : 0;
    }
    const auto &real = m.modelEstimate();
    if (!p.book && real) {
        const ConfigModel::BudgetCurve *modelCurve = p.perGpu ? m.budgetCurve(u"model"_s) : nullptr;
        p.rings = {p.perGpu ? (modelCurve ? modelCurve->per_gpu_at_context : 0) : real->bytes.total};
    } else {
        p.rings = {mhaNow, gqaNow};
    }

    // The y axis holds every drawn curve; with a budget, the budget and the
    // current curve (the chart reaches past its crossing), and steeper
    // curves leave through the top after crossing.
    std::uint64_t maxBytes = 0;
    if (p.book) {
        maxBytes = std::max(mhaNow, gqaNow);
        for (const auto *list : {&p.mha, &p.gqa}) {
            for (const auto &point : *list) maxBytes = std::max(maxBytes, point.bytes);
        }
    }
    for (const ContextPlot::Extra &e : p.extras) {
        for (const auto &point : e.points) maxBytes = std::max(maxBytes, point.bytes);
    }
    for (const ModelCurve &c : p.modelCurves) {
        for (const auto &point : c.points) maxBytes = std::max(maxBytes, point.bytes);
    }
    if (plan) {
        maxBytes = plan->kv_budget_bytes;
        const std::vector<kvscope::LayoutPoint> *primary = &p.gqa;
        for (const ModelCurve &c : p.modelCurves) {
            if (c.key == u"model"_s) primary = &c.points;
        }
        for (const auto &point : *primary) maxBytes = std::max(maxBytes, point.bytes);
    }
    p.unit = kvscope::unitFor(maxBytes, m.byteUnit());
    p.unitName = QString::fromLatin1(p.unit.suffix.data(), static_cast<qsizetype>(p.unit.suffix.size()));
    p.yTitle = yTitle(p.perGpu, p.unitName);
    p.yTicks = ChartTicks::forMaximum(static_cast<double>(maxBytes) / p.unit.divisor);
    p.yMin = -p.yTicks.max * 0.03;

    if (plan) {
        const QString size = QString::fromStdString(kvscope::formatBytes(plan->kv_budget_bytes, m.byteUnit()));
        p.budgetBytes = plan->kv_budget_bytes;
        p.budgetName = m.kvBudgetBytes() > 0 ? directBudgetName(size) : budgetName(size, m.gpuCount(), m.gpuLabel());
        p.fitsName = fitsName(plan->max_context_length, m.workload().batch_size);
        // A marker where each drawn curve of the current model crosses the
        // line, when that is on the chart.
        for (const ConfigModel::BudgetCurve &curve : m.budgetCurves()) {
            if (!curve.max_context || curve.max_context->value == 0 || curve.max_context->at_limit) continue;
            const std::uint64_t x = curve.max_context->value;
            if (x < p.firstContext || x > p.lastContext) continue;
            QString name;
            if (curve.key == u"book_mha"_s || curve.key == u"book_gqa"_s) {
                if (p.book) name = curve.key == u"book_mha"_s ? mhaName() : gqaName(p.groups);
            } else if (curve.key.startsWith(u"book_g"_s)) {
                for (const ContextPlot::Extra &e : p.extras) {
                    if (u"book_g%1"_s.arg(e.groups) == curve.key && !e.points.empty()) name = e.name;
                }
            } else {
                for (std::size_t i = 0; i < p.modelCurves.size(); ++i) {
                    if (p.modelCurves[i].key == curve.key) name = p.modelNames[static_cast<qsizetype>(i)];
                }
            }
            if (!name.isEmpty()) p.markers.push_back({curve.key, name, x});
        }
    }
    return p;
}

Figure ContextFigure::build(const ConfigModel &m) {
    const ContextPlot p = plot(m);
    Figure f;
    f.headline = headline();
    f.configLine = configText(m);
    f.legendCorner = Corner::TopLeft;
    f.x.title = u"context_length (log scale)"_s;
    f.x.log2 = true;
    f.y.title = yTitle(false, u"GB"_s);
    if (!p.error.isEmpty()) {
        f.error = p.error;
        return f;
    }
    auto toPoints = [&p](const std::vector<kvscope::LayoutPoint> &bytes) {
        QList<QPointF> list;
        list.reserve(static_cast<qsizetype>(bytes.size()));
        for (const auto &point : bytes) list.append(QPointF(static_cast<double>(point.context_length), p.y(point.bytes)));
        return list;
    };
    f.x.min = p.xMin();
    f.x.max = p.xMax();
    f.y.min = p.yMin;
    f.y.max = p.yTicks.max;
    const QByteArray format = p.yTicks.labelFormat.toLatin1();
    for (int i = 0; i * p.yTicks.step <= p.yTicks.max * (1 + 1e-9); ++i)
        f.y.ticks.append({i * p.yTicks.step, QString::asprintf(format.constData(), i * p.yTicks.step)});
    f.y.title = p.yTitle;

    // Curves in the window's legend order and colours.
    if (p.book) {
        f.series.push_back(dottedLine(mhaName(), cycleColor(0), 1.6));
        f.series.back().points = toPoints(p.mha);
        f.series.push_back(dottedLine(gqaName(p.groups), cycleColor(1), 1.6));
        f.series.back().points = toPoints(p.gqa);
    }
    int colorIndex = 2;
    for (const ContextPlot::Extra &e : p.extras) {
        const Rgb color = cycleColor(colorIndex++);
        if (e.points.empty()) continue;
        f.series.push_back(dottedLine(e.name, color, 1.3));
        f.series.back().points = toPoints(e.points);
    }
    for (std::size_t i = 0; i < p.modelCurves.size(); ++i) {
        const ModelCurve &c = p.modelCurves[i];
        const bool real = c.key == u"model"_s;
        const int slot = pinSlot(c.key);
        const bool pinned = slot >= 0;
        const Rgb color = pinned ? pinColor(slot) : cycleColor(real ? 1 : colorIndex++);
        if (c.points.empty()) continue;  // cannot be split over the GPUs: not drawn
        Series s = dottedLine(p.modelNames[static_cast<qsizetype>(i)], color, real ? 2.2 : (pinned ? 1.6 : 1.3));
        if (!real && !pinned) {
            s.line->dash = Dash::Dashed;
            s.marker = Marker::None;
        }
        s.points = toPoints(c.points);
        f.series.push_back(std::move(s));
    }

    const double cx = static_cast<double>(m.contextLength());
    if (p.hasBudget) {
        const double budgetY = p.y(p.budgetBytes);
        Series line;
        line.name = p.budgetName;
        line.line = Pen{kBudgetColor, 1.6, Dash::DashDot};
        line.points = {QPointF(f.x.min, budgetY), QPointF(f.x.max, budgetY)};
        Series markers;
        markers.name = p.fitsName;
        markers.marker = Marker::Diamond;
        markers.markerSize = 9.0;
        markers.markerFill = kBudgetColor;
        markers.markerOutline = Pen{0xffffff, 1.0};
        for (const ContextPlot::Marker &marker : p.markers)
            markers.points.append(QPointF(static_cast<double>(marker.context), budgetY));
        f.series.push_back(std::move(line));
        f.series.push_back(std::move(markers));
    }
    Series current;
    current.name = p.currentName;
    current.line = Pen{kCurrentColor, 1.0, Dash::Dashed};
    current.points = {QPointF(cx, f.y.min), QPointF(cx, f.y.max)};
    f.series.push_back(std::move(current));
    // Rings at the current context, on top of everything.
    Series rings;
    rings.marker = Marker::Circle;
    rings.markerSize = 8.0;
    rings.markerOutline = Pen{0x000000, 1.4};
    for (std::uint64_t bytes : p.rings) rings.points.append(QPointF(cx, p.y(bytes)));
    f.series.push_back(std::move(rings));
    return f;
}
