#include "ResultsStrip.h"

#include <QGridLayout>
#include <QLabel>
#include <QResizeEvent>
#include <QVBoxLayout>

#include "ConfigModel.h"
#include "kvscope/format.h"
#include "kvscope/units.h"

using namespace Qt::StringLiterals;

namespace {

QString fromStd(const std::string &text) { return QString::fromStdString(text); }
QString count(std::uint64_t value) { return fromStd(kvscope::formatThousands(value)); }
// Three tiles to a row keep each caption readable at half a laptop screen.
constexpr int kColumns = 3;

}  // namespace

ResultsStrip::ResultsStrip(ConfigModel *model, QWidget *parent)
    : QFrame(parent), m_model(model), m_grid(new QGridLayout), m_error(new QLabel(this)) {
    setObjectName(u"resultsStrip"_s);
    setFrameShape(QFrame::StyledPanel);
    setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Maximum);
    m_grid->setContentsMargins(0, 0, 0, 0);
    m_grid->setHorizontalSpacing(18);
    m_grid->setVerticalSpacing(6);
    m_modelTotal = addTile(u"resultModelTotal"_s);
    m_mhaTotal = addTile(u"resultMhaTotal"_s);
    m_gqaTotal = addTile(u"resultGqaTotal"_s);
    m_savings = addTile(u"resultSavings"_s);
    m_maxContext = addTile(u"resultMaxContext"_s);
    m_maxBatch = addTile(u"resultMaxBatch"_s);
    m_error->setObjectName(u"resultError"_s);
    m_error->setWordWrap(true);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(10, 6, 10, 6);
    layout->addLayout(m_grid);
    layout->addWidget(m_error);
    connect(model, &ConfigModel::estimateChanged, this, &ResultsStrip::refresh);
    refresh();
}

ResultsStrip::~ResultsStrip() = default;

ResultsStrip::Tile ResultsStrip::addTile(const QString &objectName) {
    auto *box = new QWidget(this);
    box->setObjectName(objectName);
    auto *caption = new QLabel(box);
    auto *value = new QLabel(box);
    value->setObjectName(objectName + u"Value"_s);
    value->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QFont big = value->font();
    big.setBold(true);
    big.setPointSizeF(big.pointSizeF() * 1.35);
    value->setFont(big);
    // A long model name wraps rather than widening the charts' column.
    caption->setWordWrap(true);
    auto *layout = new QVBoxLayout(box);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(caption);
    layout->addWidget(value);
    const Tile tile{box, caption, value};
    m_tiles.append(tile);
    return tile;
}

void ResultsStrip::show(const Tile &tile, const QString &caption, const QString &value, const QString &toolTip) {
    tile.caption->setText(caption);
    tile.value->setText(value);
    tile.box->setToolTip(toolTip);
    for (qsizetype i = 0; i < m_tiles.size(); ++i) {
        if (m_tiles.at(i).box == tile.box) m_shownTiles[i] = true;
    }
}

void ResultsStrip::resizeEvent(QResizeEvent *event) {
    QFrame::resizeEvent(event);
    fitHeight();
}

void ResultsStrip::fitHeight() {
    QLayout *box = layout();
    box->activate();
    const int needed = box->hasHeightForWidth() ? box->totalHeightForWidth(width()) : box->totalSizeHint().height();
    if (needed > 0 && (minimumHeight() != needed || maximumHeight() != needed)) {
        setFixedHeight(needed);
        // Set from within a resize, the new height does not reach the layout,
        // which kept the rows of the old one (after a restored geometry: a
        // second row pushed out of the strip): lay it out again at this size.
        box->invalidate();
    }
}

void ResultsStrip::relayout() {
    // Most slider steps show the same tiles: the grid stays as it is.
    const bool same = m_gridTiles == m_shownTiles;
    for (qsizetype i = 0; i < m_tiles.size(); ++i) m_tiles.at(i).box->setVisible(m_shownTiles.at(i));
    fitHeight();
    if (same) return;
    m_gridTiles = m_shownTiles;
    // The visible tiles fill the grid in order; hidden ones leave no gap.
    for (const Tile &tile : std::as_const(m_tiles)) m_grid->removeWidget(tile.box);
    int index = 0;
    for (qsizetype i = 0; i < m_tiles.size(); ++i) {
        if (!m_shownTiles.at(i)) continue;
        m_grid->addWidget(m_tiles.at(i).box, index / kColumns, index % kColumns);
        ++index;
    }
    for (int column = 0; column < kColumns; ++column) m_grid->setColumnStretch(column, 1);
    fitHeight();
}

