#include "WheelGuard.h"

#include <QAbstractScrollArea>
#include <QAbstractSlider>
#include <QAbstractSpinBox>
#include <QComboBox>
#include <QCoreApplication>
#include <QEvent>
#include <QWidget>

WheelGuard::WheelGuard(QAbstractScrollArea *scroller) : QObject(scroller), m_scroller(scroller) {}

void WheelGuard::install(QWidget *root, QAbstractScrollArea *scroller) {
    auto *guard = new WheelGuard(scroller);
    const auto widgets = root->findChildren<QWidget *>();
    for (QWidget *widget : widgets) {
        if (!qobject_cast<QAbstractSpinBox *>(widget) && !qobject_cast<QAbstractSlider *>(widget) &&
            !qobject_cast<QComboBox *>(widget))
            continue;
        // Qt::WheelFocus would let the wheel itself take the focus first.
        if (widget->focusPolicy() == Qt::WheelFocus) widget->setFocusPolicy(Qt::StrongFocus);
        widget->installEventFilter(guard);
    }
}

bool WheelGuard::eventFilter(QObject *watched, QEvent *event) {
    if (event->type() != QEvent::Wheel) return false;
    auto *widget = static_cast<QWidget *>(watched);
    if (widget->hasFocus()) return false;
    // The panel scrolls as if the wheel were over its empty space.
    QCoreApplication::sendEvent(m_scroller->viewport(), event);
    return true;
}
