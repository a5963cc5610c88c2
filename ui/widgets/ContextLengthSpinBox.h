#pragma once

#include <QDoubleSpinBox>

// Context length in tokens, 1 to 2,147,483,648 (past QSpinBox's int range, so
// a double spin box with no decimals: every integer up to 2^53 is exact).
// Typing takes any value; the arrow keys move to the next or previous power
// of two, the steps a context chart is drawn at.
class ContextLengthSpinBox : public QDoubleSpinBox {
    Q_OBJECT
public:
    explicit ContextLengthSpinBox(QWidget *parent = nullptr);
    ~ContextLengthSpinBox() override;

    qint64 contextLength() const;
    void setContextLength(qint64 length);  // silent: does not emit contextLengthEdited()

    static constexpr qint64 kMinimum = 1;
    static constexpr qint64 kMaximum = qint64{1} << 31;

    void stepBy(int steps) override;
    StepEnabled stepEnabled() const override;

protected:
    // Every digit typed or pasted is kept; past the range is clamped with a
    // note (SpinBoxInput), not cut to its first ten digits.
    QValidator::State validate(QString &input, int &pos) const override;
    void fixup(QString &input) const override;
    double valueFromText(const QString &text) const override;

Q_SIGNALS:
    // The user committed a new value (Enter, focus change, arrow keys).
    void contextLengthEdited(qint64 length);
};