void ResultsStrip::refresh() {
    // Tiles are marked as shown here and shown or hidden once, in relayout().
    m_shownTiles.fill(false, m_tiles.size());
    const kvscope::ByteUnit unit = m_model->byteUnit();
    auto bytes = [unit](std::uint64_t value) { return fromStd(kvscope::formatBytes(value, unit)); };
    auto exact = [](std::uint64_t value) { return tr("%1 bytes").arg(count(value)); };
    const QString context = count(static_cast<std::uint64_t>(m_model->contextLength()));
    const QString batch = QString::number(m_model->batchSize());

    const auto &estimate = m_model->estimate();
    m_error->setVisible(!estimate.ok());
    if (!estimate.ok()) {
        m_error->setText(tr("⚠ No estimate for this configuration: %1").arg(fromStd(estimate.error().message)));
        relayout();
        return;
    }
    const bool loaded = m_model->hasModel();
    if (loaded) {
        const auto &model = m_model->modelEstimate();
        show(m_modelTotal, tr("%1 KV cache at %2 tokens, batch %3").arg(m_model->modelName(), context, batch),
             model ? bytes(model->bytes.total) : fromStd(model.error().message),
             model ? exact(model->bytes.total) : QString());
    }
    // With a model, the book's formula sizes its shape only: said in the caption.
    show(m_mhaTotal, loaded ? tr("Book MHA (shape only)") : tr("MHA total KV cache"), bytes(estimate->mha_bytes),
         exact(estimate->mha_bytes));
    show(m_gqaTotal,
         loaded ? tr("Book GQA (shape only, n_kv_groups=%1)").arg(m_model->nKvGroups())
                : tr("GQA total KV cache (n_kv_groups=%1)").arg(m_model->nKvGroups()),
         bytes(estimate->gqa_bytes), exact(estimate->gqa_bytes));
    show(m_savings, tr("Savings, GQA vs MHA"),
         tr("%1% (%2×)").arg(fromStd(kvscope::formatFixed2(estimate->savings_percent)),
                             fromStd(kvscope::formatFixed2(estimate->ratio))));

    const auto &plan = m_model->plan();
    const QString gpus = m_model->gpuCount() > 1 ? tr("%1 × %2").arg(m_model->gpuCount()).arg(m_model->gpuLabel())
                                                 : m_model->gpuLabel();
    if (!plan.ok() && m_model->budgetEnabled()) {
        // The GPUs were asked about: the answer is that it does not fit, and why.
        const QString why = fromStd(plan.error().message);
        m_error->setText(tr("⚠ No plan on %1: %2").arg(gpus.isEmpty() ? tr("the KV budget") : gpus, why));
        m_error->setVisible(true);
        show(m_maxContext, tr("Largest context on %1 (batch %2)").arg(gpus, batch), tr("does not fit"), why);
    }
    if (plan.ok()) {
        const kvscope::Solved &maxContext = plan->max_context_length;
        show(m_maxContext, tr("Largest context on %1 (batch %2)").arg(gpus, batch),
             maxContext.value == 0 ? tr("none") : tr("%1 tokens").arg(count(maxContext.value)),
             maxContext.limited_by == kvscope::Bound::Model ? tr("The model's context limit.") : QString());
        show(m_maxBatch, tr("Largest batch at %1 tokens").arg(context),
             plan->max_batch_size.value == 0 ? tr("none") : count(plan->max_batch_size.value));
    }
    relayout();
}

QStringList ResultsStrip::displayedTiles() const {
    QStringList lines;
    if (!m_error->isHidden()) lines.append(m_error->text());
    for (const Tile &tile : m_tiles) {
        if (!tile.box->isHidden()) lines.append(tile.caption->text() + u": "_s + tile.value->text());
    }
    return lines;
}
