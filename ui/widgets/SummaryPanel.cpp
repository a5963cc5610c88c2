#include "SummaryPanel.h"

#include <QApplication>
#include <QClipboard>
#include <QEvent>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

#include "ConfigModel.h"
#include "TextReport.h"
#include "kvscope/engine.h"
#include "kvscope/format.h"
#include "kvscope/units.h"

using namespace Qt::StringLiterals;

namespace {

QString fromStd(const std::string &text) { return QString::fromStdString(text); }

QString exactBytes(std::uint64_t bytes) {
    return QObject::tr("%1 bytes").arg(fromStd(kvscope::formatThousands(bytes)));
}

}  // namespace

SummaryPanel::SummaryPanel(ConfigModel *model, QWidget *parent)
    : QWidget(parent),
      m_model(model),
      m_numbers(new QWidget(this)),
      m_error(new QLabel(this)),
      m_copyButton(new QPushButton(tr("Cop&y as text"), this)) {
    auto *grid = new QGridLayout(m_numbers);
    grid->setContentsMargins(0, 0, 0, 0);
    grid->setHorizontalSpacing(12);
    grid->setColumnStretch(1, 1);

    m_modelName = addRow(tr("Model"), u"modelNameValue"_s);
    m_modelLayers = addRow(tr("Layers"), u"modelLayersValue"_s);
    m_modelTotal = addRow(tr("Model total KV cache"), u"modelTotalValue"_s);
    m_modelPerToken = addRow(tr("Model per token"), u"modelPerTokenValue"_s);
    m_modelLimit = addRow(tr("Context limit"), u"modelLimitValue"_s);
    m_modelLayers->setWordWrap(true);
    m_headDim = addRow(tr("head_dim"), u"headDimValue"_s);
    m_kvHeads = addRow(tr("K/V heads"), u"kvHeadsValue"_s);
    m_mhaTotal = addRow(tr("MHA total KV cache"), u"mhaTotalValue"_s);
    m_gqaTotal = addRow(tr("GQA total KV cache"), u"gqaTotalValue"_s);
    m_ratio = addRow(tr("Ratio (MHA / GQA)"), u"ratioValue"_s);
    m_savings = addRow(tr("Savings (GQA vs MHA)"), u"savingsValue"_s);
    m_perToken = addRow(tr("Per token (all layers)"), u"perTokenValue"_s);
    m_maxContext = addRow(tr("Largest context that fits"), u"maxContextValue"_s);
    m_maxBatch = addRow(tr("Largest batch"), u"maxBatchValue"_s);
    m_blocks = addRow(tr("KV blocks per GPU"), u"blocksValue"_s);
    m_concurrency = addRow(tr("Maximum concurrency"), u"concurrencyValue"_s);
    m_workloadFits = addRow(tr("This workload"), u"workloadFitsValue"_s);
    m_weightsPerGpu = addRow(tr("Weights per GPU"), u"weightsPerGpuValue"_s);
    m_kvBudget = addRow(tr("KV budget per GPU"), u"kvBudgetValue"_s);
    m_gpusNeeded = addRow(tr("GPUs needed"), u"gpusNeededValue"_s);
    m_engineRule = addRow(tr("Cache layout"), u"engineRuleValue"_s);
    m_engineRule->setWordWrap(true);

    // Totals stand out: they are what the user came for.
    for (QLabel *label : {m_modelTotal, m_mhaTotal, m_gqaTotal, m_savings, m_maxContext}) {
        QFont font = label->font();
        font.setBold(true);
        label->setFont(font);
    }

    m_error->setObjectName(u"errorMessage"_s);
    m_error->setWordWrap(true);
    m_error->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_error->hide();

    m_copyButton->setObjectName(u"copyReport"_s);
    m_copyButton->setToolTip(tr("Copy the report kvscope-cli prints for this configuration to the clipboard."));
    connect(m_copyButton, &QPushButton::clicked, this, &SummaryPanel::copyReport);
    auto *buttons = new QHBoxLayout;
    buttons->addStretch(1);
    buttons->addWidget(m_copyButton);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_numbers);
    layout->addWidget(m_error);
    layout->addLayout(buttons);

    updateErrorColor();
    connect(model, &ConfigModel::estimateChanged, this, &SummaryPanel::refresh);
    refresh();
}

