#pragma once

#include "KvChartView.h"

class ConfigModel;
class ContextChart;

// Live "KV cache vs context length" chart bound to a ConfigModel.
class ContextChartView : public KvChartView {
    Q_OBJECT
public:
    explicit ContextChartView(ConfigModel *model, QWidget *parent = nullptr);
    ~ContextChartView() override;

    ContextChart *contextChart() const;
};
