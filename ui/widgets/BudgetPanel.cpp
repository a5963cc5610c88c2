#include "BudgetPanel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QEvent>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QToolButton>
#include <QVBoxLayout>
#include <cmath>
#include <span>

#include "ClampingDoubleSpinBox.h"
#include "ClampingSpinBox.h"
#include "ConfigModel.h"
#include "SpinBoxLocale.h"
#include "kvscope/dtype.h"
#include "kvscope/engine.h"
#include "kvscope/format.h"
#include "kvscope/gpu.h"
#include "kvscope/plan.h"
#include "kvscope/units.h"
#include "kvscope/weights.h"

using namespace Qt::StringLiterals;

namespace {

// The most GPUs the count offers: eight nodes of eight.
constexpr std::uint32_t kMaxOfferedGpus = 64;

// The GPU combo's item for a KV budget given directly (ConfigModel::kvBudgetBytes).
const QString kDirectBudget = QStringLiteral("kv-budget");
// A preset's memory in bytes, for its tooltip in the chosen unit.
constexpr int kMemoryRole = Qt::UserRole + 1;

constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;
constexpr qint64 kMiB = qint64{1} << 20;
constexpr qint64 kMB = 1'000'000;

QString fromView(std::string_view text) {
    return QString::fromLatin1(text.data(), static_cast<qsizetype>(text.size()));
}

// A size in GB or GiB, as View > Units says (BudgetPanel::syncUnits()).
QDoubleSpinBox *newSizeSpinBox(QWidget *parent) {
    auto *spin = new ClampingDoubleSpinBox(parent);
    spin->setDecimals(2);
    spin->setKeyboardTracking(false);
    spin->setGroupSeparatorShown(true);
    spin->setLocale(spinBoxLocale(spin->locale()));
    spin->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
    return spin;
}

// "bf16 (16 bits/weight)", "q4_0 (4.5 bits/weight)": from the core's exact bytes.
QString weightsLabel(kvscope::DType dtype) {
    constexpr std::uint64_t n = std::uint64_t{1} << 20;  // a multiple of every storage block
    const auto bytes = kvscope::weightsBytes(n, dtype);
    const QString name = fromView(kvscope::dtypeName(dtype));
    if (!bytes) return name;
    const double bits = static_cast<double>(*bytes) * 8.0 / static_cast<double>(n);
    return QObject::tr("%1 (%2 bits/weight)").arg(name, QString::number(bits, 'g', 3));
}

}  // namespace

