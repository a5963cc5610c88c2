// kvscope-cli: the book's estimator and real models on the command line.
// It links QtCore only, so it starts fast: text, JSON, every chart format
// and the report are written in this process, the figures through cairo,
// without Qt's GUI libraries or a display.

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <string>

#include "CliConsole.h"
#include "CliExport.h"
#include "ConfigModel.h"
#include "CliOptions.h"
#include "CompareReport.h"
#include "JsonReport.h"
#include "ModelEstimate.h"
#include "PlanReport.h"
#include "PresetLibrary.h"
#include "TextReport.h"
#include "kvscope/estimator.h"
#include "kvscope/engine.h"
#include "kvscope/format.h"
#include "kvscope/gpu.h"
#include "kvscope/units.h"

using namespace Qt::StringLiterals;

namespace {

using CliConsole::kExitBadInput;
using CliConsole::kExitOk;
using CliConsole::kExitOutputFailed;
using CliConsole::printError;

// Output is built in full before the first byte is written, so a failure can
// never leave a partial report on stdout.
int writeOut(const std::string &text) {
    if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size() || std::fflush(stdout) != 0) {
        std::fprintf(stderr, "kvscope-cli: cannot write to standard output: %s\n", std::strerror(errno));
        return kExitOutputFailed;
    }
    return kExitOk;
}

// The engine sources the rules follow, one line each after the version.
std::string engineVersionsText() {
    std::string text;
    for (kvscope::Engine engine : {kvscope::Engine::Vllm, kvscope::Engine::LlamaCpp}) {
        text += std::string(kvscope::engineLabel(engine)) + " rules: " + std::string(kvscope::engineVersion(engine)) +
                "\n";
    }
    return text;
}

int failInput(const kvscope::InputError &error) {
    printError(QString::fromStdString(error.message));
    return kExitBadInput;
}

// The book's report and --json both show one estimate; parse() has already
// checked that it can be computed. With a deployment plan, the report is
// followed by its section and the JSON by its keys; without one, the output is
// exactly as before. The text is the window's Copy as text (TextReport).
int printEstimate(const CliOptions &options) {
    if (options.action == CliOptions::Action::Report) {
        const auto report = TextReport::build(options, cliErrorWording(options));
        if (!report) return failInput(report.error());
        std::string text = *report;
        // --compare follows everything else, so a run without it is unchanged.
        if (!options.compared.isEmpty()) {
            const auto rows = compareRows(options);
            if (!rows) return failInput(rows.error());
            text += compareSection(options, *rows);
        }
        return writeOut(text);
    }
    JsonFields planKeys = engineJsonFields(options);
    if (options.planning) {
        const auto figures = cliPlanFigures(options);
        if (!figures) return failInput(figures.error());
        for (auto &field : planJsonFields(options, *figures)) planKeys.push_back(std::move(field));
    }
    JsonFields compareKeys;
    if (!options.compared.isEmpty()) {
        const auto rows = compareRows(options);
        if (!rows) return failInput(rows.error());
        compareKeys = compareJsonFields(options, *rows);
    }
    if (options.model) {
        const auto estimate = ModelEstimate::compute(options.model->imported, options.workload, options.engine);
        if (!estimate) return failInput(CliOptions::flagError(estimate.error(), options.shape));
        for (auto &field : compareKeys) planKeys.push_back(std::move(field));
        return writeOut(jsonModelReport(options, *estimate, planKeys));
    }
    const auto estimate = kvscope::estimate(options.shape, options.workload);
    if (!estimate) return failInput(CliOptions::flagError(estimate.error(), options.shape));
    // The book's shape has no warnings of its own; the engine's go with its keys.
    std::vector<std::string> warnings;
    for (const std::string &w : options.engineWarnings()) warnings.push_back(jsonString(w));
    planKeys.emplace_back("warnings", jsonArray(warnings));
    for (auto &field : compareKeys) planKeys.push_back(std::move(field));
    return writeOut(jsonReport(options.shape, options.workload, *estimate, planKeys));
}

// One GPU per line: name, label and memory, separated by tabs.
int listGpus(const CliOptions &options) {
    if (options.listAsJson) return writeOut(jsonGpuList());
    std::string text;
    for (const kvscope::GpuPreset &gpu : kvscope::allGpus()) {
        text += std::string(gpu.name) + '\t' + std::string(gpu.label) + '\t' +
                kvscope::formatBytes(gpu.memory_bytes, kvscope::ByteUnit::Binary) + '\n';
    }
    return writeOut(text);
}

// One model per line: name, family and source, separated by tabs.
int listModels(const CliOptions &options) {
    const auto library = PresetLibrary::builtin();
    if (!library) return failInput(library.error());
    if (options.listAsJson) return writeOut(jsonModelList(library->presets()));
    std::string text;
    for (const Preset &p : library->presets()) {
        text += QString(p.name + u'\t' + p.family + u'\t' + p.source + u'\n').toStdString();
    }
    return writeOut(text);
}

int exportFiles(const CliOptions &options) {
    qInstallMessageHandler(CliConsole::quietQtMessages);
    ConfigModel model;
    if (const auto error = CliExport::configure(options, model)) {
        printError(*error);
        return kExitOutputFailed;
    }
    if (const auto error = CliExport::writeFigures(options, model)) {
        printError(*error);
        return kExitOutputFailed;
    }
    return kExitOk;
}

}  // namespace

int main(int argc, char *argv[]) {
    // Past a file size limit (ulimit -f) a write then fails with EFBIG and is
    // reported, naming the file, instead of the signal ending the process.
    std::signal(SIGXFSZ, SIG_IGN);
    // Arguments are UTF-8, as Qt reads them. The application exists before
    // parsing: a model given by its Hugging Face id is fetched then.
    QStringList arguments;
    for (int i = 0; i < argc; ++i) arguments << QString::fromLocal8Bit(argv[i]);
    QCoreApplication app(argc, argv);
    const auto options = CliOptions::parse(arguments);
    if (!options) return failInput(options.error());

    QCoreApplication::setApplicationName(u"kvscope-cli"_s);
    QCoreApplication::setApplicationVersion(QStringLiteral(KVSCOPE_VERSION));
    switch (options->action) {
        case CliOptions::Action::Help:
            return writeOut(CliOptions::helpText().toStdString());
        case CliOptions::Action::Version:
            return writeOut("kvscope-cli " KVSCOPE_VERSION "\n" + engineVersionsText());
        case CliOptions::Action::ListModels:
            return listModels(*options);
        case CliOptions::Action::ListGpus:
            return listGpus(*options);
        case CliOptions::Action::Report:
        case CliOptions::Action::Json:
            return printEstimate(*options);
        case CliOptions::Action::Export:
            return exportFiles(*options);
    }
    return kExitOk;
}
