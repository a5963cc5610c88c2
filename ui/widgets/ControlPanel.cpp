#include "ControlPanel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QRadioButton>
#include <QSignalBlocker>
#include <QSlider>
#include <QSpinBox>
#include <QStyle>
#include <QVBoxLayout>
#include <algorithm>

#include "ClampingSpinBox.h"
#include "ConfigModel.h"
#include "ContextLengthSpinBox.h"
#include "GroupSelector.h"
#include "LogContextSlider.h"
#include "SliderSpinBox.h"
#include "SpinBoxLocale.h"
#include "kvscope/dtype.h"
#include "kvscope/estimator.h"
#include "kvscope/shape.h"

using namespace Qt::StringLiterals;

namespace {

QFormLayout *newFormLayout(QWidget *parent) {
    auto *form = new QFormLayout(parent);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->setLabelAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    form->setRowWrapPolicy(QFormLayout::DontWrapRows);
    return form;
}

// A label with a mnemonic whose buddy is `buddy`: Alt+letter focuses it (its
// focus proxy for a compound control: QLabel skips a buddy that takes no focus).
QLabel *buddyLabel(const QString &text, QWidget *buddy, QWidget *parent) {
    auto *label = new QLabel(text, parent);
    label->setBuddy(buddy->focusProxy() ? buddy->focusProxy() : buddy);
    label->setToolTip(buddy->toolTip());
    return label;
}

}  // namespace

ControlPanel::ControlPanel(ConfigModel *model, QWidget *parent) : QWidget(parent), m_model(model) {
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(buildShapeGroup());
    layout->addWidget(buildWorkloadGroup());
    layout->addWidget(buildDisplayGroup());
    syncAllFromModel();
    bindModel();
}

ControlPanel::~ControlPanel() = default;

QWidget *ControlPanel::buildShapeGroup() {
    auto *group = new QGroupBox(tr("Model shape"), this);
    auto *form = newFormLayout(group);

    // Each box takes the core's whole range, so a loaded model's value shows
    // as it is; the slider covers the common range and stretches past it.
    m_heads = new SliderSpinBox(1, static_cast<int>(kvscope::Limits::max_heads), 128, 1, group);
    m_heads->setObjectName(u"nHeads"_s);
    m_heads->setToolTip(
        tr("Query heads per attention layer (n_heads), 1 to 1,024 (the slider reaches 128); head_dim is "
           "ceil(emb_dim / n_heads) unless set explicitly."));
    form->addRow(buddyLabel(tr("&Query heads (n_heads):"), m_heads, group), m_heads);

    m_groups = new GroupSelector(group);
    m_groups->setObjectName(u"nKvGroups"_s);
    m_groups->setToolTip(
        tr("How many query heads share one K/V head (n_kv_groups): only divisors of n_heads "
           "exist, from MHA (1) to MQA (n_heads)."));
    form->addRow(buddyLabel(tr("&K/V groups (n_kv_groups):"), m_groups, group), m_groups);

    m_layers = new SliderSpinBox(1, static_cast<int>(kvscope::Limits::max_layers), 256, 1, group);
    m_layers->setObjectName(u"nLayers"_s);
    m_layers->setToolTip(tr("Transformer blocks (n_layers), 1 to 1,024 (the slider reaches 256), each keeping its "
                            "own K and V cache."));
    form->addRow(buddyLabel(tr("&Layers (n_layers):"), m_layers, group), m_layers);

    m_embDim = new SliderSpinBox(static_cast<int>(kvscope::Limits::min_emb_dim),
                                 static_cast<int>(kvscope::Limits::max_emb_dim), 65536, 64, group);
    m_embDim->setObjectName(u"embDim"_s);
    m_embDim->setToolTip(tr("Model width (emb_dim): the slider moves in steps of 64 up to 65,536, the box takes "
                            "any value from 1 to 1,048,576."));
    form->addRow(buddyLabel(tr("Embedding &width (emb_dim):"), m_embDim, group), m_embDim);

    m_headDimCheck = new QCheckBox(tr("Explicit head_&dim:"), group);
    m_headDimCheck->setObjectName(u"explicitHeadDimCheck"_s);
    m_headDimCheck->setToolTip(
        tr("Set head_dim explicitly, as Gemma and Qwen3 do, instead of deriving it as "
           "ceil(emb_dim / n_heads)."));
    m_headDim = new ClampingSpinBox(group);
    m_headDim->setObjectName(u"explicitHeadDim"_s);
    m_headDim->setRange(1, static_cast<int>(kvscope::Limits::max_head_dim));
    m_headDim->setKeyboardTracking(false);
    m_headDim->setGroupSeparatorShown(true);
    m_headDim->setLocale(spinBoxLocale(m_headDim->locale()));
    m_headDim->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
    m_headDim->setToolTip(m_headDimCheck->toolTip());
    auto *headDimRow = new QHBoxLayout;
    headDimRow->addWidget(m_headDim);
    headDimRow->addStretch(1);
    form->addRow(m_headDimCheck, headDimRow);
    return group;
}

