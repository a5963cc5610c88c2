// kvscope-cli: the book's estimator on the command line. It stays a
// QCoreApplication (no GUI libraries loaded) so text output starts fast.

#include <QCoreApplication>
#include <cstdio>
#include <string>

#include "CliOptions.h"
#include "JsonReport.h"
#include "kvscope/estimator.h"
#include "kvscope/format.h"

using namespace Qt::StringLiterals;

namespace {

constexpr int kExitOk = 0;
constexpr int kExitOutputFailed = 1;
constexpr int kExitBadInput = 2;

// Output is built in full before the first byte is written, so a failure can
// never leave a partial report on stdout.
int writeOut(const std::string &text) {
    if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size() || std::fflush(stdout) != 0) {
        std::fputs("kvscope-cli: cannot write to standard output\n", stderr);
        return kExitOutputFailed;
    }
    return kExitOk;
}

int failInput(const kvscope::InputError &error) {
    std::fputs(("kvscope-cli: " + error.message + "\n").c_str(), stderr);
    return kExitBadInput;
}

// The report and --json both show one estimate; parse() has already checked
// that it can be computed.
int printEstimate(const CliOptions &options) {
    const auto estimate = kvscope::estimate(options.shape, options.workload);
    if (!estimate) return failInput(CliOptions::flagError(estimate.error(), options.shape));
    return writeOut(options.action == CliOptions::Action::Json
                        ? jsonReport(options.shape, options.workload, *estimate)
                        : kvscope::bookReport(options.shape, options.workload, *estimate));
}

}  // namespace

int main(int argc, char *argv[]) {
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(u"kvscope-cli"_s);
    QCoreApplication::setApplicationVersion(QStringLiteral(KVSCOPE_VERSION));

    const auto options = CliOptions::parse(QCoreApplication::arguments());
    if (!options) return failInput(options.error());

    switch (options->action) {
        case CliOptions::Action::Help:
            return writeOut(CliOptions::helpText().toStdString());
        case CliOptions::Action::Version:
            return writeOut("kvscope-cli " KVSCOPE_VERSION "\n");
        case CliOptions::Action::Report:
        case CliOptions::Action::Json:
            return printEstimate(*options);
    }
    return kExitOk;
}
