// Arbitrary argument lists through kvscope-cli's parser: a parse either
// fails with one line naming a flag, or gives options whose estimate cannot
// fail (as CliOptions promises), and a deployment plan that parse() accepted
// can be computed. Never a crash, hang or sanitizer report.
#include <QString>
#include <QStringList>
#include <cstddef>
#include <cstdint>

#include "CliOptions.h"
#include "PlanReport.h"
#include "kvscope/estimator.h"

namespace {

void check(bool condition) {
    if (!condition) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    // One argument per line, as a shell would pass them.
    const QString text = QString::fromUtf8(reinterpret_cast<const char *>(data), static_cast<qsizetype>(size));
    QStringList arguments{QStringLiteral("kvscope-cli")};
    arguments += text.split(QLatin1Char('\n'));
    if (arguments.size() > 64) return 0;

    const auto options = CliOptions::parse(arguments);
    if (!options) {
        const QString message = QString::fromStdString(options.error().message);
        check(!message.isEmpty() && !message.contains(QLatin1Char('\n')));
        return 0;
    }
    if (options->action == CliOptions::Action::Report || options->action == CliOptions::Action::Json) {
        check(kvscope::estimate(options->shape, options->workload).ok());
        if (options->planning) check(cliPlanFigures(*options).ok());
    }
    return 0;
}
