#pragma once

#include <QList>
#include <QString>
#include <QStringList>
#include <optional>

#include "FigureExporter.h"
#include "ImportedModel.h"
#include "ReportSetup.h"
#include "kvscope/engine.h"
#include "kvscope/layout.h"
#include "kvscope/plan.h"
#include "kvscope/result.h"
#include "kvscope/shape.h"

// What one run of kvscope-cli was asked to do, parsed from its arguments.
// Parsing is kept apart from main() so it can be tested (and fuzzed) without
// starting a process. What the text report says (shape, workload, model,
// engine, deployment, --binary-units) is its ReportSetup part; the engine's
// model dtype, GPU and context limit are filled in as the rest is parsed.
struct CliOptions : ReportSetup {
    // One entry per kind of output; main() dispatches on it.
    enum class Action { Report, Json, Help, Version, ListModels, ListGpus, Export };
    // The two figures --chart draws.
    enum class Chart { Context, Groups };

    struct ChartOutput {
        Chart chart = Chart::Context;
        QString path;
    };

    Action action = Action::Report;
    // Where the KV dtype came from for the book's shape too (the model's is
    // Model::dtypeSource).
    bool engineGiven = false;

    // --compare: the models shown beside this run's, in the order given,
    // each once, at most kMaxCompared.
    static constexpr int kMaxCompared = 6;
    QList<Model> compared;

    // --list-models --json / --list-gpus --json: the list as one JSON array.
    bool listAsJson = false;

    // Export (Action::Export): every chart and the report, in that order.
    QList<ChartOutput> charts;
    QString reportPath;
    QList<int> extraGroups;  // each divides shape.n_heads
    // --figure-size, --font-size, --no-title, --legend, --theme, --dpi and
    // --png-scale: how the charts are drawn (the report takes the style).
    ExportOptions figure;

    // Parses the full argument list (program name first, as QCoreApplication
    // gives it). On success the shape and workload are valid and their totals
    // fit 64 bits, so estimate() cannot fail; a --config or --model is read,
    // its real total fits 64 bits, and every export path has a known
    // extension in a folder that exists; with deployment flags, the plan can
    // be made (PlanFigures::compute succeeds). On failure the error's field
    // is the flag's name and its message is one line naming the flag and
    // what is allowed, without the "kvscope-cli: " prefix.
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
