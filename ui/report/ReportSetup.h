#pragma once

#include <QString>
#include <optional>
#include <string>
#include <vector>

#include "ImportedModel.h"
#include "kvscope/engine.h"
#include "kvscope/layout.h"
#include "kvscope/plan.h"
#include "kvscope/shape.h"

class ConfigModel;

// Everything the text report says, in the terms kvscope-cli prints: the
// book's shape and workload, a real model with where its name, source and KV
// dtype came from, the engine, and a deployment. kvscope-cli fills it from
// its flags (CliOptions is one), the window from its ConfigModel (of()), so
// both print the same report for the same configuration.
struct ReportSetup {
    // A real model from --config FILE or --model NAME, already read.
    struct Model {
        QString label;        // the preset's name, or the file as given
        QString origin;       // "built-in preset (<source>)", "config.json file", "GGUF file", ...
        bool isPreset = false;
        // JSON model_source for what is not a preset: "config" (a config.json
        // file), "gguf", "ollama", "folder" (a model folder) or "huggingface" (a Hub id).
        QString sourceKind = QStringLiteral("config");
        ImportedModel imported;
        QString dtypeSource;  // where the KV dtype came from, for the report and provenance

        // The name reports and charts show: a preset's name or Hub id as
        // given, else the config file's or model folder's name.
        QString shownName() const;
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
        // The model file's own description of its stored weights ("Q4_K_M
        // (Q4_K 161 tensors, ...)") when deployment.stored_weights_bytes is set.
        QString storedWeightsFormat;
    };

    // The book's shape: from its flags, or a model's ImportedModel::shape.
    kvscope::ModelShape shape;
    kvscope::Workload workload;
    std::optional<Model> model;
    // The engine and its options, the model dtype, GPU and the model's
    // context limit.
    kvscope::EngineSetup engine;
    // Set when a budget source or --tensor-parallel is given; without it the
    // report is the book's (or the model's) alone.
    std::optional<Planning> planning;
    bool binaryUnits = false;  // the deployment section in GiB (--binary-units)

    // The window's configuration as kvscope-cli would be asked for it: a
    // preset under its name, a config file under its absolute path, a KV
    // dtype other than the engine's default as if given with --dtype, the
    // GPU and the budget as --gpu, --gpu-memory-gib, --kv-budget-bytes and
    // --parameters give them (a KV budget entered directly as
    // --kv-budget-bytes alone).
    static ReportSetup of(const ConfigModel &config);

    // Where a model's KV dtype came from when --dtype was not given: the
    // engine's default for the checkpoint.
    static QString defaultDtypeSource(kvscope::Engine engine, const ImportedModel &imported, kvscope::DType dtype);

    // The layers the plan splits and pages: the model's own, or the book's
    // shape as identical full layers with its GQA heads.
    kvscope::ModelLayout layout() const;

    // What the run says beyond the numbers: a context past the model's limit,
    // an engine that does not run the model. For the report and --json.
    std::vector<std::string> engineWarnings() const;
};