BudgetPanel::BudgetPanel(ConfigModel *model, QWidget *parent) : QWidget(parent), m_model(model) {
    auto *outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    auto *group = new QGroupBox(tr("Deployment"), this);
    outer->addWidget(group);
    m_form = new QFormLayout(group);
    m_form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    m_form->setLabelAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    m_form->setRowWrapPolicy(QFormLayout::DontWrapRows);

    // The engine first: it decides what every number below means.
    m_engine = new QComboBox(group);
    m_engine->setObjectName(u"engine"_s);
    for (kvscope::Engine engine : {kvscope::Engine::Vllm, kvscope::Engine::LlamaCpp}) {
        m_engine->addItem(tr("%1 (%2)").arg(fromView(kvscope::engineLabel(engine)), fromView(kvscope::engineVersion(engine))),
                          fromView(kvscope::engineName(engine)));
    }
    m_engine->setToolTip(tr("The engine whose own allocation rules the numbers follow, read from its source at the "
                            "version shown: how it stores linear states, its default KV dtype and utilization, and "
                            "every deployment figure (--engine)."));
    auto *engineLabel = new QLabel(tr("E&ngine:"), group);
    engineLabel->setBuddy(m_engine);
    engineLabel->setToolTip(m_engine->toolTip());
    m_form->addRow(engineLabel, m_engine);
    buildEngineOptions(group);

    // GPU × count.
    m_gpu = new QComboBox(group);
    m_gpu->setObjectName(u"gpu"_s);
    m_gpu->addItem(tr("None (no memory budget)"), QString());
    for (const kvscope::GpuPreset &preset : kvscope::allGpus()) {
        m_gpu->addItem(fromView(preset.label), fromView(preset.name));
        m_gpu->setItemData(m_gpu->count() - 1,
                           static_cast<qulonglong>(preset.memory_bytes), kMemoryRole);
    }
    m_gpu->addItem(tr("Custom memory size"), ConfigModel::kCustomGpu);
    m_gpu->addItem(tr("KV budget given directly"), kDirectBudget);
    m_gpu->setItemData(m_gpu->count() - 1, tr("The KV cache budget per GPU itself (--kv-budget-bytes), e.g. from an "
                                              "engine's log; memory, utilization and overhead then do not count."),
                       Qt::ToolTipRole);
    m_gpu->setToolTip(tr("The GPU the model runs on: its memory, times the utilization, less the weights and the "
                         "overhead, is the KV cache budget. None: no budget, sizes only."));
    m_count = new QComboBox(group);
    m_count->setObjectName(u"gpuCount"_s);
    m_count->setToolTip(tr("GPUs the model is split over (tensor parallelism). Only the counts that split every "
                           "layer's query heads evenly, and its K/V heads evenly or into whole replicas, are offered."));
    auto *gpuRow = new QHBoxLayout;
    gpuRow->addWidget(m_gpu, 1);
    auto *times = new QLabel(u"×"_s, group);
    gpuRow->addWidget(times);
    gpuRow->addWidget(m_count);
    auto *gpuLabel = new QLabel(tr("&GPU:"), group);
    gpuLabel->setBuddy(m_gpu);
    gpuLabel->setToolTip(m_gpu->toolTip());
    m_form->addRow(gpuLabel, gpuRow);

    // Memory and utilization.
    m_memory = newSizeSpinBox(group);
    m_memory->setObjectName(u"gpuMemory"_s);
    m_utilization = new ClampingDoubleSpinBox(group);
    m_utilization->setObjectName(u"gpuUtilization"_s);
    m_utilization->setRange(0.001, 1.0);
    m_utilization->setDecimals(3);
    m_utilization->setSingleStep(0.01);
    m_utilization->setKeyboardTracking(false);
    m_utilization->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
    m_utilization->setLocale(spinBoxLocale(m_utilization->locale()));
    m_utilization->setToolTip(tr("Fraction of each GPU's memory the engine may use: 0.92 is vLLM's default "
                                 "gpu_memory_utilization; llama.cpp takes what it needs (1)."));
    auto *memoryWidget = new QWidget(group);
    auto *memoryRow = new QHBoxLayout(memoryWidget);
    memoryRow->setContentsMargins(0, 0, 0, 0);
    memoryRow->addWidget(m_memory, 1);
    auto *utilizationLabel = new QLabel(tr("× &utilization"), memoryWidget);
    utilizationLabel->setBuddy(m_utilization);
    utilizationLabel->setToolTip(m_utilization->toolTip());
    memoryRow->addWidget(utilizationLabel);
    memoryRow->addWidget(m_utilization);
    auto *memoryLabel = new QLabel(tr("Memory &per GPU:"), group);
    memoryLabel->setBuddy(m_memory);
    m_form->addRow(memoryLabel, memoryWidget);
    m_detailRows.append(memoryWidget);

    // In whole MiB, exact: a budget from an engine's log (vLLM's blocks of 2 MiB) keeps its bytes.
    m_kvBudget = new ClampingSpinBox(group);
    m_kvBudget->setObjectName(u"kvBudget"_s);
    m_kvBudget->setKeyboardTracking(false);
    m_kvBudget->setGroupSeparatorShown(true);
    m_kvBudget->setLocale(spinBoxLocale(m_kvBudget->locale()));
    m_kvBudget->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
    auto *kvBudgetLabel = new QLabel(tr("KV budget &per GPU:"), group);
    kvBudgetLabel->setBuddy(m_kvBudget);
    m_form->addRow(kvBudgetLabel, m_kvBudget);

    // Weights: format and parameter count.
    m_weights = new QComboBox(group);
    m_weights->setObjectName(u"weightsDtype"_s);
    for (const kvscope::DTypeInfo &info : kvscope::allDTypes()) m_weights->addItem(weightsLabel(info.id), fromView(info.name));
    m_weightsToolTip = tr("How the weights are stored. int4 is GPTQ/AWQ's layout (groups of 128 with an fp16 "
                             "scale and a 4-bit zero point); q8_0 and q4_0 are llama.cpp's (34 and 18 bytes per 32 "
                             "weights).");
    m_weights->setToolTip(m_weightsToolTip);
    auto *weightsWidget = new QWidget(group);
    auto *weightsRow = new QHBoxLayout(weightsWidget);
    weightsRow->setContentsMargins(0, 0, 0, 0);
    weightsRow->addWidget(m_weights);
    weightsRow->addStretch(1);
    auto *weightsLabelWidget = new QLabel(tr("We&ights:"), group);
    weightsLabelWidget->setBuddy(m_weights);
    weightsLabelWidget->setToolTip(m_weights->toolTip());
    m_form->addRow(weightsLabelWidget, weightsWidget);
    m_detailRows.append(weightsWidget);

    m_parameters = new QLineEdit(group);
    m_parameters->setObjectName(u"parameters"_s);
    m_parameters->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
    m_parameters->setToolTip(tr("The model's parameter count: from the preset or config.json, computed for the "
                                "book's shape, or typed (70553706496, 70.6B, 8e9). Empty or Auto: not typed."));
    m_parameterSource = new QLabel(group);
    m_parameterSource->setObjectName(u"parametersSource"_s);
    m_parametersAuto = new QToolButton(group);
    m_parametersAuto->setObjectName(u"parametersAuto"_s);
    m_parametersAuto->setText(tr("Auto"));
    m_parametersAuto->setToolTip(tr("Forget the typed count: use the model's own, or the one computed for the shape."));
    auto *parametersWidget = new QWidget(group);
    auto *parametersRow = new QHBoxLayout(parametersWidget);
    parametersRow->setContentsMargins(0, 0, 0, 0);
    parametersRow->addWidget(m_parameters, 1);
    parametersRow->addWidget(m_parameterSource);
    parametersRow->addWidget(m_parametersAuto);
    auto *parametersLabel = new QLabel(tr("P&arameters:"), group);
    parametersLabel->setBuddy(m_parameters);
    parametersLabel->setToolTip(m_parameters->toolTip());
    m_form->addRow(parametersLabel, parametersWidget);
    m_detailRows.append(parametersWidget);

    // Overhead and block size.
    m_overhead = newSizeSpinBox(group);
    m_overhead->setObjectName(u"overhead"_s);
    m_overhead->setSingleStep(0.5);
    m_blockSize = new QComboBox(group);
    m_blockSize->setObjectName(u"blockSize"_s);
    m_blockSize->addItem(tr("Auto"), 0);
    for (std::uint32_t tokens = 1; tokens <= kvscope::PlanLimits::max_block_size; tokens *= 2)
        m_blockSize->addItem(QString::number(tokens), static_cast<int>(tokens));
    m_blockSize->setToolTip(tr("vLLM's --block-size: tokens per paged KV block. Auto: its attention backend's (16; "
                               "for MLA 64 on Hopper with fp8, 32 on Blackwell), grown so a page holds a Mamba-style "
                               "state."));
    auto *overheadWidget = new QWidget(group);
    auto *overheadRow = new QHBoxLayout(overheadWidget);
    overheadRow->setContentsMargins(0, 0, 0, 0);
    overheadRow->addWidget(m_overhead, 1);
    m_blockLabel = new QLabel(tr("Block si&ze:"), overheadWidget);
    m_blockLabel->setBuddy(m_blockSize);
    m_blockLabel->setToolTip(m_blockSize->toolTip());
    overheadRow->addWidget(m_blockLabel);
    overheadRow->addWidget(m_blockSize);
    auto *overheadLabel = new QLabel(tr("&Overhead per GPU:"), group);
    overheadLabel->setBuddy(m_overhead);
    m_form->addRow(overheadLabel, overheadWidget);
    m_detailRows.append(overheadWidget);

    m_message = new QLabel(group);
    m_message->setObjectName(u"budgetMessage"_s);
    m_message->setWordWrap(true);
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_form->addRow(m_message);

    updateErrorColor();
    syncUnits();
    syncAll();
    bindModel();
}

