#include "ClampingSpinBox.h"

#include <algorithm>

#include "SpinBoxInput.h"

ClampingSpinBox::ClampingSpinBox(QWidget *parent) : QSpinBox(parent) {}

ClampingSpinBox::~ClampingSpinBox() = default;

QValidator::State ClampingSpinBox::validate(QString &input, int &pos) const {
    if (!specialValueText().isEmpty() && input == specialValueText()) return QSpinBox::validate(input, pos);
    return SpinBoxInput::state(locale(), SpinBoxInput::withoutAffixes(*this, input), minimum(), maximum());
}

void ClampingSpinBox::fixup(QString &input) const {
    const auto typed = SpinBoxInput::number(locale(), SpinBoxInput::withoutAffixes(*this, input));
    if (!typed) return;
    input = textFromValue(static_cast<int>(SpinBoxInput::clamped(this, *typed, minimum(), maximum())));
}

int ClampingSpinBox::valueFromText(const QString &text) const {
    if (!specialValueText().isEmpty() && text == specialValueText()) return minimum();
    const auto typed = SpinBoxInput::number(locale(), SpinBoxInput::withoutAffixes(*this, text));
    if (!typed) return value();
    return static_cast<int>(std::clamp<qint64>(*typed, minimum(), maximum()));
}
