#pragma once

#include <QString>
#include <cstdint>

#include "Figure.h"
#include "kvscope/plan.h"

class ConfigModel;

// "KV-cache vs Context Length" as a print figure: the same curves, names,
// axes, budget and markers as the window's ContextChart draws for the model.
class ContextFigure {
public:
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