BudgetPanel::~BudgetPanel() = default;

void BudgetPanel::buildEngineOptions(QWidget *parent) {
    const auto dtypeCombo = [parent](const QString &objectName, const QString &autoText, bool cacheTypes) {
        auto *combo = new QComboBox(parent);
        combo->setObjectName(objectName);
        combo->addItem(autoText, QString());
        // llama.cpp's cache types, or the dtypes vLLM keeps Mamba-style states in.
        static constexpr kvscope::DType kCacheTypes[] = {kvscope::DType::fp32, kvscope::DType::fp16,
                                                         kvscope::DType::bf16, kvscope::DType::q8_0,
                                                         kvscope::DType::q4_0};
        static constexpr kvscope::DType kStateTypes[] = {kvscope::DType::fp32, kvscope::DType::bf16,
                                                         kvscope::DType::fp16};
        const std::span<const kvscope::DType> types = cacheTypes ? std::span<const kvscope::DType>(kCacheTypes)
                                                                 : std::span<const kvscope::DType>(kStateTypes);
        for (kvscope::DType dtype : types) combo->addItem(fromView(kvscope::dtypeName(dtype)), fromView(kvscope::dtypeName(dtype)));
        return combo;
    };
    const auto countSpin = [parent](const QString &objectName, int maximum, const QString &special) {
        auto *spin = new ClampingSpinBox(parent);
        spin->setObjectName(objectName);
        spin->setRange(special.isEmpty() ? 1 : 0, maximum);
        if (!special.isEmpty()) spin->setSpecialValueText(special);
        spin->setKeyboardTracking(false);
        spin->setGroupSeparatorShown(true);
        spin->setLocale(spinBoxLocale(spin->locale()));
        spin->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
        return spin;
    };

    // vLLM's options, laid out as a small form of their own.
    m_vllmOptions = new QWidget(parent);
    auto *vllm = new QFormLayout(m_vllmOptions);
    vllm->setContentsMargins(0, 0, 0, 0);
    m_maxNumBatchedTokens = countSpin(u"maxNumBatchedTokens"_s, 1 << 24, tr("Auto (vllm serve's)"));
    vllm->addRow(tr("Tokens per step:"), m_maxNumBatchedTokens);
    m_asyncScheduling = new QCheckBox(tr("Async scheduling (two batches in flight)"), m_vllmOptions);
    m_asyncScheduling->setObjectName(u"asyncScheduling"_s);
    m_prefixCaching = new QCheckBox(tr("Prefix caching (Mamba states: two blocks a request)"), m_vllmOptions);
    m_prefixCaching->setObjectName(u"prefixCaching"_s);
    m_hybridManager = new QCheckBox(tr("Hybrid KV cache manager (windows held at their size)"), m_vllmOptions);
    m_hybridManager->setObjectName(u"hybridManager"_s);
    m_hybridManager->setToolTip(tr("Off: --disable-hybrid-kv-cache-manager, every sliding and chunked layer held as "
                                   "full attention. vLLM turns it off by itself for chunked attention (Llama 4)."));
    vllm->addRow(m_asyncScheduling);
    vllm->addRow(m_prefixCaching);
    vllm->addRow(m_hybridManager);
    m_mambaDtype = dtypeCombo(u"mambaDtype"_s, tr("Auto (the model dtype)"), false);
    m_mambaDtype->setToolTip(tr("--mamba-cache-dtype: the dtype of Mamba-style states."));
    m_mambaSsmDtype = dtypeCombo(u"mambaSsmDtype"_s, tr("Auto (the model's, else the state dtype)"), false);
    m_mambaSsmDtype->setToolTip(tr("--mamba-ssm-cache-dtype: the SSM state's alone (Nemotron-H and Qwen3.5 name "
                                   "float32)."));
    vllm->addRow(tr("State dtype:"), m_mambaDtype);
    vllm->addRow(tr("SSM state dtype:"), m_mambaSsmDtype);
    m_form->addRow(m_vllmOptions);

    // llama.cpp's.
    m_llamaCppOptions = new QWidget(parent);
    auto *llama = new QFormLayout(m_llamaCppOptions);
    llama->setContentsMargins(0, 0, 0, 0);
    m_ubatch = countSpin(u"ubatch"_s, 1 << 20, QString());
    m_ubatch->setToolTip(tr("-ub: tokens per micro-batch; the sliding-window cache holds the window times the "
                            "sequences plus these, padded to 256 cells."));
    llama->addRow(tr("Micro-batch (-ub):"), m_ubatch);
    m_swaFull = new QCheckBox(tr("Full-size SWA cache (--swa-full)"), m_llamaCppOptions);
    m_swaFull->setObjectName(u"swaFull"_s);
    m_kvUnified = new QCheckBox(tr("Unified KV cache (--kv-unified)"), m_llamaCppOptions);
    m_kvUnified->setObjectName(u"kvUnified"_s);
    m_kvUnified->setToolTip(tr("One cache shared by every sequence instead of one each: llama-server's default only "
                               "when -np is not given."));
    llama->addRow(m_swaFull);
    llama->addRow(m_kvUnified);
    m_cacheTypeV = dtypeCombo(u"cacheTypeV"_s, tr("Same as K"), true);
    m_cacheTypeV->setToolTip(tr("-ctv: the V cache type; the K cache type (-ctk) is the KV dtype. An MLA model "
                                "needs both the same."));
    llama->addRow(tr("V cache type (-ctv):"), m_cacheTypeV);
    m_form->addRow(m_llamaCppOptions);
}

