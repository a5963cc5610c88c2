#pragma once

#include <QObject>

class QAbstractScrollArea;
class QWidget;

// Keeps a mouse wheel from changing a value by accident: over a spin box,
// slider or combo box that the user has not clicked or tabbed into, the wheel
// scrolls the panel instead (and changes nothing). A control with the focus
// takes the wheel as usual.
class WheelGuard : public QObject {
    Q_OBJECT
public:
    // Guards every value control under `root`, scrolling `scroller`.
    static void install(QWidget *root, QAbstractScrollArea *scroller);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    WheelGuard(QAbstractScrollArea *scroller);
    QAbstractScrollArea *m_scroller;
};
