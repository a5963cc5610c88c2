#include "LayerBreakdownModel.h"

#include "ConfigModel.h"
#include "kvscope/format.h"
#include "kvscope/units.h"

using namespace Qt::StringLiterals;

namespace {

QString kindLabel(kvscope::LayerKind kind) {
    switch (kind) {
    case kvscope::LayerKind::Full: return QObject::tr("full attention");
    case kvscope::LayerKind::Sliding: return QObject::tr("sliding window");
    case kvscope::LayerKind::Mla: return QObject::tr("MLA latent");
    case kvscope::LayerKind::Linear: return QObject::tr("linear (fixed state)");
    case kvscope::LayerKind::Shared: return QObject::tr("shared (no own cache)");
    case kvscope::LayerKind::Chunked: return QObject::tr("chunked local");
    case kvscope::LayerKind::Mlp: return QObject::tr("MLP only (no cache)");
    }
    return {};
}

}  // namespace

LayerBreakdownModel::LayerBreakdownModel(ConfigModel *model, QObject *parent)
    : QAbstractTableModel(parent), m_model(model) {
    connect(model, &ConfigModel::estimateChanged, this, &LayerBreakdownModel::refresh);
    refresh();
}

LayerBreakdownModel::~LayerBreakdownModel() = default;

void LayerBreakdownModel::refresh() {
    beginResetModel();
    m_rows.clear();
    m_total = 0;
    const auto &bytes = m_model->layoutBytes();
    if (bytes) {
        m_total = bytes->total;
        for (kvscope::LayerKind kind : kvscope::kAllLayerKinds) {
            if (bytes->of(kind).layers > 0) m_rows.push_back({kind, bytes->of(kind)});
        }
    }
    endResetModel();
}

int LayerBreakdownModel::rowCount(const QModelIndex &parent) const {
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int LayerBreakdownModel::columnCount(const QModelIndex &parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant LayerBreakdownModel::data(const QModelIndex &index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid)) return {};
    const Row &row = m_rows[static_cast<std::size_t>(index.row())];
    const std::uint64_t perLayer = row.bytes.layers ? row.bytes.bytes / row.bytes.layers : 0;
    const double share = m_total ? 100.0 * static_cast<double>(row.bytes.bytes) / static_cast<double>(m_total) : 0.0;
    if (role == Qt::TextAlignmentRole)
        return index.column() == KindColumn ? QVariant((Qt::AlignLeft | Qt::AlignVCenter).toInt())
                                            : QVariant((Qt::AlignRight | Qt::AlignVCenter).toInt());
    const auto unit = m_model->byteUnit();
    auto text = [unit](std::uint64_t b) { return QString::fromStdString(kvscope::formatBytes(b, unit)); };
    auto exact = [](std::uint64_t b) { return tr("%1 bytes").arg(QString::fromStdString(kvscope::formatThousands(b))); };
    switch (index.column()) {
    case KindColumn:
        if (role == Qt::DisplayRole) return kindLabel(row.kind);
        if (role == BytesRole) return QString::fromLatin1(kvscope::layerKindName(row.kind).data());
        break;
    case LayersColumn:
        if (role == Qt::DisplayRole || role == BytesRole) return static_cast<qulonglong>(row.bytes.layers);
        break;
    case PerLayerColumn:
        if (role == Qt::DisplayRole) return text(perLayer);
        if (role == Qt::ToolTipRole) return exact(perLayer);
        if (role == BytesRole) return static_cast<qulonglong>(perLayer);
        break;
    case TotalColumn:
        if (role == Qt::DisplayRole) return text(row.bytes.bytes);
        if (role == Qt::ToolTipRole) return exact(row.bytes.bytes);
        if (role == BytesRole) return static_cast<qulonglong>(row.bytes.bytes);
        break;
    case ShareColumn:
        if (role == Qt::DisplayRole) return u"%1%"_s.arg(share, 0, 'f', 1);
        if (role == BytesRole) return share;
        break;
    default: break;
    }
    return {};
}

QVariant LayerBreakdownModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
    switch (section) {
    case KindColumn: return tr("Layer kind");
    case LayersColumn: return tr("Layers");
    case PerLayerColumn: return tr("Per layer");
    case TotalColumn: return tr("Total at context");
    case ShareColumn: return tr("Share");
    default: return {};
    }
}
