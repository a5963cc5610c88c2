#pragma once

#include <QWidget>

class CompareTableModel;
class ConfigModel;
class QTabWidget;
class LayerBreakdownModel;
class ProvenanceModel;
class QCheckBox;
class QLabel;
class QTableView;
class QHBoxLayout;

// The per-layer story of the current configuration: which what-if curves the
// context chart compares with a loaded model (check boxes), the bytes per
// layer kind, where every number of the model came from, and the Compare
// table of the current model beside every pin (named, shown, moved, unpinned).
class ModelDetailsPanel : public QWidget {
    Q_OBJECT
public:
    explicit ModelDetailsPanel(ConfigModel *model, QWidget *parent = nullptr);
    ~ModelDetailsPanel() override;

    LayerBreakdownModel *breakdownModel() const { return m_breakdown; }
    ProvenanceModel *provenanceModel() const { return m_provenance; }
    QTableView *breakdownView() const { return m_breakdownView; }
    QTableView *provenanceView() const { return m_provenanceView; }
    CompareTableModel *compareModel() const { return m_compareTable; }
    QTableView *compareView() const { return m_compareView; }
    void showCompareTab();
    // The what-if check box for a ModelCurve key, or nullptr.
    QCheckBox *variantCheckBox(const QString &key) const;

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    QWidget *buildCompareTab(QWidget *parent);
    void rebuildVariants();
    void syncVariants();

    ConfigModel *m_model;
    LayerBreakdownModel *m_breakdown;
    ProvenanceModel *m_provenance;
    QTableView *m_breakdownView;
    QTableView *m_provenanceView;
    QWidget *m_compare;
    QHBoxLayout *m_compareLayout;
    QLabel *m_compareLabel;
    QList<QCheckBox *> m_variantBoxes;
    QTabWidget *m_tabs = nullptr;
    CompareTableModel *m_compareTable = nullptr;
    QTableView *m_compareView = nullptr;
};
