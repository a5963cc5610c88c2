#include "ContextChartView.h"

#include "ContextChart.h"

// The QChartView inside KvChartView takes ownership of the chart.
ContextChartView::ContextChartView(ConfigModel *model, QWidget *parent)
    : KvChartView(model, new ContextChart(model), parent) {}

ContextChartView::~ContextChartView() = default;

ContextChart *ContextChartView::contextChart() const { return static_cast<ContextChart *>(chart()); }
