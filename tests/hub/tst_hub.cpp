#include <QDir>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include "HubEnvironment.h"
#include "HubModelLoader.h"
#include "SafetensorsFixture.h"
#include "TestHub.h"

using namespace Qt::StringLiterals;
using SafetensorsFixture::kLlama8bBytes;
using SafetensorsFixture::kLlama8bParameters;

namespace {

constexpr auto kPublic = "test-org/Llama-3.1-8B";
constexpr auto kGated = "gated-org/Qwen3-8B";
constexpr auto kPlain = "plain-org/Config-Only";
const QString kPublicCommit = u"0123456789abcdef0123456789abcdef01234567"_s;
const QString kGatedCommit = u"89abcdef0123456789abcdef0123456789abcdef"_s;
const QString kPlainCommit = u"fedcba9876543210fedcba9876543210fedcba98"_s;
const QString kToken = u"hf_testtoken123"_s;

// The gated model's one file: 1000 x 64 bf16 and a 64-wide F32 norm.
constexpr std::uint64_t kGatedBytes = 1000 * 64 * 2 + 64 * 4;
constexpr std::uint64_t kGatedParameters = 1000 * 64 + 64;

QByteArray readData(const QString &name) {
    QFile file(QStringLiteral(KVSCOPE_TEST_DATA_DIR "/configs/") + name);
    if (!file.open(QIODevice::ReadOnly)) qFatal("cannot read %s", qPrintable(name));
    return file.readAll();
}

TestHub::File whole(const QByteArray &bytes) {
    return {bytes, static_cast<std::uint64_t>(bytes.size())};
}

}  // namespace

class TestHubLoader : public QObject {
    Q_OBJECT

private:
    QTemporaryDir *m_home = nullptr;
    TestHub *m_hub = nullptr;
    QPair<qint64, qint64> m_lastProgress;  // the last progress(done, total) of the last load

    QString hubCache() const { return m_home->filePath(u"hf/hub"_s); }

    HubResult load(const QString &id) {
        HubModelLoader loader;
        QSignalSpy finished(&loader, &HubModelLoader::finished);
        QSignalSpy progress(&loader, &HubModelLoader::progress);
        loader.start(id);
        if (!finished.wait(30000)) qFatal("no result for %s", qPrintable(id));
        m_lastProgress = progress.isEmpty() ? qMakePair(qint64(-1), qint64(-1))
                                            : qMakePair(progress.last().at(0).toLongLong(), progress.last().at(1).toLongLong());
        return finished.at(0).at(0).value<HubResult>();
    }
    static QString message(const HubResult &r) {
        return r.error ? QString::fromStdString(r.error->message) : QString();
    }

private slots:
    void init() {
        m_home = new QTemporaryDir;
        QVERIFY(m_home->isValid());
        m_hub = new TestHub(this);
        QVERIFY(m_hub->listen());
        for (const char *name : {"HF_TOKEN", "HF_TOKEN_PATH", "HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE", "HF_HUB_OFFLINE",
                                 "TRANSFORMERS_OFFLINE", "HF_HUB_DOWNLOAD_TIMEOUT", "http_proxy", "https_proxy",
                                 "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"}) {
            qunsetenv(name);
        }
        qputenv("HF_HOME", m_home->filePath(u"hf"_s).toUtf8());
        qputenv("XDG_CACHE_HOME", m_home->filePath(u"xdg"_s).toUtf8());
        qputenv("HF_ENDPOINT", m_hub->endpoint().toUtf8());
        qputenv("no_proxy", "127.0.0.1,localhost");

        TestHub::Repo llama{kPublicCommit, {}, {}};
        llama.files.insert(u"config.json"_s, whole(readData(u"llama-3.1-8b.json"_s)));
        const auto shards = SafetensorsFixture::llama8bShards();
        llama.files.insert(u"model.safetensors.index.json"_s, whole(SafetensorsFixture::indexJson(shards)));
        for (const auto &shard : shards) {
            TestHub::File file;
            file.prefix = SafetensorsFixture::prefix(shard.tensors, &file.size);
            llama.files.insert(shard.name, file);
        }
        m_hub->addRepo(QString::fromLatin1(kPublic), llama);

        TestHub::Repo gated{kGatedCommit, kToken, {}};
        gated.files.insert(u"config.json"_s, whole(readData(u"qwen3-8b.json"_s)));
        TestHub::File single;
        single.prefix = SafetensorsFixture::prefix({{u"embed"_s, u"BF16"_s, {1000, 64}, 1000 * 64 * 2},
                                                    {u"norm"_s, u"F32"_s, {64}, 64 * 4}},
                                                   &single.size);
        gated.files.insert(u"model.safetensors"_s, single);
        m_hub->addRepo(QString::fromLatin1(kGated), gated);

        TestHub::Repo plain{kPlainCommit, {}, {}};
        plain.files.insert(u"config.json"_s, whole(readData(u"qwen3-4b.json"_s)));
        m_hub->addRepo(QString::fromLatin1(kPlain), plain);
    }

