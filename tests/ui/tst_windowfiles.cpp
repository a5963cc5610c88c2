// Files into the window: File > Open Recent across restarts, a dropped
// config.json (and what else is refused, said why), Help > User Guide.

#include <QAction>
#include <QDesktopServices>
#include <QDir>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QComboBox>
#include <QFile>
#include <QMenu>
#include <QMimeData>
#include <QSettings>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QUrl>
#include <QtTest>
#include <memory>

#include "ConfigModel.h"
#include "GgufFixture.h"
#include "RecordingWindow.h"
#include "SettingsFormat.h"

using namespace Qt::StringLiterals;

// Records the URLs QDesktopServices::openUrl() is asked to open.
class UrlRecorder : public QObject {
    Q_OBJECT
public:
    QList<QUrl> urls;
public Q_SLOTS:
    void record(const QUrl &url) { urls.append(url); }
};

class TestWindowFiles : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_settingsDir;
    QTemporaryDir m_dir;

    static std::unique_ptr<RecordingWindow> showWindow() { return RecordingWindow::shown(); }

    // A downloaded Hugging Face repo: <dir>/<name>/config.json, from the test data.
    QString configIn(const QString &name, const char *dataFile) {
        QDir(m_dir.path()).mkpath(name);
        const QString path = m_dir.filePath(name + u"/config.json"_s);
        QFile::remove(path);
        QFile::copy(QStringLiteral(KVSCOPE_TEST_DATA_DIR "/configs/") + QString::fromLatin1(dataFile), path);
        return path;
    }

    // The recent files as the menu lists them: the entries before Clear list.
    static QList<QAction *> recentEntries(MainWindow *window) {
        Q_EMIT window->recentMenu()->aboutToShow();
        QList<QAction *> entries;
        const auto actions = window->recentMenu()->actions();
        for (QAction *action : actions) {
            if (action->isSeparator() || action == actions.constLast()) break;  // then Clear list
            entries.append(action);
        }
        return entries;
    }

    static QAction *clearAction(MainWindow *window) {
        return window->recentMenu()->actions().constLast();
    }

    static bool drop(MainWindow *window, const QList<QUrl> &urls) {
        QMimeData mime;
        mime.setUrls(urls);
        QDragEnterEvent enter(QPoint(20, 20), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QCoreApplication::sendEvent(window, &enter);
        QDropEvent dropped(QPointF(20, 20), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QCoreApplication::sendEvent(window, &dropped);
        return enter.isAccepted();
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_settingsDir.isValid());
        QVERIFY(m_dir.isValid());
        useTestSettings(m_settingsDir.path(), u"kvscope-files-test"_s);
    }

    void init() { QSettings().clear(); }

    void recentFilesOutliveTheWindowNewestFirst() {
        const QString llama = configIn(u"Llama-3.1-8B"_s, "llama-3.1-8b.json");
        const QString gemma = configIn(u"gemma-3-27b"_s, "gemma-3-27b.json");
        {
            auto window = showWindow();
            QVERIFY(window);
            QVERIFY(recentEntries(window.get()).isEmpty());
            QVERIFY(!clearAction(window.get())->isEnabled());
            QVERIFY(window->openConfigFile(llama));
            QVERIFY(window->openConfigFile(gemma));
            QVERIFY(window->openConfigFile(llama));  // again: to the top, not twice
            window->close();
        }
        auto window = showWindow();  // a restart: the same settings
        QVERIFY(window);
        QVERIFY(window->messages.isEmpty());
        QCOMPARE(window->recentFiles(), QStringList({llama, gemma}));
        const QList<QAction *> entries = recentEntries(window.get());
        QCOMPARE(entries.size(), 2);
        QVERIFY2(entries[0]->text().startsWith(u"&1 Llama-3.1-8B"_s), qPrintable(entries[0]->text()));
        QVERIFY2(entries[1]->text().startsWith(u"&2 gemma-3-27b"_s), qPrintable(entries[1]->text()));
        QCOMPARE(window->model()->modelName(), u"Llama-3.1-8B"_s);  // the last one, kept by the settings
        entries[1]->trigger();
        QCOMPARE(window->model()->modelName(), u"gemma-3-27b"_s);
        QCOMPARE(window->recentFiles(), QStringList({gemma, llama}));

        // A file gone since shows disabled and says so; triggering nothing loads.
        QVERIFY(QFile::remove(llama));
        const QList<QAction *> after = recentEntries(window.get());
        QCOMPARE(after.size(), 2);
        QVERIFY(after[0]->isEnabled());
        QVERIFY(!after[1]->isEnabled());
        QVERIFY2(after[1]->text().endsWith(u"missing"_s), qPrintable(after[1]->text()));

        // Clear list empties the menu, also for the next start.
        clearAction(window.get())->trigger();
        QVERIFY(recentEntries(window.get()).isEmpty());
        window->close();
        window = showWindow();
        QVERIFY(window);
        QVERIFY(window->recentFiles().isEmpty());
    }

    void theListKeepsTheLastEight() {
        auto window = showWindow();
        QVERIFY(window);
        QStringList opened;
        for (int i = 0; i < MainWindow::kMaxRecentFiles + 2; ++i) {
            opened.prepend(configIn(u"model-%1"_s.arg(i), "llama-3.1-8b.json"));
            QVERIFY(window->openConfigFile(opened.constFirst()));
        }
        QCOMPARE(window->recentFiles(), opened.mid(0, 8));
        QCOMPARE(recentEntries(window.get()).size(), 8);
        QVERIFY(recentEntries(window.get()).constLast()->text().startsWith(u"&8 model-2"_s));
    }

    void aDroppedGgufFileOrModelFolderOpens() {
        auto window = showWindow();
        QVERIFY(window);
        // A model folder: named after itself, read through its config.json.
        const QString config = configIn(u"Qwen3-8B"_s, "qwen3-8b.json");
        QVERIFY(drop(window.get(), {QUrl::fromLocalFile(QFileInfo(config).absolutePath())}));
        QCOMPARE(window->model()->modelName(), u"Qwen3-8B"_s);
        QCOMPARE(window->model()->nLayers(), 36);
        // A GGUF file's header: 2 layers of 8 K/V heads of 4096 / 32 = 128, and one
        // Q8_0 tensor of 4096 x 4096 (34 bytes per 32 weights): 17,825,792 B of weights.
        GgufFixture gguf;
        gguf.string("general.architecture", "llama")
            .u32("llama.block_count", 2)
            .u32("llama.context_length", 8192)
            .u32("llama.embedding_length", 4096)
            .u32("llama.attention.head_count", 32)
            .u32("llama.attention.head_count_kv", 8)
            .tensor("blk.0.attn_q.weight", {4096, 4096}, 8, 4096ULL * 4096 / 32 * 34);
        const QString path = m_dir.filePath(u"tiny-llama.gguf"_s);
        QVERIFY(gguf.write(path));
        QVERIFY(drop(window.get(), {QUrl::fromLocalFile(path)}));
        QCOMPARE(window->model()->modelName(), u"tiny-llama"_s);
        QCOMPARE(window->model()->nLayers(), 2);
        QCOMPARE(window->model()->importedModel()->weights_bytes, std::optional<std::uint64_t>(17825792));
        QCOMPARE(window->model()->deployment().stored_weights_bytes, std::optional<std::uint64_t>(17825792));
        // The weights are the file's: the format box does not apply, and says why.
        auto *format = window->findChild<QComboBox *>(u"weightsDtype"_s);
        QVERIFY(format);
        QTRY_VERIFY(!format->isEnabled());
        QVERIFY2(format->toolTip().startsWith(u"As stored in the model's files: 17.83 MB"_s), qPrintable(format->toolTip()));
        // A count of the user's own sizes them in the format again.
        window->model()->setParameterOverride(8'000'000'000);
        QVERIFY(!window->model()->deployment().stored_weights_bytes);
        QTRY_VERIFY(format->isEnabled());
        QVERIFY(window->messages.isEmpty());
    }

    void aDroppedConfigOpensAndOtherFilesAreRefusedSayingWhy() {
        auto window = showWindow();
        QVERIFY(window);
        const QString config = configIn(u"Llama-3.1-8B"_s, "llama-3.1-8b.json");
        QVERIFY(drop(window.get(), {QUrl::fromLocalFile(config)}));
        QCOMPARE(window->model()->modelName(), u"Llama-3.1-8B"_s);
        QCOMPARE(window->recentFiles().value(0), config);

        window->model()->clearModel();
        const QString notes = m_dir.filePath(u"notes.txt"_s);
        QFile file(notes);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("not a config\n");
        file.close();
        QVERIFY(!drop(window.get(), {QUrl::fromLocalFile(notes)}));
        QCOMPARE(window->statusBar()->currentMessage(),
                 u"notes.txt is not a .json or .gguf file: only a Hugging Face config.json, a GGUF file or a model "
                 u"folder can be opened."_s);
        QVERIFY(!drop(window.get(), {QUrl::fromLocalFile(config), QUrl::fromLocalFile(notes)}));
        QCOMPARE(window->statusBar()->currentMessage(), u"2 files dropped: drop one model at a time."_s);
        QVERIFY(!drop(window.get(), {QUrl(u"https://huggingface.co/x/config.json"_s)}));
        QVERIFY(window->statusBar()->currentMessage().endsWith(u"is not a local file: download the config.json, then drop it."_s));
        QVERIFY(!window->model()->hasModel());
        QVERIFY(window->messages.isEmpty());
    }

    void helpOpensTheUserGuide() {
        auto window = showWindow();
        QVERIFY(window);
        UrlRecorder recorder;
        QDesktopServices::setUrlHandler(u"file"_s, &recorder, "record");
        QCOMPARE(window->userGuideAction()->shortcut(), QKeySequence(QKeySequence::HelpContents));
        window->userGuideAction()->trigger();
        QDesktopServices::unsetUrlHandler(u"file"_s);
        QCOMPARE(recorder.urls.size(), 1);
        const QUrl url = recorder.urls.constFirst();
        QVERIFY(url.isLocalFile());
        // Run from the build tree: no guide installed beside bin/, so the source tree's.
        QCOMPARE(url.toLocalFile(), QDir::cleanPath(QStringLiteral(KVSCOPE_SOURCE_DIR "/docs/guide.md")));
        QFile guide(url.toLocalFile());
        QVERIFY(guide.open(QIODevice::ReadOnly));
        QVERIFY(guide.readLine().startsWith("# KV Scope"));
        QVERIFY(window->statusBar()->currentMessage().startsWith(u"Opened the user guide"_s));
    }
};

QTEST_MAIN(TestWindowFiles)
#include "tst_windowfiles.moc"