SummaryPanel::~SummaryPanel() = default;

QLabel *SummaryPanel::addRow(const QString &name, const QString &objectName) {
    auto *grid = static_cast<QGridLayout *>(m_numbers->layout());
    const int row = grid->rowCount();
    auto *nameLabel = new QLabel(name + u':', m_numbers);
    auto *value = new QLabel(m_numbers);
    value->setObjectName(objectName);
    value->setTextInteractionFlags(Qt::TextSelectableByMouse);
    grid->addWidget(nameLabel, row, 0);
    grid->addWidget(value, row, 1);
    m_names.append(nameLabel);
    m_values.append(value);
    return value;
}

void SummaryPanel::setRowVisible(QLabel *value, bool visible) {
    const qsizetype index = m_values.indexOf(value);
    value->setVisible(visible);
    if (index >= 0) m_names.at(index)->setVisible(visible);
}

void SummaryPanel::refreshModelRows() {
    const bool loaded = m_model->hasModel();
    const auto &result = m_model->modelEstimate();
    for (QLabel *label : {m_modelName, m_modelLayers, m_modelTotal, m_modelPerToken}) setRowVisible(label, loaded);
    const std::uint64_t limit = m_model->modelContextLimit();
    setRowVisible(m_modelLimit, loaded && limit != 0);
    if (loaded && limit != 0) {
        const auto context = static_cast<std::uint64_t>(m_model->contextLength());
        const QString tokens = fromStd(kvscope::formatThousands(limit));
        m_modelLimit->setText(context > limit ? tr("⚠ %1 tokens: the context is past it").arg(tokens)
                                              : tr("%1 tokens").arg(tokens));
        m_modelLimit->setToolTip(tr("The longest context the model takes (max_model_len, derived from its config as "
                                    "vLLM derives it): no plan goes past it, and the engines refuse longer requests."));
    }
    // With a model loaded the book's rows describe its shape, not its cache.
    const int mhaRow = static_cast<int>(m_values.indexOf(m_mhaTotal));
    const int gqaRow = static_cast<int>(m_values.indexOf(m_gqaTotal));
    m_names.at(mhaRow)->setText(loaded ? tr("Book MHA (shape only):") : tr("MHA total KV cache:"));
    m_names.at(gqaRow)->setText(loaded ? tr("Book GQA (shape only):") : tr("GQA total KV cache:"));
    if (!loaded) return;
    m_modelName->setText(m_model->modelName());
    const ImportedModel *imported = m_model->importedModel();
    const Provenance *layers = imported->find("layers");
    m_modelLayers->setText(layers ? fromStd(layers->value) : QString::number(m_model->nLayers()));
    if (!result) {
        m_modelTotal->setText(fromStd(result.error().message));
        m_modelPerToken->clear();
        return;
    }
    const kvscope::ByteUnit unit = m_model->byteUnit();
    m_modelTotal->setText(fromStd(kvscope::formatBytes(result->bytes.total, unit)));
    m_modelTotal->setToolTip(exactBytes(result->bytes.total));
    m_modelPerToken->setText(fromStd(kvscope::formatBytes(result->bytes_per_token, unit)));
    m_modelPerToken->setToolTip(tr("Growth of one sequence's cache per extra token at this context: %1")
                                    .arg(exactBytes(result->bytes_per_token)));
}

