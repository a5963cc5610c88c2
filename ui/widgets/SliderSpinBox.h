#pragma once

#include <QWidget>

class QSlider;
class QSpinBox;

// A slider and a spin box showing one integer, kept in sync. The slider moves
// in steps of `sliderStep` (emb_dim in multiples of 64, say) while the spin
// box takes any value in range. valueChanged() is emitted only for a user's
// edit, never for setValue(), so a model can drive it without loops.
class SliderSpinBox : public QWidget {
    Q_OBJECT
public:
    explicit SliderSpinBox(int minimum, int maximum, int sliderStep = 1, QWidget *parent = nullptr);
    ~SliderSpinBox() override;

    int value() const;
    void setValue(int value);  // silent: does not emit valueChanged()

    QSlider *slider() const { return m_slider; }
    QSpinBox *spinBox() const { return m_spinBox; }

    void setToolTip(const QString &text);

Q_SIGNALS:
    void valueChanged(int value);

private:
    void onSliderMoved(int position);
    void onSpinBoxChanged(int value);
    int sliderPositionFor(int value) const;

    QSlider *m_slider;
    QSpinBox *m_spinBox;
    int m_sliderStep;
};
