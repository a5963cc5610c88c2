#pragma once

#include <QByteArray>
#include <QWidget>

class ContextChartView;
class GroupsChartView;
class QSplitter;
class QTabBar;

// The two charts, one above the other in a splitter. Until the user moves
// its handle, both plots get the same height (a legend below one chart is
// added to that chart's share). Where the area is too short for two useful
// plots (a 900x600 screen), a tab bar shows one chart at a time instead.
class ChartArea : public QWidget {
    Q_OBJECT
public:
    ChartArea(ContextChartView *context, GroupsChartView *groups, QWidget *parent = nullptr);

    // The charts take turns where two plots this tall do not fit beside
    // their titles, axes and legends: smaller ones would be slivers.
    static constexpr int kMinPlotHeight = 160;

    QSplitter *splitter() const { return m_splitter; }
    QTabBar *tabBar() const { return m_tabs; }
    bool isCompact() const { return m_compact; }

    // The split the user chose, or empty when it is still the balanced one.
    QByteArray savedSplit() const;
    // Restores a split saved by savedSplit(); false (and balanced) for none.
    bool restoreSplit(const QByteArray &state);

protected:
    void resizeEvent(QResizeEvent *event) override;

private:
    void balance();
    void updateCompact();

    ContextChartView *m_context;
    GroupsChartView *m_groups;
    QTabBar *m_tabs;
    QSplitter *m_splitter;
    bool m_userSplit = false;
    bool m_compact = false;
    // Each chart's height less its plot's (titles, axes, a legend below), as
    // last seen while it was shown.
    int m_contextChrome = 160;
    int m_groupsChrome = 140;
};
