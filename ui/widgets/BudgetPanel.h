#pragma once

#include <QList>
#include <QWidget>
#include <cstdint>
#include <optional>

class ConfigModel;
class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QSpinBox;
class QToolButton;

// The deployment budget, bound both ways to a ConfigModel like the control
// panel: the engine whose allocation rules the numbers follow (vLLM or
// llama.cpp) with the options that change them, the GPU (a preset, a custom size, or none), how many GPUs the model
// is split over (only the tensor-parallel counts the model's heads allow),
// utilization, the weights' format and parameter count (with where the count
// came from), a fixed overhead and the paged block size; or a KV budget per
// GPU given directly, as kvscope-cli's --kv-budget-bytes. The KV format is the
// workload's dtype. A plan the core cannot make is explained here, naming the
// field; with no GPU the rest of the panel is hidden and nothing changes.
class BudgetPanel : public QWidget {
    Q_OBJECT
public:
    explicit BudgetPanel(ConfigModel *model, QWidget *parent = nullptr);
    ~BudgetPanel() override;

    QComboBox *gpuComboBox() const { return m_gpu; }
    QComboBox *gpuCountComboBox() const { return m_count; }
    QDoubleSpinBox *memorySpinBox() const { return m_memory; }
    // Shown for "KV budget given directly" (ConfigModel::kvBudgetBytes).
    QSpinBox *kvBudgetSpinBox() const { return m_kvBudget; }
    QDoubleSpinBox *utilizationSpinBox() const { return m_utilization; }
    QComboBox *weightsComboBox() const { return m_weights; }
    QLineEdit *parametersEdit() const { return m_parameters; }
    QLabel *parametersSourceLabel() const { return m_parameterSource; }
    QToolButton *parametersAutoButton() const { return m_parametersAuto; }
    QDoubleSpinBox *overheadSpinBox() const { return m_overhead; }
    QComboBox *blockSizeComboBox() const { return m_blockSize; }
    // The engine whose allocation the plan follows, and its options (only the
    // chosen engine's are shown).
    QComboBox *engineComboBox() const { return m_engine; }
    QSpinBox *maxNumBatchedTokensSpinBox() const { return m_maxNumBatchedTokens; }
    QCheckBox *asyncSchedulingCheckBox() const { return m_asyncScheduling; }
    QCheckBox *prefixCachingCheckBox() const { return m_prefixCaching; }
    QCheckBox *hybridManagerCheckBox() const { return m_hybridManager; }
    QComboBox *mambaDtypeComboBox() const { return m_mambaDtype; }
    QComboBox *mambaSsmDtypeComboBox() const { return m_mambaSsmDtype; }
    QSpinBox *ubatchSpinBox() const { return m_ubatch; }
    QCheckBox *swaFullCheckBox() const { return m_swaFull; }
    QCheckBox *kvUnifiedCheckBox() const { return m_kvUnified; }
    QComboBox *cacheTypeVComboBox() const { return m_cacheTypeV; }
    // The plan's error as shown ("" while there is a plan or no GPU).
    QString messageText() const;

    // "70553706496", "70,553,706,496", "70.55B", "8e9", "405 B": a parameter
    // count as a user types it; nothing when it is not one.
    static std::optional<std::uint64_t> parseParameters(const QString &text);

protected:
    void changeEvent(QEvent *event) override;

private:
    void bindModel();
    void syncAll();
    void syncGpu();
    void syncUtilization();
    void syncOverhead();
    void syncUnits();
    // What one of the size boxes' units is in bytes (GB or GiB), and one of the KV budget's (MB or MiB).
    double sizeUnit() const;
    qint64 budgetStep() const;
    void syncCounts();
    void syncParameters();
    void syncMessage();
    void syncEngine();
    void buildEngineOptions(QWidget *parent);
    void pushEngineOptions();
    void updateErrorColor();

    ConfigModel *m_model;
    QFormLayout *m_form = nullptr;
    QComboBox *m_gpu = nullptr;
    QComboBox *m_count = nullptr;
    QDoubleSpinBox *m_memory = nullptr;
    QSpinBox *m_kvBudget = nullptr;
    QDoubleSpinBox *m_utilization = nullptr;
    QComboBox *m_weights = nullptr;
    QString m_weightsToolTip;  // the format box's own, while the model's files do not fix the weights
    QLineEdit *m_parameters = nullptr;
    QLabel *m_parameterSource = nullptr;
    QToolButton *m_parametersAuto = nullptr;
    QDoubleSpinBox *m_overhead = nullptr;
    QComboBox *m_blockSize = nullptr;
    QLabel *m_blockLabel = nullptr;
    QComboBox *m_engine = nullptr;
    QWidget *m_vllmOptions = nullptr;
    QWidget *m_llamaCppOptions = nullptr;
    QSpinBox *m_maxNumBatchedTokens = nullptr;
    QCheckBox *m_asyncScheduling = nullptr;
    QCheckBox *m_prefixCaching = nullptr;
    QCheckBox *m_hybridManager = nullptr;
    QComboBox *m_mambaDtype = nullptr;
    QComboBox *m_mambaSsmDtype = nullptr;
    QSpinBox *m_ubatch = nullptr;
    QCheckBox *m_swaFull = nullptr;
    QCheckBox *m_kvUnified = nullptr;
    QComboBox *m_cacheTypeV = nullptr;
    QLabel *m_message = nullptr;
    QList<QWidget *> m_detailRows;  // the rows hidden while no GPU is chosen
    QList<std::uint64_t> m_countsKey;  // the heads the offered GPU counts were computed for
};
