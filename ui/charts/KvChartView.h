#pragma once

#include <QList>
#include <QPointF>
#include <QStringList>
#include <QWidget>

class ConfigModel;
class KvChart;
class QChartView;

// A live chart in the window: follows the model (one refresh per
// estimateChanged), the widget palette (light or dark) and shows a tooltip
// with a point's exact values on hover. Qt Charts types stay out of this
// header; tests and callers that need more reach the chart through chart().
class KvChartView : public QWidget {
    Q_OBJECT
public:
    ~KvChartView() override;

    KvChart *chart() const { return m_chart; }
    QStringList seriesNames() const;
    QList<QPointF> seriesPoints(const QString &seriesName) const;
    QString errorText() const;
    QString lastToolTip() const { return m_lastToolTip; }
    // The legend below the chart, shown where none fits inside the plot
    // without covering data; its entries' labels, in order.
    QWidget *outsideLegend() const { return m_outsideLegend; }
    QStringList outsideLegendLabels() const;

protected:
    // Takes ownership of `chart` (through its QChartView).
    KvChartView(ConfigModel *model, KvChart *chart, QWidget *parent);
    void changeEvent(QEvent *event) override;

private:
    void followPalette();
    void showToolTip(const QString &text);
    void syncOutsideLegend();

    KvChart *m_chart;
    QChartView *m_view;
    QWidget *m_outsideLegend;
    QString m_lastToolTip;
};
