#include "CompareTableModel.h"

#include "ConfigModel.h"
#include "ModelComparison.h"
#include "kvscope/format.h"

using namespace Qt::StringLiterals;

namespace {

QString count(std::uint64_t value) { return QString::fromStdString(kvscope::formatThousands(value)); }

QString solvedText(const std::optional<kvscope::Solved> &solved) {
    if (!solved) return u"—"_s;
    return solved->value == 0 ? QObject::tr("none") : count(solved->value);
}

}  // namespace

CompareTableModel::CompareTableModel(ConfigModel *model, QObject *parent)
    : QAbstractTableModel(parent), m_model(model) {
    // Every pin edit also changes the estimate: one signal is enough.
    connect(model, &ConfigModel::estimateChanged, this, [this] {
        if (m_active) rebuild();
    });
}

void CompareTableModel::setActive(bool active) {
    if (active == m_active) return;
    m_active = active;
    if (active) rebuild();
}

CompareTableModel::~CompareTableModel() = default;

void CompareTableModel::rebuild() {
    beginResetModel();
    const std::vector<kvscope::CompareModel> pins = m_model->pinComparisons();
    const auto rows = ModelComparison::rows(*m_model, pins);
    m_rows = rows ? *rows : std::vector<kvscope::CompareRow>{};
    m_error = rows ? QString() : QString::fromStdString(rows.error().message);
    // Each model at its own context limit: the same comparison, one model at a time.
    m_atLimit.assign(m_rows.size(), std::nullopt);
    std::vector<kvscope::CompareModel> models{ModelComparison::current(*m_model)};
    models.insert(models.end(), pins.begin(), pins.end());
    for (std::size_t i = 0; i < m_rows.size() && i < models.size(); ++i) {
        if (models[i].max_model_len == 0) continue;
        kvscope::CompareBase atLimit = ModelComparison::base(*m_model);
        atLimit.workload.context_length = models[i].max_model_len;
        atLimit.deployment.reset();
        const auto row = kvscope::compareModels(atLimit, std::span(&models[i], 1));
        if (row && !row->empty()) m_atLimit[i] = row->front().kv_bytes;
    }
    endResetModel();
}

QString CompareTableModel::bytes(std::uint64_t value) const {
    return QString::fromStdString(kvscope::formatBytes(value, m_model->byteUnit()));
}

int CompareTableModel::rowCount(const QModelIndex &parent) const {
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int CompareTableModel::columnCount(const QModelIndex &parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant CompareTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
    const QString context = count(static_cast<std::uint64_t>(m_model->contextLength()));
    switch (section) {
    case Name: return tr("Model (shown)");
    case Layers: return tr("Layers");
    case Dtype: return tr("KV dtype");
    case Engine: return tr("Engine");
    case PerToken: return tr("KV per token");
    case AtContext: return tr("KV at %1 tokens").arg(context);
    case AtLimit: return tr("KV at its limit");
    case MaxContext: return tr("Largest context (batch %1)").arg(m_model->batchSize());
    case MaxBatch: return tr("Largest batch (%1 tokens)").arg(context);
    default: return {};
    }
}

QVariant CompareTableModel::data(const QModelIndex &index, int role) const {
    if (!index.isValid() || index.row() >= rowCount()) return {};
    const kvscope::CompareRow &row = m_rows[static_cast<std::size_t>(index.row())];
    const int pin = pinIndex(index.row());
    if (role == Qt::CheckStateRole && index.column() == Name && pin >= 0)
        return m_model->pinHidden(pin) ? Qt::Unchecked : Qt::Checked;
    if (role == Qt::TextAlignmentRole && index.column() >= PerToken)
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    if (role == Qt::ToolTipRole && !row.plan_error.empty() && index.column() >= MaxContext)
        return QString::fromStdString(row.plan_error);
    if (role != Qt::DisplayRole && role != Qt::EditRole) return {};
    switch (index.column()) {
    case Name: return QString::fromStdString(row.name);
    case Layers: return QString::fromStdString(row.layers);
    case Dtype: return m_model->dtype();
    case Engine: return QString::fromUtf8(kvscope::engineLabel(m_model->engineId()));
    case PerToken: return bytes(row.kv_bytes_per_token);
    case AtContext:
        return row.past_model_limit ? tr("%1 (past its limit)").arg(bytes(row.kv_bytes)) : bytes(row.kv_bytes);
    case AtLimit: {
        const auto &atLimit = m_atLimit[static_cast<std::size_t>(index.row())];
        return atLimit ? bytes(*atLimit) : u"—"_s;
    }
    case MaxContext: return solvedText(row.max_context_length);
    case MaxBatch: return solvedText(row.max_batch_size);
    default: return {};
    }
}

Qt::ItemFlags CompareTableModel::flags(const QModelIndex &index) const {
    Qt::ItemFlags flags = QAbstractTableModel::flags(index);
    if (index.column() == Name && pinIndex(index.row()) >= 0) flags |= Qt::ItemIsEditable | Qt::ItemIsUserCheckable;
    return flags;
}

bool CompareTableModel::setData(const QModelIndex &index, const QVariant &value, int role) {
    const int pin = pinIndex(index.row());
    if (!index.isValid() || index.column() != Name || pin < 0) return false;
    if (role == Qt::CheckStateRole) {
        m_model->setPinHidden(pin, value.toInt() != Qt::Checked);
        return true;
    }
    if (role == Qt::EditRole) return m_model->renamePin(pin, value.toString());
    return false;
}