    void cleanup() {
        delete m_hub;
        m_hub = nullptr;
        delete m_home;
        m_home = nullptr;
    }

    void environmentIsReadAsHuggingfaceHubReadsIt() {
        HubEnvironment e = HubEnvironment::fromEnvironment();
        QCOMPARE(e.hubCache, hubCache());
        QCOMPARE(e.endpoint, m_hub->endpoint());
        QVERIFY(!e.offline);
        qputenv("HF_HUB_CACHE", "/somewhere/else");
        qputenv("HF_HUB_OFFLINE", "yes");
        qputenv("HF_ENDPOINT", "https://mirror.example/");
        e = HubEnvironment::fromEnvironment();
        QCOMPARE(e.hubCache, u"/somewhere/else"_s);
        QCOMPARE(e.endpoint, u"https://mirror.example"_s);
        QVERIFY(e.offline);
        qunsetenv("HF_HUB_CACHE");
        qunsetenv("HF_HOME");
        qputenv("XDG_CACHE_HOME", "/xdg");
        QCOMPARE(HubEnvironment::fromEnvironment().hubCache, u"/xdg/huggingface/hub"_s);
    }

    void publicModelFetchesHeadersOnlyThenWorksOffline() {
        const HubResult r = load(QString::fromLatin1(kPublic));
        QVERIFY2(!r.error, qPrintable(message(r)));
        QVERIFY(!r.fromCache);
        QCOMPARE(r.commit, kPublicCommit);
        QCOMPARE(*r.model.weights_bytes, kLlama8bBytes);
        QCOMPARE(*r.model.parameters, kLlama8bParameters);
        QCOMPARE(r.model.weights_format, std::string("bf16 + F32 for 65 tensors"));
        QCOMPARE(r.model.model_type, std::string("llama"));

        // config, index, then per shard the 8-byte length and the header,
        // each a redirect to the storage and the storage's answer.
        QCOMPARE(m_hub->requests().size(), 2 + 4 * 2 * 2);
        QCOMPARE(m_lastProgress, qMakePair(qint64(10), qint64(10)));
        qint64 sent = 0;
        for (const TestHub::Request &req : m_hub->requests()) {
            if (req.path.endsWith(u".safetensors"_s)) QVERIFY2(req.range.startsWith("bytes="), qPrintable(req.path));
            sent += req.bytesSent;
        }
        QVERIFY2(sent < 200 * 1024, qPrintable(QString::number(sent)));

        // The Hugging Face cache, laid out as huggingface_hub lays it out.
        const QString repo = hubCache() + u"/models--test-org--Llama-3.1-8B"_s;
        QFile ref(repo + u"/refs/main"_s);
        QVERIFY(ref.open(QIODevice::ReadOnly));
        QCOMPARE(QString::fromLatin1(ref.readAll()), kPublicCommit);
        const QFileInfo config(repo + u"/snapshots/"_s + kPublicCommit + u"/config.json"_s);
        QVERIFY(config.isSymLink());
        QVERIFY(config.symLinkTarget().startsWith(repo + u"/blobs/"_s));
        QVERIFY(QFileInfo(repo + u"/snapshots/"_s + kPublicCommit + u"/model.safetensors.index.json"_s).isFile());
        // No truncated weights in the Hugging Face cache.
        QVERIFY(QDir(repo + u"/snapshots/"_s + kPublicCommit).entryList({u"*.safetensors"_s}).isEmpty());

        // The next run: no Hub at all.
        m_hub->close();
        qputenv("HF_HUB_OFFLINE", "1");
        const HubResult offline = load(QString::fromLatin1(kPublic));
        QVERIFY2(!offline.error, qPrintable(message(offline)));
        QVERIFY(offline.fromCache);
        QCOMPARE(*offline.model.weights_bytes, kLlama8bBytes);
        QCOMPARE(*offline.model.parameters, kLlama8bParameters);
        // By commit hash too.
        QVERIFY(!load(QString::fromLatin1(kPublic) + u'@' + kPublicCommit).error);
    }

