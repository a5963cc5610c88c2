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
#include "kvscope/compare.h"
#include "kvscope/engine.h"
#include "kvscope/estimator.h"
#include "kvscope/layout_bytes.h"
#include "kvscope/plan.h"
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
    // The deployment budget (kvscope::plan): off by default ("No GPU").
    Q_PROPERTY(bool budgetEnabled READ budgetEnabled WRITE setBudgetEnabled NOTIFY budgetEnabledChanged)
    Q_PROPERTY(QString gpu READ gpu WRITE setGpu NOTIFY gpuChanged)
    Q_PROPERTY(int gpuCount READ gpuCount WRITE setGpuCount NOTIFY gpuCountChanged)
    Q_PROPERTY(double customGpuMemoryGib READ customGpuMemoryGib WRITE setCustomGpuMemoryGib NOTIFY
                   customGpuMemoryGibChanged)
    Q_PROPERTY(double gpuUtilization READ gpuUtilization WRITE setGpuUtilization NOTIFY gpuUtilizationChanged)
    Q_PROPERTY(QString weightsDtype READ weightsDtype WRITE setWeightsDtype NOTIFY weightsDtypeChanged)
    Q_PROPERTY(qint64 parameterOverride READ parameterOverride WRITE setParameterOverride NOTIFY
                   parameterOverrideChanged)
    Q_PROPERTY(double overheadGib READ overheadGib WRITE setOverheadGib NOTIFY overheadGibChanged)
    Q_PROPERTY(int blockSize READ blockSize WRITE setBlockSize NOTIFY blockSizeChanged)
    Q_PROPERTY(qint64 kvBudgetBytes READ kvBudgetBytes WRITE setKvBudgetBytes NOTIFY kvBudgetBytesChanged)
    // The engine whose allocation the plan follows: "vllm" or "llama.cpp".
    Q_PROPERTY(QString engine READ engine WRITE setEngine NOTIFY engineChanged)

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
    // A model read by its Hugging Face id, at the snapshot it was read from.
    static QString originForHub(const QString &repo, const QString &commit);

    // Pinned curves: the current layout, batch and dtype frozen under a name
    // (the model's, or the book shape's), swept over the current context
    // lengths beside whatever is loaded next.
    static constexpr int kMaxPins = 6;
    // False, changing nothing, when pinRefusal() names a reason (with a
    // `name`, only when kMaxPins are pinned). `name` names the legend entry
    // and the CSV column; empty: currentCurveName().
    bool pinCurrent(const QString &name = {});
    // Why the current curve cannot be pinned: kMaxPins are pinned already, or
    // it is pinned already (same layout and workload) under that name.
    std::optional<QString> pinRefusal() const;
    void unpin(int index);
    void unpinAll();
    QStringList pinNames() const;
    // A new name (trimmed, not empty, not another pin's); false otherwise.
    bool renamePin(int index, const QString &name);
    // A hidden pin keeps its place and colour but is not drawn or exported.
    void setPinHidden(int index, bool hidden);
    bool pinHidden(int index) const;
    // Moves a pin to another place in the legend and the Compare table.
    void movePin(int from, int to);
    // Each pin as a model to compare beside the current one (ModelComparison).
    std::vector<kvscope::CompareModel> pinComparisons() const;
    QString currentCurveName() const;
    // The shown pins in their order, keyed "pin<slot + 1>": a pin's key and
    // colour stay the same whatever is pinned, unpinned or moved around it.
    const std::vector<ModelCurve> &pinnedCurves() const;

    // Deployment planning. With the budget enabled, every recompute also runs
    // kvscope::plan() for the current layout and workload on deployment().
    bool budgetEnabled() const { return m_budgetEnabled; }
    QString gpu() const { return m_gpu; }  // a kvscope::GpuPreset name ("h100-80gb") or kCustomGpu
    static inline const QString kCustomGpu = QStringLiteral("custom");
    QString gpuLabel() const;  // "NVIDIA H100 80GB", "Custom GPU (96.00 GiB)" in the chosen unit
    int gpuCount() const { return static_cast<int>(m_tensorParallel); }  // tensor parallel
    double customGpuMemoryGib() const;
    double gpuUtilization() const { return m_utilizationPpm / 1e6; }
    QString weightsDtype() const;
    qint64 parameterOverride() const { return static_cast<qint64>(m_parameterOverride); }  // 0: automatic
    double overheadGib() const;
    int blockSize() const { return static_cast<int>(m_blockSize); }  // 0: the engine's own
    qint64 kvBudgetBytes() const { return static_cast<qint64>(m_kvBudgetOverride); }  // 0: from the GPU

    QString engine() const;
    kvscope::Engine engineId() const { return m_engine; }
    // The engine's options (vLLM's and llama.cpp's, both kept whichever is
    // chosen) and what the engine rules need besides: the model dtype it
    // runs in, the GPU's generation and memory, the model's context limit.
    kvscope::VllmOptions vllmOptions() const { return m_vllmOptions; }
    kvscope::LlamaCppOptions llamaCppOptions() const { return m_llamaCppOptions; }
    void setVllmOptions(const kvscope::VllmOptions &options);
    void setLlamaCppOptions(const kvscope::LlamaCppOptions &options);
    kvscope::EngineSetup engineSetup() const;
    // The loaded model's context limit (ImportedModel::max_model_len); 0 for
    // the book's shape, which names none.
    std::uint64_t modelContextLimit() const;

    // Where the parameter count comes from.
    enum class ParameterSource { Entered, Preset, Config, Computed, Unknown };
    ParameterSource parameterSource() const;
    std::optional<std::uint64_t> parameters() const;  // the count plan() uses; none when unknown
    // The whole deployment plan() is given (parameters 0 when unknown).
    kvscope::Deployment deployment() const;
    // Sets every budget input at once and enables the budget: what
    // kvscope-cli does with its flags, so its exports draw the same budget.
    // `gpu` is a preset name or kCustomGpu (then deployment.gpu_memory_bytes
    // is the custom size).
    void setDeployment(const kvscope::Deployment &deployment, const QString &gpu);

    // The plan, or why there is none (the field named); an error with field
    // "gpu" while the budget is off.
    const kvscope::Result<kvscope::Plan> &plan() const;
    bool hasPlan() const { return plan().ok(); }
    // True while a plan splits the model over more than one GPU: the context
    // chart then draws every curve per GPU (kvscope::layoutPerGpu).
    bool chartPerGpu() const;
    // Each curve of the context chart under the plan: keys "book_mha",
    // "book_gqa", "book_g<N>" for the book's curves, ModelCurve keys for a
    // loaded model's and the pinned ones. A curve whose layout cannot be split
    // over the GPUs is missing. Empty without a plan.
    struct BudgetCurve {
        QString key;
        // Per GPU over chartContextLengths(), and at the current context:
        // only when chartPerGpu().
        std::vector<kvscope::LayoutPoint> per_gpu;
        std::uint64_t per_gpu_at_context = 0;
        // Where it crosses the KV budget: the largest context that fits at the
        // batch under the engine's allocation (kvscope::maxContextLength), and
        // the per-GPU bytes the engine holds for that many tokens. None for
        // pinned curves, whose weights are not the current model's.
        std::optional<kvscope::Solved> max_context;
        std::uint64_t paged_bytes = 0;
    };
    const std::vector<BudgetCurve> &budgetCurves() const;
    const BudgetCurve *budgetCurve(const QString &key) const;
    // The chart curve whose marker is the plan's: "book_gqa" or "model".
    QString primaryCurveKey() const { return m_imported ? QStringLiteral("model") : QStringLiteral("book_gqa"); }
    // "gpu_memory" -> "GPU memory": the budget field an error names, as the panel labels it.
    static QString budgetFieldLabel(const std::string &field);

    // Everything the user chose, as one value: what undo takes back and
    // redo reapplies. Equal snapshots are the same configuration (a loaded
    // model is told apart by when it was loaded, not by its contents).
    struct Snapshot {
        kvscope::ModelShape shape;
        kvscope::Workload workload;
        bool binary_units = false;
        QList<int> extra_groups;
        std::optional<ImportedModel> imported;
        quint64 model_serial = 0;
        QString model_name;
        QString model_origin;
        QString what_if_of;
        kvscope::ModelShape what_if_base;
        QStringList hidden_variants;
        struct Pin {
            QString name;
            kvscope::ModelLayout layout;
            kvscope::Workload workload;
            // Its colour on every chart, for life: a place in figure::pinColor().
            int slot = 0;
            bool hidden = false;
            // What a deployment plan needs of the model it was pinned from:
            // the Compare table plans every pin on the chosen GPUs.
            std::optional<std::uint64_t> parameters;
            kvscope::DType weights_dtype = kvscope::DType::bf16;
            std::optional<std::uint64_t> stored_weights_bytes;  // a model file's exact weights
            kvscope::DType model_dtype = kvscope::DType::bf16;
            std::uint64_t max_model_len = 0;
            friend bool operator==(const Pin &, const Pin &) = default;
        };
        QList<Pin> pins;
        bool budget_enabled = false;
        QString gpu;
        std::uint32_t tensor_parallel = 1;
        std::uint64_t custom_memory_bytes = 0;
        std::uint32_t utilization_ppm = 0;
        kvscope::DType weights_dtype = kvscope::DType::bf16;
        std::uint64_t parameter_override = 0;
        std::uint64_t overhead_bytes = 0;
        std::uint32_t block_size = 0;
        std::uint64_t kv_budget_override = 0;
        kvscope::Engine engine = kvscope::Engine::Vllm;
        kvscope::VllmOptions vllm_options;
        kvscope::LlamaCppOptions llama_cpp_options;

        friend bool operator==(const Snapshot &a, const Snapshot &b);
    };
    Snapshot snapshot() const;
    // Puts the whole configuration back as it was; each property whose value
    // changes emits its signal, so every view follows.
    void restore(const Snapshot &state);
    // "What changed, in words": one "field old → new" phrase per choice that
    // differs ("n_layers 48 → 40", "model Llama 3.1 8B unloaded", "dtype fp8
    // → bf16"), for the undo history and the status bar.
    // Choices: only what the user chose around a model (workload, units,
    // curves, GPU, engine), without the model and its shape, which a load
    // brings by itself.
    enum class ChangeScope { Everything, Choices };
    static QStringList describeChanges(const Snapshot &before, const Snapshot &after,
                                       ChangeScope scope = ChangeScope::Everything);

    // A loaded model whose shape was edited becomes a what-if of it: a
    // book-shape configuration that keeps the model's name. Empty otherwise.
    QString whatIfOf() const { return m_whatIfOf; }
    // "Llama 3.1 8B what-if: n_layers 40, n_kv_groups 8"; empty when the
    // configuration is not a what-if.
    QString whatIfName() const;

    // How many times the results were recomputed: each costs a full sweep,
    // so the benchmarks and tests count them.
    int recomputeCount() const { return m_recomputeCount; }

    // Writes the configuration under "config/". Pins are merged with the ones
    // `settings` holds, so windows sharing one file keep each other's: those
    // saved there stay, less the ones this model unpinned and plus the ones
    // it pinned since it last loaded or saved. Returns a line for each pin
    // that could not be kept (damaged in the file, or past kMaxPins) and was
    // not named by the last load or save already; empty when none was lost.
    QStringList saveSettings(QSettings &settings) const;
    // Reads what saveSettings() wrote; values go through the setters. A pin
    // that cannot be used is left out, and named in the returned lines
    // ("pin 2 "<name>" left out: config/pins/2/dtype "fp64" is not one of
    // ..."); empty when every pin loaded.
    QStringList loadSettings(const QSettings &settings);

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
    void setBudgetEnabled(bool enabled);
    void setGpu(const QString &gpu);
    void setGpuCount(int count);
    void setCustomGpuMemoryGib(double gib);
    void setGpuUtilization(double fraction);
    void setWeightsDtype(const QString &dtype);
    void setParameterOverride(qint64 parameters);
    void setOverheadGib(double gib);
    void setBlockSize(int tokens);
    void setKvBudgetBytes(qint64 bytes);
    void setEngine(const QString &engine);

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
    // A shape edit turned the loaded model into a what-if of it.
    void whatIfStarted(const QString &modelName);
    void hiddenVariantsChanged(const QStringList &keys);
    void pinsChanged();
    void budgetEnabledChanged(bool enabled);
    void gpuChanged(const QString &gpu);
    void gpuCountChanged(int count);
    void customGpuMemoryGibChanged(double gib);
    void gpuUtilizationChanged(double fraction);
    void weightsDtypeChanged(const QString &dtype);
    void parameterOverrideChanged(qint64 parameters);
    void overheadGibChanged(double gib);
    void blockSizeChanged(int tokens);
    void kvBudgetBytesChanged(qint64 bytes);
    void engineChanged(const QString &engine);
    void engineOptionsChanged();
    // Once per event-loop turn after any input changed.
    void estimateChanged();

