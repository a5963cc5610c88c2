// The window as a daily tool: the answer on screen without scrolling, no
// value changed by accident, undo and redo for every change.

#include <QAbstractSpinBox>
#include <QChartView>
#include <QLegend>
#include <QLineSeries>
#include <QXYSeries>
#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QDockWidget>
#include <QLabel>
#include <QLayout>
#include <QLineEdit>
#include <QScrollArea>
#include <QScrollBar>
#include <QSettings>
#include <QSlider>
#include <QSpinBox>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QUndoStack>
#include <QtTest>
#include <memory>

#include "BudgetPanel.h"
#include "ConfigHistory.h"
#include "ConfigModel.h"
#include "ContextChartView.h"
#include "KvChart.h"
#include "ContextLengthSpinBox.h"
#include "ControlPanel.h"
#include "GroupsChartView.h"
#include "LogContextSlider.h"
#include "RecordingWindow.h"
#include "ResultsStrip.h"
#include "SettingsFormat.h"
#include "SliderSpinBox.h"
#include "kvscope/format.h"

using namespace Qt::StringLiterals;

class TestDailyWindow : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_settingsDir;

    static std::unique_ptr<RecordingWindow> showWindow(QSize size = {1280, 800}) {
        auto window = std::make_unique<RecordingWindow>();
        window->layout()->setSizeConstraint(QLayout::SetNoConstraint);
        window->resize(size);
        window->show();
        if (!QTest::qWaitForWindowExposed(window.get())) return nullptr;
        return window;
    }

    // Whether `widget` is shown whole inside the window's client area: not
    // clipped by a scroll area's viewport, not below the window's bottom.
    static bool wholeOnScreen(QWidget *widget, QWidget *window) {
        if (!widget->isVisible()) return false;
        QRect visible = widget->rect();
        for (QWidget *w = widget; w && w != window; w = w->parentWidget()) {
            visible = visible.intersected(w->rect());
            visible.translate(w->pos());
        }
        return visible.size() == widget->size() && window->rect().contains(visible);
    }

    static QSpinBox *layersSpinBox(MainWindow *window) {
        return window->controlPanel()->layersControl()->findChild<QSpinBox *>();
    }

    static QString tileValue(MainWindow *window, const QString &name) {
        auto *label = window->resultsStrip()->findChild<QLabel *>(name + u"Value"_s);
        return label ? label->text() : QString();
    }

    static void wheel(QWidget *target, int notches) {
        const QPoint at = target->rect().center();
        QWheelEvent event(at, target->mapToGlobal(at), QPoint(), QPoint(0, 120 * notches), Qt::NoButton,
                          Qt::NoModifier, Qt::NoScrollPhase, false);
        QApplication::sendEvent(target, &event);
    }

    // Whether any drawn line or marker of the chart's visible series passes
    // through `box` (chart coordinates), sampled along each segment.
    static bool coversData(KvChart *chart, const QRectF &box) {
        const auto all = chart->series();
        for (QAbstractSeries *series : all) {
            auto *xy = qobject_cast<QXYSeries *>(series);
            if (!xy || !xy->isVisible()) continue;
            const QList<QPointF> points = xy->points();
            const bool line = qobject_cast<QLineSeries *>(xy) != nullptr;
            for (qsizetype i = 0; i < points.size(); ++i) {
                const QPointF b = chart->mapToPosition(points.at(i), xy);
                const QPointF a = line && i > 0 ? chart->mapToPosition(points.at(i - 1), xy) : b;
                // Only what is drawn: inside the plot area.
                for (int step = 0; step <= 200; ++step) {
                    const QPointF p = a + (b - a) * (step / 200.0);
                    if (chart->plotArea().contains(p) && box.contains(p)) return true;
                }
            }
        }
        return false;
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_settingsDir.isValid());
        QCoreApplication::setOrganizationName(u"KVScope"_s);
        QCoreApplication::setApplicationName(u"kvscope-daily-test"_s);
        QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_settingsDir.path());
        QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, m_settingsDir.path());
        SettingsFormat::install();
    }

    void init() { QSettings().clear(); }

    void theTotalsAreOnScreenAtLaptopSize_data() {
        QTest::addColumn<QSize>("size");
        QTest::newRow("1280x800") << QSize(1280, 800);
        QTest::newRow("1366x768") << QSize(1366, 768);
    }

    void theTotalsAreOnScreenAtLaptopSize() {
        QFETCH(QSize, size);
        auto window = showWindow(size);
        QVERIFY(window);
        // First launch: the book's totals, no scrolling.
        for (const QString &tile : {u"resultMhaTotal"_s, u"resultGqaTotal"_s, u"resultSavings"_s}) {
            auto *box = window->resultsStrip()->findChild<QWidget *>(tile);
            QVERIFY2(box && wholeOnScreen(box, window.get()), qPrintable(tile));
        }
        QCOMPARE(tileValue(window.get(), u"resultMhaTotal"_s), u"3.25 GB"_s);
        QCOMPARE(tileValue(window.get(), u"resultGqaTotal"_s), u"811.60 MB"_s);
        QCOMPARE(tileValue(window.get(), u"resultSavings"_s), u"75.00% (4.00×)"_s);
        // The layers and provenance wait under View.
        auto *dock = window->findChild<QDockWidget *>(u"modelDetailsDock"_s);
        QVERIFY(dock && dock->isHidden());

        // A real model on two GPUs: its own total, the largest context and batch.
        QVERIFY(window->loadPreset(u"Llama 3.1 70B"_s));
        window->model()->setGpu(u"h100-80gb"_s);
        window->model()->setGpuCount(2);
        window->model()->setBudgetEnabled(true);
        QTRY_VERIFY(window->resultsStrip()->findChild<QWidget *>(u"resultMaxContext"_s)->isVisible());
        QApplication::processEvents();
        for (const QString &tile : {u"resultModelTotal"_s, u"resultMaxContext"_s, u"resultMaxBatch"_s,
                                    u"resultMhaTotal"_s, u"resultSavings"_s}) {
            auto *box = window->resultsStrip()->findChild<QWidget *>(tile);
            QVERIFY2(box && wholeOnScreen(box, window.get()), qPrintable(tile));
        }
        const auto &plan = window->model()->plan();
        QVERIFY(plan.ok());
        // Llama 3.1 70B holds 80 layers × 8 K/V heads × 128 × 2 × 2 bytes = 327,680 bytes a token.
        QCOMPARE(window->model()->modelEstimate()->bytes_per_token, 327'680u);
        QCOMPARE(tileValue(window.get(), u"resultModelTotal"_s),
                 QString::fromStdString(kvscope::formatGB(327'680ull * 8192)));
        QCOMPARE(tileValue(window.get(), u"resultMaxContext"_s),
                 u"%1 tokens"_s.arg(QString::fromStdString(kvscope::formatThousands(plan->max_context_length.value))));
        QCOMPARE(tileValue(window.get(), u"resultMaxBatch"_s),
                 QString::fromStdString(kvscope::formatThousands(plan->max_batch_size.value)));
        // The charts keep a useful size under the strip.
        QVERIFY2(window->contextChartView()->height() >= 250,
                 qPrintable(QString::number(window->contextChartView()->height())));
        QVERIFY(window->groupsChartView()->height() >= 250);
        QVERIFY(window->contextChartView()->width() >= 600);
    }

    void nothingIsWiderThanASmallScreen() {
        auto window = showWindow({900, 600});
        QVERIFY(window);
        QApplication::processEvents();
        // The window fits 900×600: nothing is pushed past its edges.
        QVERIFY2(window->minimumSizeHint().width() <= 900, qPrintable(QString::number(window->minimumSizeHint().width())));
        QCOMPARE(window->size(), QSize(900, 600));
        for (QWidget *widget : {static_cast<QWidget *>(window->contextChartView()),
                                static_cast<QWidget *>(window->groupsChartView()),
                                static_cast<QWidget *>(window->resultsStrip())}) {
            QVERIFY(wholeOnScreen(widget, window.get()));
            QVERIFY2(widget->width() >= 380, qPrintable(QString::number(widget->width())));
        }
        // The control panel scrolls instead of being cut.
        auto *scroll = window->findChild<QScrollArea *>(u"controlScrollArea"_s);
        QVERIFY(scroll);
        QVERIFY(scroll->verticalScrollBar()->maximum() > 0);
    }

    void aWheelOverAnUntouchedControlScrollsAndChangesNothing() {
        auto window = showWindow();
        QVERIFY(window);
        auto *scroll = window->findChild<QScrollArea *>(u"controlScrollArea"_s);
        QVERIFY(scroll && scroll->verticalScrollBar()->maximum() > 0);
        QCOMPARE(scroll->verticalScrollBar()->value(), 0);
        LogContextSlider *slider = window->controlPanel()->contextSlider();
        QComboBox *dtype = window->controlPanel()->dtypeComboBox();
        QSpinBox *layers = layersSpinBox(window.get());
        // Two notches down over each: the panel scrolls, the values stay.
        wheel(slider, -2);
        wheel(dtype, -2);
        wheel(layers, -2);
        QApplication::processEvents();
        QCOMPARE(window->model()->contextLength(), 8192);
        QCOMPARE(window->model()->dtype(), u"bf16"_s);
        QCOMPARE(window->model()->nLayers(), 48);
        QVERIFY(scroll->verticalScrollBar()->value() > 0);

        // Clicked or tabbed into, a control takes the wheel as usual.
        layers->setFocus(Qt::TabFocusReason);
        QVERIFY(layers->hasFocus());
        wheel(layers, 1);
        QCOMPARE(window->model()->nLayers(), 49);
    }

    void noValueControlHoldsTheFocusAtStart() {
        auto window = showWindow();
        QVERIFY(window);
        window->activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(window.get()));
        QWidget *focus = QApplication::focusWidget();
        QVERIFY(focus);
        QVERIFY2(!qobject_cast<QAbstractSpinBox *>(focus) && !qobject_cast<QAbstractSlider *>(focus) &&
                     !qobject_cast<QComboBox *>(focus) && !qobject_cast<QLineEdit *>(focus),
                 focus->metaObject()->className());
    }

    void undoTakesBackEveryKindOfChange() {
        auto window = showWindow();
        QVERIFY(window);
        ConfigModel *model = window->model();
        QAction *undo = window->undoAction();
        QAction *redo = window->redoAction();
        QVERIFY(!undo->isEnabled());
        QCOMPARE(undo->shortcut(), QKeySequence(u"Ctrl+Z"_s));
        QVERIFY(redo->shortcuts().contains(QKeySequence(u"Ctrl+Shift+Z"_s)));

        // 1. An edit through a control.
        layersSpinBox(window.get())->setValue(40);
        QTRY_VERIFY(undo->isEnabled());
        QVERIFY(undo->text().contains(u"n_layers 48 → 40"_s));
        // 2. A load.
        QVERIFY(window->loadPreset(u"Qwen3 8B"_s));
        QCOMPARE(window->history()->stack()->count(), 2);
        // 3. A deployment choice.
        QComboBox *gpu = window->budgetPanel()->gpuComboBox();
        gpu->setCurrentIndex(gpu->findData(u"h100-80gb"_s));
        Q_EMIT gpu->activated(gpu->currentIndex());  // as a choice from its list
        QTRY_VERIFY(model->budgetEnabled());
        QTRY_COMPARE(window->history()->stack()->count(), 3);
        // 4. A pin.
        QVERIFY(window->pinCurrentCurve());
        QTRY_COMPARE(window->history()->stack()->count(), 4);
        QVERIFY(undo->text().contains(u"pinned Qwen3 8B"_s));
        // 5. Reset.
        window->resetAction()->trigger();
        QCOMPARE(window->history()->stack()->count(), 5);
        QVERIFY(!model->hasModel());
        QVERIFY(!model->budgetEnabled());
        QCOMPARE(model->nLayers(), 48);
        QCOMPARE(model->pinNames().size(), 1);  // pins are kept by Reset

        // Each undo goes back exactly one step, the views with it.
        undo->trigger();
        QVERIFY(model->hasModel());
        QCOMPARE(model->modelName(), u"Qwen3 8B"_s);
        QVERIFY(model->budgetEnabled());
        QCOMPARE(model->nLayers(), 36);
        QCOMPARE(layersSpinBox(window.get())->value(), 36);
        QVERIFY(window->statusBar()->currentMessage().contains(u"Reset to defaults"_s));
        undo->trigger();
        QCOMPARE(model->pinNames().size(), 0);
        undo->trigger();
        QVERIFY(!model->budgetEnabled());
        QCOMPARE(window->budgetPanel()->gpuComboBox()->currentData().toString(), QString());  // "None"
        undo->trigger();
        QVERIFY(!model->hasModel());
        QCOMPARE(model->nLayers(), 40);
        undo->trigger();
        QCOMPARE(model->nLayers(), 48);
        QCOMPARE(layersSpinBox(window.get())->value(), 48);
        QVERIFY(!undo->isEnabled());
        // Undoing records nothing new, once the model has said what changed.
        QApplication::processEvents();
        QCOMPARE(window->history()->stack()->count(), 5);

        // Redo walks forward again, to the reset.
        for (int i = 0; i < 5; ++i) redo->trigger();
        QVERIFY(!model->hasModel());
        QCOMPARE(model->pinNames().size(), 1);
        QVERIFY(!redo->isEnabled());
    }

    void aSliderDragIsOneStep() {
        auto window = showWindow();
        QVERIFY(window);
        QSlider *slider = window->controlPanel()->layersControl()->findChild<QSlider *>();
        QVERIFY(slider);
        const int steps = window->history()->stack()->count();
        slider->setSliderDown(true);  // sliderPressed(), as a mouse press on the handle
        for (int value : {50, 60, 70, 80}) {
            slider->setValue(value);
            QApplication::processEvents();
        }
        slider->setSliderDown(false);
        QCOMPARE(window->model()->nLayers(), 80);
        QCOMPARE(window->history()->stack()->count(), steps + 1);
        QVERIFY(window->undoAction()->text().contains(u"n_layers 48 → 80"_s));
        window->undoAction()->trigger();
        QCOMPARE(window->model()->nLayers(), 48);
    }

    void legendsNeverCoverData() {
        auto window = showWindow();
        QVERIFY(window);
        KvChart *context = window->contextChartView()->chart();
        KvChart *groups = window->groupsChartView()->chart();
        // The seed: the legends fit inside, in corners free of curves.
        QApplication::processEvents();
        for (KvChart *chart : {context, groups}) {
            QVERIFY(chart->legendInsidePlot());
            QVERIFY(chart->legend()->isVisible());
            QVERIFY(!coversData(chart, chart->legend()->geometry()));
        }
        QVERIFY(window->contextChartView()->outsideLegend()->isHidden());

        // Gemma 3 27B with its what-ifs and an H100's budget line: no corner
        // is free, so the entries are listed below the chart, every one whole.
        QVERIFY(window->loadPreset(u"Gemma 3 27B"_s));
        window->model()->setGpu(u"h100-80gb"_s);
        window->model()->setBudgetEnabled(true);
        QTRY_VERIFY(!context->legendInsidePlot());
        QTRY_VERIFY(window->contextChartView()->outsideLegend()->isVisible());
        QVERIFY(!context->legend()->isVisible());
        QStringList expected;
        for (const KvChart::LegendEntry &entry : context->legendEntries()) expected.append(entry.label);
        QCOMPARE(expected.size(), 8);
        QVERIFY(expected.contains(u"Gemma 3 27B (real layers)"_s));
        QTRY_COMPARE(window->contextChartView()->outsideLegendLabels(), expected);
        // Below the plot, not over it.
        QWidget *strip = window->contextChartView()->outsideLegend();
        QVERIFY(strip->geometry().top() >= window->contextChartView()->findChild<QChartView *>()->geometry().bottom());
        QVERIFY(!coversData(groups, groups->legend()->geometry()));

        // Back to the book's shape without a GPU: inside again.
        window->model()->setBudgetEnabled(false);
        window->model()->clearModel();
        QTRY_VERIFY(context->legendInsidePlot());
        QTRY_VERIFY(window->contextChartView()->outsideLegend()->isHidden());
        QVERIFY(!coversData(context, context->legend()->geometry()));
    }

    void editingALoadedModelMakesANamedWhatIf() {
        auto window = showWindow();
        QVERIFY(window);
        QVERIFY(window->loadPreset(u"Llama 3.1 8B"_s));
        layersSpinBox(window.get())->setValue(40);
        window->history()->record();
        ConfigModel *model = window->model();
        QCOMPARE(model->whatIfOf(), u"Llama 3.1 8B"_s);
        QCOMPARE(model->whatIfName(), u"Llama 3.1 8B what-if: n_layers 40"_s);
        QTRY_COMPARE(window->windowTitle(), u"Llama 3.1 8B what-if: n_layers 40 — KV Scope"_s);
        QVERIFY(window->statusBar()->currentMessage().contains(u"Llama 3.1 8B is now a what-if"_s));
        QVERIFY(model->pinCurrent());
        window->history()->record();
        QCOMPARE(model->pinNames().constLast(), u"Llama 3.1 8B what-if: n_layers 40 (bf16, batch 1)"_s);
        // The book's formula on the edited shape: 40 layers × 8 K/V heads × 128 × 2 × 2 bytes × 8,192.
        QCOMPARE(model->estimate()->gqa_bytes, 40ull * 8 * 128 * 2 * 2 * 8192);
        model->unpinAll();
        window->history()->record();
        window->undoAction()->trigger();  // the unpin
        window->undoAction()->trigger();  // the pin
        window->undoAction()->trigger();  // the edit: the model is back
        QVERIFY(model->hasModel());
        QCOMPARE(model->modelName(), u"Llama 3.1 8B"_s);
        QCOMPARE(model->nLayers(), 32);
        QVERIFY(model->whatIfOf().isEmpty());
        QTRY_COMPARE(window->windowTitle(), u"Llama 3.1 8B — KV Scope"_s);
    }

    void aLoadSaysWhatItReplacedAndUndoTakesItBack() {
        auto window = showWindow();
        QVERIFY(window);
        ConfigModel *model = window->model();
        model->setDtype(u"fp8"_s);
        QVERIFY(window->loadPreset(u"Llama 3.1 8B"_s));
        // vLLM serves Llama 3.1 in its config's bf16: the user's fp8 is replaced, and the status bar says so.
        QCOMPARE(model->dtype(), u"bf16"_s);
        const QString message = window->statusBar()->currentMessage();
        QVERIFY2(message.contains(u"dtype fp8 → bf16"_s), qPrintable(message));
        QVERIFY(message.contains(u"Ctrl+Z"_s));
        QCOMPARE(window->undoAction()->text(), u"&Undo Load Llama 3.1 8B"_s);
        window->undoAction()->trigger();
        QVERIFY(!model->hasModel());
        QCOMPARE(model->dtype(), u"fp8"_s);
        QCOMPARE(window->controlPanel()->dtypeComboBox()->currentData().toString(), u"fp8"_s);
    }

    void resetNamesWhatItDiscards() {
        auto window = showWindow();
        QVERIFY(window);
        ConfigModel *model = window->model();
        QVERIFY(window->loadPreset(u"Gemma 3 27B"_s));
        model->setGpu(u"h100-80gb"_s);
        model->setGpuCount(2);
        model->setBudgetEnabled(true);
        model->setDtype(u"fp8"_s);
        window->resetAction()->trigger();
        const QString message = window->statusBar()->currentMessage();
        for (const QString &part : {u"model Gemma 3 27B unloaded"_s, u"GPU h100-80gb → none"_s,
                                    u"GPUs 2 → 1"_s, u"dtype fp8 → bf16"_s, u"Ctrl+Z"_s})
            QVERIFY2(message.contains(part), qPrintable(message + u" lacks "_s + part));
        QVERIFY(!message.contains(u"no longer loaded"_s));
        window->undoAction()->trigger();
        QVERIFY(model->hasModel());
        QCOMPARE(model->modelName(), u"Gemma 3 27B"_s);
        QCOMPARE(model->gpuCount(), 2);
        QCOMPARE(model->dtype(), u"fp8"_s);
        QVERIFY(model->plan().ok());
    }

    void windowShortcutsWorkFromASpinBox() {
        auto window = showWindow();
        QVERIFY(window);
        window->activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(window.get()));
        QSpinBox *layers = layersSpinBox(window.get());
        layers->setFocus();
        layers->selectAll();
        QTest::keyClicks(layers, u"40"_s);
        QTest::keyClick(layers, Qt::Key_Return);
        QCOMPARE(window->model()->nLayers(), 40);
        window->history()->record();
        // Ctrl+Z in the box is the window's undo, not the box's own.
        QTest::keyClick(layers, Qt::Key_Z, Qt::ControlModifier);
        QCOMPARE(window->model()->nLayers(), 48);
        QCOMPARE(layers->value(), 48);
        QTest::keyClick(layers, Qt::Key_Z, Qt::ControlModifier | Qt::ShiftModifier);
        QCOMPARE(window->model()->nLayers(), 40);
        // Ctrl+E exports from the box too (the file dialog is asked).
        QCOMPARE(window->savePathsAsked, 0);
        QTest::keyClick(layers, Qt::Key_E, Qt::ControlModifier);
        QCOMPARE(window->savePathsAsked, 1);
    }
};

QTEST_MAIN(TestDailyWindow)
#include "tst_dailywindow.moc"
