#pragma once

#include <QAbstractTableModel>
#include <vector>

#include "kvscope/layout_bytes.h"

class ConfigModel;

// Bytes per layer kind of the current layout (the loaded model's, or the
// book's shape as identical full layers) at the current workload: kind,
// layers, bytes per layer, total and share. Rows are the kinds present.
class LayerBreakdownModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { KindColumn, LayersColumn, PerLayerColumn, TotalColumn, ShareColumn, ColumnCount };
    // Raw numbers for sorting and tests, beside the formatted display text.
    static constexpr int BytesRole = Qt::UserRole + 1;

    explicit LayerBreakdownModel(ConfigModel *model, QObject *parent = nullptr);
    ~LayerBreakdownModel() override;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

public Q_SLOTS:
    void refresh();

private:
    struct Row {
        kvscope::LayerKind kind;
        kvscope::KindBytes bytes;
    };
    ConfigModel *m_model;
    std::vector<Row> m_rows;
    std::uint64_t m_total = 0;
};
