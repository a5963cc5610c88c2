#pragma once

#include <QAction>
#include <QList>
#include <QMenuBar>
#include <QString>
#include <optional>

#include "MainWindow.h"

// The window with its message boxes recorded instead of shown: the offscreen
// platform warns (fatally here) when a QMessageBox fixes its size.
class RecordingWindow : public MainWindow {
public:
    struct Message {
        QString title;
        QString text;
        QString informativeText;
    };
    QList<Message> messages;
    // What the file and figure dialogs answer.
    QString savePath;
    std::optional<ExportOptions> figureOptions;
    QList<ExportFormat> askedFormats;
    int savePathsAsked = 0;

protected:
    QString askSavePath(const QString &, const QString &, const QStringList &) override {
        ++savePathsAsked;
        return savePath;
    }
    bool askFigureOptions(ChartKind, ExportFormat format, ExportOptions *options) override {
        askedFormats.append(format);
        if (!figureOptions) return false;
        *options = *figureOptions;
        return true;
    }
    void presentMessage(MessageKind, const QString &title, const QString &text,
                        const QString &informativeText) override {
        messages.append({title, text, informativeText});
    }
};

// The window's menu action with this text, mnemonics ignored.
inline QAction *menuAction(const MainWindow *window, const QString &text) {
    const QList<QAction *> actions = window->menuBar()->findChildren<QAction *>();
    for (QAction *action : actions) {
        QString plain = action->text();
        plain.remove(u'&');
        if (plain == text) return action;
    }
    return nullptr;
}
