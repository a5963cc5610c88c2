#pragma once

#include <QWidget>

class QSlider;
class QSpinBox;

// A slider and a spin box showing one integer, kept in sync. The spin box
// takes any value from `minimum` to `maximum` (the core's limits), so it
// always shows the value in use. The slider moves in steps of `sliderStep`
// (emb_dim in multiples of 64, say) over the range most values fall in, up to
// `sliderMaximum`, and grows to reach any larger value it is given, so its
// handle never sits at a value that is not the one in use.
// valueChanged() is emitted only for a user's edit, never for setValue(), so
// a model can drive it without loops.
class SliderSpinBox : public QWidget {
    Q_OBJECT
public:
    explicit SliderSpinBox(int minimum, int maximum, int sliderMaximum, int sliderStep = 1,
                           QWidget *parent = nullptr);
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
    void showOnSlider(int value);

    QSlider *m_slider;
    QSpinBox *m_spinBox;
    int m_sliderStep;
};