QWidget *ControlPanel::buildWorkloadGroup() {
    auto *group = new QGroupBox(tr("Workload"), this);
    auto *form = newFormLayout(group);

    auto *contextRow = new QWidget(group);
    m_contextSlider = new LogContextSlider(contextRow);
    m_contextSlider->setObjectName(u"contextSlider"_s);
    m_contextSpin = new ContextLengthSpinBox(contextRow);
    m_contextSpin->setObjectName(u"contextLength"_s);
    const QString contextTip =
        tr("Tokens cached per sequence: the slider snaps to powers of two from 256 to "
           "1,048,576, the box takes any value up to 2,147,483,648.");
    m_contextSlider->setToolTip(contextTip);
    m_contextSpin->setToolTip(contextTip);
    auto *contextLayout = new QHBoxLayout(contextRow);
    contextLayout->setContentsMargins(0, 0, 0, 0);
    contextLayout->addWidget(m_contextSlider, 1);
    contextLayout->addWidget(m_contextSpin);
    contextRow->setFocusProxy(m_contextSpin);
    form->addRow(buddyLabel(tr("&Context length (tokens):"), m_contextSpin, group), contextRow);

    m_batch = new SliderSpinBox(1, static_cast<int>(kvscope::Limits::max_batch_size), 1024, 1, group);
    m_batch->setObjectName(u"batchSize"_s);
    m_batch->setToolTip(tr("Sequences cached at the same time (batch_size), 1 to 1,048,576 (the slider reaches "
                           "1,024)."));
    form->addRow(buddyLabel(tr("&Batch size:"), m_batch, group), m_batch);

    m_dtype = new QComboBox(group);
    m_dtype->setObjectName(u"dtype"_s);
    for (const kvscope::DTypeInfo &info : kvscope::allDTypes()) {
        const QString name = QString::fromLatin1(info.name.data(), static_cast<qsizetype>(info.name.size()));
        const QString bytes = QString::fromStdString(kvscope::bytesPerElemText(info.id));
        // Block formats (int4, q8_0, q4_0) read better in bits with their scales: "q8_0 (8.5 bits/elem)".
        const bool whole = info.block_bytes % info.block_elems == 0;
        const double bits = 8.0 * info.block_bytes / info.block_elems;
        const QString label = !whole          ? tr("%1 (%2 bits/elem)").arg(name, QString::number(bits, 'g', 3))
                              : bytes == u"1"_s ? tr("%1 (1 byte/elem)").arg(name)
                                                : tr("%1 (%2 bytes/elem)").arg(name, bytes);
        m_dtype->addItem(label, name);
    }
    m_dtype->setToolTip(tr("Storage type of each cached K and V element, which sets the bytes per element. int4 "
                           "keeps groups of 128 with an fp16 scale and a 4-bit zero point; q8_0 and q4_0 are "
                           "llama.cpp's blocks of 32 with an fp16 scale (34 and 18 bytes)."));
    auto *dtypeRow = new QHBoxLayout;
    dtypeRow->addWidget(m_dtype);
    dtypeRow->addStretch(1);
    form->addRow(buddyLabel(tr("Data &type (dtype):"), m_dtype, group), dtypeRow);
    return group;
}

