#include "ChartArea.h"

#include <QChart>
#include <QResizeEvent>
#include <QSplitter>
#include <QTabBar>
#include <QVBoxLayout>
#include <algorithm>
#include <cstdlib>

#include "ContextChartView.h"
#include "GroupsChartView.h"
#include "KvChart.h"

using namespace Qt::StringLiterals;

ChartArea::ChartArea(ContextChartView *context, GroupsChartView *groups, QWidget *parent)
    : QWidget(parent), m_context(context), m_groups(groups), m_tabs(new QTabBar(this)),
      m_splitter(new QSplitter(Qt::Vertical, this)) {
    m_tabs->setObjectName(u"chartTabs"_s);
    m_tabs->addTab(tr("Context length"));
    m_tabs->addTab(tr("K/V groups"));
    m_tabs->setExpanding(false);
    m_tabs->setDocumentMode(true);
    m_tabs->hide();
    m_splitter->setObjectName(u"chartSplitter"_s);
    m_splitter->setChildrenCollapsible(false);
    m_splitter->addWidget(context);
    m_splitter->addWidget(groups);
    m_splitter->setStretchFactor(0, 1);
    m_splitter->setStretchFactor(1, 1);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(m_tabs);
    layout->addWidget(m_splitter, 1);

    connect(m_splitter, &QSplitter::splitterMoved, this, [this] { m_userSplit = true; });
    for (KvChartView *view : {static_cast<KvChartView *>(context), static_cast<KvChartView *>(groups)})
        connect(view->chart(), &QChart::plotAreaChanged, this, &ChartArea::balance, Qt::QueuedConnection);
    connect(m_tabs, &QTabBar::currentChanged, this, &ChartArea::updateCompact);
}

QByteArray ChartArea::savedSplit() const { return m_userSplit ? m_splitter->saveState() : QByteArray(); }

bool ChartArea::restoreSplit(const QByteArray &state) {
    m_userSplit = !state.isEmpty() && m_splitter->restoreState(state);
    if (!m_userSplit) m_splitter->setSizes({1, 1});
    return m_userSplit;
}

void ChartArea::resizeEvent(QResizeEvent *event) {
    QWidget::resizeEvent(event);
    updateCompact();
}

void ChartArea::updateCompact() {
    const int needed = m_contextChrome + m_groupsChrome + 2 * kMinPlotHeight + m_splitter->handleWidth();
    m_compact = height() < needed;
    m_tabs->setVisible(m_compact);
    m_context->setVisible(!m_compact || m_tabs->currentIndex() == 0);
    m_groups->setVisible(!m_compact || m_tabs->currentIndex() == 1);
}

void ChartArea::balance() {
    if (m_context->isVisible())
        m_contextChrome = m_context->height() - qRound(m_context->chart()->plotArea().height());
    if (m_groups->isVisible()) m_groupsChrome = m_groups->height() - qRound(m_groups->chart()->plotArea().height());
    updateCompact();
    if (m_userSplit || m_compact) return;
    const QList<int> sizes = m_splitter->sizes();
    if (sizes.size() != 2 || sizes[0] <= 0 || sizes[1] <= 0) return;
    // Half the difference moves over: a legend below one chart, or a longer
    // title, is paid for by the chart that has it. Within a few pixels it
    // stays, so that the charts' own layout passes do not chase each other.
    const int difference = qRound(m_context->chart()->plotArea().height() - m_groups->chart()->plotArea().height());
    if (std::abs(difference) <= 4) return;
    const int moved = std::clamp(difference / 2, -(sizes[1] - m_groups->minimumSizeHint().height()),
                                 sizes[0] - m_context->minimumSizeHint().height());
    if (moved != 0) m_splitter->setSizes({sizes[0] - moved, sizes[1] + moved});
}
