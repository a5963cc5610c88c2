// File > Open from Hugging Face in the window, against TestHub (a QTcpServer
// on 127.0.0.1 reached through HF_ENDPOINT): the load runs in the background
// with a progress dialog, Cancel leaves everything as it was, an error names
// the model id, and the exact weights from the safetensors header reach the plan.

#include <QApplication>
#include <QFile>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QUndoStack>
#include <QTest>

#include "ConfigHistory.h"
#include "ConfigModel.h"
#include "HubModelLoader.h"
#include "RecordingWindow.h"
#include "SafetensorsFixture.h"
#include "TestHub.h"
#include "kvscope/plan.h"

using namespace Qt::StringLiterals;

namespace {

QByteArray readData(const QString &name) {
    QFile file(QStringLiteral(KVSCOPE_TEST_DATA_DIR "/configs/") + name);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

}  // namespace

class TestWindowHub : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_home;
    TestHub m_hub;

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_home.isValid());
        QVERIFY(m_hub.listen());
        for (const char *name : {"HF_TOKEN", "HF_TOKEN_PATH", "HF_HUB_OFFLINE", "HF_HUB_CACHE", "http_proxy",
                                 "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"}) {
            qunsetenv(name);
        }
        qputenv("HF_HOME", m_home.filePath(u"hf"_s).toUtf8());
        qputenv("XDG_CACHE_HOME", m_home.filePath(u"xdg"_s).toUtf8());
        qputenv("HF_ENDPOINT", m_hub.endpoint().toUtf8());
        qputenv("no_proxy", "127.0.0.1,localhost");
        // Qwen3 8B's config with one small safetensors file:
        //   embed 1000 x 64 in BF16 = 128,000 B, norm 64 in F32 = 256 B: 128,256 B, 64,064 weights.
        TestHub::Repo tiny{u"0123456789abcdef0123456789abcdef01234567"_s, {}, {}};
        TestHub::File config;
        config.prefix = readData(u"qwen3-8b.json"_s);
        config.size = static_cast<std::uint64_t>(config.prefix.size());
        QVERIFY(config.size > 0);
        tiny.files.insert(u"config.json"_s, config);
        TestHub::File weights;
        weights.prefix = SafetensorsFixture::prefix({{u"embed"_s, u"BF16"_s, {1000, 64}, 1000 * 64 * 2},
                                                     {u"norm"_s, u"F32"_s, {64}, 64 * 4}},
                                                    &weights.size);
        tiny.files.insert(u"model.safetensors"_s, weights);
        m_hub.addRepo(u"test-org/Tiny-Qwen"_s, tiny);
    }

    void init() {
        // Each window starts from fresh settings: none reloads the last one's model.
        useTestSettings(m_home.filePath(u"settings-"_s + QString::fromLatin1(QTest::currentTestFunction())),
                        u"tst_windowhub"_s);
    }

    void aModelLoadsInTheBackgroundWithItsExactWeights() {
        auto window = RecordingWindow::shown();
        QVERIFY(window);
        window->openFromHub(u"test-org/Tiny-Qwen"_s);
        QVERIFY(window->hubLoader() && window->hubLoader()->isRunning());
        QVERIFY(!window->model()->hasModel());  // not yet: the window went on meanwhile
        QTRY_VERIFY_WITH_TIMEOUT(window->model()->hasModel(), 10000);
        QCOMPARE(window->model()->modelName(), u"test-org/Tiny-Qwen"_s);
        QCOMPARE(window->model()->importedModel()->weights_bytes, std::optional<std::uint64_t>(128256));
        QCOMPARE(window->model()->importedModel()->parameters, std::optional<std::uint64_t>(64064));
        QCOMPARE(window->model()->deployment().stored_weights_bytes, std::optional<std::uint64_t>(128256));
        QVERIFY(window->statusBar()->currentMessage().contains(u"from the Hub"_s));
        QVERIFY(window->messages.isEmpty());

        // A restart reads the same snapshot again from the cache alone: no request reaches the Hub.
        QVERIFY(!window->saveSettings());
        const qsizetype requests = m_hub.requests().size();
        {
            auto restarted = RecordingWindow::shown();
            QVERIFY(restarted);
            QTRY_VERIFY(restarted->model()->hasModel());
            QCOMPARE(restarted->model()->modelName(), u"test-org/Tiny-Qwen"_s);
            QCOMPARE(restarted->model()->importedModel()->weights_bytes, std::optional<std::uint64_t>(128256));
            QCOMPARE(m_hub.requests().size(), requests);
        }
        // Undo takes the load back.
        window->history()->stack()->undo();
        QVERIFY(!window->model()->hasModel());
    }

    void cancelLeavesEverythingAsItWas() {
        auto window = RecordingWindow::shown();
        QVERIFY(window);
        const int heads = window->model()->nHeads();
        // An empty cache, so that the load has to ask the Hub (a cached snapshot answers at once).
        qputenv("HF_HOME", m_home.filePath(u"hf-cancel"_s).toUtf8());
        window->openFromHub(u"test-org/Tiny-Qwen@main"_s);
        QVERIFY(window->hubLoader()->isRunning());
        window->hubLoader()->cancel();
        QTRY_VERIFY(window->statusBar()->currentMessage().contains(u"cancelled"_s));
        QVERIFY(!window->model()->hasModel());
        QCOMPARE(window->model()->nHeads(), heads);
        QVERIFY(window->messages.isEmpty());
        qputenv("HF_HOME", m_home.filePath(u"hf"_s).toUtf8());
    }

    void aMissingModelIsNamedInTheMessage() {
        auto window = RecordingWindow::shown();
        QVERIFY(window);
        window->openFromHub(u"test-org/No-Such-Model"_s);
        QTRY_VERIFY_WITH_TIMEOUT(!window->messages.isEmpty(), 10000);
        QVERIFY2(window->messages.constLast().text.contains(u"test-org/No-Such-Model"_s),
                 qPrintable(window->messages.constLast().text));
        QVERIFY(!window->model()->hasModel());
    }
};

QTEST_MAIN(TestWindowHub)
#include "tst_windowhub.moc"