void SummaryPanel::refresh() {
    refreshModelRows();
    refreshPlanRows();
    const auto &result = m_model->estimate();
    m_numbers->setVisible(result.ok());
    m_error->setVisible(!result.ok());
    if (!result.ok()) {
        m_error->setText(tr("⚠ No estimate for this configuration: %1").arg(fromStd(result.error().message)));
        return;
    }
    const kvscope::KvEstimate &e = *result;
    const kvscope::ByteUnit unit = m_model->byteUnit();
    auto bytes = [unit](std::uint64_t value) { return fromStd(kvscope::formatBytes(value, unit)); };

    m_headDim->setText(m_model->explicitHeadDim() > 0
                           ? tr("%1 (explicit)").arg(e.head_dim)
                           : tr("%1 = ceil(%2 / %3)").arg(e.head_dim).arg(m_model->embDim()).arg(m_model->nHeads()));
    m_kvHeads->setText(tr("MHA %1 · GQA %2").arg(e.n_kv_heads_mha).arg(e.n_kv_heads_gqa));
    m_mhaTotal->setText(bytes(e.mha_bytes));
    m_mhaTotal->setToolTip(exactBytes(e.mha_bytes));
    m_gqaTotal->setText(bytes(e.gqa_bytes));
    m_gqaTotal->setToolTip(exactBytes(e.gqa_bytes));
    m_ratio->setText(fromStd(kvscope::formatFixed2(e.ratio)) + u'×');
    m_savings->setText(fromStd(kvscope::formatFixed2(e.savings_percent)) + u'%');
    m_perToken->setText(tr("MHA %1 · GQA %2").arg(bytes(e.mha_bytes_per_token), bytes(e.gqa_bytes_per_token)));
    m_perToken->setToolTip(tr("One token of one sequence across all layers: MHA %1, GQA %2")
                               .arg(exactBytes(e.mha_bytes_per_token), exactBytes(e.gqa_bytes_per_token)));
}

