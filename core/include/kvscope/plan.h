#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "kvscope/dtype.h"
#include "kvscope/layout.h"
#include "kvscope/result.h"
#include "kvscope/shape.h"

namespace kvscope {

// Where the model runs. Either a GPU (memory_bytes per GPU, times the
// utilization fraction, minus the weights and a fixed overhead) or a KV budget
// given directly.
struct Deployment {
    std::uint64_t gpu_memory_bytes = 0;  // one GPU's memory
    // Fraction of the GPU's memory the engine may use, in millionths: 900,000
    // is vLLM's default gpu_memory_utilization of 0.9. Integers so that the
    // budget is exact.
    std::uint32_t utilization_ppm = 900'000;
    std::uint32_t tensor_parallel = 1;   // GPUs the model is split over
    std::uint64_t parameters = 0;        // the model's weights
    DType weights_dtype = DType::bf16;
    std::uint64_t overhead_bytes = 0;    // per GPU: activations, CUDA context, graphs
    // Per GPU; when set it is the KV budget, and memory, utilization, weights
    // and overhead only inform.
    std::optional<std::uint64_t> kv_budget_bytes;
    std::uint32_t block_size = 16;       // tokens per paged block, vLLM's default

    friend bool operator==(const Deployment &, const Deployment &) = default;
};

struct PlanLimits {
    static constexpr std::uint32_t max_tensor_parallel = 1024;
    static constexpr std::uint32_t max_block_size = 1024;  // a power of two from 1
    static constexpr std::uint32_t min_utilization_ppm = 1;
    static constexpr std::uint32_t max_utilization_ppm = 1'000'000;
    static constexpr std::uint64_t max_parameters = std::uint64_t{1} << 44;  // ~17.6 trillion
    static constexpr std::uint64_t max_gpu_memory_bytes = std::uint64_t{1} << 50;  // 1 PiB
};

// Checks the deployment's own fields (error fields: tensor_parallel,
// block_size, gpu_utilization, parameters, gpu_memory, kv_budget_bytes).
std::optional<InputError> validateDeployment(const Deployment &deployment);

// Whether `tensor_parallel` GPUs can split every attention layer the way vLLM
// does: query heads divide evenly, and K/V heads either divide evenly or are
// fewer than the GPUs, which then must be a multiple of them (each GPU holds a
// replica of one head). Error field: tensor_parallel, naming the valid counts.
std::optional<InputError> validateTensorParallel(const ModelLayout &layout, std::uint32_t tensor_parallel);

// Every count validateTensorParallel() accepts, ascending, up to `max`: the
// divisors of the attention layers' common query-head count that also split
// or replicate their K/V heads (1 .. max when the model has no attention).
std::vector<std::uint32_t> validTensorParallelCounts(const ModelLayout &layout,
                                                     std::uint32_t max = PlanLimits::max_tensor_parallel);

// The share of the cache one GPU holds: full and sliding layers keep
// n_kv_heads / tensor_parallel K/V heads, or one whole head when there are
// fewer heads than GPUs (replication); an MLA latent is not split (every GPU
// holds all of it); a linear layer's state is split evenly (rounded up);
// shared layers stay empty.
Result<ModelLayout> layoutPerGpu(const ModelLayout &layout, std::uint32_t tensor_parallel);

// The first full or sliding layer's K/V heads; 0 when there is none.
std::uint32_t firstKvHeads(const ModelLayout &layout);

// Whether some layer has fewer K/V heads than GPUs, so each GPU holds a replica.
bool kvHeadsReplicated(const ModelLayout &layout, std::uint32_t tensor_parallel);

// A utilization in millionths as a user types it: 900000 -> "0.9", 1000000 -> "1".
std::string utilizationText(std::uint32_t ppm);

// K/V heads one GPU holds for a layer with n_kv_heads (at least 1).
std::uint32_t kvHeadsPerGpu(std::uint32_t n_kv_heads, std::uint32_t tensor_parallel);

// Paged allocation, per GPU. A block holds block_size tokens of every layer's
// K and V (linear layers' fixed states live outside blocks). A sequence of c
// tokens takes ceil(c / block_size) blocks, so `fits` rounds every sequence up
// to whole blocks: for models of full layers, batch * ceil(c / block_size) <=
// num_blocks, exactly vLLM's rule.
struct PagedCache {
    ModelLayout per_gpu;          // layoutPerGpu() of the model
    DType kv_dtype = DType::bf16;
    std::uint32_t block_size = 16;
    std::uint64_t kv_budget_bytes = 0;  // per GPU
};

// Bytes one block holds (block_size tokens of every growing layer).
Result<std::uint64_t> blockBytes(const ModelLayout &per_gpu, DType kv_dtype, std::uint32_t block_size);

// Per-GPU cache bytes for `batch` sequences of `context` tokens, each rounded
// up to whole blocks.
Result<std::uint64_t> pagedBytes(const PagedCache &cache, std::uint64_t context, std::uint64_t batch);

bool fits(const PagedCache &cache, std::uint64_t context, std::uint64_t batch);

// Whether a sequence's cache is context tokens of every layer that has one
// (full attention, MLA without a window), as the block formula assumes; false
// with a sliding window or a linear state.
bool holdsWholeContext(const ModelLayout &layout);

// Solvers. A search result says whether it hit the end of the accepted range
// (the model would take more: a sliding-only model never fills the budget).
struct Solved {
    std::uint64_t value = 0;  // 0: not even the smallest fits
    bool at_limit = false;    // value is the range's end, not the budget's
};

// Largest context (1 .. Limits::max_context_length) at which `batch` sequences fit.
Solved maxContextLength(const PagedCache &cache, std::uint64_t batch);
// Largest batch (1 .. Limits::max_batch_size) of `context`-token sequences that fits.
Solved maxBatchSize(const PagedCache &cache, std::uint64_t context);

// Smallest tensor-parallel GPU count (valid for the model, up to
// PlanLimits::max_tensor_parallel) at which `workload` fits on GPUs like
// `deployment`'s (its tensor_parallel is ignored); nullopt when none does or
// the deployment gives its KV budget directly. Useful also when plan() says
// the weights leave no room on the GPUs given.
std::optional<std::uint32_t> gpusNeeded(const ModelLayout &layout, const Workload &workload,
                                        const Deployment &deployment);

// "; needs 2 GPUs": how plan()'s errors end when more GPUs like these would
// hold the workload, so a front end can add how to ask for them.
std::string gpusNeededClause(std::uint32_t gpus);

// Everything the budget panel, the summary and --json show.
struct Plan {
    std::uint64_t weights_bytes = 0;          // the whole model
    std::uint64_t weights_bytes_per_gpu = 0;  // ceil(weights / tensor_parallel)
    std::uint64_t usable_bytes_per_gpu = 0;   // floor(memory * utilization); 0 with a direct budget
    std::uint64_t kv_budget_bytes = 0;        // per GPU
    std::uint64_t block_bytes = 0;            // per GPU
    std::uint64_t num_blocks = 0;             // floor(kv_budget / block_bytes) per GPU
    std::uint64_t kv_bytes = 0;               // the whole model's cache at the workload, unsplit
    std::uint64_t kv_bytes_per_gpu = 0;       // one GPU's share at the workload (exact, unpaged)
    std::uint32_t kv_heads_per_gpu = 0;       // first attention layer with K/V heads; 0 when none
    bool kv_heads_replicated = false;         // fewer K/V heads than GPUs somewhere
    bool fits = false;                        // the workload fits the budget
    Solved max_context_length;                // at workload.batch_size
    Solved max_batch_size;                    // at workload.context_length
    // Sequences of context_length tokens the blocks hold. When the layout
    // holdsWholeContext(), vLLM's log line exactly: num_blocks * block_size /
    // context_length. Otherwise num_blocks * block_bytes / one running
    // sequence's cache in whole blocks: a window counts at its size, a linear
    // state in full. (vLLM's log line then also reserves a prefill chunk per
    // sliding layer, so it says less.) Without blocks, max_batch_size.
    double max_concurrency = 0;
    std::optional<std::uint32_t> gpus_needed;  // gpusNeeded()
};

// The plan for `layout` at `workload` (its dtype is the KV format). An
// InputError when the deployment is invalid, when the weights leave no room
// (field gpu_memory: names the weights per GPU and the usable memory), or when
// the KV budget holds less than one block (field kv_budget_bytes: names both
// sizes); these two end with gpusNeededClause() when more GPUs would do.
// Never a zero or negative budget.
Result<Plan> plan(const ModelLayout &layout, const Workload &workload, const Deployment &deployment);

}  // namespace kvscope
