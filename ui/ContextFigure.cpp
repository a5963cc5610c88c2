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
QString ContextFigure::currentName(std::uint64_t context) { return u"context_length=%1"_s.arg(thousands(context)); }

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

Figure ContextFigure::build(const ConfigModel &m) {
    Figure f;
    f.headline = headline();
    f.configLine = configText(m);
    f.legendCorner = Corner::TopLeft;
    f.x.title = u"context_length (log scale)"_s;
    f.x.log2 = true;
    f.y.title = yTitle(false, u"GB"_s);

    const auto &result = m.contextPoints();
    if (!result) {
        f.error = QString::fromStdString(result.error().message);
        return f;
    }
    const auto &estimate = m.estimate();
    if (!estimate) {
        f.error = QString::fromStdString(estimate.error().message);
        return f;
    }
    const std::vector<kvscope::ContextPoint> &points = *result;
    if (points.empty()) return f;

    const bool book = !m.hasModel();
    const bool perGpu = m.chartPerGpu();
    const int groups = m.nKvGroups();
    const QList<int> extraGroups = m.extraGroups();
    auto perGpuPoints = [&m](const QString &key) {
        const ConfigModel::BudgetCurve *curve = m.budgetCurve(key);
        return curve ? curve->per_gpu : std::vector<kvscope::LayoutPoint>{};
    };

    // A loaded model: its real curve and the what-ifs the user did not hide
    // replace the book's MHA and GQA curves.
    std::vector<ModelCurve> curves;
    for (const ModelCurve &c : m.modelCurves()) {
        if (c.key == u"model"_s || !m.hiddenVariants().contains(c.key)) curves.push_back(c);
    }
    for (const ModelCurve &c : m.pinnedCurves()) curves.push_back(c);
    if (perGpu) {
        for (ModelCurve &c : curves) c.points = perGpuPoints(c.key);
    }

    // The book's curves in bytes as drawn: totals, or per GPU. Extra curves
    // equal to MHA or to the current setting are not drawn twice.
    std::vector<kvscope::LayoutPoint> mhaBytes, gqaBytes;
    QMap<int, std::vector<kvscope::LayoutPoint>> extraBytes;
    for (int g : extraGroups) {
        if (g != 1 && g != groups) extraBytes[g];
    }
    if (perGpu) {
        mhaBytes = perGpuPoints(u"book_mha"_s);
        gqaBytes = perGpuPoints(u"book_gqa"_s);
        for (auto it = extraBytes.begin(); it != extraBytes.end(); ++it) it.value() = perGpuPoints(u"book_g%1"_s.arg(it.key()));
    } else {
        for (const auto &p : points) {
            mhaBytes.push_back({p.context_length, p.mha_bytes});
            gqaBytes.push_back({p.context_length, p.gqa_bytes});
            for (qsizetype i = 0; i < extraGroups.size() && static_cast<std::size_t>(i) < p.extra_gqa_bytes.size(); ++i) {
                if (extraBytes.contains(extraGroups[i]))
                    extraBytes[extraGroups[i]].push_back({p.context_length, p.extra_gqa_bytes[static_cast<std::size_t>(i)]});
            }
        }
    }
    std::uint64_t mhaNow = estimate->mha_bytes, gqaNow = estimate->gqa_bytes;
    if (perGpu) {
        const ConfigModel::BudgetCurve *mhaCurve = m.budgetCurve(u"book_mha"_s);
        const ConfigModel::BudgetCurve *gqaCurve = m.budgetCurve(u"book_gqa"_s);
        mhaNow = mhaCurve ? mhaCurve->per_gpu_at_context : 0;
        gqaNow = gqaCurve ? gqaCurve->per_gpu_at_context : 0;
    }

    // The y axis holds every drawn curve; with a budget, the budget and the
    // current curve (steeper curves leave through the top after crossing).
    const auto &plan = m.plan();
    std::uint64_t maxBytes = 0;
    if (book) {
        maxBytes = std::max(mhaNow, gqaNow);
        for (const auto *list : {&mhaBytes, &gqaBytes}) {
            for (const auto &p : *list) maxBytes = std::max(maxBytes, p.bytes);
        }
    }
    for (const auto &list : std::as_const(extraBytes)) {
        for (const auto &p : list) maxBytes = std::max(maxBytes, p.bytes);
    }
    for (const ModelCurve &c : curves) {
        for (const auto &p : c.points) maxBytes = std::max(maxBytes, p.bytes);
    }
    if (plan) {
        maxBytes = plan->kv_budget_bytes;
        const std::vector<kvscope::LayoutPoint> *primary = &gqaBytes;
        for (const ModelCurve &c : curves) {
            if (c.key == u"model"_s) primary = &c.points;
        }
        for (const auto &p : *primary) maxBytes = std::max(maxBytes, p.bytes);
    }
    const kvscope::ScaledUnit unit = kvscope::unitFor(maxBytes, m.byteUnit());
    const QString unitName = QString::fromLatin1(unit.suffix.data(), static_cast<qsizetype>(unit.suffix.size()));
    auto y = [&unit](std::uint64_t bytes) { return static_cast<double>(bytes) / unit.divisor; };
    auto toPoints = [&y](const std::vector<kvscope::LayoutPoint> &bytes) {
        QList<QPointF> list;
        list.reserve(static_cast<qsizetype>(bytes.size()));
        for (const auto &p : bytes) list.append(QPointF(static_cast<double>(p.context_length), y(p.bytes)));
        return list;
    };

    const double minExp = std::log2(static_cast<double>(points.front().context_length));
    const double maxExp = std::log2(static_cast<double>(points.back().context_length));
    f.x.min = std::exp2(minExp - kXPad);
    f.x.max = std::exp2(maxExp + kXPad);
    const ChartTicks ticks = ChartTicks::forMaximum(static_cast<double>(maxBytes) / unit.divisor);
    // A little below zero so the markers of the smallest values are whole.
    f.y.min = -ticks.max * 0.03;
    f.y.max = ticks.max;
    const QByteArray format = ticks.labelFormat.toLatin1();
    for (int i = 0; i * ticks.step <= ticks.max * (1 + 1e-9); ++i)
        f.y.ticks.append({i * ticks.step, QString::asprintf(format.constData(), i * ticks.step)});
    f.y.title = yTitle(perGpu, unitName);

    // Curves, in the window's legend order; names keyed for the budget markers.
    QMap<QString, QString> drawnNames;  // budget curve key -> legend name of its drawn curve
    if (book) {
        Series mha = dottedLine(mhaName(), cycleColor(0), 1.6);
        mha.points = toPoints(mhaBytes);
        Series gqa = dottedLine(gqaName(groups), cycleColor(1), 1.6);
        gqa.points = toPoints(gqaBytes);
        drawnNames.insert(u"book_mha"_s, mha.name);
        drawnNames.insert(u"book_gqa"_s, gqa.name);
        f.series.push_back(std::move(mha));
        f.series.push_back(std::move(gqa));
    }
    int colorIndex = 2;
    for (auto it = extraBytes.cbegin(); it != extraBytes.cend(); ++it) {
        const Rgb color = cycleColor(colorIndex++);
        // A group count whose K/V heads cannot be split over the GPUs has no per-GPU curve.
        if (it.value().empty()) continue;
        const auto idx = static_cast<std::size_t>(extraGroups.indexOf(it.key()));
        // Compression as the book's legend shows it: MHA bytes over this curve's bytes.
        const double ratio = kvscope::divideExact(points.back().mha_bytes, points.back().extra_gqa_bytes[idx]);
        Series extra = dottedLine(extraName(it.key(), ratio), color, 1.3);
        extra.points = toPoints(it.value());
        drawnNames.insert(u"book_g%1"_s.arg(it.key()), extra.name);
        f.series.push_back(std::move(extra));
    }
    for (const ModelCurve &c : curves) {
        const bool real = c.key == u"model"_s;
        const bool pinned = c.key.startsWith(u"pin"_s);
        const Rgb color = cycleColor(real ? 1 : colorIndex++);
        Series s = dottedLine(modelCurveName(c.key, c.name), color, real ? 2.2 : (pinned ? 1.6 : 1.3));
        if (!real && !pinned) {
            s.line->dash = Dash::Dashed;
            s.marker = Marker::None;
        }
        s.points = toPoints(c.points);
        drawnNames.insert(c.key, s.name);
        f.series.push_back(std::move(s));
    }

    const double cx = static_cast<double>(m.contextLength());
    if (plan) {
        const QString size = QString::fromStdString(kvscope::formatBytes(plan->kv_budget_bytes, m.byteUnit()));
        Series line;
        line.name = m.kvBudgetBytes() > 0 ? directBudgetName(size) : budgetName(size, m.gpuCount(), m.gpuLabel());
        line.line = Pen{kBudgetColor, 1.6, Dash::DashDot};
        const double budgetY = y(plan->kv_budget_bytes);
        line.points = {QPointF(f.x.min, budgetY), QPointF(f.x.max, budgetY)};
        // A marker where each drawn curve of the current model crosses the
        // line, when that is on the chart.
        Series markers;
        markers.name = fitsName(plan->max_context_length, m.workload().batch_size);
        markers.marker = Marker::Diamond;
        markers.markerSize = 9.0;
        markers.markerFill = kBudgetColor;
        markers.markerOutline = Pen{0xffffff, 1.0};
        const double first = static_cast<double>(points.front().context_length);
        const double last = static_cast<double>(points.back().context_length);
        for (const ConfigModel::BudgetCurve &curve : m.budgetCurves()) {
            if (!curve.max_context || curve.max_context->value == 0 || curve.max_context->at_limit) continue;
            if (!drawnNames.contains(curve.key)) continue;
            const double x = static_cast<double>(curve.max_context->value);
            if (x >= first && x <= last) markers.points.append(QPointF(x, budgetY));
        }
        f.series.push_back(std::move(line));
        f.series.push_back(std::move(markers));
    }
    Series current;
    current.name = currentName(static_cast<std::uint64_t>(m.contextLength()));
    current.line = Pen{kCurrentColor, 1.0, Dash::Dashed};
    current.points = {QPointF(cx, f.y.min), QPointF(cx, f.y.max)};
    f.series.push_back(std::move(current));
    // Rings at the current context, on top of everything.
    Series rings;
    rings.marker = Marker::Circle;
    rings.markerSize = 8.0;
    rings.markerOutline = Pen{0x000000, 1.4};
    const auto &real = m.modelEstimate();
    if (!book && real) {
        const ConfigModel::BudgetCurve *modelCurve = perGpu ? m.budgetCurve(u"model"_s) : nullptr;
        rings.points = {QPointF(cx, y(perGpu ? (modelCurve ? modelCurve->per_gpu_at_context : 0) : real->bytes.total))};
    } else {
        rings.points = {QPointF(cx, y(mhaNow)), QPointF(cx, y(gqaNow))};
    }
    f.series.push_back(std::move(rings));
    return f;
}
