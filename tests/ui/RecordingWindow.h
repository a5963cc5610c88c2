#pragma once

#include <QAction>
#include <QCoreApplication>
#include <QLayout>
#include <QList>
#include <QMenuBar>
#include <QSettings>
#include <QString>
#include <QtTest>
#include <memory>
#include <optional>

#include "MainWindow.h"
#include "SettingsFormat.h"

// The settings of application `name` kept in `dir`, in the app's own format.
inline void useTestSettings(const QString &dir, const QString &name) {
    QCoreApplication::setOrganizationName(QStringLiteral("KVScope"));
    QCoreApplication::setApplicationName(name);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, dir);
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, dir);
    SettingsFormat::install();
}

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

    // A window shown at `size` (none: the size its saved geometry gives);
    // nothing when the platform does not expose it.
    static std::unique_ptr<RecordingWindow> shown(std::optional<QSize> size = QSize(1280, 800)) {
        auto window = std::make_unique<RecordingWindow>();
        // No minimum size: the offscreen platform warns whenever a window's minimum changes.
        window->layout()->setSizeConstraint(QLayout::SetNoConstraint);
        if (size) window->resize(*size);
        window->show();
        if (!QTest::qWaitForWindowExposed(window.get())) return nullptr;
        return window;
    }

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
