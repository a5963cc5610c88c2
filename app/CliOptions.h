#pragma once

#include <QList>
#include <QString>
#include <QStringList>
#include <optional>

#include "FigureExporter.h"
#include "ImportedModel.h"
#include "kvscope/engine.h"
#include "kvscope/layout.h"
#include "kvscope/plan.h"
#include "kvscope/result.h"
#include "kvscope/shape.h"

// What one run of kvscope-cli was asked to do, parsed from its arguments.
// Parsing is kept apart from main() so it can be tested (and fuzzed) without
// starting a process.
struct CliOptions {
    // One entry per kind of output; main() dispatches on it.
    enum class Action { Report, Json, Help, Version, ListModels, ListGpus, Export };
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

    // Deployment planning: where the model runs and what the KV cache may use.
    struct Planning {
        // Checked by validateDeployment(); parameters is 0 while unknown
        // (allowed only when --kv-budget-bytes gives the budget).
        kvscope::Deployment deployment;
        // --gpu, --gpu-memory-gib or --kv-budget-bytes: a budget, so the full
        // plan (blocks, solvers, GPUs needed). Without one only
        // --tensor-parallel was given: per-GPU figures, no budget.
        bool hasBudget = false;
        QString gpuName;   // --gpu's preset ("h100-80gb"); empty for a custom size or none
        QString gpuLabel;  // "NVIDIA H100 80GB"; empty when no GPU memory is known
        bool customMemory = false;  // --gpu-memory-gib gave the memory
        std::optional<std::uint64_t> parameters;
        // Where the count came from: "--parameters", "preset", "config" or
        // "book_shape" (the book's GPT model of the shape flags' shape).
        QString parametersSource;
        QString weightsDtypeSource;  // where the weight format came from
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

    // --engine and its options; the model dtype, GPU and the model's context
    // limit are filled in as the rest is parsed.
    kvscope::EngineSetup engine;
    // Where the KV dtype came from for the book's shape too (the model's is
    // Model::dtypeSource).
    bool engineGiven = false;

    // --compare: the models shown beside this run's, in the order given,
    // each once, at most kMaxCompared.
    static constexpr int kMaxCompared = 6;
    QList<Model> compared;

    // Set when a budget source or --tensor-parallel is given; without it the
    // output is the book's (or the model's) report alone.
    std::optional<Planning> planning;

    // --list-models --json / --list-gpus --json: the list as one JSON array.
    bool listAsJson = false;

    // Export (Action::Export): every chart and the report, in that order.
    QList<ChartOutput> charts;
    QString reportPath;
    QList<int> extraGroups;  // each divides shape.n_heads
    bool binaryUnits = false;  // charts, the report and the deployment section in GiB
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

    // The layers the plan splits and pages: the model's own, or the book's
    // shape as identical full layers with its GQA heads.
    kvscope::ModelLayout layout() const;

    // What the run says beyond the numbers: a context past the model's limit,
    // an engine that does not run the model. For the report and --json.
    std::vector<std::string> engineWarnings() const;
};