void BudgetPanel::pushEngineOptions() {
    kvscope::VllmOptions vllm = m_model->vllmOptions();
    vllm.max_num_batched_tokens = static_cast<std::uint32_t>(m_maxNumBatchedTokens->value());
    vllm.async_scheduling = m_asyncScheduling->isChecked();
    vllm.prefix_caching = m_prefixCaching->isChecked();
    vllm.disable_hybrid_kv_cache_manager = !m_hybridManager->isChecked();
    vllm.mamba_cache_dtype = kvscope::parseDType(m_mambaDtype->currentData().toString().toStdString());
    vllm.mamba_ssm_cache_dtype = kvscope::parseDType(m_mambaSsmDtype->currentData().toString().toStdString());
    m_model->setVllmOptions(vllm);
    kvscope::LlamaCppOptions llama = m_model->llamaCppOptions();
    llama.n_ubatch = static_cast<std::uint32_t>(m_ubatch->value());
    llama.swa_full = m_swaFull->isChecked();
    llama.kv_unified = m_kvUnified->isChecked();
    llama.type_v = kvscope::parseDType(m_cacheTypeV->currentData().toString().toStdString());
    m_model->setLlamaCppOptions(llama);
}

void BudgetPanel::syncEngine() {
    const bool vllm = m_model->engineId() == kvscope::Engine::Vllm;
    {
        const QSignalBlocker block(m_engine);
        m_engine->setCurrentIndex(m_engine->findData(m_model->engine()));
    }
    m_form->setRowVisible(m_vllmOptions, vllm);
    m_form->setRowVisible(m_llamaCppOptions, !vllm);
    m_blockSize->setVisible(vllm);
    m_blockLabel->setVisible(vllm);
    const kvscope::VllmOptions v = m_model->vllmOptions();
    const kvscope::LlamaCppOptions l = m_model->llamaCppOptions();
    const auto dtypeData = [](const std::optional<kvscope::DType> &dtype) {
        return dtype ? fromView(kvscope::dtypeName(*dtype)) : QString();
    };
    const QSignalBlocker b1(m_maxNumBatchedTokens), b2(m_asyncScheduling), b3(m_prefixCaching), b4(m_hybridManager),
        b5(m_mambaDtype), b6(m_mambaSsmDtype), b7(m_ubatch), b8(m_swaFull), b9(m_kvUnified), b10(m_cacheTypeV);
    m_maxNumBatchedTokens->setValue(static_cast<int>(v.max_num_batched_tokens));
    m_asyncScheduling->setChecked(v.async_scheduling);
    m_prefixCaching->setChecked(v.prefix_caching);
    m_hybridManager->setChecked(!v.disable_hybrid_kv_cache_manager);
    m_mambaDtype->setCurrentIndex(m_mambaDtype->findData(dtypeData(v.mamba_cache_dtype)));
    m_mambaSsmDtype->setCurrentIndex(m_mambaSsmDtype->findData(dtypeData(v.mamba_ssm_cache_dtype)));
    m_ubatch->setValue(static_cast<int>(l.n_ubatch));
    m_swaFull->setChecked(l.swa_full);
    m_kvUnified->setChecked(l.kv_unified);
    m_cacheTypeV->setCurrentIndex(m_cacheTypeV->findData(dtypeData(l.type_v)));
    m_count->setToolTip(vllm ? tr("GPUs the model is split over (tensor parallelism). Only the counts that split every "
                                  "layer's query heads evenly, its K/V heads evenly or into whole replicas, and its "
                                  "linear states into whole heads are offered.")
                             : tr("GPUs the layers are spread over (llama.cpp -sm layer): their budgets pool, the "
                                  "weights and cache split layer by layer."));
}

