#include "BudgetPanel.h"

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

#include "ConfigModel.h"
#include "SpinBoxLocale.h"
#include "kvscope/dtype.h"
#include "kvscope/format.h"
#include "kvscope/gpu.h"
#include "kvscope/plan.h"
#include "kvscope/weights.h"

using namespace Qt::StringLiterals;

namespace {

// The most GPUs the count offers: eight nodes of eight.
constexpr std::uint32_t kMaxOfferedGpus = 64;

// The GPU combo's item for a KV budget given directly (ConfigModel::kvBudgetBytes).
const QString kDirectBudget = QStringLiteral("kv-budget");

constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;
constexpr qint64 kMiB = qint64{1} << 20;

QString fromView(std::string_view text) {
    return QString::fromLatin1(text.data(), static_cast<qsizetype>(text.size()));
}

QDoubleSpinBox *newGibSpinBox(double minimum, double maximum, QWidget *parent) {
    auto *spin = new QDoubleSpinBox(parent);
    spin->setRange(minimum, maximum);
    spin->setDecimals(2);
    spin->setSuffix(u" GiB"_s);
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

    // GPU × count.
    m_gpu = new QComboBox(group);
    m_gpu->setObjectName(u"gpu"_s);
    m_gpu->addItem(tr("None (no memory budget)"), QString());
    for (const kvscope::GpuPreset &preset : kvscope::allGpus()) {
        m_gpu->addItem(fromView(preset.label), fromView(preset.name));
        m_gpu->setItemData(m_gpu->count() - 1,
                           tr("%1 GiB per GPU (--gpu %2)")
                               .arg(static_cast<double>(preset.memory_bytes) / (1024.0 * 1024.0 * 1024.0))
                               .arg(fromView(preset.name)),
                           Qt::ToolTipRole);
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
    m_memory = newGibSpinBox(1.0 / 1024, 1024.0 * 1024, group);
    m_memory->setObjectName(u"gpuMemory"_s);
    m_memory->setToolTip(tr("Memory of one GPU, in GiB (1024³ bytes): a preset's marketed size, or your own."));
    m_utilization = new QDoubleSpinBox(group);
    m_utilization->setObjectName(u"gpuUtilization"_s);
    m_utilization->setRange(0.001, 1.0);
    m_utilization->setDecimals(3);
    m_utilization->setSingleStep(0.01);
    m_utilization->setKeyboardTracking(false);
    m_utilization->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
    m_utilization->setLocale(spinBoxLocale(m_utilization->locale()));
    m_utilization->setToolTip(tr("Fraction of each GPU's memory the engine may use: 0.9 is vLLM's default "
                                 "gpu_memory_utilization."));
    auto *memoryWidget = new QWidget(group);
    auto *memoryRow = new QHBoxLayout(memoryWidget);
    memoryRow->setContentsMargins(0, 0, 0, 0);
    memoryRow->addWidget(m_memory, 1);
    auto *utilizationLabel = new QLabel(tr("× &utilization"), memoryWidget);
    utilizationLabel->setBuddy(m_utilization);
    utilizationLabel->setToolTip(m_utilization->toolTip());
    memoryRow->addWidget(utilizationLabel);
    memoryRow->addWidget(m_utilization);
    auto *memoryLabel = new QLabel(tr("M&emory per GPU:"), group);
    memoryLabel->setBuddy(m_memory);
    memoryLabel->setToolTip(m_memory->toolTip());
    m_form->addRow(memoryLabel, memoryWidget);
    m_detailRows.append(memoryWidget);

    // In whole MiB, exact: a budget from an engine's log (vLLM's blocks of 2 MiB) keeps its bytes.
    m_kvBudget = new QSpinBox(group);
    m_kvBudget->setObjectName(u"kvBudget"_s);
    m_kvBudget->setRange(1, static_cast<int>(kvscope::PlanLimits::max_gpu_memory_bytes >> 20));
    m_kvBudget->setSuffix(u" MiB"_s);
    m_kvBudget->setKeyboardTracking(false);
    m_kvBudget->setGroupSeparatorShown(true);
    m_kvBudget->setLocale(spinBoxLocale(m_kvBudget->locale()));
    m_kvBudget->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
    m_kvBudget->setToolTip(tr("The KV cache budget of one GPU, in MiB (1024² bytes): 1,024 MiB is 1 GiB."));
    auto *kvBudgetLabel = new QLabel(tr("&KV budget per GPU:"), group);
    kvBudgetLabel->setBuddy(m_kvBudget);
    kvBudgetLabel->setToolTip(m_kvBudget->toolTip());
    m_form->addRow(kvBudgetLabel, m_kvBudget);

    // Weights: format and parameter count.
    m_weights = new QComboBox(group);
    m_weights->setObjectName(u"weightsDtype"_s);
    for (const kvscope::DTypeInfo &info : kvscope::allDTypes()) m_weights->addItem(weightsLabel(info.id), fromView(info.name));
    m_weights->setToolTip(tr("How the weights are stored. int4 is GPTQ/AWQ's layout (groups of 128 with an fp16 "
                             "scale and a 4-bit zero point); q8_0 and q4_0 are llama.cpp's (34 and 18 bytes per 32 "
                             "weights)."));
    auto *weightsWidget = new QWidget(group);
    auto *weightsRow = new QHBoxLayout(weightsWidget);
    weightsRow->setContentsMargins(0, 0, 0, 0);
    weightsRow->addWidget(m_weights);
    weightsRow->addStretch(1);
    auto *weightsLabelWidget = new QLabel(tr("&Weights:"), group);
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
    auto *parametersLabel = new QLabel(tr("&Parameters:"), group);
    parametersLabel->setBuddy(m_parameters);
    parametersLabel->setToolTip(m_parameters->toolTip());
    m_form->addRow(parametersLabel, parametersWidget);
    m_detailRows.append(parametersWidget);

    // Overhead and block size.
    m_overhead = newGibSpinBox(0.0, 1024.0 * 1024, group);
    m_overhead->setObjectName(u"overhead"_s);
    m_overhead->setSingleStep(0.5);
    m_overhead->setToolTip(tr("Memory per GPU besides weights and cache: activations, the CUDA context and graphs."));
    m_blockSize = new QComboBox(group);
    m_blockSize->setObjectName(u"blockSize"_s);
    for (std::uint32_t tokens = 1; tokens <= kvscope::PlanLimits::max_block_size; tokens *= 2)
        m_blockSize->addItem(QString::number(tokens), static_cast<int>(tokens));
    m_blockSize->setToolTip(tr("Tokens per paged KV block (vLLM's block_size, 16 by default): a sequence takes "
                               "whole blocks."));
    auto *overheadWidget = new QWidget(group);
    auto *overheadRow = new QHBoxLayout(overheadWidget);
    overheadRow->setContentsMargins(0, 0, 0, 0);
    overheadRow->addWidget(m_overhead, 1);
    auto *blockLabel = new QLabel(tr("&Block size:"), overheadWidget);
    blockLabel->setBuddy(m_blockSize);
    blockLabel->setToolTip(m_blockSize->toolTip());
    overheadRow->addWidget(blockLabel);
    overheadRow->addWidget(m_blockSize);
    auto *overheadLabel = new QLabel(tr("&Overhead per GPU:"), group);
    overheadLabel->setBuddy(m_overhead);
    overheadLabel->setToolTip(m_overhead->toolTip());
    m_form->addRow(overheadLabel, overheadWidget);
    m_detailRows.append(overheadWidget);

    m_message = new QLabel(group);
    m_message->setObjectName(u"budgetMessage"_s);
    m_message->setWordWrap(true);
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_form->addRow(m_message);

    updateErrorColor();
    syncAll();
    bindModel();
}

BudgetPanel::~BudgetPanel() = default;

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
                const qint64 fromGpu = plan ? static_cast<qint64>(plan->kv_budget_bytes) / kMiB * kMiB : 0;
                model->setKvBudgetBytes(plan ? std::max(fromGpu, kMiB) : qint64{16} << 30);
            }
        } else {
            model->setKvBudgetBytes(0);
            if (!gpu.isEmpty()) model->setGpu(gpu);
        }
        model->setBudgetEnabled(!gpu.isEmpty());
        syncGpu();
    });
    connect(m_kvBudget, &QSpinBox::valueChanged, this, [this, model](int mib) {
        if (model->kvBudgetBytes() == 0) return;
        // 0 MiB only shows a budget below one MiB; typed, it is the least one.
        model->setKvBudgetBytes(std::max(static_cast<qint64>(mib) * kMiB, kMiB));
        syncGpu();
    });
    connect(m_count, &QComboBox::activated, this, [this, model](int index) {
        model->setGpuCount(m_count->itemData(index).toInt());
        syncCounts();
    });
    connect(m_memory, &QDoubleSpinBox::valueChanged, this, [this, model](double gib) {
        if (model->gpu() != ConfigModel::kCustomGpu) return;
        model->setCustomGpuMemoryGib(gib);
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
    connect(m_overhead, &QDoubleSpinBox::valueChanged, this, [this, model](double gib) {
        model->setOverheadGib(gib);
        const QSignalBlocker block(m_overhead);
        m_overhead->setValue(model->overheadGib());
    });
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
    connect(model, &ConfigModel::overheadGibChanged, this, [this](double gib) {
        const QSignalBlocker block(m_overhead);
        m_overhead->setValue(gib);
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
    syncGpu();
    syncCounts();
    syncUtilization();
    {
        const QSignalBlocker block(m_weights);
        m_weights->setCurrentIndex(m_weights->findData(m_model->weightsDtype()));
    }
    {
        const QSignalBlocker block(m_overhead);
        m_overhead->setValue(m_model->overheadGib());
    }
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
        // Whole MiB as typed; a budget in bytes (a hand-edited setting) shows
        // the bytes past its last MiB too, never a rounded value.
        const QSignalBlocker block(m_kvBudget);
        const qint64 bytes = m_model->kvBudgetBytes();
        const qint64 rest = bytes % kMiB;
        m_kvBudget->setSuffix(rest == 0 ? u" MiB"_s
                                        : tr(" MiB + %1 bytes").arg(QString::fromStdString(kvscope::formatThousands(
                                              static_cast<std::uint64_t>(rest)))));
        m_kvBudget->setMinimum(bytes > 0 && bytes < kMiB ? 0 : 1);
        m_kvBudget->setValue(static_cast<int>(bytes / kMiB));
    }
    {
        const QSignalBlocker block(m_memory);
        m_memory->setEnabled(custom);
        m_memory->setValue(custom ? m_model->customGpuMemoryGib()
                                  : static_cast<double>(m_model->deployment().gpu_memory_bytes) / kGiB);
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
    QList<std::uint64_t> key;
    for (const kvscope::LayerGroup &g : layout.groups)
        key << static_cast<std::uint64_t>(g.spec.kind) << g.spec.n_heads << g.spec.n_kv_heads;
    const int current = m_model->gpuCount();
    const QSignalBlocker block(m_count);
    if (key != m_countsKey || m_count->findData(current) < 0) {
        m_countsKey = key;
        m_count->clear();
        for (const std::uint32_t n : kvscope::validTensorParallelCounts(layout, kMaxOfferedGpus))
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
