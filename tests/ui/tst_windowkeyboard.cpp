// The window from the keyboard: every mnemonic unique among what is shown
// together and within each menu, window shortcuts from any focused control,
// Tab out of the tables.

#include <QAbstractButton>
#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QDockWidget>
#include <QGroupBox>
#include <QLabel>
#include <QLineEdit>
#include <QMap>
#include <QMenu>
#include <QMenuBar>
#include <QSettings>
#include <QStatusBar>
#include <QTabBar>
#include <QTableView>
#include <QTemporaryDir>
#include <QtTest>
#include <memory>

#include "BudgetPanel.h"
#include "ConfigModel.h"
#include "ControlPanel.h"
#include "ModelDetailsPanel.h"
#include "RecordingWindow.h"
#include "SettingsFormat.h"

using namespace Qt::StringLiterals;

namespace {

// "E&xtra GQA curves:" -> 'X'; nothing without a mnemonic ("&&" is a literal &).
QChar mnemonicLetter(const QString &text) {
    const QKeySequence key = QKeySequence::mnemonic(text);
    if (key.isEmpty()) return {};
    return QChar(key[0].key()).toUpper();
}

// Each letter with the texts that use it; the test fails naming the clash.
using Mnemonics = QMap<QChar, QStringList>;

void add(Mnemonics *mnemonics, const QString &text) {
    const QChar letter = mnemonicLetter(text);
    if (!letter.isNull()) (*mnemonics)[letter].append(text);
}

QString clashes(const Mnemonics &mnemonics) {
    QStringList out;
    for (auto it = mnemonics.cbegin(); it != mnemonics.cend(); ++it)
        if (it.value().size() > 1) out.append(u"Alt+%1: %2"_s.arg(it.key(), it.value().join(u" | "_s)));
    return out.join(u"; "_s);
}

// The menu bar's menus and every widget the window shows now that reacts to
// a mnemonic: buddied labels, buttons, group boxes, dock titles, tabs.
Mnemonics windowMnemonics(MainWindow *window) {
    Mnemonics mnemonics;
    const auto menus = window->menuBar()->actions();
    for (const QAction *menu : menus) add(&mnemonics, menu->text());
    const auto widgets = window->findChildren<QWidget *>();
    for (QWidget *widget : widgets) {
        if (!widget->isVisibleTo(window) || widget->window() != window) continue;
        if (auto *label = qobject_cast<QLabel *>(widget); label && label->buddy()) add(&mnemonics, label->text());
        if (auto *button = qobject_cast<QAbstractButton *>(widget)) add(&mnemonics, button->text());
        if (auto *box = qobject_cast<QGroupBox *>(widget)) add(&mnemonics, box->title());
        if (auto *dock = qobject_cast<QDockWidget *>(widget)) add(&mnemonics, dock->windowTitle());
        if (auto *tabs = qobject_cast<QTabBar *>(widget))
            for (int i = 0; i < tabs->count(); ++i) add(&mnemonics, tabs->tabText(i));
    }
    return mnemonics;
}

// Every menu under the menu bar, submenus included.
void collectMenus(QMenu *menu, QList<QMenu *> *menus) {
    menus->append(menu);
    const auto actions = menu->actions();
    for (const QAction *action : actions)
        if (action->menu()) collectMenus(action->menu(), menus);
}

}  // namespace

