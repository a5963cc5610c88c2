// kvscope-render: kvscope-cli's writer for the files that need Qt's GUI (PNG
// charts, the PDF report, PDF text beyond the core fonts). kvscope-cli
// becomes this program (exec) with its own arguments, so the command line,
// messages and exit codes are kvscope-cli's. It starts a QGuiApplication on
// the offscreen platform unless QT_QPA_PLATFORM says otherwise, so it works
// with no display.

#include <QGuiApplication>
#include <QStringList>
#include <csignal>

#include "ChartExporter.h"
#include "CliConsole.h"
#include "CliExport.h"
#include "CliOptions.h"
#include "ConfigModel.h"

using namespace Qt::StringLiterals;

int main(int argc, char *argv[]) {
    // A write past a file size limit fails with EFBIG and is reported (see kvscope-cli).
    std::signal(SIGXFSZ, SIG_IGN);
    QStringList arguments;
    for (int i = 0; i < argc; ++i) arguments << QString::fromLocal8Bit(argv[i]);
    const auto options = CliOptions::parse(arguments);
    if (!options) {
        CliConsole::printError(QString::fromStdString(options.error().message));
        return CliConsole::kExitBadInput;
    }
    if (options->action != CliOptions::Action::Export) {
        CliConsole::printError(u"kvscope-render only writes files: run kvscope-cli"_s);
        return CliConsole::kExitBadInput;
    }
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
    qInstallMessageHandler(CliConsole::quietQtMessages);
    QGuiApplication app(argc, argv);
    QGuiApplication::setApplicationName(u"kvscope-cli"_s);
    QGuiApplication::setApplicationVersion(QStringLiteral(KVSCOPE_VERSION));

    ConfigModel model;
    if (const auto error = CliExport::configure(*options, model)) {
        CliConsole::printError(*error);
        return CliConsole::kExitOutputFailed;
    }
    const ChartExporter exporter(&model);
    ExportOptions exportOptions;
    exportOptions.pngScale = options->pngScale;
    for (const CliOptions::ChartOutput &output : options->charts) {
        const ChartKind kind = output.chart == CliOptions::Chart::Context ? ChartKind::Context : ChartKind::Groups;
        if (const auto error = exporter.exportChart(kind, output.path, exportOptions)) {
            CliConsole::printError(*error);
            return CliConsole::kExitOutputFailed;
        }
    }
    if (!options->reportPath.isEmpty()) {
        if (const auto error = exporter.exportReport(options->reportPath)) {
            CliConsole::printError(*error);
            return CliConsole::kExitOutputFailed;
        }
    }
    return CliConsole::kExitOk;
}
