#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "ErrorWording.h"
#include "ReportSetup.h"
#include "kvscope/plan.h"
#include "kvscope/result.h"

// The deployment plan (kvscope-cli's --gpu, --gpu-memory-gib,
// --kv-budget-bytes, --tensor-parallel; the window's budget panel): the
// numbers of kvscope::plan() for the model and workload, and the report's
// deployment section. The book's report and the model report stay as they
// are; this follows them.
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

    // setup.planning must be set. Fails with one line, worded by `wording`
    // (kvscope-cli names its flags): a tensor-parallel count that does not split the heads (with the valid
    // counts), weights that leave no room or a budget below one block (with
    // the GPUs needed, when some count fits).
    static kvscope::Result<PlanFigures> compute(const ReportSetup &setup, const ErrorWording &wording = {});
};

// A blank line, then "==== Deployment ====": GPU, utilization, weights, KV
// budget, blocks, the workload per GPU and whether it fits, the largest
// context and batch, the maximum concurrency (as vLLM logs it, for models
// without windows or linear states) and the GPUs
// needed; in GB, or GiB with --binary-units.
std::string planSection(const ReportSetup &setup, const PlanFigures &figures);

