#pragma once

#include <QAbstractTableModel>
#include <vector>

#include "kvscope/compare.h"

class ConfigModel;

// The Compare table: the current model and every pin side by side, at the
// current context, batch, KV dtype, engine and GPUs (ModelComparison): name,
// layers, KV per token, KV at the context and at the model's own limit, and
// the largest context and batch that fit. A pin's name is edited in place and
// its check box shows or hides its curve.
class CompareTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Name, Layers, Dtype, Engine, PerToken, AtContext, AtLimit, MaxContext, MaxBatch, ColumnCount };

    explicit CompareTableModel(ConfigModel *model, QObject *parent = nullptr);
    ~CompareTableModel() override;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;
    bool setData(const QModelIndex &index, const QVariant &value, int role) override;

    // The pin a row shows (row 0 is the current model: -1).
    static int pinIndex(int row) { return row - 1; }
    // Rows are computed only while the table is on screen: a comparison plans
    // every pin, too much for each slider step of a hidden table.
    void setActive(bool active);
    // Why there are no rows, when the comparison failed (a total past 64 bits).
    QString error() const { return m_error; }

private:
    void rebuild();
    QString bytes(std::uint64_t value) const;

    ConfigModel *m_model;
    std::vector<kvscope::CompareRow> m_rows;
    std::vector<std::optional<std::uint64_t>> m_atLimit;  // each row's KV at its own context limit
    QString m_error;
    bool m_active = false;
};
