#pragma once

#include <QString>
#include <cmath>
#include <vector>

#include "Figure.h"
#include "kvscope/sweep.h"

class ConfigModel;

// "KV-cache Savings vs n_kv_groups" as a print figure: savings over MHA for
// every valid group count at the current context, MHA and MQA named at the
// ends and the current choice highlighted, as the window's GroupsChart.
class GroupsFigure {
public:
    static figure::Figure build(const ConfigModel &model);

    static QString headline();  // "KV-cache Savings vs n_kv_groups"
    static QString configText(const ConfigModel &model);
    // With a model whose layers are MLA or linear: that the chart is the
    // book's formula on its shape, and which of its layers have no K/V
    // heads to group. Empty otherwise.
    static QString note(const ConfigModel &model);
    static QString savingsName();
    static QString currentName(int groups, double savings);
    // The end points' labels: {"MHA", "MQA"}, or {"MHA = MQA"} for one head.
    static QStringList endLabels(std::size_t groupCounts);
    static QString noGroupsError(int heads);

    static constexpr double kYMin = -4.0;  // whole markers at 0 % and near 100 %
    static constexpr double kYMax = 104.0;
    // The x axis is log2 (the divisors of n_heads are spread evenly when
    // they are powers of two), with this much air in powers of two left of
    // 1 and right of n_heads: on the left, room for the "MHA" label beside
    // its point at about a tenth of the plot's width.
    static double xPadLeft(int heads);
    static constexpr double kXPadRight = 0.5;
    static double xMin(int heads) { return std::exp2(-xPadLeft(heads)); }
    static double xMax(int heads) { return heads * std::exp2(kXPadRight); }
    static QString xTitle();
    // A tick on every plotted group count, labelled with it.
    static QList<figure::Tick> xTicks(const std::vector<kvscope::GroupPoint> &points);
};