private:
    void invalidate();
    void emitEstimateChanged();
    void recomputeIfStale() const;
    QList<int> sanitizedExtraGroups(const QList<int> &groups) const;
    void shapeEdited();
    bool reloadModel(const QString &origin, const QString &savedName);
    void resetBudget();
    void recomputePlan() const;
    void addBudgetCurve(const QString &key, const kvscope::ModelLayout &curveLayout, const kvscope::Workload &workload,
                        bool marker) const;

    kvscope::ModelShape m_shape;
    kvscope::Workload m_workload;
    bool m_binaryUnits = false;
    QList<int> m_extraGroups;
    std::optional<ImportedModel> m_imported;
    QString m_modelName;
    QString m_modelOrigin;
    QStringList m_hiddenVariants;
    using Pin = Snapshot::Pin;
    QList<Pin> m_pins;
    quint64 m_modelSerial = 0;  // counts loads and clears: a snapshot's model identity
    QString m_whatIfOf;
    kvscope::ModelShape m_whatIfBase;
    // The pins as last loaded or saved: what saveSettings() merges against.
    mutable QList<Pin> m_savedPins;
    // What the last load or save could not keep: each loss is named once.
    mutable QStringList m_namedLosses;
    static QList<Pin> readPins(const QSettings &settings, QStringList *leftOut);
    // Gives pins without a slot of their own (two with the same one, from
    // another window's file) the first free slot.
    static void assignSlots(QList<Pin> *pins);
    static QList<Pin> mergedPins(QList<Pin> stored, const QList<Pin> &saved, const QList<Pin> &current,
                                 QStringList *notSaved);
    bool m_applyingModel = false;

    bool m_budgetEnabled = false;
    QString m_gpu = QStringLiteral("h100-80gb");
    std::uint32_t m_tensorParallel = 1;
    std::uint64_t m_customMemoryBytes = std::uint64_t{80} << 30;
    std::uint32_t m_utilizationPpm = kvscope::defaultUtilizationPpm(kvscope::Engine::Vllm);
    kvscope::DType m_weightsDtype = kvscope::DType::bf16;
    std::uint64_t m_parameterOverride = 0;
    std::uint64_t m_overheadBytes = 0;
    std::uint32_t m_blockSize = 0;
    std::uint64_t m_kvBudgetOverride = 0;  // loadModel() moving the shape: keep the model
    kvscope::Engine m_engine = kvscope::Engine::Vllm;
    kvscope::VllmOptions m_vllmOptions;
    kvscope::LlamaCppOptions m_llamaCppOptions;

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
    mutable kvscope::Result<kvscope::Plan> m_plan;
    mutable std::vector<BudgetCurve> m_budgetCurves;
};
