#include "CliConsole.h"

#include <cstdio>

namespace CliConsole {

void printError(QString message) {
    for (QChar &c : message) {
        if (c.unicode() < 0x20 || c.unicode() == 0x7f) c = u'?';
    }
    std::fputs(("kvscope-cli: " + message.toStdString() + "\n").c_str(), stderr);
}

void quietQtMessages(QtMsgType type, const QMessageLogContext &, const QString &message) {
    if (type == QtCriticalMsg || type == QtFatalMsg) printError(message);
}

}  // namespace CliConsole
