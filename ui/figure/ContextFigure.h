#pragma once

#include <QString>
#include <cstdint>
#include <vector>

#include "ChartTicks.h"
#include "Figure.h"
#include "ModelCurve.h"
#include "kvscope/layout_bytes.h"
#include "kvscope/plan.h"
#include "kvscope/units.h"

class ConfigModel;

// What the context chart draws, in bytes: computed once from the model for
// the window's ContextChart and for the print figure, so both show the same
// curves, names, axes, budget and markers.
struct ContextPlot {
    bool book = true;     // the book's MHA and GQA curves are drawn (no model loaded)
    bool perGpu = false;  // curves are one GPU's share under tensor parallelism
    int groups = 0;       // the current n_kv_groups
    struct Extra {
        int groups = 0;
        QString name;
        std::vector<kvscope::LayoutPoint> points;  // empty: not drawn (its heads cannot be split)
    };
    std::vector<Extra> extras;            // ascending; never 1 or the current count
    std::vector<ModelCurve> modelCurves;  // the real curve, shown what-ifs, pins; per GPU when perGpu
    QStringList modelNames;               // their legend names, in the same order
    QString currentName;                  // "context_length=8192"
    QString error;                        // when set, what follows is empty

    std::vector<kvscope::LayoutPoint> mha, gqa;  // the book's curves as drawn
    std::vector<std::uint64_t> rings;            // bytes at the current context: MHA and GQA, or the model's
    std::uint64_t firstContext = 0, lastContext = 0;
    kvscope::ScaledUnit unit;
    QString unitName;  // "GB", "GiB", ...
    QString yTitle;
    ChartTicks yTicks;
    double yMin = 0.0;  // a little below zero so the smallest markers are whole

    struct Marker {
        QString key;        // the ConfigModel::BudgetCurve key
        QString curveName;  // the legend name of the curve it sits on
        std::uint64_t context = 0;
    };
    bool hasBudget = false;
    std::uint64_t budgetBytes = 0;
    QString budgetName, fitsName;
    std::vector<Marker> markers;  // where drawn curves cross the budget, on the chart

    double y(std::uint64_t bytes) const { return static_cast<double>(bytes) / unit.divisor; }
    double xMin() const;  // the x axis' range: the sweep with air at both ends
    double xMax() const;
};

// "KV-cache vs Context Length" as a print figure: the same curves, names,
// axes, budget and markers as the window's ContextChart draws for the model.
class ContextFigure {
public:
    static ContextPlot plot(const ConfigModel &model);
    static figure::Figure build(const ConfigModel &model);

    static QString headline();                       // "KV-cache vs Context Length"
    static QString configText(const ConfigModel &model);
    // Legend names, as the seed and the book's later figure spell them.
    static QString mhaName();
    static QString gqaName(int groups);
    static QString extraName(int groups, double compression);
    static QString currentName(std::uint64_t context);
    static QString modelCurveName(const QString &key, const QString &name);
    static QString budgetName(const QString &size, int gpus, const QString &gpuLabel);
    static QString directBudgetName(const QString &size);
    static QString fitsName(const kvscope::Solved &maxContext, std::uint32_t batch);
    static QString yTitle(bool perGpu, const QString &unit);

    static constexpr figure::Rgb kBudgetColor = 0xb2182b;   // a red unlike any curve's
    static constexpr figure::Rgb kCurrentColor = 0x7a7a7a;  // the grid's grey, darker
    static constexpr double kXPad = 0.35;  // half a power of two of air at each end
};
