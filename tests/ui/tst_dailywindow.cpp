// The window as a daily tool: the answer on screen without scrolling, no
// value changed by accident, undo and redo for every change.

#include <QAbstractSpinBox>
#include <QChartView>
#include <QLegend>
#include <QLineSeries>
#include <QXYSeries>
#include <QAction>
#include <QApplication>
#include <QProcess>
#include <QPushButton>
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
#include <QTableView>
#include <QTemporaryDir>
#include <QUndoStack>
#include <QTabBar>
#include <QtTest>
#include <memory>

#include "BudgetPanel.h"
#include "ChartExporter.h"
#include "CompareTableModel.h"
#include "ContextFigure.h"
#include "Figure.h"
#include "ModelDetailsPanel.h"
#include "ConfigHistory.h"
#include "ChartArea.h"
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

    static std::unique_ptr<RecordingWindow> showWindow(QSize size = {1280, 800}) { return RecordingWindow::shown(size); }

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
        useTestSettings(m_settingsDir.path(), u"kvscope-daily-test"_s);
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
        QVERIFY(window->resultsStrip()->findChild<QLabel *>(u"resultError"_s)->isHidden());
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

    void aPlanThatDoesNotFitSaysSoAboveTheCharts() {
        auto window = showWindow();
        QVERIFY(window);
        // Qwen3-Next 80B in bf16 on two H100: 80,000,000,000 x 2 / 2 = 80.00 GB of weights
        // per GPU against 85,899,345,920 x 0.92 = 79.03 GB usable.
        QVERIFY(window->loadPreset(u"Qwen3-Next 80B-A3B"_s));
        window->model()->setGpu(u"h100-80gb"_s);
        window->model()->setGpuCount(2);
        window->model()->setBudgetEnabled(true);
        QTRY_VERIFY(!window->model()->hasPlan());
        auto *error = window->resultsStrip()->findChild<QLabel *>(u"resultError"_s);
        QTRY_VERIFY(error->isVisible());
        QVERIFY2(error->text().startsWith(u"⚠ No plan on 2 × NVIDIA H100 80GB: the weights need 80.00 GB per GPU"_s),
                 qPrintable(error->text()));
        QVERIFY(wholeOnScreen(error, window.get()));
        QCOMPARE(tileValue(window.get(), u"resultMaxContext"_s), u"does not fit"_s);
        // Four GPUs hold it: the warning goes, the answer comes.
        window->model()->setGpuCount(4);
        QTRY_VERIFY(window->model()->hasPlan());
        QTRY_VERIFY(error->isHidden());
        QVERIFY(tileValue(window.get(), u"resultMaxContext"_s).endsWith(u" tokens"_s));
    }

    void theStripKeepsEveryTileAfterARestartAtASmallSize() {
        // DeepSeek-V3's caption wraps to three lines at 900x600; reopened from
        // the saved geometry, the strip once kept the rows of an earlier height
        // and pushed "Savings, GQA vs MHA" out of sight.
        {
            auto window = RecordingWindow::shown(QSize(900, 600));
            QVERIFY(window);
            QVERIFY(window->loadPreset(u"DeepSeek-V3"_s));
            QVERIFY(!window->saveSettings());
        }
        auto window = RecordingWindow::shown(std::nullopt);
        QVERIFY(window);
        QTRY_VERIFY(window->model()->hasModel());
        QWidget *strip = window->resultsStrip();
        const QStringList tiles{u"resultModelTotal"_s, u"resultMhaTotal"_s, u"resultGqaTotal"_s, u"resultSavings"_s};
        int tallest = 0;  // what the tallest caption and value need
        for (const QString &tile : tiles) {
            auto *box = strip->findChild<QWidget *>(tile);
            QVERIFY2(box && box->isVisible(), qPrintable(tile));
            tallest = std::max(tallest, box->heightForWidth(box->width()));
        }
        for (const QString &tile : tiles) {
            auto *box = strip->findChild<QWidget *>(tile);
            QTRY_VERIFY2(strip->rect().contains(box->geometry()), qPrintable(tile));
            // No row taller than its tallest tile needs: the rows are laid out at the strip's own height.
            QTRY_VERIFY2(box->height() <= tallest + 1, qPrintable(u"%1: %2 for %3"_s.arg(tile).arg(box->height()).arg(tallest)));
        }
    }

    void nothingIsWiderThanASmallScreen() {
        auto window = showWindow({900, 600});
        QVERIFY(window);
        QApplication::processEvents();
        // The window fits 900×600: nothing is pushed past its edges.
        QVERIFY2(window->minimumSizeHint().width() <= 900, qPrintable(QString::number(window->minimumSizeHint().width())));
        QCOMPARE(window->size(), QSize(900, 600));
        for (QWidget *widget : {static_cast<QWidget *>(window->contextChartView()),
                                static_cast<QWidget *>(window->resultsStrip())}) {
            QVERIFY(wholeOnScreen(widget, window.get()));
            QVERIFY2(widget->width() >= 380, qPrintable(QString::number(widget->width())));
        }
        // Too short for two useful plots: the charts take turns under a tab
        // bar, each with a plot at least 200 px tall, even with a model whose
        // legend goes below the chart and whose groups chart has a note.
        QVERIFY(window->loadPreset(u"DeepSeek-V3"_s));
        ChartArea *charts = window->chartArea();
        QTRY_VERIFY(charts->isCompact());
        QVERIFY(charts->tabBar()->isVisible());
        QVERIFY(window->contextChartView()->isVisible());
        QVERIFY(window->groupsChartView()->isHidden());
        QTRY_VERIFY2(window->contextChartView()->chart()->plotArea().height() >= 200,
                     qPrintable(QString::number(window->contextChartView()->chart()->plotArea().height())));
        charts->tabBar()->setCurrentIndex(1);
        QVERIFY(window->contextChartView()->isHidden());
        QVERIFY(window->groupsChartView()->isVisible());
        QTRY_VERIFY(wholeOnScreen(window->groupsChartView(), window.get()));
        QTRY_VERIFY2(window->groupsChartView()->chart()->plotArea().height() >= 200,
                     qPrintable(QString::number(window->groupsChartView()->chart()->plotArea().height())));
        // Taller again: both charts, no tabs.
        window->resize(1280, 800);
        QTRY_VERIFY(!charts->isCompact());
        QVERIFY(charts->tabBar()->isHidden());
        QVERIFY(window->contextChartView()->isVisible() && window->groupsChartView()->isVisible());
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
        // The legend below is added to the context chart's share: both plots
        // keep about the same height (within a tenth), dock open or not.
        QTRY_VERIFY2(std::abs(context->plotArea().height() - groups->plotArea().height()) <=
                         0.1 * groups->plotArea().height(),
                     qPrintable(u"%1 against %2"_s.arg(context->plotArea().height()).arg(groups->plotArea().height())));

        // The charts shrink under the dock, and grow back: the strip is
        // rebuilt after the layout settles, never in the middle of it.
        auto *dock = window->findChild<QDockWidget *>(u"modelDetailsDock"_s);
        for (int round = 0; round < 3; ++round) {
            dock->show();
            window->modelDetails()->showCompareTab();
            QApplication::processEvents();
            dock->hide();
            QApplication::processEvents();
        }
        QTRY_COMPARE(window->contextChartView()->outsideLegendLabels(), expected);
        // With the dock open the area is too short for both: they take turns,
        // each plot at least kMinPlotHeight tall.
        dock->show();
        QTRY_VERIFY(window->chartArea()->isCompact());
        QTRY_VERIFY2(context->plotArea().height() >= ChartArea::kMinPlotHeight,
                     qPrintable(u"dock open: %1"_s.arg(context->plotArea().height())));
        dock->hide();
        QTRY_VERIFY(!window->chartArea()->isCompact());

        // Back to the book's shape without a GPU: inside again.
        window->model()->setBudgetEnabled(false);
        window->model()->clearModel();
        QTRY_VERIFY(context->legendInsidePlot());
        QTRY_VERIFY(window->contextChartView()->outsideLegend()->isHidden());
        QVERIFY(!coversData(context, context->legend()->geometry()));
    }

    // The pen colour of the window chart's series named `name`.
    static QColor seriesColor(KvChart *chart, const QString &name) {
        const auto all = chart->series();
        for (QAbstractSeries *series : all) {
            if (series->name() == name) return static_cast<QXYSeries *>(series)->pen().color();
        }
        return {};
    }

    static figure::Rgb figureColor(const ConfigModel &model, const QString &name) {
        const figure::Figure f = ContextFigure::build(model);
        for (const figure::Series &series : f.series) {
            if (series.name == name && series.line) return series.line->color;
        }
        return 0xffffffff;
    }

    void aPinKeepsItsColourForLife() {
        auto window = showWindow();
        QVERIFY(window);
        ConfigModel *model = window->model();
        KvChart *chart = window->contextChartView()->chart();
        QVERIFY(window->pinCurrentCurve());
        const QString pinned = u"pinned: n_heads=24, n_kv_groups=4, n_layers=48 (bf16, batch 1)"_s;
        QTRY_VERIFY(seriesColor(chart, pinned).isValid());
        const QColor first = QColor::fromRgb(figure::pinColor(0));
        QCOMPARE(seriesColor(chart, pinned), first);
        QCOMPARE(figureColor(*model, pinned), figure::pinColor(0));
        // More curves in front of it, a model, a GPU's budget line: the same colour.
        model->setExtraGroups({2, 8});
        QVERIFY(window->loadPreset(u"Gemma 3 27B"_s));
        model->setGpu(u"h100-80gb"_s);
        model->setBudgetEnabled(true);
        QApplication::processEvents();
        QCOMPARE(seriesColor(chart, pinned), first);
        QCOMPARE(figureColor(*model, pinned), figure::pinColor(0));
        // No pin colour is the budget line's.
        for (int slot = 0; slot < ConfigModel::kMaxPins; ++slot) QVERIFY(figure::pinColor(slot) != ContextFigure::kBudgetColor);
        // A second pin takes the next colour; unpinning the first leaves it as it is.
        QVERIFY(window->pinCurrentCurve());
        const QString second = u"pinned: Gemma 3 27B (bf16, batch 1)"_s;
        QTRY_COMPARE(seriesColor(chart, second), QColor::fromRgb(figure::pinColor(1)));
        model->unpin(0);
        QApplication::processEvents();
        QCOMPARE(seriesColor(chart, second), QColor::fromRgb(figure::pinColor(1)));
        QCOMPARE(model->pinnedCurves().front().key, u"pin2"_s);
    }

    void theSameCurveIsNotPinnedTwice() {
        auto window = showWindow();
        QVERIFY(window);
        QVERIFY(window->pinCurrentCurve());
        QVERIFY(!window->pinCurrentCurve());
        QCOMPARE(window->model()->pinNames().size(), 1);
        QCOMPARE(window->messages.size(), 1);
        QVERIFY2(window->messages.constLast().text.contains(u"pinned already"_s), qPrintable(window->messages.constLast().text));
        // Another workload is another curve.
        window->model()->setBatchSize(2);
        QVERIFY(window->pinCurrentCurve());
        QCOMPARE(window->model()->pinNames().size(), 2);
    }

    void pinsAreRenamedHiddenAndMovedInTheCompareTable() {
        auto window = showWindow();
        QVERIFY(window);
        ConfigModel *model = window->model();
        for (int layers : {10, 20, 30}) {
            model->setNLayers(layers);
            QVERIFY(window->pinCurrentCurve());
        }
        window->history()->record();
        menuAction(window.get(), u"Compare pinned curves"_s)->trigger();
        ModelDetailsPanel *details = window->modelDetails();
        CompareTableModel *table = details->compareModel();
        QTRY_COMPARE(table->rowCount(), 4);  // the current configuration, then the pins
        // Rename the first pin in place: the legend and the CSV follow.
        QVERIFY(table->setData(table->index(1, CompareTableModel::Name), u"ten layers"_s, Qt::EditRole));
        QCOMPARE(model->pinNames().constFirst(), u"ten layers"_s);
        QVERIFY(!table->setData(table->index(2, CompareTableModel::Name), u"ten layers"_s, Qt::EditRole));
        QVERIFY(!table->setData(table->index(2, CompareTableModel::Name), u"  "_s, Qt::EditRole));
        QTRY_VERIFY(window->contextChartView()->seriesNames().contains(u"pinned: ten layers"_s));
        const QString csv = ChartExporter(model).csv(ChartKind::Context).value_or(QString());
        QVERIFY2(csv.section(u'\n', 0, 0).contains(u"ten layers"_s), qPrintable(csv.section(u'\n', 0, 0)));
        // Hide the second: not drawn, not exported; the others keep their colours.
        QVERIFY(table->setData(table->index(2, CompareTableModel::Name), Qt::Unchecked, Qt::CheckStateRole));
        QVERIFY(model->pinHidden(1));
        QApplication::processEvents();
        const QString twenty = u"n_heads=24, n_kv_groups=4, n_layers=20 (bf16, batch 1)"_s;
        QVERIFY(!window->contextChartView()->seriesNames().contains(u"pinned: "_s + twenty));
        QCOMPARE(model->pinnedCurves().size(), 2u);
        QCOMPARE(seriesColor(window->contextChartView()->chart(), u"pinned: n_heads=24, n_kv_groups=4, n_layers=30 (bf16, batch 1)"_s),
                 QColor::fromRgb(figure::pinColor(2)));
        // Move the third up with the button: the order is the legend's too.
        details->compareView()->setCurrentIndex(table->index(3, CompareTableModel::Name));
        auto *up = details->findChild<QPushButton *>(u"pinUp"_s);
        QVERIFY(up && up->isEnabled());
        up->click();
        QCOMPARE(model->pinNames(), (QStringList{u"ten layers"_s, u"n_heads=24, n_kv_groups=4, n_layers=30 (bf16, batch 1)"_s, twenty}));
        // Each of these is one undo step.
        window->history()->record();
        window->undoAction()->trigger();
        QCOMPARE(model->pinNames().at(2), u"n_heads=24, n_kv_groups=4, n_layers=30 (bf16, batch 1)"_s);
        // Saved and loaded back: names, order, hidden and colours.
        window->redoAction()->trigger();
        QVERIFY(!window->saveSettings());
        ConfigModel reloaded;
        reloaded.loadSettings(QSettings());
        QCOMPARE(reloaded.pinNames(), model->pinNames());
        QVERIFY(reloaded.pinHidden(2));
        QCOMPARE(reloaded.pinnedCurves().front().key, u"pin1"_s);
        QCOMPARE(reloaded.pinnedCurves().back().key, u"pin3"_s);
    }

    void theCompareTableSetsTheModelsSideBySide() {
        auto window = showWindow();
        QVERIFY(window);
        ConfigModel *model = window->model();
        QVERIFY(window->loadPreset(u"Llama 3.1 8B"_s));
        QVERIFY(window->pinCurrentCurve());
        QVERIFY(window->loadPreset(u"Qwen3 8B"_s));
        model->setGpu(u"h100-80gb"_s);
        model->setBudgetEnabled(true);
        menuAction(window.get(), u"Compare pinned curves"_s)->trigger();
        CompareTableModel *table = window->modelDetails()->compareModel();
        QTRY_COMPARE(table->rowCount(), 2);
        auto cell = [table](int row, int column) { return table->index(row, column).data().toString(); };
        QTRY_COMPARE(cell(0, CompareTableModel::Name), u"Qwen3 8B"_s);
        QCOMPARE(cell(1, CompareTableModel::Name), u"Llama 3.1 8B (bf16, batch 1)"_s);
        // Per token: 2 (K and V) × layers × K/V heads × head_dim × 2 bytes.
        // Qwen3 8B: 2 × 36 × 8 × 128 × 2 = 147,456; Llama 3.1 8B: 2 × 32 × 8 × 128 × 2 = 131,072.
        const kvscope::ByteUnit unit = model->byteUnit();
        QCOMPARE(cell(0, CompareTableModel::PerToken), QString::fromStdString(kvscope::formatBytes(147'456, unit)));
        QCOMPARE(cell(1, CompareTableModel::PerToken), QString::fromStdString(kvscope::formatBytes(131'072, unit)));
        QCOMPARE(cell(1, CompareTableModel::AtContext), QString::fromStdString(kvscope::formatBytes(131'072ull * 8192, unit)));
        // At its own limit, 131,072 tokens for Llama 3.1 8B.
        QCOMPARE(cell(1, CompareTableModel::AtLimit), QString::fromStdString(kvscope::formatBytes(131'072ull * 131'072, unit)));
        // On the H100 each row has its own plan: the pin kept its parameter count.
        QVERIFY(cell(0, CompareTableModel::MaxContext) != u"—"_s);
        QVERIFY2(cell(1, CompareTableModel::MaxBatch) != u"—"_s, qPrintable(table->index(1, CompareTableModel::MaxBatch).data(Qt::ToolTipRole).toString()));
        // The report has the same table on a page of its own.
        QTemporaryDir dir;
        const QString report = dir.filePath(u"report.pdf"_s);
        QVERIFY(window->exportReportTo(report));
        QProcess pdftotext;
        pdftotext.start(u"pdftotext"_s, {report, u"-"_s});
        QVERIFY(pdftotext.waitForFinished());
        const QString text = QString::fromUtf8(pdftotext.readAllStandardOutput()).simplified();
        QVERIFY(text.contains(u"Comparison"_s));
        QVERIFY(text.contains(u"Llama 3.1 8B (bf16, batch 1)"_s));
        QVERIFY(text.contains(u"147,456"_s));
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
        QVERIFY2(!message.contains(u"n_layers"_s), qPrintable(message));  // the model's own shape is no news
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
