#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "kvscope/dtype.h"
#include "kvscope/engine.h"
#include "kvscope/layout.h"
#include "kvscope/result.h"
#include "kvscope/shape.h"
#include "kvscope/units.h"
#include "kvscope/vllm_cache.h"

namespace kvscope {

// Where the model runs. Either a GPU (memory_bytes per GPU, times the
// utilization fraction, minus the weights and a fixed overhead) or a KV budget
// given directly.
struct Deployment {
    std::uint64_t gpu_memory_bytes = 0;  // one GPU's memory
    // Fraction of the GPU's memory the engine may use, in millionths
    // (defaultUtilizationPpm()). Integers so that the budget is exact.
    std::uint32_t utilization_ppm = 920'000;
    std::uint32_t tensor_parallel = 1;   // GPUs the model is split over
    std::uint64_t parameters = 0;        // the model's weights
    DType weights_dtype = DType::bf16;
    // The bytes the weights take as stored, when the model's files say it
    // exactly (a GGUF file's tensors, safetensors headers): then these, not
    // parameters in weights_dtype, are what the GPUs hold.
    std::optional<std::uint64_t> stored_weights_bytes;
    std::uint64_t overhead_bytes = 0;    // per GPU: activations, CUDA context, graphs
    // Per GPU; when set it is the KV budget, and memory, utilization, weights
    // and overhead only inform.
    std::optional<std::uint64_t> kv_budget_bytes;
    // vLLM's --block-size: tokens per paged block; 0 for the attention
    // backend's own (vllmDefaultBlockSize()). llama.cpp has no blocks.
    std::uint32_t block_size = 0;

