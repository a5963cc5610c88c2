#pragma once

#include <QWidget>

class ConfigModel;

// Live "KV cache vs context length" chart bound to a ConfigModel.
class ContextChartView : public QWidget {
    Q_OBJECT
public:
    explicit ContextChartView(ConfigModel *model, QWidget *parent = nullptr);
    ~ContextChartView() override;
};
