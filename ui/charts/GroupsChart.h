#pragma once

#include <vector>

#include "KvChart.h"
#include "kvscope/sweep.h"

class QLineSeries;
class QScatterSeries;
class QValueAxis;

// "KV-cache Savings vs n_kv_groups": savings over MHA for every valid group
// count (the divisors of n_heads) at the current context, MHA and MQA named
// at the ends and the current choice highlighted.
class GroupsChart : public KvChart {
    Q_OBJECT
public:
    explicit GroupsChart(const ConfigModel *model, QGraphicsItem *parent = nullptr);
    ~GroupsChart() override;

    static QString savingsName();
    static QString currentName(int groups, double savings);

    // The highlighted point (x = n_kv_groups, y = savings %), or nothing.
    QList<QPointF> highlightedPoints() const;
    // The end points' labels, e.g. {"MHA", "MQA"}.
    QStringList endLabels() const;

protected:
    QString updateSeries() override;
    QString headlineText() const override;
    QString configText() const override;
    QString describe(const QXYSeries *series, const QPointF &point) const override;
    void styleSeries() override;
    Qt::Alignment legendCorner() const override { return Qt::AlignBottom | Qt::AlignRight; }

private:
    QValueAxis *m_x = nullptr;
    QValueAxis *m_y = nullptr;
    QLineSeries *m_savings = nullptr;
    QScatterSeries *m_current = nullptr;
    QScatterSeries *m_mhaEnd = nullptr;  // carries the "MHA" point label
    QScatterSeries *m_mqaEnd = nullptr;  // carries the "MQA" point label
    std::vector<kvscope::GroupPoint> m_points;
};
