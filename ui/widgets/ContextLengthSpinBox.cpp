#include "ContextLengthSpinBox.h"

#include <QSignalBlocker>
#include <algorithm>
#include <bit>

#include "SpinBoxInput.h"
#include "SpinBoxLocale.h"

namespace {

quint64 nextPowerOfTwoAbove(quint64 value) { return std::bit_floor(value) * 2; }

quint64 previousPowerOfTwoBelow(quint64 value) {
    const quint64 floor = std::bit_floor(value);
    return floor == value ? floor / 2 : floor;
}

}  // namespace

ContextLengthSpinBox::ContextLengthSpinBox(QWidget *parent) : QDoubleSpinBox(parent) {
    setDecimals(0);
    setRange(static_cast<double>(kMinimum), static_cast<double>(kMaximum));
    setGroupSeparatorShown(true);
    setLocale(spinBoxLocale(locale()));
    setKeyboardTracking(false);
    setAccelerated(true);
    setAlignment(Qt::AlignRight | Qt::AlignVCenter);
    connect(this, &QDoubleSpinBox::valueChanged, this, [this](double) { Q_EMIT contextLengthEdited(contextLength()); });
}

ContextLengthSpinBox::~ContextLengthSpinBox() = default;

qint64 ContextLengthSpinBox::contextLength() const { return qRound64(value()); }

void ContextLengthSpinBox::setContextLength(qint64 length) {
    const QSignalBlocker block(this);
    setValue(static_cast<double>(length));
}

void ContextLengthSpinBox::stepBy(int steps) {
    auto length = static_cast<quint64>(contextLength());
    for (; steps > 0 && length < static_cast<quint64>(kMaximum); --steps) length = nextPowerOfTwoAbove(length);
    for (; steps < 0 && length > static_cast<quint64>(kMinimum); ++steps) length = previousPowerOfTwoBelow(length);
    setValue(static_cast<double>(std::min(length, static_cast<quint64>(kMaximum))));
    selectAll();
}

QAbstractSpinBox::StepEnabled ContextLengthSpinBox::stepEnabled() const {
    StepEnabled enabled = StepNone;
    if (contextLength() < kMaximum) enabled |= StepUpEnabled;
    if (contextLength() > kMinimum) enabled |= StepDownEnabled;
    return enabled;
}

QValidator::State ContextLengthSpinBox::validate(QString &input, int &) const {
    return SpinBoxInput::state(locale(), input, kMinimum, kMaximum);
}

void ContextLengthSpinBox::fixup(QString &input) const {
    const auto typed = SpinBoxInput::number(locale(), input);
    if (!typed) return;
    input = textFromValue(static_cast<double>(SpinBoxInput::clamped(this, *typed, kMinimum, kMaximum)));
}

double ContextLengthSpinBox::valueFromText(const QString &text) const {
    const auto typed = SpinBoxInput::number(locale(), text);
    if (!typed) return value();
    return static_cast<double>(std::clamp(*typed, kMinimum, kMaximum));
}
