#include <QAbstractButton>
#include <QAction>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLineEdit>
#include <QAbstractItemModelTester>
#include <QMimeData>
#include <QLabel>
#include <QLayout>
#include <QMenuBar>
#include <QRadioButton>
#include <QScreen>
#include <QSettings>
#include <QSlider>
#include <QSpinBox>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QtTest>
#include <algorithm>
#include <csignal>
#include <optional>
#include <sys/resource.h>

#include "ConfigImporter.h"
#include "ConfigModel.h"
#include "FigureExportDialog.h"
#include <QProcess>
#include <QXmlStreamReader>
#include "kvscope/format.h"
#include "kvscope/units.h"
#include "ContextChartView.h"
#include "ContextLengthSpinBox.h"
#include "ControlPanel.h"
#include "GroupSelector.h"
#include "GroupsChartView.h"
#include "LogContextSlider.h"
#include "MainWindow.h"
#include "RecordingWindow.h"
#include "ContextChart.h"
#include "LayerBreakdownModel.h"
#include "ModelDetailsPanel.h"
#include "ModelPickerDialog.h"
#include "ProvenanceModel.h"
#include "PresetLibrary.h"
#include "SettingsFormat.h"
#include "SliderSpinBox.h"
#include "SummaryPanel.h"

using namespace Qt::StringLiterals;

