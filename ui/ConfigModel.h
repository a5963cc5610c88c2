#pragma once

#include <QList>
#include <QObject>
#include <QString>
#include <QStringList>
#include <optional>
#include <vector>

#include "ImportedModel.h"
#include "ModelCurve.h"
#include "ModelEstimate.h"
#include "kvscope/estimator.h"
#include "kvscope/layout_bytes.h"
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
    Q_PROPERTY(QString modelName READ modelName NOTIFY modelChanged)
    Q_PROPERTY(QStringList hiddenVariants READ hiddenVariants WRITE setHiddenVariants NOTIFY hiddenVariantsChanged)

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

    // A real model (config.json or preset) on top of the book's shape. While
    // one is loaded the shape properties show its book view (ImportedModel::
    // shape); editing one of them turns the session back into a plain
    // book-shape configuration (the model is cleared). Context, batch and
    // dtype keep the model. `origin` is what settings reload it from:
    // "preset:NAME" or a config.json path.
    void loadModel(const ImportedModel &model, const QString &displayName, const QString &origin = {});
    void clearModel();
    bool hasModel() const { return m_imported.has_value(); }
    QString modelName() const { return m_modelName; }
    QString modelOrigin() const { return m_modelOrigin; }
    const ImportedModel *importedModel() const { return m_imported ? &*m_imported : nullptr; }
    // The loaded model's layout, or the book's shape as one (GQA heads).
    kvscope::ModelLayout layout() const;
    std::vector<Provenance> provenance() const;
    QStringList warnings() const;
    // The current layout's exact bytes per run and per kind at the workload.
    const kvscope::Result<kvscope::LayoutBytes> &layoutBytes() const;
    // The loaded model's numbers as kvscope-cli reports them (an error when no
    // model is loaded).
    const kvscope::Result<ModelEstimate> &modelEstimate() const;
    // The loaded model's curve ("model") and its what-if variants over
    // chartContextLengths(), hidden variants included; empty without a model.
    const std::vector<ModelCurve> &modelCurves() const;
    QStringList hiddenVariants() const { return m_hiddenVariants; }
    static QString originForPreset(const QString &name);

    // Pinned curves: the current layout, batch and dtype frozen under a name
    // (the model's, or the book shape's), swept over the current context
    // lengths beside whatever is loaded next.
    static constexpr int kMaxPins = 6;
    // False, changing nothing, when kMaxPins curves are pinned already.
    bool pinCurrent();
    void unpin(int index);
    void unpinAll();
    QStringList pinNames() const;
    QString currentCurveName() const;
    // Keys "pin1".."pin6" in pinning order.
    const std::vector<ModelCurve> &pinnedCurves() const;

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
    void setHiddenVariants(const QStringList &keys);

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
    // A model was loaded or cleared; modelCleared() also says which, when a
    // shape edit let it go (the status bar tells the user).
    void modelChanged();
    void modelClearedByShapeEdit(const QString &name);
    void hiddenVariantsChanged(const QStringList &keys);
    void pinsChanged();
    // Once per event-loop turn after any input changed.
    void estimateChanged();

private:
    void invalidate();
    void emitEstimateChanged();
    void recomputeIfStale() const;
    QList<int> sanitizedExtraGroups(const QList<int> &groups) const;
    void shapeEdited();
    bool reloadModel(const QString &origin, const QString &savedName);

    kvscope::ModelShape m_shape;
    kvscope::Workload m_workload;
    bool m_binaryUnits = false;
    QList<int> m_extraGroups;
    std::optional<ImportedModel> m_imported;
    QString m_modelName;
    QString m_modelOrigin;
    QStringList m_hiddenVariants;
    struct Pin {
        QString name;
        kvscope::ModelLayout layout;
        kvscope::Workload workload;
    };
    QList<Pin> m_pins;
    bool m_applyingModel = false;  // loadModel() moving the shape: keep the model

    bool m_notifyQueued = false;
    mutable bool m_stale = true;
    mutable int m_recomputeCount = 0;
    mutable kvscope::Result<kvscope::KvEstimate> m_estimate;
    mutable std::vector<std::uint64_t> m_chartContextLengths;
    mutable kvscope::Result<std::vector<kvscope::ContextPoint>> m_contextPoints;
    mutable kvscope::Result<std::vector<kvscope::GroupPoint>> m_groupPoints;
    mutable kvscope::Result<kvscope::LayoutBytes> m_layoutBytes;
    mutable kvscope::Result<ModelEstimate> m_modelEstimate;
    mutable std::vector<ModelCurve> m_modelCurves;
    mutable std::vector<ModelCurve> m_pinnedCurves;
};
