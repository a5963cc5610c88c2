#include "ModelDetailsPanel.h"

#include <QCheckBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QSignalBlocker>
#include <QTabWidget>
#include <QTableView>
#include <QVBoxLayout>

#include "ConfigModel.h"
#include "LayerBreakdownModel.h"
#include "ProvenanceModel.h"

using namespace Qt::StringLiterals;

namespace {

QTableView *newTable(QAbstractItemModel *model, QWidget *parent) {
    auto *view = new QTableView(parent);
    view->setModel(model);
    view->verticalHeader()->hide();
    view->setSelectionBehavior(QAbstractItemView::SelectRows);
    view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    view->setAlternatingRowColors(true);
    view->setWordWrap(false);
    view->horizontalHeader()->setStretchLastSection(true);
    // Tab goes on to the next control; the arrow keys move between cells.
    view->setTabKeyNavigation(false);
    return view;
}

}  // namespace

ModelDetailsPanel::ModelDetailsPanel(ConfigModel *model, QWidget *parent)
    : QWidget(parent),
      m_model(model),
      m_breakdown(new LayerBreakdownModel(model, this)),
      m_provenance(new ProvenanceModel(model, this)),
      m_breakdownView(nullptr),
      m_provenanceView(nullptr),
      m_compare(new QWidget(this)),
      m_compareLayout(new QHBoxLayout(m_compare)),
      m_compareLabel(new QLabel(tr("Compare with:"), m_compare)) {
    auto *tabs = new QTabWidget(this);
    m_breakdownView = newTable(m_breakdown, tabs);
    m_breakdownView->setObjectName(u"layerBreakdown"_s);
    m_breakdownView->horizontalHeader()->setStretchLastSection(false);
    m_provenanceView = newTable(m_provenance, tabs);
    m_provenanceView->setObjectName(u"provenance"_s);
    tabs->addTab(m_breakdownView, tr("Layer&s"));
    tabs->addTab(m_provenanceView, tr("P&rovenance"));

    m_compareLayout->setContentsMargins(0, 0, 0, 0);
    m_compareLayout->addWidget(m_compareLabel);
    m_compareLayout->addStretch(1);
    m_compare->setToolTip(tr("What-if versions of the loaded model drawn on the context chart."));

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(m_compare);
    layout->addWidget(tabs, 1);

    connect(model, &ConfigModel::modelChanged, this, &ModelDetailsPanel::rebuildVariants);
    connect(model, &ConfigModel::hiddenVariantsChanged, this, &ModelDetailsPanel::syncVariants);
    connect(model, &ConfigModel::estimateChanged, this, [this] {
        m_breakdownView->resizeColumnsToContents();
        m_provenanceView->resizeColumnsToContents();
    });
    rebuildVariants();
    m_breakdownView->resizeColumnsToContents();
    m_provenanceView->resizeColumnsToContents();
}

ModelDetailsPanel::~ModelDetailsPanel() = default;

QCheckBox *ModelDetailsPanel::variantCheckBox(const QString &key) const {
    for (QCheckBox *box : m_variantBoxes) {
        if (box->property("variantKey").toString() == key) return box;
    }
    return nullptr;
}

void ModelDetailsPanel::rebuildVariants() {
    qDeleteAll(m_variantBoxes);
    m_variantBoxes.clear();
    m_compare->setVisible(m_model->hasModel());
    int position = 1;
    for (const ModelCurve &curve : m_model->modelCurves()) {
        if (curve.key == u"model"_s) continue;
        auto *box = new QCheckBox(curve.name, m_compare);
        box->setProperty("variantKey", curve.key);
        box->setObjectName(u"compare_"_s + curve.key);
        m_compareLayout->insertWidget(position++, box);
        connect(box, &QCheckBox::toggled, this, [this, key = curve.key](bool on) {
            QStringList hidden = m_model->hiddenVariants();
            if (on)
                hidden.removeAll(key);
            else
                hidden.append(key);
            m_model->setHiddenVariants(hidden);
        });
        m_variantBoxes.append(box);
    }
    syncVariants();
}

void ModelDetailsPanel::syncVariants() {
    for (QCheckBox *box : std::as_const(m_variantBoxes)) {
        const QSignalBlocker block(box);
        box->setChecked(!m_model->hiddenVariants().contains(box->property("variantKey").toString()));
    }
}