class TestWindowKeyboard : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_settingsDir;

    static std::unique_ptr<RecordingWindow> showWindow() {
        auto window = RecordingWindow::shown();
        if (!window) return nullptr;
        window->activateWindow();
        if (!QTest::qWaitForWindowActive(window.get())) return nullptr;
        return window;
    }

    static QDockWidget *detailsDock(MainWindow *window) {
        return window->findChild<QDockWidget *>(u"modelDetailsDock"_s);
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_settingsDir.isValid());
        useTestSettings(m_settingsDir.path(), u"kvscope-keyboard-test"_s);
    }

    void init() { QSettings().clear(); }

    void mnemonicsAreUniqueAmongWhatIsShownTogether_data() {
        QTest::addColumn<QString>("state");
        QTest::newRow("no GPU") << u"none"_s;
        QTest::newRow("vLLM on a GPU, layers shown") << u"vllm"_s;
        QTest::newRow("llama.cpp on a GPU, layers shown") << u"llama.cpp"_s;
        QTest::newRow("KV budget given directly, layers shown") << u"direct"_s;
    }

    void mnemonicsAreUniqueAmongWhatIsShownTogether() {
        QFETCH(QString, state);
        auto window = showWindow();
        QVERIFY(window);
        ConfigModel *model = window->model();
        if (state != u"none"_s) {
            detailsDock(window.get())->show();
            model->setGpu(u"h100-80gb"_s);
            model->setBudgetEnabled(true);
            if (state == u"llama.cpp"_s) model->setEngine(u"llama.cpp"_s);
            if (state == u"direct"_s) model->setKvBudgetBytes(qint64{16} << 30);
        }
        const Mnemonics mnemonics = windowMnemonics(window.get());
        QVERIFY2(clashes(mnemonics).isEmpty(), qPrintable(clashes(mnemonics)));
        // The walk sees the controls of every part: the menus, the shape, the
        // deployment and, with the dock shown, its tabs.
        for (const QChar letter : {u'F', u'M', u'Q', u'W', u'G'}) QVERIFY2(mnemonics.contains(letter), qPrintable(QString(letter)));
        if (state == u"vllm"_s) {
            for (const QChar letter : {u'P', u'Z', u'S', u'R'}) QVERIFY2(mnemonics.contains(letter), qPrintable(QString(letter)));
        }
    }

    void eachMenusActionsHaveUniqueMnemonics() {
        auto window = showWindow();
        QVERIFY(window);
        window->model()->pinCurrent();  // the Unpin submenu with an entry
        QList<QMenu *> menus;
        const auto topLevel = window->menuBar()->actions();
        for (const QAction *action : topLevel) {
            QVERIFY(action->menu());
            collectMenus(action->menu(), &menus);
        }
        QVERIFY(menus.size() >= 5);
        for (QMenu *menu : std::as_const(menus)) {
            Q_EMIT menu->aboutToShow();  // menus filled on demand fill now
            Mnemonics mnemonics;
            const auto actions = menu->actions();
            for (const QAction *action : actions)
                if (!action->isSeparator() && action->isVisible()) add(&mnemonics, action->text());
            QVERIFY2(clashes(mnemonics).isEmpty(), qPrintable(menu->title() + u": "_s + clashes(mnemonics)));
        }
    }

    void windowShortcutsWorkFromAnyFocusedControl() {
        auto window = showWindow();
        QVERIFY(window);
        detailsDock(window.get())->show();
        window->model()->setGpu(u"h100-80gb"_s);
        window->model()->setBudgetEnabled(true);
        QApplication::processEvents();
        const QList<QWidget *> fields{window->controlPanel()->findChild<QComboBox *>(),
                                      window->budgetPanel()->gpuComboBox(),
                                      window->budgetPanel()->engineComboBox(),
                                      window->budgetPanel()->parametersEdit(),
                                      window->modelDetails()->breakdownView()};
        int asked = 0;
        for (QWidget *field : fields) {
            QVERIFY(field);
            QVERIFY2(field->isVisible(), qPrintable(field->objectName()));
            field->setFocus(Qt::TabFocusReason);
            QTRY_VERIFY2(field->hasFocus(), qPrintable(field->objectName()));
            // Ctrl+E: File > Export > Context chart asks for a file.
            QTest::keyClick(field, Qt::Key_E, Qt::ControlModifier);
            QVERIFY2(window->savePathsAsked == ++asked, qPrintable(field->objectName()));
            // Ctrl+Shift+C: the report on the clipboard, said in the status bar.
            QGuiApplication::clipboard()->clear();
            window->statusBar()->clearMessage();
            QTest::keyClick(field, Qt::Key_C, Qt::ControlModifier | Qt::ShiftModifier);
            QVERIFY2(window->statusBar()->currentMessage() == u"Report copied to the clipboard."_s,
                     qPrintable(field->objectName()));
            QVERIFY(!QGuiApplication::clipboard()->text().isEmpty());
        }
    }

    void tabLeavesTheLayersTable() {
        auto window = showWindow();
        QVERIFY(window);
        detailsDock(window.get())->show();
        QVERIFY(window->loadPreset(u"Gemma 3 27B"_s));  // rows in both tables
        for (QTableView *table : {window->modelDetails()->breakdownView(), window->modelDetails()->provenanceView()}) {
            // The table shown: its tab chosen.
            auto *tabs = window->modelDetails()->findChild<QTabWidget *>();
            tabs->setCurrentWidget(table);
            QVERIFY(table->model()->rowCount() * table->model()->columnCount() > 1);
            table->setFocus(Qt::TabFocusReason);
            QTRY_VERIFY(table->hasFocus());
            table->setCurrentIndex(table->model()->index(0, 0));
            QTest::keyClick(table, Qt::Key_Tab);
            QVERIFY2(!table->hasFocus(), qPrintable(table->objectName()));
            QVERIFY(QApplication::focusWidget() && window->isAncestorOf(QApplication::focusWidget()));
            // Back with Shift+Tab, out the other way too.
            table->setFocus(Qt::TabFocusReason);
            QTRY_VERIFY(table->hasFocus());
            QTest::keyClick(table, Qt::Key_Backtab, Qt::ShiftModifier);
            QVERIFY2(!table->hasFocus(), qPrintable(table->objectName()));
        }
    }
};

QTEST_MAIN(TestWindowKeyboard)
#include "tst_windowkeyboard.moc"