void SummaryPanel::refreshPlanRows() {
    const auto &plan = m_model->plan();
    const QList<QLabel *> rows{m_maxContext,   m_maxBatch,      m_blocks,   m_concurrency, m_workloadFits,
                               m_weightsPerGpu, m_kvBudget, m_gpusNeeded, m_engineRule};
    for (QLabel *label : rows) setRowVisible(label, plan.ok());
    if (!plan) return;
    const kvscope::Plan &p = *plan;
    const kvscope::ByteUnit unit = m_model->byteUnit();
    auto bytes = [unit](std::uint64_t value) { return fromStd(kvscope::formatBytes(value, unit)); };
    auto count = [](std::uint64_t value) { return fromStd(kvscope::formatThousands(value)); };
    const QString batch = QString::number(m_model->batchSize());
    const QString context = count(static_cast<std::uint64_t>(m_model->contextLength()));
    const int gpus = m_model->gpuCount();

    const bool vllm = p.engine == kvscope::Engine::Vllm;
    const QString engine = QString::fromUtf8(kvscope::engineLabel(p.engine));
    if (p.max_context_length.value == 0)
        m_maxContext->setText(tr("none: %1 sequences do not fit even 1 token").arg(batch));
    else if (p.max_context_length.limited_by == kvscope::Bound::Model)
        m_maxContext->setText(tr("%1 tokens at batch %2 (the model's limit)")
                                  .arg(count(p.max_context_length.value), batch));
    else if (p.max_context_length.at_limit)
        m_maxContext->setText(tr("%1 tokens at batch %2 (all; the cache stops growing)")
                                  .arg(count(p.max_context_length.value), batch));
    else
        m_maxContext->setText(tr("%1 tokens at batch %2").arg(count(p.max_context_length.value), batch));
    m_maxContext->setToolTip(
        vllm ? tr("vLLM: the longest request whose blocks (%1 tokens each, in every group) fit the pool less its null "
                  "block; never past the model's context limit.")
                   .arg(p.block_size)
             : tr("llama.cpp: the longest -c whose whole cache, allocated at start, fits the budget (n_ctx padded to "
                  "256 cells); never past the model's context limit."));
    m_maxBatch->setText(p.max_batch_size.value == 0
                            ? tr("none at %1 tokens").arg(context)
                            : tr("%1 at %2 tokens").arg(count(p.max_batch_size.value), context));
    setRowVisible(m_blocks, vllm);
    if (vllm) {
        m_blocks->setText(tr("%1 × %2 tokens (%3 each)").arg(count(p.num_blocks)).arg(p.block_size).arg(bytes(p.block_bytes)));
        m_blocks->setToolTip(tr("%1\nfloor(KV budget / block bytes) = floor(%2 / %3); a request of %4 tokens holds %5 "
                                "of them.")
                                 .arg(fromStd(p.layout_rule), count(p.kv_budget_bytes), count(p.block_bytes), context,
                                      count(p.blocks_per_request)));
    }
    m_concurrency->setText(tr("%1× at %2 tokens").arg(fromStd(kvscope::formatFixed2(p.max_concurrency)), context));
    m_concurrency->setToolTip(
        vllm ? tr("As vLLM logs it: num_blocks / the blocks one request holds (%1 at %2 tokens). Sliding layers hold "
                  "their window plus the tokens in flight; Mamba-style states one or two blocks.\n%3")
                   .arg(count(p.blocks_per_request), context,
                        p.engine_log.empty() ? QString() : fromStd(p.engine_log.front()))
             : tr("llama.cpp allocates every sequence's cache at start: the largest -np that fits.\n%1")
                   .arg(fromStd(p.layout_rule)));
    m_engineRule->setText(fromStd(p.layout_rule));
    m_engineRule->setToolTip(tr("%1 %2: how the engine lays out this model's cache.")
                                 .arg(engine, QString::fromUtf8(kvscope::engineVersion(p.engine))));
    m_workloadFits->setText(p.fits ? tr("fits: %1 of %2 per GPU").arg(bytes(p.engine_kv_bytes_per_gpu), bytes(p.kv_budget_bytes))
                                   : tr("does not fit: %1 per GPU, %2 budget")
                                         .arg(bytes(p.engine_kv_bytes_per_gpu), bytes(p.kv_budget_bytes)));
    m_workloadFits->setToolTip(tr("%1 allocates %2 per GPU for it; its layers hold %3.")
                                   .arg(engine, exactBytes(p.engine_kv_bytes_per_gpu), exactBytes(p.kv_bytes_per_gpu)));
    m_weightsPerGpu->setText(gpus > 1 ? tr("%1 (%2 in all, %3)").arg(bytes(p.weights_bytes_per_gpu), bytes(p.weights_bytes),
                                                                    m_model->weightsDtype())
                                      : tr("%1 (%2)").arg(bytes(p.weights_bytes_per_gpu), m_model->weightsDtype()));
    m_weightsPerGpu->setToolTip(exactBytes(p.weights_bytes_per_gpu));
    m_kvBudget->setText(p.usable_bytes_per_gpu == 0
                            ? tr("%1 (given directly)").arg(bytes(p.kv_budget_bytes))
                            : tr("%1 of %2 usable").arg(bytes(p.kv_budget_bytes), bytes(p.usable_bytes_per_gpu)));
    m_kvBudget->setToolTip(exactBytes(p.kv_budget_bytes));
    if (p.gpus_needed)
        m_gpusNeeded->setText(*p.gpus_needed == 1 ? tr("1 for this workload")
                                                  : tr("%1 for this workload").arg(*p.gpus_needed));
    else
        m_gpusNeeded->setText(p.usable_bytes_per_gpu == 0 ? tr("— (budget given directly)")
                                                          : tr("more than %1").arg(kvscope::PlanLimits::max_tensor_parallel));
}

QString SummaryPanel::displayedText() const {
    if (!m_model->estimate().ok()) return m_error->text();
    QStringList lines;
    for (qsizetype i = 0; i < m_names.size(); ++i)
        if (!m_values.at(i)->isHidden()) lines.append(m_names.at(i)->text() + u' ' + m_values.at(i)->text());
    return lines.join(u'\n');
}

void SummaryPanel::copyReport() {
    // Exactly what kvscope-cli prints for this configuration.
    QApplication::clipboard()->setText(TextReport::forConfig(*m_model));
}

void SummaryPanel::changeEvent(QEvent *event) {
    if (event->type() == QEvent::PaletteChange) updateErrorColor();
    QWidget::changeEvent(event);
}

void SummaryPanel::updateErrorColor() {
    // A red that reads on light and on dark windows.
    const bool dark = palette().color(QPalette::Window).lightness() < 128;
    QPalette errorPalette = m_error->palette();
    errorPalette.setColor(QPalette::WindowText, dark ? QColor(0xff, 0x8a, 0x80) : QColor(0xb0, 0x1c, 0x1c));
    m_error->setPalette(errorPalette);
    QFont font = m_error->font();
    font.setBold(true);
    m_error->setFont(font);
}