    void cacheComesFirst() {
        QVERIFY(!load(QString::fromLatin1(kPublic)).error);
        m_hub->clearRequests();
        const HubResult again = load(QString::fromLatin1(kPublic));
        QVERIFY(again.fromCache);
        QCOMPARE(m_hub->requests().size(), 0);
    }

    void gatedModelWantsAToken() {
        const HubResult refused = load(QString::fromLatin1(kGated));
        QVERIFY(refused.error);
        QVERIFY2(message(refused).startsWith(u"gated-org/Qwen3-8B: "_s), qPrintable(message(refused)));
        QVERIFY2(message(refused).contains(u"set HF_TOKEN or run huggingface-cli login"_s), qPrintable(message(refused)));

        qputenv("HF_TOKEN", kToken.toUtf8());
        m_hub->clearRequests();
        const HubResult fromEnv = load(QString::fromLatin1(kGated));
        QVERIFY2(!fromEnv.error, qPrintable(message(fromEnv)));
        QCOMPARE(*fromEnv.model.weights_bytes, kGatedBytes);
        QCOMPARE(*fromEnv.model.parameters, kGatedParameters);
        QCOMPARE(fromEnv.model.weights_format, std::string("bf16 + F32 for 1 tensor"));
        // The token goes to the Hub, never to the storage it redirects to.
        for (const TestHub::Request &req : m_hub->requests()) {
            QCOMPARE(req.authorization, req.path.startsWith(u"/cdn/"_s) ? QByteArray() : "Bearer " + kToken.toUtf8());
        }
        QCOMPARE(m_hub->requests().size(), 2 + 2 * 2);
        // No index: recorded as huggingface_hub records a missing file.
        QVERIFY(QFileInfo::exists(hubCache() + u"/models--gated-org--Qwen3-8B/.no_exist/"_s + kGatedCommit +
                                  u"/model.safetensors.index.json"_s));
    }

    void tokenFromTheLoginFile() {
        // huggingface-cli login writes HF_HOME/token.
        QFile token(m_home->filePath(u"hf/token"_s));
        QVERIFY(QDir().mkpath(m_home->filePath(u"hf"_s)));
        QVERIFY(token.open(QIODevice::WriteOnly));
        token.write(kToken.toUtf8() + '\n');
        token.close();
        const HubResult r = load(QString::fromLatin1(kGated));
        QVERIFY2(!r.error, qPrintable(message(r)));

        // HF_TOKEN_PATH names another file; a wrong token there is refused by name.
        QFile wrong(m_home->filePath(u"wrong-token"_s));
        QVERIFY(wrong.open(QIODevice::WriteOnly));
        wrong.write("hf_wrong");
        wrong.close();
        qputenv("HF_TOKEN_PATH", wrong.fileName().toUtf8());
        QDir(hubCache()).removeRecursively();
        const HubResult refused = load(QString::fromLatin1(kGated));
        QVERIFY2(message(refused).contains(u"refused the token from "_s + wrong.fileName()), qPrintable(message(refused)));
    }

    void missingModelsAndFiles() {
        const HubResult missing = load(u"test-org/No-Such-Model"_s);
        QVERIFY2(message(missing).startsWith(u"test-org/No-Such-Model: not found on the Hub (HTTP 404"_s),
                 qPrintable(message(missing)));
        const HubResult revision = load(QString::fromLatin1(kPublic) + u"@v9"_s);
        QVERIFY2(message(revision).contains(u"no revision \"v9\""_s), qPrintable(message(revision)));
        QVERIFY(message(load(u"not an id"_s)).contains(u"is not a Hugging Face model id"_s));
    }