    friend bool operator==(const Deployment &, const Deployment &) = default;
};

// What the weights take: stored_weights_bytes when known, else parameters
// in weights_dtype (weightsBytes()).
Result<std::uint64_t> deploymentWeightsBytes(const Deployment &deployment);

// The engine's own default: vLLM's gpu_memory_utilization (0.92 in
// vllm/config/cache.py CacheConfig), 1 for llama.cpp, which takes what its
// weights and cache need and nothing more.
std::uint32_t defaultUtilizationPpm(Engine engine);

struct PlanLimits {
    static constexpr std::uint32_t max_tensor_parallel = 1024;
    static constexpr std::uint32_t max_block_size = 1024;  // a power of two from 1 (0: the engine's)
    static constexpr std::uint32_t min_utilization_ppm = 1;
    static constexpr std::uint32_t max_utilization_ppm = 1'000'000;
    static constexpr std::uint64_t max_parameters = std::uint64_t{1} << 44;  // ~17.6 trillion
    static constexpr std::uint64_t max_gpu_memory_bytes = std::uint64_t{1} << 50;  // 1 PiB
    static constexpr std::uint64_t max_weights_bytes = std::uint64_t{1} << 50;      // 1 PiB, as a GPU's memory
};

// Checks the deployment's own fields (error fields: tensor_parallel,
// block_size, gpu_utilization, parameters, gpu_memory, kv_budget_bytes).
// Sizes in the messages are written in `unit`.
std::optional<InputError> validateDeployment(const Deployment &deployment, ByteUnit unit = ByteUnit::Binary);

// Whether `tensor_parallel` GPUs can split every layer the way vLLM does:
// query heads divide evenly, K/V heads either divide evenly or are fewer than
// the GPUs, which then must be a multiple of them (each GPU holds a replica of
// one head), and linear states split into whole heads and channels
// (linearLayerPerGpu). llama.cpp splits whole layers, not heads: any count
// up to the number of layers.
// Error field: tensor_parallel, naming the valid counts.
std::optional<InputError> validateTensorParallel(const ModelLayout &layout, std::uint32_t tensor_parallel,
                                                 Engine engine = Engine::Vllm);

// Every count validateTensorParallel() accepts, ascending, up to `max`: for
// vLLM the divisors of the attention layers' common query-head count that
// also split or replicate their K/V heads and split the linear states (1 ..
// max when the model has no attention); for llama.cpp 1 .. the layers.
std::vector<std::uint32_t> validTensorParallelCounts(const ModelLayout &layout,
                                                     std::uint32_t max = PlanLimits::max_tensor_parallel,
                                                     Engine engine = Engine::Vllm);

// The share of the cache one GPU holds under vLLM's tensor parallelism: full
// and sliding layers keep n_kv_heads / tensor_parallel K/V heads, or one
// whole head when there are fewer heads than GPUs (replication); an MLA
// latent is not split (every GPU holds all of it); a linear layer's states
// split as linearLayerPerGpu() says; shared layers stay empty.
Result<ModelLayout> layoutPerGpu(const ModelLayout &layout, std::uint32_t tensor_parallel);

// The first full or sliding layer's K/V heads; 0 when there is none.
std::uint32_t firstKvHeads(const ModelLayout &layout);

// Whether some layer has fewer K/V heads than GPUs, so each GPU holds a replica.
bool kvHeadsReplicated(const ModelLayout &layout, std::uint32_t tensor_parallel);

// A utilization in millionths as a user types it: 900000 -> "0.9", 1000000 -> "1".
std::string utilizationText(std::uint32_t ppm);

// K/V heads one GPU holds for a layer with n_kv_heads (at least 1).
std::uint32_t kvHeadsPerGpu(std::uint32_t n_kv_heads, std::uint32_t tensor_parallel);

// What the chosen engine allocates for a layout on a KV budget, and the
// searches over it. vLLM pages: a request of c tokens holds
// vllmBlocksPerRequest(c) block ids of one pool, and requests fit while their
// blocks do not exceed the pool less its null block (vllm/v1/core/
// block_pool.py BlockPool: "self.null_block = self.free_block_queue.popleft()").
// llama.cpp allocates its whole cache at start: -c c*b -np b fits while that
// allocation fits the budget.
struct KvAllocation {
    EngineSetup setup;
    DType kv_dtype = DType::bf16;
    std::uint32_t tensor_parallel = 1;
    std::uint64_t kv_budget_bytes = 0;  // per GPU
    // vLLM: the pool on one GPU.
    std::optional<VllmCache> vllm;
    std::uint64_t num_blocks = 0;       // floor(budget / block_bytes)
    // llama.cpp: the model's layers as it runs them (whole: it splits layers
    // over GPUs, not heads, so the budget is every GPU's together).
    std::optional<ModelLayout> llamacpp_layout;
    // The longest context a request may have: the model's limit when known.
    std::uint64_t max_context = Limits::max_context_length;
};

// The allocation of `layout` (the whole model) for `setup` on GPUs with
// `kv_budget_bytes` each. Errors: the engine does not run the layout, or the
// tensor-parallel count does not split it.
Result<KvAllocation> kvAllocation(const ModelLayout &layout, DType kv_dtype, const EngineSetup &setup,
                                  std::uint32_t tensor_parallel, std::uint64_t kv_budget_bytes,
                                  std::uint32_t block_size = 0);

// Bytes the engine holds on one GPU for `batch` sequences of `context`
// tokens: vLLM, the blocks those requests take (block_bytes each); llama.cpp,
// its cache for -c context*batch -np batch, shared evenly by the GPUs
// (rounded up).
Result<std::uint64_t> allocatedBytesPerGpu(const KvAllocation &a, std::uint64_t context, std::uint64_t batch);

// The same, summed over every GPU.
Result<std::uint64_t> allocatedBytes(const KvAllocation &a, std::uint64_t context, std::uint64_t batch);

// vLLM: block ids one request of `context` tokens holds at most; 0 for llama.cpp.
std::uint64_t blocksPerRequest(const KvAllocation &a, std::uint64_t context);

bool fits(const KvAllocation &a, std::uint64_t context, std::uint64_t batch);

// Solvers. A search result says what bounded it: the memory, the model's
// context limit, or the end of the accepted range (a sliding-only model never
// fills the budget).
enum class Bound : std::uint8_t { Memory, Model, Range };
std::string_view boundName(Bound bound);  // "memory", "model", "range"

struct Solved {
    std::uint64_t value = 0;  // 0: not even the smallest fits
    bool at_limit = false;    // value is the range's (or the model's) end, not the budget's
    Bound limited_by = Bound::Memory;
};

// Largest context (1 .. a.max_context) at which `batch` sequences fit.
Solved maxContextLength(const KvAllocation &a, std::uint64_t batch);
// Largest batch (1 .. Limits::max_batch_size) of `context`-token sequences that fits.
Solved maxBatchSize(const KvAllocation &a, std::uint64_t context);

// vLLM's "Maximum concurrency for {context} tokens per request": num_blocks
// over the blocks one request holds (the null block included, as vLLM logs
// it); llama.cpp: the largest batch.
double maxConcurrency(const KvAllocation &a, std::uint64_t context);

// Smallest GPU count (valid for the model and engine, up to
// PlanLimits::max_tensor_parallel) at which `workload` fits on GPUs like
// `deployment`'s (its tensor_parallel is ignored); nullopt when none does or
// the deployment gives its KV budget directly. Useful also when plan() says
// the weights leave no room on the GPUs given.
std::optional<std::uint32_t> gpusNeeded(const ModelLayout &layout, const Workload &workload,
                                        const Deployment &deployment, const EngineSetup &setup = {});

// "; needs 2 GPUs": how plan()'s errors end when more GPUs like these would
// hold the workload, so a front end can add how to ask for them.
std::string gpusNeededClause(std::uint32_t gpus);

// Everything the budget panel, the summary and --json show.
struct Plan {
    Engine engine = Engine::Vllm;
    std::uint64_t weights_bytes = 0;          // the whole model
    std::uint64_t weights_bytes_per_gpu = 0;  // ceil(weights / tensor_parallel)
    std::uint64_t usable_bytes_per_gpu = 0;   // floor(memory * utilization); 0 with a direct budget
    std::uint64_t kv_budget_bytes = 0;        // per GPU
    // vLLM: the effective block size (grown for Mamba states), one block id's
    // bytes per GPU, the pool, and what one request of context_length takes.
    // llama.cpp: all 0.
    std::uint32_t block_size = 0;
    std::uint64_t block_bytes = 0;
    std::uint64_t num_blocks = 0;
    std::uint64_t blocks_per_request = 0;
    std::uint64_t kv_bytes = 0;               // what the layers hold at the workload, whole model
    std::uint64_t kv_bytes_per_gpu = 0;       // one GPU's share of that (exact, unpaged)
    std::uint64_t engine_kv_bytes = 0;        // allocatedBytes() at the workload, every GPU
    std::uint64_t engine_kv_bytes_per_gpu = 0;  // allocatedBytesPerGpu() at the workload
    std::uint32_t kv_heads_per_gpu = 0;       // first attention layer with K/V heads; 0 when none
    bool kv_heads_replicated = false;         // fewer K/V heads than GPUs somewhere
    bool fits = false;                        // the workload fits the budget
    Solved max_context_length;                // at workload.batch_size
    Solved max_batch_size;                    // at workload.context_length
    double max_concurrency = 0;               // maxConcurrency() at context_length
    // vLLM's "GPU KV cache size: N tokens": int(max_concurrency * context_length).
    std::uint64_t kv_cache_tokens = 0;
    std::uint64_t max_context_limit = 0;      // the model's context limit applied; 0: none known
    std::string layout_rule;                  // how the engine laid the cache out (vllmGroupingText, ...)
    // What the engine logs for this cache: vLLM's capacity line at
    // context_length, llama.cpp's size lines for the workload.
    std::vector<std::string> engine_log;
    std::optional<std::uint32_t> gpus_needed;  // gpusNeeded()
};

// The plan for `layout` at `workload` (its dtype is the KV format) on
// `setup`'s engine. An InputError when the deployment is invalid, when the
// engine does not run the layout, when the weights leave no room (field
// gpu_memory: names the weights per GPU and the usable memory), or when the
// KV budget does not hold one request of one token (field kv_budget_bytes:
// names both sizes); these two end with gpusNeededClause() when more GPUs
// would do. Never a zero or negative budget. Sizes in the messages are
// written in `unit` (GiB by default, as GPU memory is sold).
Result<Plan> plan(const ModelLayout &layout, const Workload &workload, const Deployment &deployment,
                  const EngineSetup &setup = {}, ByteUnit unit = ByteUnit::Binary);

}  // namespace kvscope
