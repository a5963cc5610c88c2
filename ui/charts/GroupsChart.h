#pragma once

#include <vector>

#include "KvChart.h"
#include "kvscope/sweep.h"

class QCategoryAxis;
class QGraphicsSimpleTextItem;
class QLineSeries;
class QLogValueAxis;
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
    // The end points' labels, e.g. {"MHA", "MQA"}, and the data points they name.
    QStringList endLabels() const;
    QList<QPointF> endLabelPoints() const;
    // Where the end labels are drawn, in chart coordinates.
    QList<QRectF> endLabelRects() const;
    // Every group count the x axis marks, and the ones labelled at the
    // current width (labels never touch; the last is always labelled).
    QList<double> xTickValues() const { return m_tickValues; }
    QStringList xTickLabels() const;

protected:
    QString updateSeries() override;
    QString headlineText() const override;
    QString configText() const override;
    QString noteText() const override;
    QString describe(const QXYSeries *series, const QPointF &point) const override;
    void styleSeries() override;
    Qt::Alignment legendCorner() const override { return Qt::AlignBottom | Qt::AlignRight; }
    void plotAreaResized() override;

private:
    void updateXTicks();
    void placeEndLabels();

    QLogValueAxis *m_xLog = nullptr;      // positions: log2 of the group count
    QCategoryAxis *m_xLabels = nullptr;   // the labels, on the divisors
    QList<double> m_tickValues;
    QStringList m_tickTexts;
    QList<QPointF> m_endPoints;           // the data points of m_endTexts
    QList<QGraphicsSimpleTextItem *> m_endTexts;  // "MHA" left of its point, "MQA" above
    QValueAxis *m_y = nullptr;
    QLineSeries *m_savings = nullptr;
    QScatterSeries *m_current = nullptr;
    std::vector<kvscope::GroupPoint> m_points;
};
