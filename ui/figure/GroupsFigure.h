#pragma once

#include <QString>

#include "Figure.h"

class ConfigModel;

// "KV-cache Savings vs n_kv_groups" as a print figure: savings over MHA for
// every valid group count at the current context, MHA and MQA named at the
// ends and the current choice highlighted, as the window's GroupsChart.
class GroupsFigure {
public:
    static figure::Figure build(const ConfigModel &model);

    static QString headline();  // "KV-cache Savings vs n_kv_groups"
    static QString configText(const ConfigModel &model);
    static QString savingsName();
    static QString currentName(int groups, double savings);
    // The end points' labels: {"MHA", "MQA"}, or {"MHA = MQA"} for one head.
    static QStringList endLabels(std::size_t groupCounts);
    static QString noGroupsError(int heads);

    static constexpr double kYMin = -4.0;  // whole markers at 0 % and near 100 %
    static constexpr double kYMax = 104.0;
    // The x axis' range and tick step for n_heads.
    static double xPad(int heads);
    static double xStep(int heads);
};
