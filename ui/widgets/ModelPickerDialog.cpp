#include "ModelPickerDialog.h"

#include <QDialogButtonBox>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QVBoxLayout>

#include "PresetLibrary.h"

using namespace Qt::StringLiterals;

ModelPickerDialog::ModelPickerDialog(QWidget *parent)
    : QDialog(parent), m_filter(new QLineEdit(this)), m_list(new QListWidget(this)), m_source(new QLabel(this)) {
    setWindowTitle(tr("Choose a model"));
    setObjectName(u"modelPicker"_s);
    m_filter->setObjectName(u"modelFilter"_s);
    m_filter->setPlaceholderText(tr("Filter by name or family: llama, gemma, deepseek…"));
    m_filter->setClearButtonEnabled(true);
    m_list->setObjectName(u"modelList"_s);
    m_source->setObjectName(u"modelSource"_s);
    m_source->setWordWrap(true);
    m_source->setTextInteractionFlags(Qt::TextSelectableByMouse);

    if (const auto library = PresetLibrary::builtin()) {
        for (const Preset &preset : library->presets()) {
            auto *item = new QListWidgetItem(tr("%1  (%2)").arg(preset.name, preset.family), m_list);
            item->setData(Qt::UserRole, preset.name);
            item->setData(Qt::UserRole + 1, preset.family);
            item->setToolTip(preset.source);
        }
    }

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("&Load"));
    connect(buttons, &QDialogButtonBox::accepted, this, &ModelPickerDialog::chooseCurrent);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *layout = new QVBoxLayout(this);
    auto *label = new QLabel(tr("&Search:"), this);
    label->setBuddy(m_filter);
    layout->addWidget(label);
    layout->addWidget(m_filter);
    layout->addWidget(m_list, 1);
    layout->addWidget(m_source);
    layout->addWidget(buttons);

    connect(m_filter, &QLineEdit::textChanged, this, &ModelPickerDialog::applyFilter);
    connect(m_list, &QListWidget::itemActivated, this, &ModelPickerDialog::chooseCurrent);
    connect(m_list, &QListWidget::currentItemChanged, this, [this](QListWidgetItem *item) {
        m_source->setText(item ? tr("Source: %1").arg(item->toolTip()) : QString());
    });
    m_filter->installEventFilter(this);
    applyFilter({});
    resize(460, 520);
}

ModelPickerDialog::~ModelPickerDialog() = default;

QStringList ModelPickerDialog::shownNames() const {
    QStringList names;
    for (int i = 0; i < m_list->count(); ++i) {
        if (!m_list->item(i)->isHidden()) names.append(m_list->item(i)->data(Qt::UserRole).toString());
    }
    return names;
}

void ModelPickerDialog::activateFilter() {
    m_filter->setFocus();
    m_filter->selectAll();
}

void ModelPickerDialog::applyFilter(const QString &text) {
    // The same rule as PresetLibrary::search(): name or family, ignoring case.
    const QString needle = text.trimmed();
    QListWidgetItem *first = nullptr;
    for (int i = 0; i < m_list->count(); ++i) {
        QListWidgetItem *item = m_list->item(i);
        const bool match = item->data(Qt::UserRole).toString().contains(needle, Qt::CaseInsensitive) ||
                           item->data(Qt::UserRole + 1).toString().contains(needle, Qt::CaseInsensitive);
        item->setHidden(!match);
        if (match && !first) first = item;
    }
    if (!m_list->currentItem() || m_list->currentItem()->isHidden()) m_list->setCurrentItem(first);
}

bool ModelPickerDialog::eventFilter(QObject *watched, QEvent *event) {
    // Up/Down in the filter move through the list, so the keyboard never has to leave it.
    if (watched == m_filter && event->type() == QEvent::KeyPress) {
        const int key = static_cast<QKeyEvent *>(event)->key();
        if (key == Qt::Key_Down || key == Qt::Key_Up) {
            const int step = key == Qt::Key_Down ? 1 : -1;
            int row = m_list->currentRow();
            for (int r = row + step; r >= 0 && r < m_list->count(); r += step) {
                if (!m_list->item(r)->isHidden()) {
                    row = r;
                    break;
                }
            }
            if (row >= 0) m_list->setCurrentRow(row);
            return true;
        }
        if (key == Qt::Key_Return || key == Qt::Key_Enter) {
            chooseCurrent();
            return true;
        }
    }
    return QDialog::eventFilter(watched, event);
}

void ModelPickerDialog::chooseCurrent() {
    QListWidgetItem *item = m_list->currentItem();
    if (!item || item->isHidden()) return;
    accept();
    Q_EMIT modelChosen(item->data(Qt::UserRole).toString());
}
