#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSettings>
#include <QTemporaryDir>
#include <QtTest>
#include <csignal>
#include <functional>
#include <sys/resource.h>

using namespace Qt::StringLiterals;

// The kvscope executable as a user starts it, before any window exists.
class TestKvscopeApp : public QObject {
    Q_OBJECT

private:
    struct Run {
        int exitCode = -1;
        QString out;
        QString err;
    };

    static Run run(const QStringList &arguments, bool withDisplay, const QString &display = {}) {
        QProcess process;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        if (!withDisplay) {
            env.remove(u"DISPLAY"_s);
            env.remove(u"WAYLAND_DISPLAY"_s);
            env.remove(u"QT_QPA_PLATFORM"_s);
            if (!display.isEmpty()) env.insert(u"DISPLAY"_s, display);
        }
        process.setProcessEnvironment(env);
        process.start(QString::fromLocal8Bit(KVSCOPE_APP_PATH), arguments);
        if (!process.waitForFinished(20000)) {
            process.kill();
            process.waitForFinished();
        }
        return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1,
                QString::fromUtf8(process.readAllStandardOutput()), QString::fromUtf8(process.readAllStandardError())};
    }

    static QByteArray fileBytes(const QString &path) {
        QFile file(path);
        return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
    }

    // The window until its first frame, with its settings under `home`;
    // `inChild` runs in the child before exec (async-signal-safe calls only).
    static Run runWindow(const QTemporaryDir &home, const std::function<void()> &inChild = {}) {
        QProcess process;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(u"XDG_CONFIG_HOME"_s, home.path());
        // The offscreen platform warns that it cannot propagate size hints.
        env.remove(u"QT_FATAL_WARNINGS"_s);
        process.setProcessEnvironment(env);
        if (inChild) process.setChildProcessModifier(inChild);
        process.start(QString::fromLocal8Bit(KVSCOPE_APP_PATH),
                      {u"-platform"_s, u"offscreen"_s, u"--exit-after-first-frame"_s});
        if (!process.waitForFinished(30000) || process.exitStatus() != QProcess::NormalExit) {
            process.kill();
            process.waitForFinished();
            return {};
        }
        return {process.exitCode(), QString::fromUtf8(process.readAllStandardOutput()),
                QString::fromUtf8(process.readAllStandardError())};
    }

    // The settings file the window wrote: one JSON object, a key per entry.
    static QJsonObject savedSettings(const QTemporaryDir &home) {
        return QJsonDocument::fromJson(fileBytes(home.filePath(u"KVScope/kvscope.json"_s))).object();
    }

