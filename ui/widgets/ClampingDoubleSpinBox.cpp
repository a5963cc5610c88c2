#include "ClampingDoubleSpinBox.h"

#include <algorithm>

#include "SpinBoxInput.h"

ClampingDoubleSpinBox::ClampingDoubleSpinBox(QWidget *parent) : QDoubleSpinBox(parent) {}

ClampingDoubleSpinBox::~ClampingDoubleSpinBox() = default;

QValidator::State ClampingDoubleSpinBox::validate(QString &input, int &pos) const {
    if (!specialValueText().isEmpty() && input == specialValueText()) return QDoubleSpinBox::validate(input, pos);
    return SpinBoxInput::decimalState(locale(), SpinBoxInput::withoutAffixes(*this, input), minimum(), maximum(), decimals());
}

void ClampingDoubleSpinBox::fixup(QString &input) const {
    const auto typed = SpinBoxInput::decimal(locale(), SpinBoxInput::withoutAffixes(*this, input));
    if (!typed) return;
    input = textFromValue(SpinBoxInput::clampedDecimal(this, *typed, minimum(), maximum(), decimals()));
}

double ClampingDoubleSpinBox::valueFromText(const QString &text) const {
    if (!specialValueText().isEmpty() && text == specialValueText()) return minimum();
    const auto typed = SpinBoxInput::decimal(locale(), SpinBoxInput::withoutAffixes(*this, text));
    if (!typed) return value();
    return std::clamp(*typed, minimum(), maximum());
}
