#pragma once

#include <QSpinBox>

// A QSpinBox that keeps every digit typed or pasted (group separators of its
// locale included) and clamps a number past its range when the edit is done,
// with a note naming the field and the range (SpinBoxInput).
class ClampingSpinBox : public QSpinBox {
    Q_OBJECT
public:
    explicit ClampingSpinBox(QWidget *parent = nullptr);
    ~ClampingSpinBox() override;

protected:
    QValidator::State validate(QString &input, int &pos) const override;
    void fixup(QString &input) const override;
    int valueFromText(const QString &text) const override;

};
