#include "ModelDetailsPanel.h"

#include <QCheckBox>
#include <QEvent>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QItemSelectionModel>
#include <QPushButton>
#include <QHeaderView>
#include <QLabel>
#include <QSignalBlocker>
#include <QTabWidget>
#include <QTableView>
#include <QVBoxLayout>

#include "CompareTableModel.h"
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
    tabs->addTab(buildCompareTab(tabs), tr("Compare"));
    m_tabs = tabs;

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

QWidget *ModelDetailsPanel::buildCompareTab(QWidget *parent) {
    auto *page = new QWidget(parent);
    page->setObjectName(u"comparePage"_s);
    m_compareTable = new CompareTableModel(m_model, page);
    m_compareView = newTable(m_compareTable, page);
    page->installEventFilter(this);  // the table computes while its page is shown
    m_compareView->setObjectName(u"compareTable"_s);
    // The name is edited in place: double-click, F2 or typing.
    m_compareView->setEditTriggers(QAbstractItemView::DoubleClicked | QAbstractItemView::EditKeyPressed |
                                   QAbstractItemView::AnyKeyPressed);
    m_compareView->setSelectionMode(QAbstractItemView::SingleSelection);
    auto *up = new QPushButton(tr("Move up"), page);
    auto *down = new QPushButton(tr("Move down"), page);
    auto *unpin = new QPushButton(tr("Unpin"), page);
    up->setObjectName(u"pinUp"_s);
    down->setObjectName(u"pinDown"_s);
    unpin->setObjectName(u"pinRemove"_s);
    const auto selectedPin = [this] {
        const QModelIndex current = m_compareView->currentIndex();
        return current.isValid() ? CompareTableModel::pinIndex(current.row()) : -1;
    };
    const auto move = [this, selectedPin](int by) {
        const int pin = selectedPin();
        const int to = pin + by;
        if (pin < 0 || to < 0 || to >= m_model->pinNames().size()) return;
        m_model->movePin(pin, to);
        m_compareView->setCurrentIndex(m_compareTable->index(to + 1, CompareTableModel::Name));
    };
    connect(up, &QPushButton::clicked, this, [move] { move(-1); });
    connect(down, &QPushButton::clicked, this, [move] { move(1); });
    connect(unpin, &QPushButton::clicked, this, [this, selectedPin] {
        if (const int pin = selectedPin(); pin >= 0) m_model->unpin(pin);
    });
    const auto syncButtons = [this, selectedPin, up, down, unpin] {
        const int pin = selectedPin();
        const int pins = static_cast<int>(m_model->pinNames().size());
        up->setEnabled(pin > 0);
        down->setEnabled(pin >= 0 && pin + 1 < pins);
        unpin->setEnabled(pin >= 0);
    };
    connect(m_compareView->selectionModel(), &QItemSelectionModel::currentChanged, this, syncButtons);
    connect(m_compareTable, &QAbstractItemModel::modelReset, this, [this, syncButtons] {
        m_compareView->resizeColumnsToContents();
        syncButtons();
    });
    syncButtons();
    auto *buttons = new QVBoxLayout;
    buttons->addWidget(up);
    buttons->addWidget(down);
    buttons->addWidget(unpin);
    buttons->addStretch(1);
    auto *note = new QLabel(tr("Pin curves (Model > Pin current curve) to compare them here. Every row is at the "
                               "current context, batch, KV dtype, engine and GPUs."),
                            page);
    note->setWordWrap(true);
    auto *layout = new QGridLayout(page);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_compareView, 0, 0);
    layout->addLayout(buttons, 0, 1);
    layout->addWidget(note, 1, 0, 1, 2);
    return page;
}

bool ModelDetailsPanel::eventFilter(QObject *watched, QEvent *event) {
    if ((event->type() == QEvent::Show || event->type() == QEvent::Hide) && watched == m_compareView->parentWidget())
        m_compareTable->setActive(event->type() == QEvent::Show);
    return QWidget::eventFilter(watched, event);
}

void ModelDetailsPanel::showCompareTab() { m_tabs->setCurrentIndex(2); }

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