QWidget *ControlPanel::buildDisplayGroup() {
    auto *group = new QGroupBox(tr("Display"), this);
    auto *form = newFormLayout(group);

    const QString unitsTip =
        tr("Show sizes in GB (1000³ bytes, as the book does) or GiB (1024³ bytes, as GPU "
           "memory is sold).");
    auto *unitsRow = new QHBoxLayout;
    m_decimalUnits = new QRadioButton(tr("GB (1000³ bytes)"), group);
    m_decimalUnits->setObjectName(u"decimalUnits"_s);
    m_decimalUnits->setToolTip(unitsTip);
    m_binaryUnits = new QRadioButton(tr("GiB (1024³ bytes)"), group);
    m_binaryUnits->setObjectName(u"binaryUnits"_s);
    m_binaryUnits->setToolTip(unitsTip);
    unitsRow->addWidget(m_decimalUnits);
    unitsRow->addWidget(m_binaryUnits);
    unitsRow->addStretch(1);
    auto *unitsLabel = new QLabel(tr("Units:"), group);
    unitsLabel->setToolTip(unitsTip);
    form->addRow(unitsLabel, unitsRow);

    m_extraGroups = new QListWidget(group);
    m_extraGroups->setObjectName(u"extraGroups"_s);
    m_extraGroups->setToolTip(
        tr("Draw extra GQA curves for these n_kv_groups on the context chart "
           "(Space toggles the selected one)."));
    m_extraGroups->setFlow(QListView::LeftToRight);
    m_extraGroups->setWrapping(true);
    m_extraGroups->setResizeMode(QListView::Adjust);
    m_extraGroups->setUniformItemSizes(true);
    m_extraGroups->setSpacing(2);
    m_extraGroups->setSelectionMode(QAbstractItemView::SingleSelection);
    m_extraGroups->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    // Three rows of check boxes: every divisor of any n_heads up to 128 (at
    // most 15 besides MHA) fits without scrolling.
    const int rowHeight = std::max(m_extraGroups->fontMetrics().height(),
                                   m_extraGroups->style()->pixelMetric(QStyle::PM_IndicatorHeight)) +
                          6;
    m_extraGroups->setFixedHeight(3 * rowHeight + 2 * m_extraGroups->frameWidth() + 4);
    auto *extraLabel = buddyLabel(tr("E&xtra GQA curves:"), m_extraGroups, group);
    extraLabel->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    form->addRow(extraLabel, m_extraGroups);
    return group;
}

void ControlPanel::bindModel() {
    ConfigModel *model = m_model;

    // Control -> model, then re-read: the control shows what the model accepted.
    connect(m_heads, &SliderSpinBox::valueChanged, this, [this, model](int value) {
        model->setNHeads(value);
        syncHeads();
    });
    connect(m_groups, &GroupSelector::groupsChosen, this, [this, model](int groups) {
        model->setNKvGroups(groups);
        syncGroups();
    });
    connect(m_layers, &SliderSpinBox::valueChanged, this, [this, model](int value) {
        model->setNLayers(value);
        m_layers->setValue(model->nLayers());
    });
    connect(m_embDim, &SliderSpinBox::valueChanged, this, [this, model](int value) {
        model->setEmbDim(value);
        m_embDim->setValue(model->embDim());
        syncHeadDim();
    });
    connect(m_headDimCheck, &QCheckBox::toggled, this, [this, model](bool on) {
        model->setExplicitHeadDim(on ? m_headDim->value() : 0);
        syncHeadDim();
    });
    connect(m_headDim, &QSpinBox::valueChanged, this, [this, model](int value) {
        if (!m_headDimCheck->isChecked()) return;
        model->setExplicitHeadDim(value);
        syncHeadDim();
    });
    connect(m_contextSlider, &LogContextSlider::contextLengthEdited, this, [this, model](qint64 length) {
        model->setContextLength(length);
        syncContext();
    });
    connect(m_contextSpin, &ContextLengthSpinBox::contextLengthEdited, this, [this, model](qint64 length) {
        model->setContextLength(length);
        syncContext();
    });
    connect(m_batch, &SliderSpinBox::valueChanged, this, [this, model](int value) {
        model->setBatchSize(value);
        m_batch->setValue(model->batchSize());
    });
    connect(m_dtype, &QComboBox::currentIndexChanged, this, [this, model](int index) {
        if (index < 0) return;
        model->setDtype(m_dtype->itemData(index).toString());
        syncDtype();
    });
    connect(m_binaryUnits, &QRadioButton::toggled, this, [this, model](bool binary) {
        model->setBinaryUnits(binary);
        syncUnits();
    });
    connect(m_extraGroups, &QListWidget::itemChanged, this, &ControlPanel::onExtraGroupToggled);

    // Model -> controls.
    connect(model, &ConfigModel::nHeadsChanged, this, [this] {
        syncHeads();
        rebuildExtraGroups();
    });
    connect(model, &ConfigModel::nKvGroupsChanged, this, &ControlPanel::syncGroups);
    connect(model, &ConfigModel::nLayersChanged, m_layers, &SliderSpinBox::setValue);
    connect(model, &ConfigModel::embDimChanged, this, [this](int value) {
        m_embDim->setValue(value);
        syncHeadDim();
    });
    connect(model, &ConfigModel::explicitHeadDimChanged, this, &ControlPanel::syncHeadDim);
    connect(model, &ConfigModel::contextLengthChanged, this, &ControlPanel::syncContext);
    connect(model, &ConfigModel::batchSizeChanged, m_batch, &SliderSpinBox::setValue);
    connect(model, &ConfigModel::dtypeChanged, this, &ControlPanel::syncDtype);
    connect(model, &ConfigModel::binaryUnitsChanged, this, &ControlPanel::syncUnits);
    connect(model, &ConfigModel::extraGroupsChanged, this, &ControlPanel::syncExtraGroups);
}