    void configOnlyRepoKeepsTheConfigsSources() {
        const HubResult r = load(QString::fromLatin1(kPlain));
        QVERIFY2(!r.error, qPrintable(message(r)));
        QVERIFY(!r.model.weights_bytes);
        QVERIFY(r.model.warnings.empty());
        m_hub->close();
        qputenv("HF_HUB_OFFLINE", "1");
        const HubResult offline = load(QString::fromLatin1(kPlain));
        QVERIFY2(!offline.error, qPrintable(message(offline)));
        QCOMPARE(offline.model.parameters, r.model.parameters);
    }

    void offlineAndNotCached() {
        qputenv("HF_HUB_OFFLINE", "1");
        const HubResult r = load(QString::fromLatin1(kPublic));
        QVERIFY2(message(r).startsWith(u"test-org/Llama-3.1-8B: offline (HF_HUB_OFFLINE is set) and not in the "
                                       u"Hugging Face cache "_s + hubCache()),
                 qPrintable(message(r)));
        QCOMPARE(m_hub->requests().size(), 0);
    }

    void cacheWrittenByHuggingfaceHub() {
        // A snapshot as huggingface_hub leaves it after a full download: a
        // branch ref, blobs, relative links, the (sparse) weights themselves.
        const QString repo = m_home->filePath(u"elsewhere/models--acme--Tiny"_s);
        const QString commit = u"aaaaaaaaaabbbbbbbbbbccccccccccdddddddddd"_s;
        QVERIFY(QDir().mkpath(repo + u"/refs"_s) && QDir().mkpath(repo + u"/blobs"_s) &&
                QDir().mkpath(repo + u"/snapshots/"_s + commit));
        QFile ref(repo + u"/refs/release"_s);
        QVERIFY(ref.open(QIODevice::WriteOnly));
        ref.write(commit.toLatin1());
        ref.close();
        QFile::copy(QStringLiteral(KVSCOPE_TEST_DATA_DIR "/configs/qwen3-8b.json"), repo + u"/blobs/c0ffee"_s);
        QVERIFY(QFile::link(u"../../blobs/c0ffee"_s, repo + u"/snapshots/"_s + commit + u"/config.json"_s));
        QVERIFY(SafetensorsFixture::write(repo + u"/blobs/beef"_s, {{u"w"_s, u"F8_E4M3"_s, {4096, 4096}, 4096 * 4096}}));
        QVERIFY(QFile::link(u"../../blobs/beef"_s, repo + u"/snapshots/"_s + commit + u"/model.safetensors"_s));

        qputenv("HF_HUB_CACHE", m_home->filePath(u"elsewhere"_s).toUtf8());
        qputenv("HF_HUB_OFFLINE", "1");
        const HubResult r = load(u"acme/Tiny@release"_s);
        QVERIFY2(!r.error, qPrintable(message(r)));
        QCOMPARE(r.commit, commit);
        QCOMPARE(*r.model.weights_bytes, 4096u * 4096);
        QCOMPARE(r.model.weights_format, std::string("f8_e4m3"));
        QVERIFY(message(load(u"acme/Tiny"_s)).contains(u"not in the Hugging Face cache"_s));  // no refs/main
    }

    void hostileHubsAreRefused() {
        // A header length of 2^63 in a 1 GB file: refused from its 8 bytes.
        TestHub::Repo huge{kPlainCommit, {}, {}};
        huge.files.insert(u"config.json"_s, whole(readData(u"qwen3-4b.json"_s)));
        huge.files.insert(u"model.safetensors"_s, {SafetensorsFixture::lengthPrefix(std::uint64_t{1} << 63) + "{}", 1u << 30});
        m_hub->addRepo(u"evil-org/Huge"_s, huge);
        const HubResult r = load(u"evil-org/Huge"_s);
        QVERIFY2(message(r).startsWith(u"evil-org/Huge: evil-org/Huge/model.safetensors: the header length is "_s),
                 qPrintable(message(r)));

        // A server that ignores Range is cut off, not read to the end.
        m_hub->setIgnoreRange(true);
        qputenv("HF_TOKEN", kToken.toUtf8());
        const HubResult whole = load(QString::fromLatin1(kGated));
        QVERIFY2(message(whole).contains(u"ignored the Range request for model.safetensors"_s), qPrintable(message(whole)));
    }