std::optional<std::uint64_t> BudgetPanel::parseParameters(const QString &input) {
    QString text = input.trimmed();
    text.remove(u','), text.remove(u'_'), text.remove(u' ');
    if (text.isEmpty()) return std::nullopt;
    double scale = 1;
    const QChar suffix = text.back().toUpper();
    if (suffix == u'K' || suffix == u'M' || suffix == u'B' || suffix == u'T') {
        scale = suffix == u'K' ? 1e3 : suffix == u'M' ? 1e6 : suffix == u'B' ? 1e9 : 1e12;
        text.chop(1);
    }
    bool ok = false;
    const qulonglong exact = text.toULongLong(&ok);
    if (ok && scale == 1) return exact;
    const double value = text.toDouble(&ok) * scale;
    if (!ok || !std::isfinite(value) || value < 1 ||
        value > static_cast<double>(kvscope::PlanLimits::max_parameters))
        return std::nullopt;
    return static_cast<std::uint64_t>(std::llround(value));
}

void BudgetPanel::bindModel() {
    ConfigModel *model = m_model;
    connect(m_gpu, &QComboBox::activated, this, [this, model](int index) {
        const QString gpu = m_gpu->itemData(index).toString();
        if (gpu == kDirectBudget) {
            // Start from the budget the GPU gave, when there was one, in the
            // whole MiB the box shows.
            if (model->kvBudgetBytes() == 0) {
                const auto &plan = model->plan();
                const qint64 step = budgetStep();
                const qint64 fromGpu = plan ? static_cast<qint64>(plan->kv_budget_bytes) / step * step : 0;
                model->setKvBudgetBytes(plan ? std::max(fromGpu, step) : qint64{16} << 30);
            }
        } else {
            model->setKvBudgetBytes(0);
            if (!gpu.isEmpty()) model->setGpu(gpu);
        }
        model->setBudgetEnabled(!gpu.isEmpty());
        syncGpu();
    });
    connect(m_kvBudget, &QSpinBox::valueChanged, this, [this, model](int steps) {
        if (model->kvBudgetBytes() == 0) return;
        // 0 only shows a budget below one MiB (MB); typed, it is the least one.
        model->setKvBudgetBytes(std::max(static_cast<qint64>(steps), qint64{1}) * budgetStep());
        syncGpu();
    });
    connect(m_count, &QComboBox::activated, this, [this, model](int index) {
        model->setGpuCount(m_count->itemData(index).toInt());
        syncCounts();
    });
    connect(m_memory, &QDoubleSpinBox::valueChanged, this, [this, model](double size) {
        if (model->gpu() != ConfigModel::kCustomGpu) return;
        model->setCustomGpuMemoryGib(size * sizeUnit() / kGiB);
        syncGpu();
    });
    connect(m_utilization, &QDoubleSpinBox::valueChanged, this, [this, model](double fraction) {
        model->setGpuUtilization(fraction);
        syncUtilization();
    });
    connect(m_weights, &QComboBox::activated, this, [this, model](int index) {
        model->setWeightsDtype(m_weights->itemData(index).toString());
        const QSignalBlocker block(m_weights);
        m_weights->setCurrentIndex(m_weights->findData(model->weightsDtype()));
    });
    connect(m_parameters, &QLineEdit::editingFinished, this, [this, model] {
        const QString text = m_parameters->text().trimmed();
        if (text.isEmpty()) {
            model->setParameterOverride(0);
        } else if (const auto count = parseParameters(text)) {
            // Typing the count already in use is not an override.
            if (model->parameterSource() == ConfigModel::ParameterSource::Entered || model->parameters() != count)
                model->setParameterOverride(static_cast<qint64>(*count));
        }
        syncParameters();
    });
    connect(m_parametersAuto, &QToolButton::clicked, this, [this, model] {
        model->setParameterOverride(0);
        syncParameters();
    });
    connect(m_overhead, &QDoubleSpinBox::valueChanged, this, [this, model](double size) {
        model->setOverheadGib(size * sizeUnit() / kGiB);
        syncOverhead();
    });
    connect(m_engine, &QComboBox::activated, this, [this, model](int index) {
        model->setEngine(m_engine->itemData(index).toString());
        syncEngine();
    });
    for (QSpinBox *spin : {m_maxNumBatchedTokens, m_ubatch})
        connect(spin, &QSpinBox::valueChanged, this, &BudgetPanel::pushEngineOptions);
    for (QCheckBox *box : {m_asyncScheduling, m_prefixCaching, m_hybridManager, m_swaFull, m_kvUnified})
        connect(box, &QCheckBox::toggled, this, &BudgetPanel::pushEngineOptions);
    for (QComboBox *combo : {m_mambaDtype, m_mambaSsmDtype, m_cacheTypeV})
        connect(combo, &QComboBox::activated, this, &BudgetPanel::pushEngineOptions);
    connect(model, &ConfigModel::engineChanged, this, &BudgetPanel::syncEngine);
    connect(model, &ConfigModel::engineOptionsChanged, this, &BudgetPanel::syncEngine);
    connect(m_blockSize, &QComboBox::activated, this, [this, model](int index) {
        model->setBlockSize(m_blockSize->itemData(index).toInt());
        const QSignalBlocker block(m_blockSize);
        m_blockSize->setCurrentIndex(m_blockSize->findData(model->blockSize()));
    });

    // Model -> controls.
    connect(model, &ConfigModel::budgetEnabledChanged, this, &BudgetPanel::syncGpu);
    connect(model, &ConfigModel::gpuChanged, this, &BudgetPanel::syncGpu);
    connect(model, &ConfigModel::customGpuMemoryGibChanged, this, &BudgetPanel::syncGpu);
    connect(model, &ConfigModel::kvBudgetBytesChanged, this, &BudgetPanel::syncGpu);
    connect(model, &ConfigModel::gpuCountChanged, this, &BudgetPanel::syncCounts);
    connect(model, &ConfigModel::gpuUtilizationChanged, this, &BudgetPanel::syncUtilization);
    connect(model, &ConfigModel::weightsDtypeChanged, this, [this](const QString &dtype) {
        const QSignalBlocker block(m_weights);
        m_weights->setCurrentIndex(m_weights->findData(dtype));
    });
    connect(model, &ConfigModel::overheadGibChanged, this, &BudgetPanel::syncOverhead);
    connect(model, &ConfigModel::binaryUnitsChanged, this, [this] {
        syncUnits();
        syncGpu();
        syncOverhead();
    });
    connect(model, &ConfigModel::blockSizeChanged, this, [this](int tokens) {
        const QSignalBlocker block(m_blockSize);
        m_blockSize->setCurrentIndex(m_blockSize->findData(tokens));
    });
    // The shape, a loaded model and the plan: offered counts, the parameter
    // count and the message, once per recompute.
    connect(model, &ConfigModel::estimateChanged, this, [this] {
        syncCounts();
        syncParameters();
        syncMessage();
    });
}

