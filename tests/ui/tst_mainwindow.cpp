#include <QAbstractButton>
#include <QAction>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QFile>
#include <QLabel>
#include <QLayout>
#include <QMenuBar>
#include <QRadioButton>
#include <QSettings>
#include <QSlider>
#include <QSpinBox>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QtTest>

#include "ConfigModel.h"
#include "ContextChartView.h"
#include "ContextLengthSpinBox.h"
#include "ControlPanel.h"
#include "GroupSelector.h"
#include "GroupsChartView.h"
#include "LogContextSlider.h"
#include "MainWindow.h"
#include "SliderSpinBox.h"
#include "SummaryPanel.h"

using namespace Qt::StringLiterals;

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

protected:
    void presentMessage(MessageKind, const QString &title, const QString &text,
                        const QString &informativeText) override {
        messages.append({title, text, informativeText});
    }
};

class TestMainWindow : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_settingsDir;
    QTemporaryDir m_exportDir;

    // A window as the app shows it, with no minimum size: the offscreen
    // platform warns (fatally here) whenever a window's minimum changes.
    static std::unique_ptr<RecordingWindow> showWindow() {
        auto window = std::make_unique<RecordingWindow>();
        window->layout()->setSizeConstraint(QLayout::SetNoConstraint);
        window->show();
        if (!QTest::qWaitForWindowExposed(window.get())) return nullptr;
        return window;
    }

    static QString summaryValue(MainWindow *window, const char *name) {
        const auto *label = window->summaryPanel()->findChild<QLabel *>(QString::fromLatin1(name));
        return label ? label->text() : QString();
    }

    static QAction *menuAction(MainWindow *window, const QString &text) {
        const QList<QAction *> actions = window->menuBar()->findChildren<QAction *>();
        for (QAction *action : actions) {
            QString plain = action->text();
            plain.remove(u'&');
            if (plain == text) return action;
        }
        return nullptr;
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_settingsDir.isValid());
        QCoreApplication::setOrganizationName(u"KVScope"_s);
        QCoreApplication::setApplicationName(u"kvscope-test"_s);
        QSettings::setDefaultFormat(QSettings::IniFormat);
        QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_settingsDir.path());
        QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, m_settingsDir.path());
    }

    void init() { QSettings().clear(); }

    void startsOnTheSeedWithBothChartsAndTheNumbers() {
        auto window = showWindow();
        QVERIFY(window);
        QCOMPARE(window->size(), QSize(1280, 800));
        QVERIFY(window->contextChartView());
        QVERIFY(window->groupsChartView());
        QVERIFY(window->findChild<ContextChartView *>());
        QVERIFY(window->findChild<GroupsChartView *>());
        QVERIFY(window->contextChartView()->isVisible());
        QVERIFY(window->groupsChartView()->isVisible());
        QVERIFY(window->controlPanel()->isVisible());
        QVERIFY(window->summaryPanel()->isVisible());
        QCOMPARE(window->model()->nHeads(), 24);
        QCOMPARE(window->model()->nKvGroups(), 4);
        QCOMPARE(summaryValue(window.get(), "mhaTotalValue"), u"3.25 GB"_s);

        // The seed's example line, through the context spin box.
        ContextLengthSpinBox *context = window->controlPanel()->contextSpinBox();
        context->setFocus();
        context->selectAll();
        QTest::keyClicks(context, u"131072"_s);
        QTest::keyClick(context, Qt::Key_Return);
        QCOMPARE(window->model()->contextLength(), 131072);
        QTRY_COMPARE(summaryValue(window.get(), "mhaTotalValue"), u"51.94 GB"_s);
        QCOMPARE(summaryValue(window.get(), "gqaTotalValue"), u"12.99 GB"_s);
    }

    void nothingIsCutAtTheDefaultSize() {
        auto window = showWindow();
        QVERIFY(window);
        QCOMPARE(window->size(), QSize(1280, 800));
        QCoreApplication::processEvents();
        // Every label, button and combo on the left gets at least its preferred width.
        QList<QWidget *> widgets;
        for (QLabel *w : window->controlPanel()->findChildren<QLabel *>()) widgets.append(w);
        for (QLabel *w : window->summaryPanel()->findChildren<QLabel *>()) widgets.append(w);
        for (QAbstractButton *w : window->findChildren<QAbstractButton *>()) widgets.append(w);
        for (QComboBox *w : window->controlPanel()->findChildren<QComboBox *>()) widgets.append(w);
        for (QWidget *w : widgets) {
            if (!w->isVisible() || w->inherits("QMessageBox")) continue;
            const QString what = QString::fromLatin1(w->metaObject()->className()) + u' ' + w->objectName() + u' ' +
                                 (qobject_cast<QLabel *>(w) ? qobject_cast<QLabel *>(w)->text() : QString());
            QVERIFY2(w->width() >= w->sizeHint().width(), qPrintable(what));
            QVERIFY2(w->height() >= w->minimumSizeHint().height(), qPrintable(what));
        }
        // The context spin box shows 2^31 in full.
        window->model()->setContextLength(qint64{1} << 31);
        ContextLengthSpinBox *context = window->controlPanel()->contextSpinBox();
        QVERIFY(context->width() >= context->sizeHint().width());
    }

    void controlsDriveTheModelAndTheSummary() {
        auto window = showWindow();
        QVERIFY(window);
        ControlPanel *panel = window->controlPanel();
        QSlider *heads = panel->headsControl()->slider();
        heads->setFocus();
        QTest::keyClick(heads, Qt::Key_Right);  // 25 heads: groups snap to 5
        QCOMPARE(window->model()->nHeads(), 25);
        QCOMPARE(window->model()->nKvGroups(), 5);
        QCOMPARE(panel->groupSelector()->groups(), 5);
        QTRY_COMPARE(summaryValue(window.get(), "kvHeadsValue"), u"MHA 25 · GQA 5"_s);

        QSlider *context = panel->contextSlider();
        context->setFocus();
        QTest::keyClick(context, Qt::Key_Right);
        QCOMPARE(window->model()->contextLength(), 16384);

        panel->dtypeComboBox()->setCurrentIndex(panel->dtypeComboBox()->findData(u"fp32"_s));
        QCOMPARE(window->model()->dtype(), u"fp32"_s);
        QTRY_VERIFY(window->summaryPanel()->displayedText().contains(u"Ratio (MHA / GQA): 5.00×"_s));
    }

    void unitsFromTheMenuAndThePanelAgree() {
        auto window = showWindow();
        QVERIFY(window);
        window->model()->setContextLength(131072);
        window->binaryUnitsAction()->trigger();
        QVERIFY(window->model()->binaryUnits());
        QVERIFY(window->controlPanel()->binaryUnitsButton()->isChecked());
        QTRY_COMPARE(summaryValue(window.get(), "mhaTotalValue"), u"48.38 GiB"_s);
        QTest::mouseClick(window->controlPanel()->decimalUnitsButton(), Qt::LeftButton);
        QVERIFY(!window->model()->binaryUnits());
        QVERIFY(window->decimalUnitsAction()->isChecked());
        QVERIFY(!window->binaryUnitsAction()->isChecked());
        QTRY_COMPARE(summaryValue(window.get(), "mhaTotalValue"), u"51.94 GB"_s);
    }

    void copyReportPutsTheExactBookReportOnTheClipboard() {
        auto window = showWindow();
        QVERIFY(window);
        window->model()->setContextLength(32768);
        QApplication::clipboard()->clear();
        QAction *copy = menuAction(window.get(), u"Copy report as text"_s);
        QVERIFY(copy);
        QCOMPARE(copy, window->copyReportAction());
        copy->trigger();
        QCOMPARE(QApplication::clipboard()->text(), window->model()->bookReport());
        QVERIFY(QApplication::clipboard()->text().startsWith(u"==== Config ====\ncontext_length   : 32768\n"_s));
        QVERIFY(QApplication::clipboard()->text().contains(u"MHA total KV cache  : 12.99 GB\n"_s));
    }

    void resetRestoresTheSeed() {
        auto window = showWindow();
        QVERIFY(window);
        ControlPanel *panel = window->controlPanel();
        panel->headsControl()->spinBox()->setValue(32);
        panel->layersControl()->slider()->setValue(12);
        panel->contextSpinBox()->setValue(100000);
        panel->batchControl()->spinBox()->setValue(8);
        panel->dtypeComboBox()->setCurrentIndex(0);
        QTest::mouseClick(panel->headDimCheckBox(), Qt::LeftButton);
        QCOMPARE(window->model()->nLayers(), 12);
        QVERIFY(menuAction(window.get(), u"Reset to defaults"_s));
        window->resetAction()->trigger();
        ConfigModel *model = window->model();
        QCOMPARE(model->shape(), kvscope::ModelShape{});
        QCOMPARE(model->workload(), kvscope::Workload{});
        QCOMPARE(panel->headsControl()->value(), 24);
        QCOMPARE(panel->groupSelector()->groups(), 4);
        QCOMPARE(panel->layersControl()->value(), 48);
        QCOMPARE(panel->contextSpinBox()->contextLength(), 8192);
        QCOMPARE(panel->batchControl()->value(), 1);
        QCOMPARE(panel->dtypeComboBox()->currentData().toString(), u"bf16"_s);
        QVERIFY(!panel->headDimCheckBox()->isChecked());
        QTRY_COMPARE(summaryValue(window.get(), "mhaTotalValue"), u"3.25 GB"_s);
    }

    void settingsRoundTripThroughTheWindow() {
        {
            auto window = showWindow();
            QVERIFY(window);
            ControlPanel *panel = window->controlPanel();
            panel->headsControl()->spinBox()->setValue(32);
            panel->groupSelector()->comboBox()->setCurrentIndex(panel->groupSelector()->comboBox()->findData(8));
            panel->layersControl()->spinBox()->setValue(40);
            panel->embDimControl()->spinBox()->setValue(4096);
            panel->contextSpinBox()->setValue(100000);
            panel->batchControl()->spinBox()->setValue(4);
            panel->dtypeComboBox()->setCurrentIndex(panel->dtypeComboBox()->findData(u"fp8"_s));
            QTest::mouseClick(panel->binaryUnitsButton(), Qt::LeftButton);
            window->resize(1100, 700);
            QTRY_COMPARE(window->size(), QSize(1100, 700));
            window->close();  // saves
        }
        {
            const QSettings settings;
            QCOMPARE(settings.value(u"config/n_heads"_s).toInt(), 32);
        }
        auto window = showWindow();
        QVERIFY(window);
        ConfigModel *model = window->model();
        QCOMPARE(model->nHeads(), 32);
        QCOMPARE(model->nKvGroups(), 8);
        QCOMPARE(model->nLayers(), 40);
        QCOMPARE(model->embDim(), 4096);
        QCOMPARE(model->contextLength(), 100000);
        QCOMPARE(model->batchSize(), 4);
        QCOMPARE(model->dtype(), u"fp8"_s);
        QVERIFY(model->binaryUnits());
        QCOMPARE(window->controlPanel()->groupSelector()->groups(), 8);
        QCOMPARE(window->controlPanel()->contextSpinBox()->contextLength(), 100000);
        QCOMPARE(window->controlPanel()->contextSlider()->contextLength(), 131072);
        QCOMPARE(window->size(), QSize(1100, 700));
    }

    void settingsAreSavedOnChangeToo() {
        auto window = showWindow();
        QVERIFY(window);
        window->controlPanel()->layersControl()->spinBox()->setValue(7);
        QTRY_COMPARE(QSettings().value(u"config/n_layers"_s).toInt(), 7);
    }

    void exportWritesFilesAndReportsFailures() {
        auto window = showWindow();
        QVERIFY(window);
        const QString csv = m_exportDir.filePath(u"context.csv"_s);
        QVERIFY(window->exportChartTo(ChartKind::Context, csv));
        QVERIFY(QFile::exists(csv));
        QVERIFY(window->statusBar()->currentMessage().contains(u"context.csv"_s));
        const QString pdf = m_exportDir.filePath(u"report.pdf"_s);
        QVERIFY(window->exportReportTo(pdf));
        QVERIFY(QFileInfo(pdf).size() > 0);

        // A folder that does not exist: a message box says why, nothing is written.
        const QString bad = m_exportDir.filePath(u"missing/folder/groups.svg"_s);
        QVERIFY(!window->exportChartTo(ChartKind::Groups, bad));
        QCOMPARE(window->messages.size(), 1);
        QCOMPARE(window->messages.first().title, u"Export failed"_s);
        QVERIFY(window->messages.first().text.contains(u"groups.svg"_s));
        QVERIFY(!QFile::exists(bad));
        // A bad extension names the ones that work.
        QVERIFY(!window->exportChartTo(ChartKind::Groups, m_exportDir.filePath(u"groups.txt"_s)));
        QVERIFY(window->messages.last().text.contains(u".pdf"_s));
    }

    void menusAndAbout() {
        auto window = showWindow();
        QVERIFY(window);
        for (const QString &text :
             {u"Context chart (KV cache vs context length)…"_s, u"Groups chart (savings vs n_kv_groups)…"_s,
              u"Full report (PDF)…"_s, u"Quit"_s, u"GB (1000³ bytes)"_s, u"GiB (1024³ bytes)"_s, u"About KV Scope"_s})
            QVERIFY2(menuAction(window.get(), text), qPrintable(text));
        menuAction(window.get(), u"About KV Scope"_s)->trigger();
        QCOMPARE(window->messages.size(), 1);
        QVERIFY(window->messages.first().text.contains(QString::fromLatin1(KVSCOPE_VERSION)));
        QVERIFY(window->messages.first().informativeText.contains(u"n_heads / n_kv_groups"_s));
    }
};

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