    void proxiesFromTheEnvironment() {
        // http_proxy names the stand-in itself and the Hub is a name no
        // resolver knows: the model can only come through the proxy, and
        // every request to the Hub reaches it as a proxy's (the storage, on
        // localhost, is one Qt never proxies).
        qunsetenv("no_proxy");
        qputenv("http_proxy", m_hub->endpoint().toUtf8());
        qputenv("HF_ENDPOINT", "http://hub.invalid");
        const HubResult r = load(QString::fromLatin1(kPublic));
        qputenv("no_proxy", "127.0.0.1,localhost");
        qunsetenv("http_proxy");
        QVERIFY2(!r.error, qPrintable(message(r)));
        QCOMPARE(r.model.weights_bytes, std::optional<std::uint64_t>(16'061'054'976));
        qsizetype toTheHub = 0;
        for (const TestHub::Request &request : m_hub->requests()) toTheHub += !request.path.startsWith(u"/cdn/"_s);
        QVERIFY(toTheHub > 0);
        QCOMPARE(m_hub->proxiedRequests(), toTheHub);
    }

    void timeoutAndCancel() {
        TestHub silent;
        QVERIFY(silent.listen(true));
        qputenv("HF_ENDPOINT", silent.endpoint().toUtf8());
        qputenv("HF_HUB_DOWNLOAD_TIMEOUT", "1");
        const HubResult r = load(QString::fromLatin1(kPublic));
        QVERIFY2(message(r).contains(u"no answer from "_s + silent.endpoint() + u" within 1 s"_s), qPrintable(message(r)));

        qputenv("HF_HUB_DOWNLOAD_TIMEOUT", "60");
        HubModelLoader loader;
        QSignalSpy finished(&loader, &HubModelLoader::finished);
        loader.start(QString::fromLatin1(kPublic));
        QVERIFY(loader.isRunning());
        QTimer::singleShot(100, &loader, &HubModelLoader::cancel);
        QVERIFY(finished.wait(5000));
        QCOMPARE(finished.size(), 1);
        QCOMPARE(QString::fromStdString(finished.at(0).at(0).value<HubResult>().error->message),
                 u"test-org/Llama-3.1-8B: cancelled"_s);
        QVERIFY(!loader.isRunning());
    }

    void cliEndToEnd() {
        auto run = [](const QStringList &args, QByteArray *out, QByteArray *err) {
            QProcess cli;
            QEventLoop loop;
            connect(&cli, &QProcess::finished, &loop, &QEventLoop::quit);
            cli.start(QStringLiteral(KVSCOPE_CLI), args);
            loop.exec();  // the test hub answers from this event loop
            *out = cli.readAllStandardOutput();
            *err = cli.readAllStandardError();
            return cli.exitCode();
        };
        QByteArray out, err;
        QCOMPARE(run({u"--model"_s, QString::fromLatin1(kPublic), u"--context-length"_s, u"8192"_s, u"--json"_s}, &out, &err), 0);
        QVERIFY2(err.isEmpty(), err.constData());
        const QJsonObject json = QJsonDocument::fromJson(out).object();
        QCOMPARE(json.value(u"model"_s).toString(), QString::fromLatin1(kPublic));
        QCOMPARE(json.value(u"model_source"_s).toString(), u"huggingface"_s);
        // Llama 3.1 8B: 32 layers x 8 KV heads x 128 x 2 (K and V) x 2 bytes per token.
        QCOMPARE(json.value(u"kv_bytes"_s).toDouble(), 8192.0 * 32 * 8 * 128 * 2 * 2);

        QCOMPARE(run({u"--model"_s, u"test-org/Missing"_s, u"--context-length"_s, u"8192"_s}, &out, &err), 2);
        QVERIFY2(err.startsWith("kvscope-cli: --model: test-org/Missing: not found on the Hub") && err.count('\n') == 1,
                 err.constData());

        QCOMPARE(run({u"--model"_s, QString::fromLatin1(kGated), u"--context-length"_s, u"8192"_s, u"--compare"_s,
                      QString::fromLatin1(kPublic)},
                     &out, &err),
                 2);
        QVERIFY2(err.contains("set HF_TOKEN or run huggingface-cli login") && err.count('\n') == 1, err.constData());
    }
};

QTEST_GUILESS_MAIN(TestHubLoader)
#include "tst_hub.moc"
