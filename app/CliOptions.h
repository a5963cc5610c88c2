#pragma once

#include <QString>
#include <QStringList>

#include "kvscope/result.h"
#include "kvscope/shape.h"

// What one run of kvscope-cli was asked to do, parsed from its arguments.
// Parsing is kept apart from main() so it can be tested (and fuzzed) without
// starting a process.
struct CliOptions {
    // One entry per kind of output; main() dispatches on it. Later output
    // kinds (chart and PDF export) are added here.
    enum class Action { Report, Json, Help, Version };

    Action action = Action::Report;
    kvscope::ModelShape shape;
    kvscope::Workload workload;

    // Parses the full argument list (program name first, as QCoreApplication
    // gives it). On success the shape and workload are valid and their totals
    // fit 64 bits, so estimate() cannot fail. On failure the error's field is
    // the flag's name and its message is one line naming the flag and what is
    // allowed, without the "kvscope-cli: " prefix.
    static kvscope::Result<CliOptions> parse(const QStringList &arguments);

    // The --help text: every flag with its default.
    static QString helpText();

    // Turns an error from the core (which names fields as the book spells
    // them) into one line naming the command-line flags.
    static kvscope::InputError flagError(const kvscope::InputError &coreError, const kvscope::ModelShape &shape);
};
