#pragma once

#include <QList>
#include <QObject>
#include <QString>
#include <vector>

#include "kvscope/estimator.h"
#include "kvscope/shape.h"
#include "kvscope/sweep.h"
#include "kvscope/units.h"

class QSettings;

// The one owner of the current configuration. Controls write to it, views
// read from it; every number comes from the core. Setters clamp to the core's
// limits and keep n_kv_groups a divisor of n_heads, so the model never holds
// an impossible state. Recomputation is coalesced: however many setters run
// in one event-loop turn, estimateChanged() is emitted once, afterwards;
// getters always return fresh results.
class ConfigModel : public QObject {
    Q_OBJECT
    Q_PROPERTY(int embDim READ embDim WRITE setEmbDim NOTIFY embDimChanged)
    Q_PROPERTY(int nHeads READ nHeads WRITE setNHeads NOTIFY nHeadsChanged)
    Q_PROPERTY(int nKvGroups READ nKvGroups WRITE setNKvGroups NOTIFY nKvGroupsChanged)
    Q_PROPERTY(int nLayers READ nLayers WRITE setNLayers NOTIFY nLayersChanged)
    Q_PROPERTY(int explicitHeadDim READ explicitHeadDim WRITE setExplicitHeadDim NOTIFY explicitHeadDimChanged)
    Q_PROPERTY(qint64 contextLength READ contextLength WRITE setContextLength NOTIFY contextLengthChanged)
    Q_PROPERTY(int batchSize READ batchSize WRITE setBatchSize NOTIFY batchSizeChanged)
    Q_PROPERTY(QString dtype READ dtype WRITE setDtype NOTIFY dtypeChanged)
    Q_PROPERTY(bool binaryUnits READ binaryUnits WRITE setBinaryUnits NOTIFY binaryUnitsChanged)
    Q_PROPERTY(QList<int> extraGroups READ extraGroups WRITE setExtraGroups NOTIFY extraGroupsChanged)

public:
    explicit ConfigModel(QObject *parent = nullptr);
    ~ConfigModel() override;

    int embDim() const;
    int nHeads() const;
    int nKvGroups() const;
    int nLayers() const;
    int explicitHeadDim() const;  // 0: derived as ceil(emb_dim / n_heads)
    qint64 contextLength() const;
    int batchSize() const;
    QString dtype() const;
    bool binaryUnits() const;
    kvscope::ByteUnit byteUnit() const;
    QList<int> extraGroups() const;  // extra GQA curves on the context chart

    kvscope::ModelShape shape() const { return m_shape; }
    kvscope::Workload workload() const { return m_workload; }
    // Takes a whole configuration at once (clamped and snapped like the setters).
    void setConfig(const kvscope::ModelShape &shape, const kvscope::Workload &workload);
    void resetToDefaults();

    // Results for the current configuration, recomputed on demand.
    const kvscope::Result<kvscope::KvEstimate> &estimate() const;
    const std::vector<std::uint64_t> &chartContextLengths() const;
    const kvscope::Result<std::vector<kvscope::ContextPoint>> &contextPoints() const;
    const kvscope::Result<std::vector<kvscope::GroupPoint>> &groupPoints() const;
    std::vector<std::uint32_t> validGroupCounts() const;
    QString bookReport() const;  // the book's report, or the error it would stop with

    // How many times the results were recomputed: each costs a full sweep,
    // so the benchmarks and tests count them.
    int recomputeCount() const { return m_recomputeCount; }

    void saveSettings(QSettings &settings) const;
    void loadSettings(const QSettings &settings);

public Q_SLOTS:
    void setEmbDim(int embDim);
    void setNHeads(int nHeads);
    void setNKvGroups(int nKvGroups);
    void setNLayers(int nLayers);
    void setExplicitHeadDim(int headDim);
    void setContextLength(qint64 contextLength);
    void setBatchSize(int batchSize);
    void setDtype(const QString &dtype);
    void setBinaryUnits(bool binary);
    void setExtraGroups(const QList<int> &groups);

Q_SIGNALS:
    void embDimChanged(int embDim);
    void nHeadsChanged(int nHeads);
    void nKvGroupsChanged(int nKvGroups);
    void nLayersChanged(int nLayers);
    void explicitHeadDimChanged(int headDim);
    void contextLengthChanged(qint64 contextLength);
    void batchSizeChanged(int batchSize);
    void dtypeChanged(const QString &dtype);
    void binaryUnitsChanged(bool binary);
    void extraGroupsChanged(const QList<int> &groups);
    // Once per event-loop turn after any input changed.
    void estimateChanged();

private:
    void invalidate();
    void emitEstimateChanged();
    void recomputeIfStale() const;
    QList<int> sanitizedExtraGroups(const QList<int> &groups) const;

    kvscope::ModelShape m_shape;
    kvscope::Workload m_workload;
    bool m_binaryUnits = false;
    QList<int> m_extraGroups;

    bool m_notifyQueued = false;
    mutable bool m_stale = true;
    mutable int m_recomputeCount = 0;
    mutable kvscope::Result<kvscope::KvEstimate> m_estimate;
    mutable std::vector<std::uint64_t> m_chartContextLengths;
    mutable kvscope::Result<std::vector<kvscope::ContextPoint>> m_contextPoints;
    mutable kvscope::Result<std::vector<kvscope::GroupPoint>> m_groupPoints;
};
