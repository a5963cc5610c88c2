#include "GroupSelector.h"

#include <QComboBox>
#include <QResizeEvent>
#include <QHBoxLayout>
#include <QSignalBlocker>
#include <QSlider>
#include <algorithm>
#include <climits>
#include <cstdlib>
#include <utility>

using namespace Qt::StringLiterals;

GroupSelector::GroupSelector(QWidget *parent)
    : QWidget(parent), m_slider(new QSlider(Qt::Horizontal, this)), m_comboBox(new QComboBox(this)) {
    m_slider->setRange(0, 0);
    m_slider->setPageStep(1);
    m_slider->setTickPosition(QSlider::TicksBelow);
    m_slider->setTickInterval(1);
    // As wide as the longest label any head count (1..128) produces, so the
    // row never reflows and no label is cut as n_heads changes.
    m_comboBox->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    for (const auto &[groups, heads] : {std::pair{1, 128}, std::pair{128, 128}, std::pair{1, 1}, std::pair{64, 128}})
        m_comboBox->addItem(labelFor(groups, heads));
    m_comboBox->setMinimumWidth(m_comboBox->sizeHint().width());
    m_comboBox->clear();

    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_slider, 1);
    layout->addWidget(m_comboBox);
    setFocusProxy(m_comboBox);
    setTabOrder(m_slider, m_comboBox);

    connect(m_slider, &QSlider::valueChanged, this, [this](int index) {
        {
            const QSignalBlocker block(m_comboBox);
            m_comboBox->setCurrentIndex(index);
        }
        Q_EMIT groupsChosen(groups());
    });
    connect(m_comboBox, &QComboBox::currentIndexChanged, this, [this](int index) {
        if (index < 0) return;
        {
            const QSignalBlocker block(m_slider);
            m_slider->setValue(index);
        }
        Q_EMIT groupsChosen(groups());
    });
}

GroupSelector::~GroupSelector() = default;

QString GroupSelector::labelFor(int groups, int nHeads) {
    QString name = QString::number(groups);
    if (groups == 1 && nHeads == 1)
        name += u" (MHA = MQA)"_s;
    else if (groups == 1)
        name += u" (MHA)"_s;
    else if (groups == nHeads)
        name += u" (MQA)"_s;
    const int kvHeads = groups > 0 ? nHeads / groups : 0;
    return name + u" → "_s + QString::number(kvHeads) + (kvHeads == 1 ? u" K/V head"_s : u" K/V heads"_s);
}

void GroupSelector::setOptions(const std::vector<std::uint32_t> &validCounts, int nHeads) {
    const int previous = groups();
    m_nHeads = nHeads;
    const QSignalBlocker blockCombo(m_comboBox);
    const QSignalBlocker blockSlider(m_slider);
    m_comboBox->clear();
    for (std::uint32_t count : validCounts) {
        const int g = static_cast<int>(count);
        m_comboBox->addItem(labelFor(g, nHeads), g);
    }
    m_slider->setRange(0, std::max(0, m_comboBox->count() - 1));
    selectIndex(nearestIndex(previous));
}

void GroupSelector::setGroups(int groups) {
    const QSignalBlocker blockCombo(m_comboBox);
    const QSignalBlocker blockSlider(m_slider);
    selectIndex(nearestIndex(groups));
}

int GroupSelector::groups() const { return m_comboBox->currentIndex() < 0 ? 0 : m_comboBox->currentData().toInt(); }

QList<int> GroupSelector::offeredGroups() const {
    QList<int> offered;
    for (int i = 0; i < m_comboBox->count(); ++i) offered.append(m_comboBox->itemData(i).toInt());
    return offered;
}

void GroupSelector::resizeEvent(QResizeEvent *event) {
    QWidget::resizeEvent(event);
    auto *box = static_cast<QBoxLayout *>(layout());
    const int beside = m_comboBox->minimumWidth() + box->spacing() + kMinSliderWidth;
    const auto direction = width() >= beside ? QBoxLayout::LeftToRight : QBoxLayout::TopToBottom;
    if (box->direction() != direction) box->setDirection(direction);
}

void GroupSelector::setToolTip(const QString &text) {
    QWidget::setToolTip(text);
    m_slider->setToolTip(text);
    m_comboBox->setToolTip(text);
}

void GroupSelector::selectIndex(int index) {
    m_comboBox->setCurrentIndex(index);
    m_slider->setValue(std::max(0, index));
}

int GroupSelector::nearestIndex(int groups) const {
    // Ties go to the smaller count, as the model's snapping does.
    int best = m_comboBox->count() > 0 ? 0 : -1;
    int bestDistance = INT_MAX;
    for (int i = 0; i < m_comboBox->count(); ++i) {
        const int distance = std::abs(m_comboBox->itemData(i).toInt() - groups);
        if (distance < bestDistance) {
            best = i;
            bestDistance = distance;
        }
    }
    return best;
}
