#include "WindowShortcuts.h"

#include <QAction>
#include <QApplication>
#include <QKeyEvent>
#include <QWidget>

WindowShortcuts::WindowShortcuts(QWidget *window) : QObject(window), m_window(window) {}

void WindowShortcuts::install(QWidget *window) { qApp->installEventFilter(new WindowShortcuts(window)); }

bool WindowShortcuts::eventFilter(QObject *watched, QEvent *event) {
    if (event->type() != QEvent::ShortcutOverride) return false;
    // A spin box hands the event to its line edit itself, past any filter.
    auto *field = qobject_cast<QWidget *>(watched);
    if (!field || !m_window->isAncestorOf(field)) return false;
    const QKeySequence pressed(static_cast<QKeyEvent *>(event)->keyCombination());
    const auto actions = m_window->findChildren<QAction *>();
    for (const QAction *action : actions) {
        // Not accepted: the shortcut map goes on to the window's action.
        if (action->isEnabled() && action->shortcuts().contains(pressed)) return true;
    }
    return false;
}