void ControlPanel::syncAllFromModel() {
    syncHeads();
    m_layers->setValue(m_model->nLayers());
    m_embDim->setValue(m_model->embDim());
    syncHeadDim();
    syncContext();
    m_batch->setValue(m_model->batchSize());
    syncDtype();
    syncUnits();
    rebuildExtraGroups();
}

void ControlPanel::syncHeads() {
    m_heads->setValue(m_model->nHeads());
    // The model may still hold the old group count while it announces new
    // heads; the selector snaps to the nearest offered count meanwhile.
    m_groups->setOptions(m_model->validGroupCounts(), m_model->nHeads());
    syncGroups();
    syncHeadDim();
}

void ControlPanel::syncGroups() { m_groups->setGroups(m_model->nKvGroups()); }

void ControlPanel::syncHeadDim() {
    const int explicitDim = m_model->explicitHeadDim();
    const QSignalBlocker blockCheck(m_headDimCheck);
    const QSignalBlocker blockSpin(m_headDim);
    m_headDimCheck->setChecked(explicitDim > 0);
    m_headDim->setEnabled(explicitDim > 0);
    // Unchecked, the box shows the derived value, the start of any override.
    kvscope::ModelShape derived = m_model->shape();
    derived.head_dim.reset();
    m_headDim->setValue(explicitDim > 0 ? explicitDim : static_cast<int>(kvscope::headDim(derived)));
}

void ControlPanel::syncContext() {
    m_contextSpin->setContextLength(m_model->contextLength());
    m_contextSlider->setContextLength(m_model->contextLength());
}

void ControlPanel::syncDtype() {
    const QSignalBlocker block(m_dtype);
    m_dtype->setCurrentIndex(m_dtype->findData(m_model->dtype()));
}

void ControlPanel::syncUnits() {
    const QSignalBlocker blockDecimal(m_decimalUnits);
    const QSignalBlocker blockBinary(m_binaryUnits);
    m_binaryUnits->setChecked(m_model->binaryUnits());
    m_decimalUnits->setChecked(!m_model->binaryUnits());
}

void ControlPanel::rebuildExtraGroups() {
    const QSignalBlocker block(m_extraGroups);
    m_extraGroups->clear();
    const int heads = m_model->nHeads();
    // MHA (1) is always drawn; every other valid count can be added.
    for (std::uint32_t count : m_model->validGroupCounts()) {
        if (count == 1) continue;
        const int g = static_cast<int>(count);
        auto *item = new QListWidgetItem(QString::number(g), m_extraGroups);
        item->setData(Qt::UserRole, g);
        item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemIsUserCheckable);
        item->setCheckState(Qt::Unchecked);
        item->setToolTip(tr("Add a curve for %1").arg(GroupSelector::labelFor(g, heads)));
    }
    syncExtraGroups();
}

void ControlPanel::syncExtraGroups() {
    const QSignalBlocker block(m_extraGroups);
    const QList<int> chosen = m_model->extraGroups();
    for (int i = 0; i < m_extraGroups->count(); ++i) {
        QListWidgetItem *item = m_extraGroups->item(i);
        item->setCheckState(chosen.contains(item->data(Qt::UserRole).toInt()) ? Qt::Checked : Qt::Unchecked);
    }
}

void ControlPanel::onExtraGroupToggled() {
    QList<int> chosen;
    for (int i = 0; i < m_extraGroups->count(); ++i) {
        const QListWidgetItem *item = m_extraGroups->item(i);
        if (item->checkState() == Qt::Checked) chosen.append(item->data(Qt::UserRole).toInt());
    }
    m_model->setExtraGroups(chosen);
    syncExtraGroups();
}
