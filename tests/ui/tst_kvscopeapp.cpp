#include <QProcess>
#include <QSettings>
#include <QTemporaryDir>
#include <QtTest>

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
        QSettings saved(home.filePath(u"KVScope/kvscope.conf"_s), QSettings::IniFormat);
        QVERIFY2(saved.allKeys().join(u' ').contains(u"model_origin"_s), qPrintable(saved.allKeys().join(u' ')));
        bool found = false;
        for (const QString &key : saved.allKeys()) {
            if (key.endsWith(u"model_origin"_s)) found = saved.value(key).toString().endsWith(u"gemma-3-27b.json"_s);
        }
        QVERIFY(found);
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
