#pragma once

#include <QObject>

class QWidget;

// Lets a window's own shortcuts (Undo, Redo, Export, Copy report) work while
// a spin box, a combo box or a text field has the focus: its line edit would take
// Ctrl+Z and Ctrl+E (undo typing, end of line) for itself. Plain text
// editing keys (Ctrl+C, Ctrl+V, Ctrl+A) stay the field's.
class WindowShortcuts : public QObject {
    Q_OBJECT
public:
    static void install(QWidget *window);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    explicit WindowShortcuts(QWidget *window);
    QWidget *m_window;
};
