#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "CliOptions.h"
#include "JsonReport.h"
#include "kvscope/plan.h"
#include "kvscope/result.h"

// kvscope-cli's deployment planning (--gpu, --gpu-memory-gib,
// --kv-budget-bytes, --tensor-parallel): the numbers of kvscope::plan() for
// the run's model and workload, the report's deployment section and the
// --json keys. The book's report and the model report stay as they are; this
// follows them.
struct PlanFigures {
    // With a budget (--gpu, --gpu-memory-gib or --kv-budget-bytes).
    std::optional<kvscope::Plan> plan;
    // The workload's cache per GPU, each sequence rounded up to whole blocks
    // (with a budget).
    std::uint64_t paged_bytes_per_gpu = 0;

    // With or without a budget.
    std::uint64_t kv_bytes = 0;          // the whole model's cache at the workload
    std::uint64_t kv_bytes_per_gpu = 0;  // one GPU's share (exact, unpaged)
    std::uint32_t kv_heads = 0;          // first full or sliding layer's K/V heads; 0 when none
    std::uint32_t kv_heads_per_gpu = 0;  // the same layer's on one GPU
    bool kv_heads_replicated = false;    // fewer K/V heads than GPUs somewhere
    bool has_mla = false;                // an MLA latent, held whole on every GPU
    std::optional<std::uint64_t> weights_bytes;  // unknown without a parameter count
    std::optional<std::uint64_t> weights_bytes_per_gpu;

    // options.planning must be set. Fails with one line naming the flag: a
    // tensor-parallel count that does not split the heads (with the valid
    // counts), weights that leave no room or a budget below one block (with
    // the GPUs needed, when some count fits).
    static kvscope::Result<PlanFigures> compute(const CliOptions &options);
};

// A blank line, then "==== Deployment ====": GPU, utilization, weights, KV
// budget, blocks, the workload per GPU and whether it fits, the largest
// context and batch, the maximum concurrency (as vLLM logs it, for models
// without windows or linear states) and the GPUs
// needed; in GB, or GiB with --binary-units.
std::string planSection(const CliOptions &options, const PlanFigures &figures);

// The plan's --json keys, in order.
JsonFields planJsonFields(const CliOptions &options, const PlanFigures &figures);

// What the chosen engine allocates for the workload (batch_size sequences of
// context_length tokens: llama.cpp's -c context*batch -np batch, vLLM's
// blocks for those requests) on every GPU the run names; nothing when the
// engine cannot hold it (a cache format or an architecture it has not).
std::optional<std::uint64_t> engineKvBytes(const CliOptions &options);

// The --json keys every run has: engine, engine_version, engine_kv_bytes, and
// the engine's warnings (a context past the model's limit, ...).
JsonFields engineJsonFields(const CliOptions &options);
