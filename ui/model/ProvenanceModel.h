#pragma once

#include <QAbstractTableModel>
#include <vector>

#include "ImportedModel.h"

class ConfigModel;

// Where each number of the loaded model came from: field, value and the
// config key (or derivation), then any assumption the importer made.
class ProvenanceModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { FieldColumn, ValueColumn, SourceColumn, ColumnCount };

    explicit ProvenanceModel(ConfigModel *model, QObject *parent = nullptr);
    ~ProvenanceModel() override;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

public Q_SLOTS:
    void refresh();

private:
    ConfigModel *m_model;
    std::vector<Provenance> m_rows;
};
