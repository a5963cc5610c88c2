#include "GroupsChartView.h"

#include "GroupsChart.h"

// The QChartView inside KvChartView takes ownership of the chart.
GroupsChartView::GroupsChartView(ConfigModel *model, QWidget *parent)
    : KvChartView(model, new GroupsChart(model), parent) {}

GroupsChartView::~GroupsChartView() = default;

GroupsChart *GroupsChartView::groupsChart() const { return static_cast<GroupsChart *>(chart()); }
