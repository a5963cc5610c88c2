#include "SliderSpinBox.h"

#include <QHBoxLayout>
#include <QSignalBlocker>
#include <QSlider>
#include <QSpinBox>
#include <algorithm>

#include "ClampingSpinBox.h"
#include "SpinBoxLocale.h"

SliderSpinBox::SliderSpinBox(int minimum, int maximum, int sliderMaximum, int sliderStep, QWidget *parent)
    : QWidget(parent),
      m_slider(new QSlider(Qt::Horizontal, this)),
      m_spinBox(new ClampingSpinBox(this)),
      m_sliderStep(std::max(1, sliderStep)) {
    // The slider's first position is one step at least: emb_dim's starts at 64.
    m_slider->setRange(std::max(1, sliderPositionFor(minimum)), std::min(sliderMaximum, maximum) / m_sliderStep);
    m_slider->setSingleStep(1);
    m_slider->setPageStep(std::max(1, (m_slider->maximum() - m_slider->minimum()) / 16));

    m_spinBox->setRange(minimum, maximum);
    m_spinBox->setSingleStep(m_sliderStep);
    m_spinBox->setAccelerated(true);
    // Commit typed numbers on Enter or focus change: "32" must not pass through "3".
    m_spinBox->setKeyboardTracking(false);
    m_spinBox->setGroupSeparatorShown(true);
    m_spinBox->setLocale(spinBoxLocale(m_spinBox->locale()));
    m_spinBox->setAlignment(Qt::AlignRight | Qt::AlignVCenter);

    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_slider, 1);
    layout->addWidget(m_spinBox);
    // The spin box is where typing goes; the slider is next in the tab chain.
    setFocusProxy(m_spinBox);
    setTabOrder(m_slider, m_spinBox);

    connect(m_slider, &QSlider::valueChanged, this, &SliderSpinBox::onSliderMoved);
    connect(m_spinBox, &QSpinBox::valueChanged, this, &SliderSpinBox::onSpinBoxChanged);
}

SliderSpinBox::~SliderSpinBox() = default;

int SliderSpinBox::value() const { return m_spinBox->value(); }

void SliderSpinBox::setValue(int value) {
    const QSignalBlocker blockSpin(m_spinBox);
    const QSignalBlocker blockSlider(m_slider);
    m_spinBox->setValue(value);
    showOnSlider(m_spinBox->value());
}

void SliderSpinBox::setToolTip(const QString &text) {
    QWidget::setToolTip(text);
    m_slider->setToolTip(text);
    m_spinBox->setToolTip(text);
}

int SliderSpinBox::sliderPositionFor(int value) const { return (value + m_sliderStep / 2) / m_sliderStep; }

// Moves the slider (silently) to `value`, past its end when it must: the
// range grows and stays grown, so a later drag does not move under the mouse.
void SliderSpinBox::showOnSlider(int value) {
    const QSignalBlocker block(m_slider);
    const int position = sliderPositionFor(value);
    if (position > m_slider->maximum()) {
        m_slider->setMaximum(position);
        m_slider->setPageStep(std::max(1, (m_slider->maximum() - m_slider->minimum()) / 16));
    }
    m_slider->setValue(position);
}

void SliderSpinBox::onSliderMoved(int position) {
    const int value = std::clamp(position * m_sliderStep, m_spinBox->minimum(), m_spinBox->maximum());
    {
        const QSignalBlocker block(m_spinBox);
        m_spinBox->setValue(value);
    }
    Q_EMIT valueChanged(value);
}

void SliderSpinBox::onSpinBoxChanged(int value) {
    showOnSlider(value);
    Q_EMIT valueChanged(value);
}