void BudgetPanel::syncAll() {
    syncEngine();
    syncGpu();
    syncCounts();
    syncUtilization();
    {
        const QSignalBlocker block(m_weights);
        m_weights->setCurrentIndex(m_weights->findData(m_model->weightsDtype()));
    }
    syncOverhead();
    {
        const QSignalBlocker block(m_blockSize);
        m_blockSize->setCurrentIndex(m_blockSize->findData(m_model->blockSize()));
    }
    syncParameters();
    syncMessage();
}

void BudgetPanel::syncGpu() {
    const bool enabled = m_model->budgetEnabled();
    const bool custom = m_model->gpu() == ConfigModel::kCustomGpu;
    const bool direct = m_model->kvBudgetBytes() > 0;
    {
        const QSignalBlocker block(m_gpu);
        m_gpu->setCurrentIndex(!enabled ? 0 : m_gpu->findData(direct ? kDirectBudget : m_model->gpu()));
    }
    {
        // Whole MiB (MB) as typed; a budget in bytes (a hand-edited setting,
        // or one typed in the other unit) shows the bytes past its last MiB
        // (MB) too, never a rounded value.
        const QSignalBlocker block(m_kvBudget);
        const qint64 step = budgetStep();
        const QString unit = m_model->binaryUnits() ? u"MiB"_s : u"MB"_s;
        const qint64 bytes = m_model->kvBudgetBytes();
        const qint64 rest = bytes % step;
        m_kvBudget->setSuffix(rest == 0 ? u' ' + unit
                                        : tr(" %1 + %2 bytes").arg(unit, QString::fromStdString(kvscope::formatThousands(
                                                                             static_cast<std::uint64_t>(rest)))));
        m_kvBudget->setMinimum(bytes > 0 && bytes < step ? 0 : 1);
        m_kvBudget->setValue(static_cast<int>(bytes / step));
    }
    {
        const QSignalBlocker block(m_memory);
        m_memory->setEnabled(custom);
        const double bytes = custom ? m_model->customGpuMemoryGib() * kGiB
                                    : static_cast<double>(m_model->deployment().gpu_memory_bytes);
        m_memory->setValue(bytes / sizeUnit());
    }
    m_count->setEnabled(enabled);
    syncCounts();
    for (QWidget *row : std::as_const(m_detailRows)) m_form->setRowVisible(row, enabled);
    // A budget given directly: memory, utilization and overhead do not count.
    m_form->setRowVisible(m_kvBudget, enabled && direct);
    m_form->setRowVisible(m_memory->parentWidget(), enabled && !direct);
    m_overhead->setEnabled(!direct);
    syncMessage();
}

