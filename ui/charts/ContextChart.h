#pragma once

#include <QMap>
#include <cstdint>
#include <vector>

#include "ContextFigure.h"
#include "KvChart.h"
#include "ModelCurve.h"
#include "kvscope/plan.h"
#include "kvscope/sweep.h"
#include "kvscope/units.h"

class QCategoryAxis;
class QLineSeries;
class QLogValueAxis;
class QScatterSeries;
class QValueAxis;

// "KV-cache vs Context Length": MHA, the current GQA setting and any extra
// GQA curves over the model's chart context lengths on a log2 x axis, with
// the current context marked.
class ContextChart : public KvChart {
    Q_OBJECT
public:
    explicit ContextChart(const ConfigModel *model, QGraphicsItem *parent = nullptr);
    ~ContextChart() override;

    // Legend names, as the seed and the book's later figure spell them.
    static QString mhaName();
    static QString gqaName(int groups);
    static QString extraName(int groups, double compression);
    static QString currentName(std::uint64_t context);

    // The budget's legend entries: the line at the per-GPU KV budget and the
    // markers where curves cross it (named after the current curve's).
    static QString budgetName(const QString &size, int gpus, const QString &gpuLabel);
    static QString fitsName(const kvscope::Solved &maxContext, std::uint32_t batch);

    QString yUnit() const { return m_unitName; }  // "GB", "GiB", "MB", ...
    QStringList xTickLabels() const;               // "256", "1K", ... as drawn
    QList<int> extraGroupsShown() const { return m_extras.keys(); }
    // Curves of the loaded model drawn now, by ModelCurve::key, in legend order.
    QStringList modelCurvesShown() const { return m_modelKeys; }
    // While the model has a plan: the budget line's name and the markers'
    // legend name; empty otherwise. Markers are placed in the x order of
    // budgetMarkerKeys() (ConfigModel::BudgetCurve keys).
    QString budgetLineName() const;
    QString budgetMarkersName() const;
    QStringList budgetMarkerKeys() const;

protected:
    QString updateSeries() override;
    QString headlineText() const override;
    QString configText() const override;
    QString describe(const QXYSeries *series, const QPointF &point) const override;
    void styleSeries() override;
    Qt::Alignment legendCorner() const override { return Qt::AlignTop | Qt::AlignLeft; }
    void plotAreaResized() override;

private:
    QLineSeries *makeLine(const QString &name);
    void syncExtraSeries(const std::vector<ContextPlot::Extra> &extras);
    void syncModelSeries(const std::vector<ModelCurve> &curves, const QStringList &names);
    void keepMarkerLast();
    void syncBudgetSeries(bool active);
    void updateXTicks(bool force);

    QLogValueAxis *m_xLog = nullptr;      // maps the data; hidden
    QCategoryAxis *m_xLabels = nullptr;   // draws "256", "1K", ... on log2 positions
    QValueAxis *m_y = nullptr;
    QLineSeries *m_mha = nullptr;
    QLineSeries *m_gqa = nullptr;
    QLineSeries *m_currentLine = nullptr;
    QScatterSeries *m_currentPoints = nullptr;
    QMap<int, QLineSeries *> m_extras;
    QMap<QString, QLineSeries *> m_modelLines;  // by ModelCurve::key
    QStringList m_modelKeys;
    std::vector<ModelCurve> m_modelCurves;       // as drawn (per GPU under tensor parallelism), for hover texts
    // The book's curves as drawn (totals, or per GPU), for hover texts.
    QMap<const QXYSeries *, std::vector<kvscope::LayoutPoint>> m_bookDrawn;
    bool m_perGpu = false;
    QLineSeries *m_budgetLine = nullptr;          // the per-GPU KV budget; only while there is a plan
    QScatterSeries *m_budgetMarkers = nullptr;    // where curves cross it
    struct Marker {
        QString key;
        QString curveName;
        double x = 0;
    };
    QList<Marker> m_markers;

    bool m_hasData = false;  // false while the chart shows an error
    QString m_unitName;
    double m_minExp = 8;   // log2 of the first and last context length
    double m_maxExp = 17;
    int m_tickStep = 0;    // label every m_tickStep-th power of two
    int m_groups = 0;
};
