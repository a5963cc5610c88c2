#pragma once

#include <QDoubleSpinBox>

// A QDoubleSpinBox that keeps every digit typed or pasted and clamps a number
// past its range when the edit is done, with a note naming the field and the
// range (SpinBoxInput): "1.5" in a utilization box of 0.05 to 1 is set to 1
// and said, not cut to "1." in silence.
class ClampingDoubleSpinBox : public QDoubleSpinBox {
    Q_OBJECT
public:
    explicit ClampingDoubleSpinBox(QWidget *parent = nullptr);
    ~ClampingDoubleSpinBox() override;

protected:
    QValidator::State validate(QString &input, int &pos) const override;
    void fixup(QString &input) const override;
    double valueFromText(const QString &text) const override;

};
