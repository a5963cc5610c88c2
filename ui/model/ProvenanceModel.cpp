#include "ProvenanceModel.h"

#include "ConfigModel.h"

ProvenanceModel::ProvenanceModel(ConfigModel *model, QObject *parent) : QAbstractTableModel(parent), m_model(model) {
    // Provenance changes only with the model, not with the workload.
    connect(model, &ConfigModel::modelChanged, this, &ProvenanceModel::refresh);
    refresh();
}

ProvenanceModel::~ProvenanceModel() = default;

void ProvenanceModel::refresh() {
    beginResetModel();
    m_rows = m_model->provenance();
    for (const QString &warning : m_model->warnings())
        m_rows.push_back({"assumption", "", warning.toStdString()});
    endResetModel();
}

int ProvenanceModel::rowCount(const QModelIndex &parent) const {
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int ProvenanceModel::columnCount(const QModelIndex &parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant ProvenanceModel::data(const QModelIndex &index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid)) return {};
    if (role != Qt::DisplayRole && role != Qt::ToolTipRole) return {};
    const Provenance &p = m_rows[static_cast<std::size_t>(index.row())];
    switch (index.column()) {
    case FieldColumn: return QString::fromStdString(p.field);
    case ValueColumn: return QString::fromStdString(p.value);
    case SourceColumn: return QString::fromStdString(p.source);
    default: return {};
    }
}

QVariant ProvenanceModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
    switch (section) {
    case FieldColumn: return tr("Field");
    case ValueColumn: return tr("Value");
    case SourceColumn: return tr("Source (config key or derivation)");
    default: return {};
    }
}
