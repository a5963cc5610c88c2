#include "SpinBoxInput.h"

#include <QAbstractSpinBox>
#include <QLabel>
#include <QLocale>
#include <QMainWindow>
#include <QStatusBar>
#include <QString>
#include <QToolTip>
#include <algorithm>
#include <cmath>
#include <limits>

using namespace Qt::StringLiterals;

namespace {

// The field as its label names it ("&Layers (n_layers):" -> "Layers
// (n_layers)"); a box inside a composite control is the label's buddy's child.
QString fieldName(const QAbstractSpinBox *box) {
    const QList<QLabel *> labels = box->window()->findChildren<QLabel *>();
    for (const QLabel *label : labels) {
        const QWidget *buddy = label->buddy();
        if (buddy == nullptr || (buddy != box && buddy != box->parentWidget())) continue;
        QString text = label->text();
        text.remove(u'&');
        if (text.endsWith(u':')) text.chop(1);
        return text.trimmed();
    }
    return box->accessibleName().isEmpty() ? box->objectName() : box->accessibleName();
}

}  // namespace

namespace SpinBoxInput {

namespace {

// Says where the user looks that a typed value was past the range.
void notePastRange(const QAbstractSpinBox *box, const QString &typed, const QString &minimum, const QString &maximum,
                   const QString &value) {
    const QString note = QAbstractSpinBox::tr("%1: %2 is past the range %3 to %4; set to %5")
                             .arg(fieldName(box), typed, minimum, maximum, value);
    auto *shown = const_cast<QAbstractSpinBox *>(box);
    if (auto *window = qobject_cast<QMainWindow *>(shown->window())) {
        window->statusBar()->showMessage(note, 10000);
    } else {
        QToolTip::showText(shown->mapToGlobal(QPoint(0, shown->height())), note, shown);
    }
}

// The text without spaces and the locale's group separators.
QString withoutGroups(const QLocale &locale, const QString &text) {
    QString digits;
    for (const QChar c : text) {
        if (c.isSpace() || c == QChar(0x202F) || locale.groupSeparator().contains(c)) continue;
        digits.append(c);
    }
    return digits;
}

}  // namespace



std::optional<qint64> number(const QLocale &locale, const QString &text) {
    const QString digits = withoutGroups(locale, text);
    if (digits.isEmpty()) return std::nullopt;
    const bool negative = digits.startsWith(locale.negativeSign()) || digits.startsWith(u'-');
    const qsizetype start = negative || digits.startsWith(locale.positiveSign()) || digits.startsWith(u'+') ? 1 : 0;
    if (start == digits.size()) return std::nullopt;
    qint64 value = 0;
    for (qsizetype i = start; i < digits.size(); ++i) {
        // The locale's own digits too (Arabic-Indic, ...), as QLocale reads them.
        const int digit = digits.at(i).digitValue();
        if (digit < 0) return std::nullopt;
        if (value > (std::numeric_limits<qint64>::max() - digit) / 10) {
            value = std::numeric_limits<qint64>::max();
            continue;
        }
        value = value * 10 + digit;
    }
    return negative ? -value : value;
}

QValidator::State state(const QLocale &locale, const QString &text, qint64 minimum, qint64 maximum) {
    const QString trimmed = text.trimmed();
    if (trimmed.isEmpty() || trimmed == u"-"_s || trimmed == u"+"_s || trimmed == locale.negativeSign() ||
        trimmed == locale.positiveSign())
        return QValidator::Intermediate;
    const std::optional<qint64> value = number(locale, trimmed);
    if (!value) return QValidator::Invalid;
    return *value >= minimum && *value <= maximum ? QValidator::Acceptable : QValidator::Intermediate;
}

qint64 clamped(const QAbstractSpinBox *box, qint64 typed, qint64 minimum, qint64 maximum) {
    const qint64 value = std::clamp(typed, minimum, maximum);
    if (value == typed) return value;
    const QLocale locale = box->locale();
    notePastRange(box, locale.toString(typed), locale.toString(minimum), locale.toString(maximum),
                  locale.toString(value));
    return value;
}

std::optional<double> decimal(const QLocale &locale, const QString &text) {
    const QString digits = withoutGroups(locale, text);
    if (digits.isEmpty()) return std::nullopt;
    bool ok = false;
    const double value = locale.toDouble(digits, &ok);
    if (ok && std::isfinite(value)) return value;
    // "1.5" typed where the locale writes "1,5": read as written.
    const double c = QLocale::c().toDouble(digits, &ok);
    return ok && std::isfinite(c) ? std::optional<double>(c) : std::nullopt;
}

QValidator::State decimalState(const QLocale &locale, const QString &text, double minimum, double maximum,
                               int decimals) {
    QString trimmed = withoutGroups(locale, text.trimmed());
    if (trimmed.isEmpty() || trimmed == u"-"_s || trimmed == u"+"_s || trimmed == locale.negativeSign())
        return QValidator::Intermediate;
    // A number still being typed: "1." before its decimals.
    const QString point = locale.decimalPoint();
    const bool open = trimmed.endsWith(point) || trimmed.endsWith(u'.');
    if (open) trimmed.chop(1);
    const std::optional<double> value = decimal(locale, trimmed);
    if (!value) return QValidator::Invalid;
    const qsizetype pointAt = std::max(trimmed.lastIndexOf(point), trimmed.lastIndexOf(u'.'));
    if (pointAt >= 0 && trimmed.size() - pointAt - 1 > decimals) return QValidator::Invalid;
    if (open) return QValidator::Intermediate;
    return *value >= minimum && *value <= maximum ? QValidator::Acceptable : QValidator::Intermediate;
}

double clampedDecimal(const QAbstractSpinBox *box, double typed, double minimum, double maximum, int decimals) {
    const double value = std::clamp(typed, minimum, maximum);
    if (value == typed) return value;
    const QLocale locale = box->locale();
    notePastRange(box, locale.toString(typed, 'f', decimals), locale.toString(minimum, 'f', decimals),
                  locale.toString(maximum, 'f', decimals), locale.toString(value, 'f', decimals));
    return value;
}

}  // namespace SpinBoxInput
