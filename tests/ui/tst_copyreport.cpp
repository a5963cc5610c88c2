#include <QAction>
#include <QClipboard>
#include <QLayout>
#include <QMenuBar>
#include <QProcess>
#include <QPushButton>
#include <QSettings>
#include <QTemporaryDir>
#include <QtTest>

#include "ConfigModel.h"
#include "RecordingWindow.h"
#include "SettingsFormat.h"
#include "SummaryPanel.h"

using namespace Qt::StringLiterals;

// Copy as text holds exactly what the built kvscope-cli prints for the
// same configuration: the window's configuration is set, its copy action
// triggered, and the clipboard compared byte for byte with the CLI's output.
class TestCopyReport : public QObject {
    Q_OBJECT

    QTemporaryDir m_settingsDir;

    static std::unique_ptr<RecordingWindow> showWindow() {
        auto window = std::make_unique<RecordingWindow>();
        window->layout()->setSizeConstraint(QLayout::SetNoConstraint);
        window->resize(1280, 800);
        window->show();
        if (!QTest::qWaitForWindowExposed(window.get())) return nullptr;
        return window;
    }

    // Edit > Copy report as text, as the user triggers it.
    static QByteArray copiedReport(MainWindow *window) {
        QGuiApplication::clipboard()->clear();
        QAction *copy = menuAction(window, u"Copy report as text"_s);
        if (!copy) return {};
        copy->trigger();
        return QGuiApplication::clipboard()->text().toUtf8();
    }

    static QByteArray cliReport(const QStringList &arguments) {
        QProcess process;
        process.start(QStringLiteral(KVSCOPE_CLI_PATH), arguments);
        if (!process.waitForFinished(60000) || process.exitStatus() != QProcess::NormalExit ||
            process.exitCode() != 0) {
            qWarning("kvscope-cli %s failed: %s", qPrintable(arguments.join(u' ')),
                     process.readAllStandardError().constData());
            return {};
        }
        return process.readAllStandardOutput();
    }

    // The workload's flags, as the window holds it.
    static QStringList workloadFlags(const ConfigModel &model) {
        return {u"--context_length"_s, QString::number(model.contextLength()), u"--batch_size"_s,
                QString::number(model.batchSize())};
    }

    static QStringList shapeFlags(const ConfigModel &model) {
        return workloadFlags(model) + QStringList{u"--emb_dim"_s,     QString::number(model.embDim()),
                                                  u"--n_heads"_s,     QString::number(model.nHeads()),
                                                  u"--n_layers"_s,    QString::number(model.nLayers()),
                                                  u"--n_kv_groups"_s, QString::number(model.nKvGroups()),
                                                  u"--dtype"_s,       model.dtype()};
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_settingsDir.isValid());
        useTestSettings(m_settingsDir.path(), u"kvscope-copy-test"_s);  // as app/main.cpp does
    }

    void theSeedIsTheBooksReport() {
        auto window = showWindow();
        QVERIFY(window);
        const ConfigModel &model = *window->model();
        const QByteArray copied = copiedReport(window.get());
        const QByteArray printed = cliReport(shapeFlags(model));
        QVERIFY(!printed.isEmpty());
        QCOMPARE(copied, printed);
        QVERIFY(copied.startsWith("==== Config ====\n"));
        // The summary's button copies the same text.
        QGuiApplication::clipboard()->clear();
        auto *button = window->summaryPanel()->findChild<QPushButton *>(u"copyReport"_s);
        QVERIFY(button);
        button->click();
        QCOMPARE(QGuiApplication::clipboard()->text().toUtf8(), printed);
    }

    void theSeedOnAnH100HasTheClisDeploymentSection() {
        auto window = showWindow();
        QVERIFY(window);
        ConfigModel &model = *window->model();
        model.setBudgetEnabled(true);
        model.setGpu(u"h100-80gb"_s);
        QVERIFY(model.hasPlan());
        const QByteArray copied = copiedReport(window.get());
        const QByteArray printed = cliReport(shapeFlags(model) + QStringList{u"--gpu"_s, u"h100-80gb"_s});
        QVERIFY(!printed.isEmpty());
        QCOMPARE(copied, printed);
        QVERIFY(copied.contains("\n==== Deployment ====\n"));
        QVERIFY(copied.contains("GPU                 : NVIDIA H100 80GB (h100-80gb), 80.00 GiB\n"));
        // The window's GiB switch is the CLI's --binary-units.
        model.setBinaryUnits(true);
        const QByteArray binary = copiedReport(window.get());
        QCOMPARE(binary, cliReport(shapeFlags(model) + QStringList{u"--gpu"_s, u"h100-80gb"_s, u"--binary-units"_s}));
        QVERIFY(binary != copied);
    }

    void aPresetOnTwoH100sIsTheClisModelReport() {
        auto window = showWindow();
        QVERIFY(window);
        ConfigModel &model = *window->model();
        QVERIFY(window->loadPreset(u"Llama 3.1 70B"_s));
        model.setDtype(u"fp8"_s);
        model.setBudgetEnabled(true);
        model.setGpu(u"h100-80gb"_s);
        model.setGpuCount(2);
        QVERIFY(model.hasPlan());
        const QByteArray copied = copiedReport(window.get());
        const QByteArray printed =
            cliReport(workloadFlags(model) + QStringList{u"--model"_s, u"Llama 3.1 70B"_s, u"--gpu"_s, u"h100-80gb"_s,
                                                         u"--tensor-parallel"_s, u"2"_s, u"--dtype"_s, u"fp8"_s,
                                                         u"--engine"_s, u"vllm"_s});
        QVERIFY(!printed.isEmpty());
        QCOMPARE(copied, printed);
        // The bug: the model is named, and its total is its own, not
        // the book's "GQA total KV cache" for its shape.
        QVERIFY(copied.startsWith("==== Model ====\nmodel            : Llama 3.1 70B\n"));
        QVERIFY(copied.contains("\nTotal KV cache      : "));
        QVERIFY(!copied.contains("==== Config ===="));
        QVERIFY(copied.contains("GPUs                : 2, tensor parallel\n"));
    }

    void aConfigFileUnderLlamaCppIsTheClisModelReport() {
        auto window = showWindow();
        QVERIFY(window);
        ConfigModel &model = *window->model();
        model.setEngine(u"llama.cpp"_s);
        const QString config = QFileInfo(QStringLiteral(KVSCOPE_TEST_DATA_DIR "/configs/gemma-3-27b.json"))
                                   .absoluteFilePath();
        QVERIFY(window->openConfigFile(config));
        QVERIFY(model.hasModel());
        const QByteArray copied = copiedReport(window.get());
        const QByteArray printed = cliReport(workloadFlags(model) +
                                             QStringList{u"--config"_s, config, u"--engine"_s, u"llama.cpp"_s});
        QVERIFY(!printed.isEmpty());
        QCOMPARE(copied, printed);
        QVERIFY(copied.contains("\nengine           : llama.cpp "));
        QVERIFY(copied.contains("llama.cpp's default K cache type (-ctk f16)"));
    }
};

QTEST_MAIN(TestCopyReport)
#include "tst_copyreport.moc"
