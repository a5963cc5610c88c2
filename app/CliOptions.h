#pragma once

#include <QList>
#include <QString>
#include <QStringList>
#include <optional>

#include "ImportedModel.h"
#include "kvscope/result.h"
#include "kvscope/shape.h"

// What one run of kvscope-cli was asked to do, parsed from its arguments.
// Parsing is kept apart from main() so it can be tested (and fuzzed) without
// starting a process.
struct CliOptions {
    // One entry per kind of output; main() dispatches on it.
    enum class Action { Report, Json, Help, Version, ListModels, Export };
    // The two figures --chart draws.
    enum class Chart { Context, Groups };

    // A real model from --config FILE or --model NAME, already read.
    struct Model {
        QString label;        // the preset's name, or the file as given
        QString origin;       // "built-in preset (<source>)" or "config.json file"
        bool isPreset = false;
        ImportedModel imported;
        QString dtypeSource;  // where the KV dtype came from, for the report and provenance
    };

    struct ChartOutput {
        Chart chart = Chart::Context;
        QString path;
    };

    Action action = Action::Report;
    // The book's shape: from its flags, or a model's ImportedModel::shape.
    kvscope::ModelShape shape;
    kvscope::Workload workload;
    std::optional<Model> model;

    // --list-models --json: the list as one JSON array.
    bool listAsJson = false;

    // Export (Action::Export): every chart and the report, in that order.
    QList<ChartOutput> charts;
    QString reportPath;
    QList<int> extraGroups;  // each divides shape.n_heads
    bool binaryUnits = false;
    double pngScale = 2.0;

    // Parses the full argument list (program name first, as QCoreApplication
    // gives it). On success the shape and workload are valid and their totals
    // fit 64 bits, so estimate() cannot fail; a --config or --model is read,
    // its real total fits 64 bits, and every export path has a known
    // extension in a folder that exists. On failure the error's field is the
    // flag's name and its message is one line naming the flag and what is
    // allowed, without the "kvscope-cli: " prefix.
    static kvscope::Result<CliOptions> parse(const QStringList &arguments);

    // The --help text: every flag with its default.
    static QString helpText();

    // Turns an error from the core (which names fields as the book spells
    // them) into one line naming the command-line flags.
    static kvscope::InputError flagError(const kvscope::InputError &coreError, const kvscope::ModelShape &shape);

    // Whether the book's MHA/GQA shape gives this run's exact bytes: always
    // for the book's flags, for a model only when its layers are uniform
    // full attention (ImportedModel::shape_is_exact).
    bool bookShapeIsExact() const { return !model || model->imported.shape_is_exact; }
};
