#pragma once

#include "KvChartView.h"

class ConfigModel;
class GroupsChart;

// Live "KV cache savings vs n_kv_groups" chart bound to a ConfigModel.
class GroupsChartView : public KvChartView {
    Q_OBJECT
public:
    explicit GroupsChartView(ConfigModel *model, QWidget *parent = nullptr);
    ~GroupsChartView() override;

    GroupsChart *groupsChart() const;
};