private Q_SLOTS:
    void withoutADisplaySaysSoInOneLine() {
        const Run result = run({}, false);
        QCOMPARE(result.exitCode, 1);
        QCOMPARE(
            result.err,
            u"kvscope: no display available; use kvscope-cli for the same numbers and figures without a window\n"_s);
        QVERIFY(result.out.isEmpty());
    }

    void aDisplayWithNoServerSaysSoInOneLine() {
        // No X server listens on display 4711: Qt would abort with a trace.
        for (const QString &display : {u":4711"_s, u"unix:4711.0"_s}) {
            const Run result = run({}, false, display);
            QCOMPARE(result.exitCode, 1);
            QCOMPARE(result.err,
                     u"kvscope: no display available; use kvscope-cli for the same numbers and figures without a "
                     "window\n"_s);
        }
    }

    void aConfigPathOnTheCommandLineIsLoaded() {
        // The desktop entry runs "kvscope %f". The loaded model is what the
        // window keeps for its next start.
        QTemporaryDir home;
        QProcess process;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(u"XDG_CONFIG_HOME"_s, home.path());
        // The offscreen platform warns that it cannot propagate size hints
        // when the window relayouts for the loaded model; that is a property
        // of the test platform, not a fault of the app.
        env.remove(u"QT_FATAL_WARNINGS"_s);
        process.setProcessEnvironment(env);
        const QString config = QStringLiteral(KVSCOPE_TEST_DATA_DIR "/configs/gemma-3-27b.json");
        process.start(QString::fromLocal8Bit(KVSCOPE_APP_PATH),
                      {u"-platform"_s, u"offscreen"_s, u"--exit-after-first-frame"_s, config});
        QVERIFY(process.waitForFinished(30000));
        QVERIFY2(process.exitStatus() == QProcess::NormalExit && process.exitCode() == 0,
                 process.readAllStandardError().constData());
        const QJsonObject saved = savedSettings(home);
        QVERIFY2(saved.value(u"config/model_origin"_s).toString().endsWith(u"gemma-3-27b.json"_s),
                 QJsonDocument(saved).toJson().constData());
    }

    // The disk fills up while the window saves at exit: the file stops
    // growing past half the settings' size (RLIMIT_FSIZE, with SIGXFSZ
    // ignored so write() fails with EFBIG). The previous settings keep every
    // byte, no temporary file is left, and stderr says which file and why.
    void aSettingsWriteFailingMidwayKeepsThePreviousFile() {
        QTemporaryDir home;
        const Run first = runWindow(home);
        QVERIFY2(first.exitCode == 0, qPrintable(first.err));
        const QString file = home.filePath(u"KVScope/kvscope.json"_s);
        const QByteArray before = fileBytes(file);
        QVERIFY(before.size() > 1024);
        const rlim_t half = static_cast<rlim_t>(before.size() / 2);
        const Run cut = runWindow(home, [half] {
            ::signal(SIGXFSZ, SIG_IGN);
            const rlimit limit{half, half};
            ::setrlimit(RLIMIT_FSIZE, &limit);
        });
        QCOMPARE(cut.exitCode, 0);
        const QString line = u"kvscope: Settings not saved: %1: File too large\n"_s.arg(file);
        QVERIFY2(cut.err.contains(line), qPrintable(cut.err));
        QCOMPARE(cut.err.count(u"Settings not saved"_s), 1);
        QCOMPARE(fileBytes(file), before);
        QCOMPARE(QDir(home.filePath(u"KVScope"_s)).entryList(QDir::Files | QDir::Hidden),
                 QStringList{u"kvscope.json"_s});
    }

    // A version before kvscope.json saved kvscope.conf (INI): its settings
    // are carried over at the first start, and the old file is left alone.
    void anOlderSettingsFileIsCarriedOver() {
        QTemporaryDir home;
        const QString old = home.filePath(u"KVScope/kvscope.conf"_s);
        {
            QSettings ini(old, QSettings::IniFormat);
            ini.setValue(u"config/n_layers"_s, 7);
            ini.setValue(u"config/dtype"_s, u"fp8"_s);
        }
        const QByteArray oldBytes = fileBytes(old);
        QVERIFY(!oldBytes.isEmpty());
        const Run result = runWindow(home);
        QVERIFY2(result.exitCode == 0, qPrintable(result.err));
        const QJsonObject saved = savedSettings(home);
        QCOMPARE(saved.value(u"config/n_layers"_s), QJsonValue(7));
        QCOMPARE(saved.value(u"config/dtype"_s), QJsonValue(u"fp8"_s));
        QCOMPARE(fileBytes(old), oldBytes);
    }

    // A saved pin that cannot be used: stderr names it and where the whole
    // file was kept; the next start's damage goes to the next backup number.
    void aBadPinIsNamedOnStderrAndTheFileKeptAside() {
        QTemporaryDir home;
        const QString file = home.filePath(u"KVScope/kvscope.json"_s);
        QVERIFY(QDir().mkpath(home.filePath(u"KVScope"_s)));
        const auto settingsWithPins = [](const QString &secondDtype) {
            QJsonObject json;
            json.insert(u"config/pins/size"_s, 2);
            for (int i = 1; i <= 2; ++i) {
                const QString pin = u"config/pins/%1/"_s.arg(i);
                json.insert(pin + u"name"_s, u"pin %1"_s.arg(i));
                json.insert(pin + u"dtype"_s, i == 1 ? u"bf16"_s : secondDtype);
                json.insert(pin + u"batch_size"_s, 1);
                json.insert(pin + u"context_length"_s, 8192);
                json.insert(pin + u"layers/size"_s, 1);
                json.insert(pin + u"layers/1/kind"_s, u"full"_s);
                json.insert(pin + u"layers/1/count"_s, 32);
                json.insert(pin + u"layers/1/n_heads"_s, 32);
                json.insert(pin + u"layers/1/n_kv_heads"_s, 8);
                json.insert(pin + u"layers/1/k_head_dim"_s, 128);
                json.insert(pin + u"layers/1/v_head_dim"_s, 128);
            }
            return QJsonDocument(json).toJson();
        };
        const QString dtypes = u"fp32, bf16, fp16, fp8, int8, int4, q8_0, q4_0"_s;
        int run = 0;
        for (const QString &bad : {u"fp64"_s, u"int2"_s}) {
            const QByteArray damaged = settingsWithPins(bad);
            QFile out(file);
            QVERIFY(out.open(QIODevice::WriteOnly | QIODevice::Truncate));
            out.write(damaged);
            out.close();
            const QString backup = file + (run++ == 0 ? u".damaged"_s : u".damaged.1"_s);
            const Run result = runWindow(home);
            QCOMPARE(result.exitCode, 0);
            const QString line = u"kvscope: Settings file %1: pin 2 \"pin 2\" left out: config/pins/2/dtype \"%2\" is "
                                 u"not one of %3; the file as it was is kept as %4\n"_s.arg(file, bad, dtypes, backup);
            QVERIFY2(result.err.contains(line), qPrintable(result.err));
            QCOMPARE(result.err.count(u"left out"_s), 1);
            QCOMPARE(fileBytes(backup), damaged);
            const QJsonObject saved = savedSettings(home);
            QCOMPARE(saved.value(u"config/pins/size"_s).toInt(), 1);
            QCOMPARE(saved.value(u"config/pins/1/name"_s).toString(), u"pin 1"_s);
        }
        QCOMPARE(fileBytes(file + u".damaged"_s), settingsWithPins(u"fp64"_s));
    }

    void versionAndHelpNeedNoDisplay() {
        const Run version = run({u"--version"_s}, false);
        QCOMPARE(version.exitCode, 0);
        QCOMPARE(version.out, u"kvscope %1\n"_s.arg(QString::fromLatin1(KVSCOPE_VERSION)));
        const Run help = run({u"--help"_s}, false);
        QCOMPARE(help.exitCode, 0);
        QVERIFY(help.out.startsWith(u"Usage: kvscope"_s));
        QVERIFY(help.out.contains(u"kvscope-cli"_s));
        QVERIFY(help.err.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestKvscopeApp)
#include "tst_kvscopeapp.moc"
