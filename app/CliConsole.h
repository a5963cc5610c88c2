#pragma once

#include <QString>
#include <QtGlobal>

// kvscope-cli on the console: exit codes, the one-line error format, and
// quiet Qt messages while writing files.
namespace CliConsole {

constexpr int kExitOk = 0;
constexpr int kExitOutputFailed = 1;
constexpr int kExitBadInput = 2;

// "kvscope-cli: <message>" on stderr, on one line: control characters in
// file names or values never break it.
void printError(QString message);

// Qt's own chatter while exporting is not the user's concern: an export
// prints nothing on success and one line on failure. Critical and fatal
// messages still reach stderr.
void quietQtMessages(QtMsgType type, const QMessageLogContext &context, const QString &message);

}  // namespace CliConsole