void BudgetPanel::syncOverhead() {
    const QSignalBlocker block(m_overhead);
    m_overhead->setValue(m_model->overheadGib() * kGiB / sizeUnit());
}

double BudgetPanel::sizeUnit() const { return m_model->binaryUnits() ? kGiB : 1e9; }

qint64 BudgetPanel::budgetStep() const { return m_model->binaryUnits() ? kMiB : kMB; }

// The sizes typed here in the unit of View > Units: the boxes' suffixes,
// ranges and tooltips, and each GPU preset's memory in its tooltip (the
// preset's name keeps its marketed size, "H100 80GB").
void BudgetPanel::syncUnits() {
    const bool binary = m_model->binaryUnits();
    const QString unit = binary ? u"GiB"_s : u"GB"_s;
    const QString unitName = binary ? tr("GiB (1024³ bytes)") : tr("GB (1000³ bytes)");
    const double maximum = static_cast<double>(kvscope::PlanLimits::max_gpu_memory_bytes) / sizeUnit();
    for (QDoubleSpinBox *spin : {m_memory, m_overhead}) {
        const QSignalBlocker block(spin);
        spin->setSuffix(u' ' + unit);
        spin->setRange(spin == m_memory ? static_cast<double>(kMiB) / sizeUnit() : 0.0, maximum);
    }
    {
        const QSignalBlocker block(m_kvBudget);
        m_kvBudget->setRange(1, static_cast<int>(kvscope::PlanLimits::max_gpu_memory_bytes /
                                                 static_cast<std::uint64_t>(budgetStep())));
    }
    m_memory->setToolTip(tr("Memory of one GPU, in %1: a preset's marketed size, or your own.").arg(unitName));
    m_overhead->setToolTip(tr("Memory per GPU besides weights and cache, in %1: activations, the CUDA context and "
                              "graphs.")
                               .arg(unitName));
    m_kvBudget->setToolTip(binary ? tr("The KV cache budget of one GPU, in MiB (1024² bytes): 1,024 MiB is 1 GiB.")
                                  : tr("The KV cache budget of one GPU, in MB (1000² bytes): 1,000 MB is 1 GB."));
    // vLLM's rule is 70 GiB.
    m_maxNumBatchedTokens->setToolTip(
        tr("--max-num-batched-tokens: tokens scheduled per step; sliding-window layers reserve the tokens in flight. "
           "Auto: 8,192 on GPUs of %1 or more (not the A100), else 2,048.")
            .arg(QString::fromStdString(kvscope::formatBytes(std::uint64_t{70} << 30, m_model->byteUnit()))));
    const auto labels = findChildren<QLabel *>();
    for (QLabel *label : labels) {
        if (label->buddy() == m_memory || label->buddy() == m_overhead || label->buddy() == m_kvBudget)
            label->setToolTip(label->buddy()->toolTip());
    }
    for (int i = 0; i < m_gpu->count(); ++i) {
        const QVariant memory = m_gpu->itemData(i, kMemoryRole);
        if (!memory.isValid()) continue;
        m_gpu->setItemData(i,
                           tr("%1 per GPU (--gpu %2)")
                               .arg(QString::fromStdString(kvscope::formatBytes(memory.toULongLong(), m_model->byteUnit())),
                                    m_gpu->itemData(i).toString()),
                           Qt::ToolTipRole);
    }
}

// Three decimals, or six (a millionth, as the plan keeps it) when the value in
// use has finer digits: the box never shows a rounded utilization.
void BudgetPanel::syncUtilization() {
    const bool fine = m_model->deployment().utilization_ppm % 1000 != 0;
    const QSignalBlocker block(m_utilization);
    m_utilization->setDecimals(fine ? 6 : 3);
    m_utilization->setMinimum(fine ? 0.000001 : 0.001);
    m_utilization->setValue(m_model->gpuUtilization());
}

