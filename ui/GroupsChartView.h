#pragma once

#include <QWidget>

class ConfigModel;

// Live "KV cache savings vs n_kv_groups" chart bound to a ConfigModel.
class GroupsChartView : public QWidget {
    Q_OBJECT
public:
    explicit GroupsChartView(ConfigModel *model, QWidget *parent = nullptr);
    ~GroupsChartView() override;
};