class TestMainWindow : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_settingsDir;
    QTemporaryDir m_exportDir;

    // A window as the app shows it, with no minimum size: the offscreen
    // platform warns (fatally here) whenever a window's minimum changes.
    // At the size it opens at on a laptop screen (the offscreen screen is
    // smaller, and the window never opens larger than its screen), or at the
    // size its saved geometry gives.
    enum class Size { Laptop, Saved };
    static std::unique_ptr<RecordingWindow> showWindow(Size size = Size::Laptop) {
        return RecordingWindow::shown(size == Size::Laptop ? std::optional(QSize(1280, 800)) : std::nullopt);
    }

    static QString summaryValue(MainWindow *window, const char *name) {
        const auto *label = window->summaryPanel()->findChild<QLabel *>(QString::fromLatin1(name));
        return label ? label->text() : QString();
    }

    static QByteArray fileBytes(const QString &path) {
        QFile file(path);
        return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
    }

    static void writeFile(const QString &path, const QByteArray &bytes) {
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
        QCOMPARE(file.write(bytes), bytes.size());
    }

    static void removeBackups(const QString &file) {
        const QDir dir = QFileInfo(file).dir();
        for (const QString &name : dir.entryList({QFileInfo(file).fileName() + u".damaged*"_s})) {
            QVERIFY(QFile::remove(dir.filePath(name)));
        }
    }

    // The book-shape pins a window shows for these layer counts.
    static QStringList pinNames(const QList<int> &layers) {
        QStringList names;
        for (int n : layers) names << u"n_heads=24, n_kv_groups=4, n_layers=%1 (bf16, batch 1)"_s.arg(n);
        return names;
    }

    // The pins' names as the settings file holds them, read as JSON.
    static QStringList pinsOnDisk(const QString &file) {
        const QJsonObject json = QJsonDocument::fromJson(fileBytes(file)).object();
        QStringList names;
        for (int i = 1; i <= json.value(u"config/pins/size"_s).toInt(); ++i)
            names << json.value(u"config/pins/%1/name"_s.arg(i)).toString();
        return names;
    }

    // Three book-shape pins (10, 20 and 30 layers), saved by a window.
    void saveThreePins() {
        QSettings().clear();
        auto window = showWindow();
        QVERIFY(window);
        for (int layers : {10, 20, 30}) {
            window->model()->setNLayers(layers);
            QVERIFY(window->pinCurrentCurve());
        }
        window->close();
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_settingsDir.isValid());
        useTestSettings(m_settingsDir.path(), u"kvscope-test"_s);  // as app/main.cpp does
    }

    void init() { QSettings().clear(); }

    void startsOnTheSeedWithBothChartsAndTheNumbers() {
        auto window = showWindow();
        QVERIFY(window);
        QCOMPARE(window->size(), QSize(1280, 800));
        // Never larger than the screen it opens on.
        const RecordingWindow fresh;
        QCOMPARE(fresh.size(), QSize(1280, 800).boundedTo(fresh.screen()->availableGeometry().size()));
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
            // Qt's own dock title buttons are drawn smaller than they hint, by design.
            if (!w->isVisible() || w->inherits("QMessageBox") || w->inherits("QDockWidgetTitleButton")) continue;
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

    void copyChartPutsAnImageAndSvgOnTheClipboard() {
        auto window = showWindow();
        QVERIFY(window);
        for (const auto &[action, title] :
             {std::pair{window->copyContextChartAction(), u"KV-cache vs Context Length"_s},
              std::pair{window->copyGroupsChartAction(), u"KV-cache Savings vs n_kv_groups"_s}}) {
            QApplication::clipboard()->clear();
            QVERIFY(action);
            action->trigger();
            const QMimeData *mime = QApplication::clipboard()->mimeData();
            QVERIFY(mime);
            QVERIFY(mime->hasImage());
            const QImage image = qvariant_cast<QImage>(mime->imageData());
            QCOMPARE(image.size(), QSize(1120, 800));  // 560 x 400 pt at 144 dpi
            QVERIFY(mime->formats().contains(u"image/svg+xml"_s));
            QXmlStreamReader svg(mime->data(u"image/svg+xml"_s));
            QString svgTitle;
            while (!svg.atEnd()) {
                if (svg.readNext() == QXmlStreamReader::StartElement && svg.name() == u"title")
                    svgTitle = svg.readElementText();
            }
            QVERIFY2(!svg.hasError(), qPrintable(svg.errorString()));
            QVERIFY2(svgTitle.startsWith(title), qPrintable(svgTitle));
        }
        // Each chart's context menu copies and exports it.
        for (QWidget *view : {static_cast<QWidget *>(window->contextChartView()),
                              static_cast<QWidget *>(window->groupsChartView())}) {
            QCOMPARE(view->contextMenuPolicy(), Qt::ActionsContextMenu);
            QStringList texts;
            for (const QAction *a : view->actions()) texts << a->text();
            QCOMPARE(texts, (QStringList{u"Copy chart"_s, u"Export chart…"_s}));
        }
        QApplication::clipboard()->clear();
        window->groupsChartView()->actions().constFirst()->trigger();
        QVERIFY(QApplication::clipboard()->mimeData()->formats().contains(u"image/svg+xml"_s));
    }

    void exportAsksForFigureOptionsAndRemembersThem() {
        auto window = showWindow();
        QVERIFY(window);
        ExportOptions chosen;
        chosen.size = figure::FigureSize::preset(u"single").value();
        chosen.style.theme = figure::Theme::Print;
        chosen.style.title = false;
        window->figureOptions = chosen;
        window->savePath = m_exportDir.filePath(u"single.pdf"_s);
        window->exportChart(ChartKind::Context);
        QCOMPARE(window->askedFormats, QList<ExportFormat>{ExportFormat::Pdf});
        QProcess info;
        info.start(u"pdfinfo"_s, {window->savePath});
        QVERIFY(info.waitForFinished(30000));
        const QString pageInfo = QString::fromUtf8(info.readAllStandardOutput());
        QVERIFY2(pageInfo.contains(QRegularExpression(u"Page size:\\s+252 x 189 pts"_s)), qPrintable(pageInfo));
        // Remembered: the next dialog, a copied chart and the report's charts start from them.
        const ExportOptions saved = FigureExportDialog::savedOptions();
        QCOMPARE(saved.size, chosen.size);
        QCOMPARE(saved.style, chosen.style);
        QVERIFY(window->copyChart(ChartKind::Context));
        QCOMPARE(qvariant_cast<QImage>(QApplication::clipboard()->mimeData()->imageData()).size(), QSize(504, 378));
        QVERIFY(window->exportReportTo(m_exportDir.filePath(u"report-no-title.pdf"_s)));
        QProcess text;
        text.start(u"pdftotext"_s, {m_exportDir.filePath(u"report-no-title.pdf"_s), u"-"_s});
        QVERIFY(text.waitForFinished(30000));
        const QByteArray reportText = text.readAllStandardOutput();
        QVERIFY(reportText.contains("KV cache report: book shape") && !reportText.contains("KV-cache vs Context Length"));
        // CSV needs no figure options; a cancelled dialog writes nothing.
        window->savePath = m_exportDir.filePath(u"data.csv"_s);
        window->exportChart(ChartKind::Groups);
        QCOMPARE(window->askedFormats.size(), 1);
        QVERIFY(QFile::exists(window->savePath));
        window->figureOptions.reset();
        window->savePath = m_exportDir.filePath(u"cancelled.png"_s);
        window->exportChart(ChartKind::Groups);
        QCOMPARE(window->askedFormats.constLast(), ExportFormat::Png);
        QVERIFY(!QFile::exists(window->savePath));
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
        auto window = showWindow(Size::Saved);
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

    void pinsComeBackAfterARestart() {
        {
            auto window = showWindow();
            QVERIFY(window);
            QVERIFY(window->openConfigFile(QStringLiteral(KVSCOPE_TEST_DATA_DIR "/configs/gemma-3-27b.json")));
            QVERIFY(window->pinCurrentCurve());
            window->model()->clearModel();
            window->close();  // saves
        }
        // The file names each layer run's kind, readable by a person.
        QCOMPARE(QSettings().value(u"config/pins/1/layers/1/kind"_s).toString(), u"sliding"_s);
        auto window = showWindow();
        QVERIFY(window);
        QCOMPARE(window->model()->pinNames(), QStringList{u"gemma-3-27b (bf16, batch 1)"_s});
        QCOMPARE(window->unpinMenu()->actions().size(), 1);
        ContextChart *chart = window->contextChartView()->contextChart();
        QTRY_VERIFY(chart->seriesNames().contains(u"pinned: gemma-3-27b (bf16, batch 1)"_s));
        window->model()->setContextLength(131072);
        const auto &pins = window->model()->pinnedCurves();
        QCOMPARE(pins.size(), 1u);
        const auto at = std::find_if(pins.front().points.begin(), pins.front().points.end(),
                                     [](const auto &p) { return p.context_length == 131072; });
        QVERIFY(at != pins.front().points.end());
        QCOMPARE(at->bytes, 11'173'625'856u);
    }

    void settingsAreSavedOnChangeToo() {
        auto window = showWindow();
        QVERIFY(window);
        window->controlPanel()->layersControl()->spinBox()->setValue(7);
        QTRY_COMPARE(QSettings().value(u"config/n_layers"_s).toInt(), 7);
    }

    // The disk fills up while the window saves (every file stops at half
    // the settings' size, SIGXFSZ ignored): the previous settings keep every
    // byte and the status bar says which file and why.
    void aFailedSettingsSaveKeepsThePreviousFileAndSaysWhy() {
        auto window = showWindow();
        QVERIFY(window);
        QCOMPARE(window->saveSettings(), std::nullopt);
        const QString file = QSettings().fileName();
        QVERIFY(file.endsWith(u"/kvscope-test.json"_s));
        const auto bytes = [&file] {
            QFile f(file);
            return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
        };
        const QByteArray before = bytes();
        QVERIFY(before.size() > 1024);
        window->controlPanel()->layersControl()->spinBox()->setValue(7);
        std::optional<QString> error;
        {
            const auto oldHandler = std::signal(SIGXFSZ, SIG_IGN);
            rlimit old{};
            ::getrlimit(RLIMIT_FSIZE, &old);
            const rlimit limit{static_cast<rlim_t>(before.size() / 2), old.rlim_max};
            ::setrlimit(RLIMIT_FSIZE, &limit);
            error = window->saveSettings();
            ::setrlimit(RLIMIT_FSIZE, &old);
            std::signal(SIGXFSZ, oldHandler);
        }
        const QString message = u"Settings not saved: %1: File too large"_s.arg(QDir::toNativeSeparators(file));
        QCOMPARE(error, message);
        QCOMPARE(window->statusBar()->currentMessage(), message);
        QCOMPARE(bytes(), before);
        QCOMPARE(SettingsFormat::parse(bytes())->value(u"config/n_layers"_s), QVariant(48));
        // Once there is room again, the next save writes the change.
        QCOMPARE(window->saveSettings(), std::nullopt);
        QCOMPARE(SettingsFormat::parse(bytes())->value(u"config/n_layers"_s), QVariant(7));
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

    // Real configs through every way into the window. Expected bytes from
    // tests/import/tst_configimporter.cpp's derivations:
    //   Llama 3.1 8B   32 full layers, 8 K/V heads of 128: 131,072 B/token
    //   Gemma 3 27B    (52 * 1024 + 10 * 131072) * 8192 at 131,072 tokens
    //   DeepSeek-V3    61 MLA layers of 512 + 64: 70,272 B/token
    //   gpt-oss-120b   18 * 2048 * (128 + 131072): only the 18 full layers grow
    void loadsRealModels_data() {
        QTest::addColumn<QString>("file");
        QTest::addColumn<qint64>("context");
        QTest::addColumn<quint64>("total");
        QTest::addColumn<quint64>("perToken");
        QTest::addColumn<QString>("route");
        const struct {
            const char *file;
            qint64 context;
            quint64 total;
            quint64 perToken;
        } models[] = {
            {"llama-3.1-8b.json", 131072, 17'179'869'184u, 131'072u},
            {"gemma-3-27b.json", 131072, 11'173'625'856u, 81'920u},
            {"deepseek-v3.json", 163840, 11'513'364'480u, 70'272u},
            {"gpt-oss-120b.json", 131072, 4'836'556'800u, 36'864u},
        };
        for (const auto &m : models) {
            for (const char *route : {"open", "drop", "model"}) {
                QTest::addRow("%s via %s", m.file, route)
                    << QString::fromLatin1(m.file) << m.context << m.total << m.perToken << QString::fromLatin1(route);
            }
        }
    }

    void loadsRealModels() {
        QFETCH(QString, file);
        QFETCH(qint64, context);
        QFETCH(quint64, total);
        QFETCH(quint64, perToken);
        QFETCH(QString, route);
        auto window = showWindow();
        QVERIFY(window);
        const QString path = QStringLiteral(KVSCOPE_TEST_DATA_DIR "/configs/") + file;
        if (route == u"open"_s) {
            QVERIFY(window->openConfigFile(path));
        } else if (route == u"drop"_s) {
            QMimeData mime;
            mime.setUrls({QUrl::fromLocalFile(path)});
            QDragEnterEvent enter(QPoint(20, 20), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
            QCoreApplication::sendEvent(window.get(), &enter);
            QVERIFY(enter.isAccepted());
            QDropEvent drop(QPointF(20, 20), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
            QCoreApplication::sendEvent(window.get(), &drop);
        } else {
            const auto imported = ConfigImporter::fromFile(path);
            QVERIFY(imported);
            window->model()->loadModel(*imported, u"by hand"_s);
        }
        ConfigModel *model = window->model();
        QVERIFY(model->hasModel());
        model->setContextLength(context);
        QCOMPARE(model->dtype(), u"bf16"_s);
        const auto &estimate = model->modelEstimate();
        QVERIFY(estimate);
        QCOMPARE(estimate->bytes.total, total);
        QCOMPARE(estimate->bytes_per_token, perToken);
        QCOMPARE(model->layoutBytes()->total, total);
        const QString name = route == u"model"_s ? u"by hand"_s : QFileInfo(file).completeBaseName();
        QCOMPARE(window->windowTitle(), name + u" — KV Scope"_s);
        // The summary shows exactly the core's numbers.
        auto *totalLabel = window->summaryPanel()->findChild<QLabel *>(u"modelTotalValue"_s);
        QVERIFY(totalLabel);
        QTRY_COMPARE(totalLabel->toolTip(),
                     u"%1 bytes"_s.arg(QString::fromStdString(kvscope::formatThousands(total))));
        QVERIFY(totalLabel->isVisible());
        QCOMPARE(totalLabel->text(), QString::fromStdString(kvscope::formatBytes(total, kvscope::ByteUnit::Decimal)));
        QVERIFY(window->summaryPanel()->displayedText().contains(u"Model: "_s + name));
        QVERIFY(window->summaryPanel()->displayedText().contains(u"Book MHA (shape only): "_s));
        // The real curve passes through the same total at this context.
        const auto &curves = model->modelCurves();
        QVERIFY(!curves.empty());
        QCOMPARE(curves.front().key, u"model"_s);
        bool found = false;
        for (const auto &p : curves.front().points) {
            if (p.context_length == static_cast<std::uint64_t>(context)) {
                QCOMPARE(p.bytes, total);
                found = true;
            }
        }
        // The chart samples powers of two (and the current context when it is one).
        QCOMPARE(found, (context & (context - 1)) == 0);
    }

    void variantCurvesHaveExactValues() {
        auto window = showWindow();
        QVERIFY(window);
        QVERIFY(window->openConfigFile(QStringLiteral(KVSCOPE_TEST_DATA_DIR "/configs/gemma-3-27b.json")));
        window->model()->setContextLength(131072);
        auto at = [&](const QString &key) -> quint64 {
            for (const auto &c : window->model()->modelCurves()) {
                if (c.key != key) continue;
                for (const auto &p : c.points)
                    if (p.context_length == 131072) return p.bytes;
            }
            return 0;
        };
        QCOMPARE(at(u"model"_s), 11'173'625'856u);
        QCOMPARE(at(u"no_sliding_window"_s), 66'571'993'088u);  // 62 * 131072 * 8192
        QVERIFY(at(u"mha"_s) > at(u"model"_s));
        QVERIFY(at(u"mla"_s) > 0);
        QVERIFY(window->openConfigFile(QStringLiteral(KVSCOPE_TEST_DATA_DIR "/configs/deepseek-v3.json")));
        QCOMPARE(at(u"mha"_s), 654'982'512'640u);  // 131072 * 4,997,120 (128 heads of 192 + 128)
        QCOMPARE(at(u"no_sliding_window"_s), 0u);   // no sliding layers: no such variant
    }

    void badFileKeepsTheModelAndNamesTheKey() {
        auto window = showWindow();
        QVERIFY(window);
        QVERIFY(window->openConfigFile(QStringLiteral(KVSCOPE_TEST_DATA_DIR "/configs/gemma-3-27b.json")));
        QTemporaryDir dir;
        const QString bad = dir.filePath(u"broken.json"_s);
        QFile file(bad);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(R"({"hidden_size": 4096, "num_attention_heads": 32})");
        file.close();
        QVERIFY(!window->openConfigFile(bad));
        QCOMPARE(window->messages.size(), 1);
        QVERIFY2(window->messages.front().text.contains(u"broken.json"_s), qPrintable(window->messages.front().text));
        QVERIFY2(window->messages.front().text.contains(u"num_hidden_layers"_s),
                 qPrintable(window->messages.front().text));
        QCOMPARE(window->model()->modelName(), u"gemma-3-27b"_s);
        QCOMPARE(window->model()->nLayers(), 62);
        // A file that is not JSON at all.
        QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
        file.write("{\"hidden_size\": 40");
        file.close();
        QVERIFY(!window->openConfigFile(bad));
        QCOMPARE(window->messages.size(), 2);
        QCOMPARE(window->model()->modelName(), u"gemma-3-27b"_s);
    }

    void shapeEditMakesABookShapeWhatIf() {
        auto window = showWindow();
        QVERIFY(window);
        QVERIFY(window->loadPreset(u"Llama 3.1 8B"_s));
        QCOMPARE(window->model()->nLayers(), 32);
        QCOMPARE(window->model()->nHeads(), 32);
        window->model()->setContextLength(4096);  // the workload keeps the model
        QVERIFY(window->model()->hasModel());
        QSpinBox *layers = window->controlPanel()->layersControl()->findChild<QSpinBox *>();
        QVERIFY(layers);
        layers->setValue(40);
        QVERIFY(!window->model()->hasModel());
        QCOMPARE(window->model()->nLayers(), 40);
        QTRY_COMPARE(window->windowTitle(), u"Llama 3.1 8B what-if: n_layers 40 — KV Scope"_s);
        QVERIFY(window->statusBar()->currentMessage().contains(u"Llama 3.1 8B"_s));
    }

    void settingsRestoreTheLoadedModel() {
        {
            auto window = showWindow();
            QVERIFY(window);
            QVERIFY(window->loadPreset(u"Gemma 3 27B"_s));
            window->model()->setContextLength(32768);
            window->close();
        }
        {
            auto window = showWindow();
            QVERIFY(window);
            QCOMPARE(window->model()->modelName(), u"Gemma 3 27B"_s);
            QCOMPARE(window->model()->contextLength(), 32768);
            QCOMPARE(window->model()->modelEstimate()->bytes.total, 3'120'562'176u);  // (52*1024 + 10*32768) * 8192
            QCOMPARE(window->windowTitle(), u"Gemma 3 27B — KV Scope"_s);
        }
        // A file that is gone falls back, silently, to the shape saved beside it.
        QTemporaryDir dir;
        const QString copy = dir.filePath(u"config.json"_s);
        QVERIFY(QFile::copy(QStringLiteral(KVSCOPE_TEST_DATA_DIR "/configs/llama-3.1-8b.json"), copy));
        {
            auto window = showWindow();
            QVERIFY(window->openConfigFile(copy));
            QCOMPARE(window->model()->modelName(), QFileInfo(dir.path()).fileName());
            window->close();
        }
        {
            auto window = showWindow();
            QVERIFY(window->model()->hasModel());
            window->close();
        }
        QVERIFY(QFile::remove(copy));
        auto window = showWindow();
        QVERIFY(!window->model()->hasModel());
        QCOMPARE(window->model()->nLayers(), 32);
        QVERIFY(window->messages.isEmpty());
    }

    void pickerFiltersAndLoadsByKeyboard() {
        auto window = showWindow();
        QVERIFY(window);
        ModelPickerDialog *picker = window->modelPicker();
        // No minimum size, as for the window: the offscreen platform warns.
        picker->layout()->setSizeConstraint(QLayout::SetNoConstraint);
        window->chooseModelAction()->trigger();
        QTRY_VERIFY(picker->isVisible());
        QCOMPARE(picker->shownNames().size(), PresetLibrary::builtin()->presets().size());
        QTest::keyClicks(picker->filterEdit(), u"deepseek"_s);
        QCOMPARE(picker->shownNames(), (QStringList{u"DeepSeek-V2-Lite"_s, u"DeepSeek-V2"_s, u"DeepSeek-V3"_s}));
        QTest::keyClick(picker->filterEdit(), Qt::Key_Down);
        QTest::keyClick(picker->filterEdit(), Qt::Key_Down);
        QTest::keyClick(picker->filterEdit(), Qt::Key_Return);
        QTRY_COMPARE(window->model()->modelName(), u"DeepSeek-V3"_s);
        QVERIFY(!picker->isVisible());
        QCOMPARE(window->model()->nLayers(), 61);
    }

    void breakdownAndProvenanceOfALoadedModel() {
        auto window = showWindow();
        QVERIFY(window);
        LayerBreakdownModel *breakdown = window->modelDetails()->breakdownModel();
        QAbstractItemModelTester tester(breakdown, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester provenanceTester(window->modelDetails()->provenanceModel(),
                                                  QAbstractItemModelTester::FailureReportingMode::QtTest);
        // The book's shape: one row of full layers.
        QCOMPARE(breakdown->rowCount(), 1);
        QVERIFY(window->openConfigFile(QStringLiteral(KVSCOPE_TEST_DATA_DIR "/configs/gemma-3-27b.json")));
        window->model()->setContextLength(131072);
        QTRY_COMPARE(breakdown->rowCount(), 2);
        auto cell = [breakdown](int row, int column) {
            return breakdown->index(row, column).data(LayerBreakdownModel::BytesRole);
        };
        QCOMPARE(cell(0, LayerBreakdownModel::KindColumn).toString(), u"full"_s);
        QCOMPARE(cell(0, LayerBreakdownModel::LayersColumn).toULongLong(), 10u);
        QCOMPARE(cell(0, LayerBreakdownModel::TotalColumn).toULongLong(), quint64{10} * 131072 * 8192);
        QCOMPARE(cell(1, LayerBreakdownModel::KindColumn).toString(), u"sliding"_s);
        QCOMPARE(cell(1, LayerBreakdownModel::LayersColumn).toULongLong(), 52u);
        QCOMPARE(cell(1, LayerBreakdownModel::PerLayerColumn).toULongLong(), 1024u * 8192);
        QVERIFY(window->modelDetails()->provenanceModel()->rowCount() > 5);
        QVERIFY(window->openConfigFile(QStringLiteral(KVSCOPE_TEST_DATA_DIR "/configs/deepseek-v3.json")));
        QTRY_COMPARE(cell(0, LayerBreakdownModel::KindColumn).toString(), u"mla"_s);
        QCOMPARE(cell(0, LayerBreakdownModel::LayersColumn).toULongLong(), 61u);
        QCOMPARE(breakdown->rowCount(), 1);
    }

    void chartComparesTheModelWithItsVariants() {
        auto window = showWindow();
        QVERIFY(window);
        QVERIFY(window->openConfigFile(QStringLiteral(KVSCOPE_TEST_DATA_DIR "/configs/gemma-3-27b.json")));
        window->model()->setContextLength(131072);
        ContextChart *chart = window->contextChartView()->contextChart();
        QTRY_COMPARE(chart->modelCurvesShown(),
                     (QStringList{u"model"_s, u"mha"_s, u"mqa"_s, u"no_sliding_window"_s, u"mla"_s}));
        const QList<QPointF> real = chart->seriesPoints(u"gemma-3-27b (real layers)"_s);
        const QList<QPointF> full = chart->seriesPoints(u"what-if: without sliding window"_s);
        QVERIFY(!real.isEmpty());
        QCOMPARE(real.size(), full.size());
        QVERIFY(full.back().y() > real.back().y());
        // Unchecking a what-if removes its curve, and the choice is the model's.
        QCheckBox *box = window->modelDetails()->variantCheckBox(u"mqa"_s);
        QVERIFY(box);
        QVERIFY(box->isChecked());
        box->click();
        QCOMPARE(window->model()->hiddenVariants(), QStringList{u"mqa"_s});
        QTRY_COMPARE(chart->modelCurvesShown(), (QStringList{u"model"_s, u"mha"_s, u"no_sliding_window"_s, u"mla"_s}));
        // Back to the book: its curves again, no model curves.
        window->model()->clearModel();
        QTRY_VERIFY(chart->modelCurvesShown().isEmpty());
    }

    void pinsUpToSixCurves() {
        auto window = showWindow();
        QVERIFY(window);
        ContextChart *chart = window->contextChartView()->contextChart();
        const char *files[] = {"llama-3.1-8b.json", "gemma-3-27b.json", "deepseek-v3.json", "gpt-oss-120b.json"};
        for (const char *file : files) {
            QVERIFY(window->openConfigFile(QStringLiteral(KVSCOPE_TEST_DATA_DIR "/configs/") + QString::fromLatin1(file)));
            QVERIFY(window->pinCurrentCurve());
        }
        window->model()->clearModel();
        QVERIFY(window->pinCurrentCurve());  // the book's shape
        QVERIFY(!window->pinCurrentCurve());  // the same again: refused, said once
        QCOMPARE(window->messages.size(), 1);
        window->messages.clear();
        window->model()->setBatchSize(2);
        QVERIFY(window->pinCurrentCurve());  // another workload: another curve
        QCOMPARE(window->model()->pinNames().size(), 6);
        QVERIFY(window->messages.isEmpty());
        QVERIFY(!window->pinCurrentCurve());
        QCOMPARE(window->messages.size(), 1);
        QVERIFY(window->messages.front().text.contains(u"6 curves"_s));
        QCOMPARE(window->model()->pinNames().size(), 6);
        QCOMPARE(window->model()->pinNames().front(), u"llama-3.1-8b (bf16, batch 1)"_s);
        QTRY_COMPARE(chart->modelCurvesShown().size(), 6);
        QVERIFY(chart->seriesNames().contains(u"pinned: gemma-3-27b (bf16, batch 1)"_s));
        // The pinned Gemma curve keeps its exact bytes whatever is loaded now.
        window->model()->setContextLength(131072);
        bool found = false;
        for (const auto &c : window->model()->pinnedCurves()) {
            if (c.name != u"gemma-3-27b (bf16, batch 1)"_s) continue;
            for (const auto &p : c.points) {
                if (p.context_length == 131072) {
                    QCOMPARE(p.bytes, 11'173'625'856u);
                    found = true;
                }
            }
        }
        QVERIFY(found);
        // Unpin one from the menu, then all.
        QCOMPARE(window->unpinMenu()->actions().size(), 6);
        window->unpinMenu()->actions().at(1)->trigger();
        QCOMPARE(window->model()->pinNames().size(), 5);
        QVERIFY(!window->model()->pinNames().contains(u"gemma-3-27b (bf16, batch 1)"_s));
        window->unpinAllAction()->trigger();
        QVERIFY(window->model()->pinNames().isEmpty());
        QTRY_VERIFY(chart->modelCurvesShown().isEmpty());
    }

    // A Falcon-180B-shaped config: 232 heads, 8 K/V heads, 80 layers, a
    // width of 14,848. Every input shows what the charts compute with.
    void aLoadedModelShowsInEveryInput() {
        auto window = showWindow();
        QVERIFY(window);
        QVERIFY(window->openConfigFile(QStringLiteral(KVSCOPE_TEST_DATA_DIR "/configs/falcon-180b.json")));
        const ConfigModel *model = window->model();
        QCOMPARE(model->nHeads(), 232);
        const ControlPanel *panel = window->controlPanel();
        QCOMPARE(panel->headsControl()->value(), 232);
        QCOMPARE(panel->headsControl()->spinBox()->text(), u"232"_s);
        QCOMPARE(panel->headsControl()->slider()->value(), 232);
        QCOMPARE(panel->groupSelector()->groups(), 29);  // 232 heads over 8 K/V heads
        QCOMPARE(panel->groupSelector()->comboBox()->currentData().toInt(), 29);
        QCOMPARE(panel->layersControl()->value(), 80);
        QCOMPARE(panel->layersControl()->slider()->value(), 80);
        QCOMPARE(panel->embDimControl()->value(), 14848);
        QVERIFY(!panel->headDimCheckBox()->isChecked());
        QCOMPARE(panel->headDimSpinBox()->value(), 64);  // 14,848 / 232
        QCOMPARE(panel->contextSpinBox()->contextLength(), model->contextLength());
        QCOMPARE(panel->batchControl()->value(), model->batchSize());
        QCOMPARE(panel->dtypeComboBox()->currentData().toString(), model->dtype());
        // What the charts use: 8 K/V heads x 64 x 2 (K and V) x 80 layers x
        // 2 bytes (bf16) = 163,840 bytes per token.
        QCOMPARE(model->dtype(), u"bf16"_s);
        QCOMPARE(model->estimate()->gqa_bytes_per_token, 163'840u);
    }

    // Settings at the core's limits come back into the window as they are.
    void settingsAtTheCoreLimitsShowInEveryInput() {
        {
            QSettings settings;
            settings.setValue(u"config/n_heads"_s, 1024);
            settings.setValue(u"config/n_kv_groups"_s, 512);
            settings.setValue(u"config/n_layers"_s, 1024);
            settings.setValue(u"config/emb_dim"_s, 1'048'576);
            settings.setValue(u"config/head_dim"_s, 65536);
            settings.setValue(u"config/context_length"_s, qlonglong{1} << 31);
            settings.setValue(u"config/batch_size"_s, 1'048'576);
            settings.setValue(u"config/dtype"_s, u"q4_0"_s);
            QCOMPARE(SettingsFormat::sync(settings), std::nullopt);
        }
        for (int run = 0; run < 2; ++run) {  // as loaded, and again after the window saved them
            auto window = showWindow();
            QVERIFY(window);
            const ControlPanel *panel = window->controlPanel();
            QCOMPARE(panel->headsControl()->value(), 1024);
            QCOMPARE(panel->groupSelector()->groups(), 512);
            QCOMPARE(panel->layersControl()->value(), 1024);
            QCOMPARE(panel->embDimControl()->value(), 1'048'576);
            QVERIFY(panel->headDimCheckBox()->isChecked());
            QCOMPARE(panel->headDimSpinBox()->value(), 65536);
            QCOMPARE(panel->contextSpinBox()->contextLength(), qint64{1} << 31);
            QCOMPARE(panel->batchControl()->value(), 1'048'576);
            QCOMPARE(panel->dtypeComboBox()->currentData().toString(), u"q4_0"_s);
            window->close();  // saves
        }
    }

    // A valid settings file with one bad pin: whatever is left out is named
    // in the status bar (and a message box), the whole file is kept aside
    // byte for byte, and the next save keeps the other pins.
    void aBadPinIsNamedAndTheFileKeptAside_data() {
        QTest::addColumn<QString>("key");        // set in the file; empty: see `raw`
        QTest::addColumn<QJsonValue>("value");   // undefined: the key is removed
        QTest::addColumn<QByteArray>("raw");     // a line added to the file as text
        QTest::addColumn<QString>("named");      // in the notice
        QTest::addColumn<QList<int>>("kept");    // the pins' n_layers that load
        const QString pin2 = u"pin 2 \"n_heads=24, n_kv_groups=4, n_layers=20 (bf16, batch 1)\" left out: "_s;
        QTest::newRow("dtype fp64") << u"config/pins/2/dtype"_s << QJsonValue(u"fp64"_s) << QByteArray()
                                    << pin2 + u"config/pins/2/dtype \"fp64\" is not one of fp32, bf16, fp16, fp8, "
                                              u"int8, int4, q8_0, q4_0"_s
                                    << QList<int>{10, 30};
        QTest::newRow("size -1") << u"config/pins/size"_s << QJsonValue(-1) << QByteArray()
                                 << u"every pin left out: config/pins/size -1 is not a count of pins"_s << QList<int>{};
        QTest::newRow("size abc") << u"config/pins/size"_s << QJsonValue(u"abc"_s) << QByteArray()
                                  << u"every pin left out: config/pins/size \"abc\" is not a count of pins"_s
                                  << QList<int>{};
        QTest::newRow("size twice") << QString() << QJsonValue() << QByteArray("\"config/pins/size\": 1,")
                                    << u"config/pins/size is given 2 times; only the last value is read"_s
                                    << QList<int>{10, 20, 30};
        QTest::newRow("missing field") << u"config/pins/2/batch_size"_s << QJsonValue(QJsonValue::Undefined)
                                       << QByteArray() << pin2 + u"config/pins/2/batch_size is missing"_s
                                       << QList<int>{10, 30};
        QTest::newRow("zero context") << u"config/pins/2/context_length"_s << QJsonValue(0) << QByteArray()
                                      << pin2 + u"config/pins/2/context_length 0 is not a whole number from 1 to "
                                                u"2,147,483,648"_s
                                      << QList<int>{10, 30};
        QTest::newRow("2^32 layers") << u"config/pins/2/layers/1/count"_s << QJsonValue(4294967296.0) << QByteArray()
                                     << pin2 + u"config/pins/2/layers/1/count 4294967296 is not a whole number from 0 "
                                               u"to 4,294,967,295"_s
                                     << QList<int>{10, 30};
    }

    void aBadPinIsNamedAndTheFileKeptAside() {
        QFETCH(QString, key);
        QFETCH(QJsonValue, value);
        QFETCH(QByteArray, raw);
        QFETCH(QString, named);
        QFETCH(QList<int>, kept);
        const QString file = QSettings().fileName();
        removeBackups(file);
        saveThreePins();
        QCOMPARE(pinsOnDisk(file), pinNames({10, 20, 30}));
        QJsonObject json = QJsonDocument::fromJson(fileBytes(file)).object();
        if (!key.isEmpty()) {
            if (value.isUndefined()) json.remove(key);
            else json.insert(key, value);
        }
        QByteArray damaged = QJsonDocument(json).toJson();
        if (!raw.isEmpty()) damaged.insert(damaged.indexOf('{') + 1, "\n    " + raw);
        writeFile(file, damaged);

        const QString backup = file + u".damaged"_s;
        {
            auto window = showWindow();
            QVERIFY(window);
            const QString notice = u"Settings file %1: %2; the file as it was is kept as %3"_s.arg(
                QDir::toNativeSeparators(file), named, QDir::toNativeSeparators(backup));
            QCOMPARE(window->settingsNotice(), std::optional<QString>(notice));
            QCOMPARE(window->statusBar()->currentMessage(), notice);
            QTRY_COMPARE(window->messages.size(), 1);
            QCOMPARE(window->messages.front().informativeText, notice);
            QCOMPARE(fileBytes(backup), damaged);
            QCOMPARE(window->model()->pinNames(), pinNames(kept));
            window->close();  // saves
            QCOMPARE(window->statusBar()->currentMessage(), notice);  // not named a second time
        }
        QCOMPARE(pinsOnDisk(file), pinNames(kept));
        QCOMPARE(fileBytes(backup), damaged);
        QCOMPARE(QDir(QFileInfo(file).path()).entryList({QFileInfo(file).fileName() + u".damaged*"_s}),
                 QStringList{QFileInfo(backup).fileName()});
        removeBackups(file);
    }

    // A second damaged file is kept beside the first backup, never over it.
    void backupsAreNumberedNeverReplaced() {
        const QString file = QSettings().fileName();
        removeBackups(file);
        QList<QByteArray> damaged;
        for (const QString &dtype : {u"fp64"_s, u"fp128"_s, u"int2"_s}) {
            saveThreePins();
            QJsonObject json = QJsonDocument::fromJson(fileBytes(file)).object();
            json.insert(u"config/pins/1/dtype"_s, dtype);
            damaged.append(QJsonDocument(json).toJson());
            writeFile(file, damaged.back());
            auto window = showWindow();
            QVERIFY(window);
            QTRY_COMPARE(window->messages.size(), 1);
            window->close();
        }
        QCOMPARE(fileBytes(file + u".damaged"_s), damaged.at(0));
        QCOMPARE(fileBytes(file + u".damaged.1"_s), damaged.at(1));
        QCOMPARE(fileBytes(file + u".damaged.2"_s), damaged.at(2));
        removeBackups(file);
    }

    // Two windows at once: each one's pin is still there after both quit,
    // whichever quits last; an unpin in one is not undone by the other.
    void twoWindowsAtOnceKeepEachOthersPins() {
        auto a = showWindow();
        auto b = showWindow();
        QVERIFY(a && b);
        a->model()->setNLayers(10);
        QVERIFY(a->pinCurrentCurve());
        b->model()->setNLayers(20);
        QVERIFY(b->pinCurrentCurve());
        a->close();
        b->close();
        QCOMPARE(pinsOnDisk(QSettings().fileName()), pinNames({10, 20}));
        b.reset();
        a.reset();
        auto c = showWindow();
        auto d = showWindow();
        QVERIFY(c && d);
        QCOMPARE(c->model()->pinNames(), pinNames({10, 20}));
        c->model()->unpin(0);
        c->close();
        d->close();  // still shows the pin c took away: it stays away
        QCOMPARE(pinsOnDisk(QSettings().fileName()), pinNames({20}));
        QVERIFY(c->messages.isEmpty() && d->messages.isEmpty());
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
        QVERIFY(window->messages.first().text.contains(u"MIT License"_s));
        QVERIFY(window->messages.first().text.contains(u"guide.md"_s));
    }
};

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
