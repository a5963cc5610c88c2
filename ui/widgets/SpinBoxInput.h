#pragma once

#include <QString>
#include <QValidator>
#include <QtGlobal>
#include <optional>

class QAbstractSpinBox;
class QLocale;

// What a user types or pastes into a whole-number spin box. Qt's own
// validator refuses a keystroke that leaves the range, so "1025" in a box
// of 1 to 1,024 became 102, and a pasted "4,096" was cut short. Here every
// digit is kept: a number past the range is clamped to it when the edit is
// done, with a note naming the field and the range.
namespace SpinBoxInput {

// The text as a whole number in `locale`: its group separators and spaces
// are dropped ("4,096", "4.096" in German, "4 096"). Digits past 64 bits
// read as the largest number. Nothing when the text is not a number.
std::optional<qint64> number(const QLocale &locale, const QString &text);

// For QAbstractSpinBox::validate(): in range is Acceptable; empty, a sign
// alone or a number past the range is Intermediate (fixup() clamps it);
// anything else is Invalid.
QValidator::State state(const QLocale &locale, const QString &text, qint64 minimum, qint64 maximum);

// `typed` clamped to the range. When it was past it, says so where the user
// looks: the window's status bar (a tooltip at the box outside one), "Layers
// (n_layers): 1,025 is past the range 1 to 1,024; set to 1,024", the field
// named by the box's label.
qint64 clamped(const QAbstractSpinBox *box, qint64 typed, qint64 minimum, qint64 maximum);

// The number in a box's text: without its prefix and suffix (" MiB").
template <class Box>
QString withoutAffixes(const Box &box, const QString &text) {
    QString number = text;
    if (!box.prefix().isEmpty() && number.startsWith(box.prefix())) number.remove(0, box.prefix().size());
    if (!box.suffix().isEmpty() && number.endsWith(box.suffix())) number.chop(box.suffix().size());
    return number;
}

// The same for a decimal box: the locale's number ("1,5" in German, "1.5"
// as written anywhere), group separators dropped; no more than `decimals`
// digits after the point; a number past the range is clamped with the note.
std::optional<double> decimal(const QLocale &locale, const QString &text);
QValidator::State decimalState(const QLocale &locale, const QString &text, double minimum, double maximum,
                               int decimals);
double clampedDecimal(const QAbstractSpinBox *box, double typed, double minimum, double maximum, int decimals);

}  // namespace SpinBoxInput
