#pragma once

// Runs the built kvscope-cli (KVSCOPE_CLI_PATH) as a user would, for the
// tests that check what it prints and writes.

#include <QByteArray>
#include <QProcess>
#include <QProcessEnvironment>
#include <QRegularExpression>
#include <QStringList>
#include <QtGlobal>
#include <functional>

struct CliRun {
    int exitCode = -1;
    QByteArray out;
    QByteArray err;

    // `inChild` runs in the child between fork and exec (async-signal-safe
    // calls only), e.g. to set a resource limit.
    static CliRun run(const QStringList &arguments,
                      const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment(),
                      const std::function<void()> &inChild = {}) {
        QProcess process;
        process.setProcessEnvironment(env);
        if (inChild) process.setChildProcessModifier(inChild);
        process.start(QStringLiteral(KVSCOPE_CLI_PATH), arguments);
        CliRun result;
        if (!process.waitForFinished(60000) || process.exitStatus() != QProcess::NormalExit) {
            qWarning("kvscope-cli did not finish normally: %s", qPrintable(process.errorString()));
            return result;
        }
        result.exitCode = process.exitCode();
        result.out = process.readAllStandardOutput();
        result.err = process.readAllStandardError();
        return result;
    }

    // The raw digits after "key": in the JSON text, untouched by any double.
    static QByteArray rawJsonNumber(const QByteArray &json, const QString &key) {
        const QRegularExpression re(QStringLiteral("\"%1\": (-?[0-9.e+]+)").arg(key));
        return re.match(QString::fromUtf8(json)).captured(1).toUtf8();
    }
};