void BudgetPanel::syncCounts() {
    // The tensor-parallel counts the model's attention heads allow, recomputed
    // only when the heads change (not on every context or batch step).
    // With no GPU the count is not used: leave the list until one is chosen
    // (a heads slider drag then costs nothing here).
    if (!m_model->budgetEnabled()) {
        m_countsKey.clear();
        const QSignalBlocker block(m_count);
        if (m_count->findData(m_model->gpuCount()) < 0)
            m_count->addItem(QString::number(m_model->gpuCount()), m_model->gpuCount());
        m_count->setCurrentIndex(m_count->findData(m_model->gpuCount()));
        return;
    }
    const kvscope::ModelLayout layout = m_model->layout();
    QList<std::uint64_t> key{static_cast<std::uint64_t>(m_model->engineId())};
    for (const kvscope::LayerGroup &g : layout.groups)
        key << static_cast<std::uint64_t>(g.spec.kind) << g.spec.n_heads << g.spec.n_kv_heads;
    const int current = m_model->gpuCount();
    const QSignalBlocker block(m_count);
    if (key != m_countsKey || m_count->findData(current) < 0) {
        m_countsKey = key;
        m_count->clear();
        for (const std::uint32_t n : kvscope::validTensorParallelCounts(layout, kMaxOfferedGpus, m_model->engineId()))
            m_count->addItem(QString::number(n), static_cast<int>(n));
        // A count the model cannot use stays visible, marked, until changed.
        if (m_count->findData(current) < 0) {
            int at = 0;
            while (at < m_count->count() && m_count->itemData(at).toInt() < current) ++at;
            m_count->insertItem(at, tr("%1 (invalid)").arg(current), current);
        }
    }
    m_count->setCurrentIndex(m_count->findData(current));
}

void BudgetPanel::syncParameters() {
    const auto count = m_model->parameters();
    const ConfigModel::ParameterSource source = m_model->parameterSource();
    const QString text = count ? QString::fromStdString(kvscope::formatThousands(*count)) : QString();
    // Not while the user types, and not again for the same count (a context step keeps it).
    if (!m_parameters->hasFocus() && m_parameters->text() != text) m_parameters->setText(text);
    m_parameters->setPlaceholderText(tr("enter the count"));
    QString where;
    switch (source) {
    case ConfigModel::ParameterSource::Entered: where = tr("entered"); break;
    case ConfigModel::ParameterSource::Preset: where = tr("preset"); break;
    case ConfigModel::ParameterSource::Config: where = tr("config.json"); break;
    case ConfigModel::ParameterSource::Computed: where = tr("computed"); break;
    case ConfigModel::ParameterSource::Unknown: where = tr("unknown"); break;
    }
    m_parameterSource->setText(where);
    m_parameterSource->setToolTip(
        source == ConfigModel::ParameterSource::Computed
            ? tr("Counted for the book's GPTModel of this shape: GPT-2's vocabulary (50,257), an MLP four times "
                 "emb_dim, an untied output head.")
        : source == ConfigModel::ParameterSource::Unknown
            ? tr("The model's config does not give every weight (MoE, MLA, multimodal): type the published count.")
            : QString());
    m_parametersAuto->setVisible(source == ConfigModel::ParameterSource::Entered);

    // A GGUF file or safetensors headers give the weights' bytes as stored:
    // the format box does not apply until a count of the user's own is typed.
    const std::optional<std::uint64_t> stored = m_model->deployment().stored_weights_bytes;
    const ImportedModel *imported = m_model->importedModel();
    m_weights->setEnabled(!stored);
    m_weights->setToolTip(
        stored ? tr("As stored in the model's files: %1 (%2). Type a parameter count to size the weights in a format "
                    "of your own instead.")
                     .arg(QString::fromStdString(kvscope::formatBytes(*stored, m_model->byteUnit())),
                          imported ? QString::fromStdString(imported->weights_format) : QString())
               : m_weightsToolTip);
    if (stored) m_parameterSource->setText(tr("model file"));
}

void BudgetPanel::syncMessage() {
    const auto &plan = m_model->plan();
    const bool show = m_model->budgetEnabled() && !plan.ok();
    m_message->setVisible(show);
    if (!show) {
        m_message->clear();
        return;
    }
    m_message->setText(tr("⚠ %1: %2").arg(ConfigModel::budgetFieldLabel(plan.error().field),
                                          QString::fromStdString(plan.error().message)));
}

QString BudgetPanel::messageText() const { return m_message->isHidden() ? QString() : m_message->text(); }

void BudgetPanel::changeEvent(QEvent *event) {
    if (event->type() == QEvent::PaletteChange) updateErrorColor();
    QWidget::changeEvent(event);
}

void BudgetPanel::updateErrorColor() {
    const bool dark = palette().color(QPalette::Window).lightness() < 128;
    QPalette errorPalette = m_message->palette();
    errorPalette.setColor(QPalette::WindowText, dark ? QColor(0xff, 0x8a, 0x80) : QColor(0xb0, 0x1c, 0x1c));
    m_message->setPalette(errorPalette);
}
