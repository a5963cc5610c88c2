#include "kvscope/plan.h"

#include <algorithm>
#include <bit>
#include <numeric>
#include <string>
#include <vector>

#include "checked_math.h"
#include "kvscope/format.h"
#include "kvscope/layout_bytes.h"
#include "kvscope/llamacpp_cache.h"
#include "kvscope/units.h"
#include "kvscope/validation.h"
#include "kvscope/weights.h"

namespace kvscope {

namespace {

constexpr std::uint64_t kMillion = 1'000'000;
// src/llama-cparams.h LLAMA_MAX_SEQ: llama.cpp runs at most 256 sequences.
constexpr std::uint64_t kLlamaCppMaxSequences = 256;

std::uint64_t ceilDiv(std::uint64_t a, std::uint64_t b) { return a / b + (a % b != 0 ? 1 : 0); }

bool splitsEvenly(const LayerSpec &s, std::uint32_t tp) {
    if (s.kind == LayerKind::Linear) return linearLayerPerGpu(s, tp).ok();
    if (!isAttention(s.kind)) return true;
    if (s.n_heads % tp != 0) return false;
    if (!hasKvHeads(s.kind)) return true;
    return s.n_kv_heads >= tp ? s.n_kv_heads % tp == 0 : tp % s.n_kv_heads == 0;
}

bool splitsEvenly(const ModelLayout &layout, std::uint32_t tp) {
    return std::ranges::all_of(layout.groups, [tp](const LayerGroup &g) { return splitsEvenly(g.spec, tp); });
}

// "1.51 MiB, 1,585,152 bytes"; small sizes once: "1,000 B".
std::string sizeText(std::uint64_t bytes, ByteUnit unit) {
    const std::string scaled = formatBytes(bytes, unit);
    if (scaled.ends_with(" B")) return scaled;
    return scaled + ", " + formatThousands(bytes) + " bytes";
}

// floor(memory * utilization), exact: with memory = q * 10^6 + r, that is
// q * ppm + floor(r * ppm / 10^6), and neither product can overflow.
std::uint64_t usableBytes(const Deployment &d) {
    const std::uint64_t q = d.gpu_memory_bytes / kMillion;
    const std::uint64_t r = d.gpu_memory_bytes % kMillion;
    return q * d.utilization_ppm + r * d.utilization_ppm / kMillion;
}

// The KV budget per GPU when the model is split over `tp` GPUs of this
// deployment, or nothing when the weights and overhead leave no room.
std::optional<std::uint64_t> gpuKvBudget(const Deployment &d, std::uint64_t weights_bytes, std::uint32_t tp) {
    const std::uint64_t taken = ceilDiv(weights_bytes, tp) + d.overhead_bytes;
    const std::uint64_t usable = usableBytes(d);
    if (usable <= taken) return std::nullopt;
    return usable - taken;
}

template <class Fits>
Solved searchLargest(std::uint64_t max, Fits fitsAt) {
    if (!fitsAt(1)) return {};
    if (fitsAt(max)) return {max, true, Bound::Range};
    std::uint64_t lo = 1;  // fits
    std::uint64_t hi = max;  // does not fit
    while (hi - lo > 1) {
        const std::uint64_t mid = lo + (hi - lo) / 2;
        (fitsAt(mid) ? lo : hi) = mid;
    }
    return {lo, false, Bound::Memory};
}

std::uint32_t tensorParallelOf(const KvAllocation &a) { return std::max<std::uint32_t>(a.tensor_parallel, 1); }

// llama.cpp's whole cache for -c context*batch -np batch; nothing past 64 bits.
Result<std::uint64_t> llamaCppBytes(const KvAllocation &a, std::uint64_t context, std::uint64_t batch) {
    const auto n_ctx = detail::checkedProduct({context, batch});
    if (!n_ctx || *n_ctx > Limits::max_context_length * Limits::max_batch_size) {
        return InputError{"context_length", "the context times the batch is beyond what KV Scope plans"};
    }
    auto cache = llamaCppCache(*a.llamacpp_layout, a.kv_dtype, a.setup.llamacpp, *n_ctx,
                               static_cast<std::uint32_t>(batch));
    if (!cache) return cache.error();
    return cache->total_bytes;
}

}  // namespace

std::uint32_t defaultUtilizationPpm(Engine engine) { return engine == Engine::LlamaCpp ? 1'000'000 : 920'000; }

Result<std::uint64_t> deploymentWeightsBytes(const Deployment &deployment) {
    if (deployment.stored_weights_bytes) return *deployment.stored_weights_bytes;
    return weightsBytes(deployment.parameters, deployment.weights_dtype);
}

std::optional<InputError> validateDeployment(const Deployment &d, ByteUnit unit) {
    if (auto e = checkRange("tensor_parallel", d.tensor_parallel, 1, PlanLimits::max_tensor_parallel)) return e;
    if (d.block_size != 0 && (d.block_size > PlanLimits::max_block_size || !std::has_single_bit(d.block_size))) {
        return InputError{"block_size", "block_size must be a power of two from 1 to " +
                                            formatThousands(PlanLimits::max_block_size) + " (got " +
                                            formatThousands(d.block_size) + ")"};
    }
    if (d.utilization_ppm < PlanLimits::min_utilization_ppm || d.utilization_ppm > PlanLimits::max_utilization_ppm) {
        return InputError{"gpu_utilization", "gpu_utilization must be above 0 and at most 1 (got " +
                                                 utilizationText(d.utilization_ppm) + ")"};
    }
    if (auto e = checkRange("parameters", d.parameters, 0, PlanLimits::max_parameters)) return e;
    if (d.stored_weights_bytes) {
        if (auto e = checkRange("weights_bytes", *d.stored_weights_bytes, 0, PlanLimits::max_weights_bytes)) return e;
    }
    if (d.kv_budget_bytes) {
        return checkRange("kv_budget_bytes", *d.kv_budget_bytes, 1, PlanLimits::max_gpu_memory_bytes);
    }
    if (d.gpu_memory_bytes < 1 || d.gpu_memory_bytes > PlanLimits::max_gpu_memory_bytes) {
        return InputError{"gpu_memory", "gpu_memory must be above 0 and at most " +
                                            formatBytes(PlanLimits::max_gpu_memory_bytes, unit) + " per GPU (got " +
                                            formatThousands(d.gpu_memory_bytes) + " bytes)"};
    }
    return checkRange("overhead", d.overhead_bytes, 0, PlanLimits::max_gpu_memory_bytes);
}

std::vector<std::uint32_t> validTensorParallelCounts(const ModelLayout &layout, std::uint32_t max, Engine engine) {
    std::vector<std::uint32_t> counts;
    const std::uint32_t last = std::min(max, PlanLimits::max_tensor_parallel);
    if (engine == Engine::LlamaCpp) {
        // Whole layers on each GPU (-sm layer): no more GPUs than layers.
        const std::uint64_t layers = std::max<std::uint64_t>(layerCount(layout), 1);
        for (std::uint32_t n = 1; n <= last && n <= layers; ++n) counts.push_back(n);
        return counts;
    }
    // Only divisors of every attention layer's query heads can split them.
    std::uint32_t heads = 0;
    for (const LayerGroup &g : layout.groups) {
        if (isAttention(g.spec.kind)) heads = std::gcd(heads, g.spec.n_heads);
    }
    for (std::uint32_t n = 1; n <= last; ++n) {
        if (heads != 0 && (n > heads || heads % n != 0)) continue;
        if (splitsEvenly(layout, n)) counts.push_back(n);
    }
    return counts;
}

std::optional<InputError> validateTensorParallel(const ModelLayout &layout, std::uint32_t tp, Engine engine) {
    if (auto e = checkRange("tensor_parallel", tp, 1, PlanLimits::max_tensor_parallel)) return e;
    if (engine == Engine::LlamaCpp) {
        // src/llama-model.cpp splits whole layers over the devices (-sm layer).
        return checkRange("tensor_parallel", tp, 1, std::max<std::uint64_t>(layerCount(layout), 1));
    }
    if (splitsEvenly(layout, tp)) return std::nullopt;
    std::string valid;
    const std::vector<std::uint32_t> counts = validTensorParallelCounts(layout);
    for (std::size_t i = 0; i < counts.size() && i < 12; ++i) valid += (i == 0 ? "" : ", ") + std::to_string(counts[i]);
    return InputError{"tensor_parallel",
                      "tensor_parallel (" + std::to_string(tp) +
                          ") must split every attention layer's query heads evenly, its K/V heads evenly or "
                          "into whole replicas, and every linear state into whole heads; valid counts: " +
                          valid};
}

std::string utilizationText(std::uint32_t ppm) {
    // 900000 -> "0.9", 1000001 -> "1.000001": as a user would type it.
    std::string text = std::to_string(ppm / kMillion);
    if (ppm % kMillion == 0) return text;
    std::string fraction = std::to_string(ppm % kMillion + kMillion).substr(1);
    while (fraction.back() == '0') fraction.pop_back();
    return text + "." + fraction;
}

std::uint32_t firstKvHeads(const ModelLayout &layout) {
    for (const LayerGroup &g : layout.groups) {
        if (hasKvHeads(g.spec.kind)) return g.spec.n_kv_heads;
    }
    return 0;
}

bool kvHeadsReplicated(const ModelLayout &layout, std::uint32_t tp) {
    return std::ranges::any_of(layout.groups,
                               [tp](const LayerGroup &g) { return hasKvHeads(g.spec.kind) && g.spec.n_kv_heads < tp; });
}

std::uint32_t kvHeadsPerGpu(std::uint32_t n_kv_heads, std::uint32_t tp) {
    if (tp == 0) return n_kv_heads;
    return std::max<std::uint32_t>(1, n_kv_heads / tp);
}

Result<ModelLayout> layoutPerGpu(const ModelLayout &layout, std::uint32_t tp) {
    if (auto e = validateTensorParallel(layout, tp)) return *e;
    if (tp == 1) return layout;
    ModelLayout out;
    out.hints = layout.hints;
    out.groups.reserve(layout.groups.size());
    for (const LayerGroup &g : layout.groups) {
        LayerSpec spec = g.spec;
        // An MLA layer's heads only describe what its latent expands into, so
        // splitting them keeps the layer valid without changing its cache.
        if (isAttention(spec.kind)) {
            spec.n_heads /= tp;
            spec.n_kv_heads = kvHeadsPerGpu(spec.n_kv_heads, tp);
        }
        if (spec.kind == LayerKind::Linear) {
            Result<LayerSpec> split = linearLayerPerGpu(spec, tp);
            if (!split) return split.error();
            spec = *split;
        }
        appendLayers(out, spec, g.count);
    }
    return out;
}

std::string gpusNeededClause(std::uint32_t gpus) {
    return "; needs " + std::to_string(gpus) + (gpus == 1 ? " GPU" : " GPUs");
}

std::string_view boundName(Bound bound) {
    switch (bound) {
    case Bound::Memory: return "memory";
    case Bound::Model: return "model";
    case Bound::Range: return "range";
    }
    return "memory";
}

Result<KvAllocation> kvAllocation(const ModelLayout &layout, DType kv_dtype, const EngineSetup &setup,
                                  std::uint32_t tensor_parallel, std::uint64_t kv_budget_bytes,
                                  std::uint32_t block_size) {
    if (auto e = validateLayout(layout)) return *e;
    if (auto e = checkEngineKvDType(setup.engine, kv_dtype)) return *e;
    if (auto e = validateTensorParallel(layout, tensor_parallel, setup.engine)) return *e;
    KvAllocation a;
    a.setup = setup;
    a.kv_dtype = kv_dtype;
    a.tensor_parallel = tensor_parallel;
    a.kv_budget_bytes = kv_budget_bytes;
    if (setup.max_model_len != 0) a.max_context = std::min(setup.max_model_len, Limits::max_context_length);
    if (setup.engine == Engine::Vllm && !layout.hints.vllm_unsupported.empty()) {
        return InputError{"engine", "vLLM: " + layout.hints.vllm_unsupported};
    }
    const ModelLayout stored = engineLayout(layout, setup);
    if (setup.engine == Engine::LlamaCpp) {
        auto runs = llamaCppCache(stored, kv_dtype, setup.llamacpp, 1, 1);  // refuses what llama.cpp does not run
        if (!runs) return runs.error();
        a.llamacpp_layout = stored;
        return a;
    }
    Result<ModelLayout> per_gpu = layoutPerGpu(stored, tensor_parallel);
    if (!per_gpu) return per_gpu.error();
    Result<VllmCache> cache = vllmCache(*per_gpu, kv_dtype, setup, block_size);
    if (!cache) return cache.error();
    a.vllm = std::move(cache).value();
    // vllm/v1/core/kv_cache_utils.py get_num_blocks: available_memory // page_size // num_layers.
    a.num_blocks = a.vllm->block_bytes == 0 ? 0 : kv_budget_bytes / a.vllm->block_bytes;
    return a;
}

std::uint64_t blocksPerRequest(const KvAllocation &a, std::uint64_t context) {
    return a.vllm ? vllmBlocksPerRequest(*a.vllm, context) : 0;
}

Result<std::uint64_t> allocatedBytesPerGpu(const KvAllocation &a, std::uint64_t context, std::uint64_t batch) {
    if (auto e = checkRange("batch_size", batch, 1, Limits::max_batch_size)) return *e;
    if (auto e = checkRange("context_length", context, 1, Limits::max_context_length)) return *e;
    if (a.vllm) {
        const auto bytes = detail::checkedProduct({batch, blocksPerRequest(a, context), a.vllm->block_bytes});
        if (!bytes) return InputError{"context_length", "the engine's cache does not fit in 64 bits"};
        return *bytes;
    }
    const Result<std::uint64_t> total = llamaCppBytes(a, context, batch);
    if (!total) return total.error();
    return ceilDiv(*total, tensorParallelOf(a));
}

Result<std::uint64_t> allocatedBytes(const KvAllocation &a, std::uint64_t context, std::uint64_t batch) {
    if (a.llamacpp_layout) {
        if (auto e = checkRange("batch_size", batch, 1, Limits::max_batch_size)) return *e;
        if (auto e = checkRange("context_length", context, 1, Limits::max_context_length)) return *e;
        return llamaCppBytes(a, context, batch);
    }
    const Result<std::uint64_t> per_gpu = allocatedBytesPerGpu(a, context, batch);
    if (!per_gpu) return per_gpu;
    const auto all = detail::checkedProduct({*per_gpu, tensorParallelOf(a)});
    if (!all) return InputError{"context_length", "the engine's cache does not fit in 64 bits"};
    return *all;
}

bool fits(const KvAllocation &a, std::uint64_t context, std::uint64_t batch) {
    if (context < 1 || context > Limits::max_context_length || batch < 1 || batch > Limits::max_batch_size) return false;
    if (a.vllm) {
        if (a.num_blocks <= 1) return false;
        const auto blocks = detail::checkedProduct({batch, blocksPerRequest(a, context)});
        return blocks && *blocks <= a.num_blocks - 1;  // the null block is never handed out
    }
    const Result<std::uint64_t> total = llamaCppBytes(a, context, batch);
    const auto budget = detail::checkedProduct({a.kv_budget_bytes, tensorParallelOf(a)});
    return total.ok() && (!budget || *total <= *budget);
}

Solved maxContextLength(const KvAllocation &a, std::uint64_t batch) {
    Solved s = searchLargest(a.max_context, [&](std::uint64_t c) { return fits(a, c, batch); });
    if (s.at_limit && a.max_context < Limits::max_context_length) s.limited_by = Bound::Model;
    return s;
}

Solved maxBatchSize(const KvAllocation &a, std::uint64_t context) {
    if (a.vllm) {
        // Whole requests of the pool less its null block.
        const std::uint64_t per_request = blocksPerRequest(a, context);
        if (per_request == 0 || a.num_blocks <= 1) return {};
        const std::uint64_t batch = (a.num_blocks - 1) / per_request;
        if (batch >= Limits::max_batch_size) return {Limits::max_batch_size, true, Bound::Range};
        return {batch, false, Bound::Memory};
    }
    return searchLargest(kLlamaCppMaxSequences, [&](std::uint64_t b) { return fits(a, context, b); });
}

double maxConcurrency(const KvAllocation &a, std::uint64_t context) {
    if (a.vllm) {
        // kv_cache_utils.py get_max_concurrency_for_kv_cache_config:
        // num_blocks / sum over groups of cdiv(max_memory_usage_bytes, page_size_bytes).
        const std::uint64_t per_request = blocksPerRequest(a, context);
        return per_request == 0 ? 0.0 : static_cast<double>(a.num_blocks) / static_cast<double>(per_request);
    }
    return static_cast<double>(maxBatchSize(a, context).value);
}

std::optional<std::uint32_t> gpusNeeded(const ModelLayout &layout, const Workload &workload,
                                        const Deployment &deployment, const EngineSetup &setup) {
    if (deployment.kv_budget_bytes || validateDeployment(deployment)) return std::nullopt;
    const Result<std::uint64_t> weights = deploymentWeightsBytes(deployment);
    if (!weights) return std::nullopt;
    for (const std::uint32_t tp : validTensorParallelCounts(layout, PlanLimits::max_tensor_parallel, setup.engine)) {
        const std::optional<std::uint64_t> budget = gpuKvBudget(deployment, *weights, tp);
        if (!budget) continue;
        const Result<KvAllocation> a = kvAllocation(layout, workload.dtype, setup, tp, *budget, deployment.block_size);
        if (!a) continue;
        if (fits(*a, workload.context_length, workload.batch_size)) return tp;
    }
    return std::nullopt;
}

Result<Plan> plan(const ModelLayout &layout, const Workload &workload, const Deployment &d, const EngineSetup &setup,
                  ByteUnit unit) {
    if (auto e = validateDeployment(d, unit)) return *e;
    const ModelLayout stored = engineLayout(layout, setup);
    const Result<std::uint64_t> total_kv = layoutTotalBytes(stored, workload);
    if (!total_kv) return total_kv.error();
    if (auto e = validateTensorParallel(layout, d.tensor_parallel, setup.engine)) return *e;
    const Result<std::uint64_t> weights = deploymentWeightsBytes(d);
    if (!weights) return weights.error();

    Plan p;
    p.engine = setup.engine;
    p.weights_bytes = *weights;
    p.weights_bytes_per_gpu = ceilDiv(*weights, d.tensor_parallel);
    p.kv_bytes = *total_kv;
    if (d.kv_budget_bytes) {
        p.kv_budget_bytes = *d.kv_budget_bytes;
    } else {
        p.usable_bytes_per_gpu = usableBytes(d);
        const std::optional<std::uint64_t> budget = gpuKvBudget(d, *weights, d.tensor_parallel);
        if (!budget) {
            const auto size = [unit](std::uint64_t bytes) { return formatBytes(bytes, unit); };
            std::string message = "the weights need " + size(p.weights_bytes_per_gpu) + " per GPU";
            if (d.overhead_bytes != 0) message += " plus " + size(d.overhead_bytes) + " overhead";
            message += ", leaving no room for the KV cache in the " + size(p.usable_bytes_per_gpu) + " usable (" +
                       size(d.gpu_memory_bytes) + " x " + utilizationText(d.utilization_ppm) + ")";
            if (const auto needed = gpusNeeded(layout, workload, d, setup)) message += gpusNeededClause(*needed);
            return InputError{"gpu_memory", std::move(message)};
        }
        p.kv_budget_bytes = *budget;
    }

    const Result<KvAllocation> allocation =
        kvAllocation(layout, workload.dtype, setup, d.tensor_parallel, p.kv_budget_bytes, d.block_size);
    if (!allocation) return allocation.error();
    const KvAllocation &a = *allocation;

    if (a.vllm) {
        const Result<ModelLayout> per_gpu = layoutPerGpu(stored, d.tensor_parallel);
        if (!per_gpu) return per_gpu.error();
        const Result<std::uint64_t> kv_per_gpu = layoutTotalBytes(*per_gpu, workload);
        if (!kv_per_gpu) return kv_per_gpu.error();
        p.kv_bytes_per_gpu = *kv_per_gpu;
        p.kv_heads_per_gpu = firstKvHeads(*per_gpu);
        p.kv_heads_replicated = kvHeadsReplicated(layout, d.tensor_parallel);
        p.block_size = a.vllm->block_size;
        p.block_bytes = a.vllm->block_bytes;
        p.num_blocks = a.num_blocks;
        p.blocks_per_request = blocksPerRequest(a, workload.context_length);
        p.layout_rule = vllmGroupingText(*a.vllm);
    } else {
        p.kv_bytes_per_gpu = ceilDiv(p.kv_bytes, d.tensor_parallel);
        p.kv_heads_per_gpu = firstKvHeads(layout);
        const auto cache = llamaCppCache(*a.llamacpp_layout, workload.dtype, setup.llamacpp,
                                         workload.context_length * workload.batch_size, workload.batch_size);
        if (cache) {
            p.layout_rule = llamaCppCacheText(*cache);
            p.engine_log = llamaCppLogLines(*cache);
        }
    }

    if (!fits(a, 1, 1)) {
        const Result<std::uint64_t> smallest = allocatedBytesPerGpu(a, 1, 1);
        std::string what = "one token";
        std::uint64_t need = smallest ? *smallest : 0;
        if (a.vllm) {
            // The request's blocks and the pool's null block.
            need += a.vllm->block_bytes;
            const std::uint64_t blocks = blocksPerRequest(a, 1);
            what = "one token's " + formatThousands(blocks) + (blocks == 1 ? " block" : " blocks") + " of " +
                   formatThousands(a.vllm->block_size) + " tokens and vLLM's null block";
        }
        std::string message = "the KV budget per GPU (" + sizeText(p.kv_budget_bytes, unit) + ") does not hold " + what +
                              " (" + sizeText(need, unit) + ")";
        if (const auto needed = gpusNeeded(layout, workload, d, setup)) message += gpusNeededClause(*needed);
        return InputError{"kv_budget_bytes", std::move(message)};
    }

    const Result<std::uint64_t> engine_per_gpu =
        allocatedBytesPerGpu(a, workload.context_length, workload.batch_size);
    const Result<std::uint64_t> engine_all = allocatedBytes(a, workload.context_length, workload.batch_size);
    if (!engine_per_gpu) return engine_per_gpu.error();
    if (!engine_all) return engine_all.error();
    p.engine_kv_bytes_per_gpu = *engine_per_gpu;
    p.engine_kv_bytes = *engine_all;
    p.fits = fits(a, workload.context_length, workload.batch_size);
    p.max_context_length = maxContextLength(a, workload.batch_size);
    p.max_batch_size = maxBatchSize(a, workload.context_length);
    p.max_concurrency = maxConcurrency(a, workload.context_length);
    if (a.vllm) {
        // kv_cache_utils.py get_kv_cache_capacity: int(max_concurrency * max_model_len).
        p.kv_cache_tokens = static_cast<std::uint64_t>(p.max_concurrency * static_cast<double>(workload.context_length));
        p.engine_log = {vllmCapacityLogLine(workload.context_length, p.max_concurrency)};
    }
    p.max_context_limit = setup.max_model_len;
    p.gpus_needed = gpusNeeded(layout, workload, d, setup);
    return p;
}

}  // namespace kvscope
