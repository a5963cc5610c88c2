#include "kvscope/plan.h"

#include <algorithm>
#include <bit>
#include <numeric>
#include <string>
#include <vector>

#include "checked_math.h"
#include "kvscope/format.h"
#include "kvscope/layout_bytes.h"
#include "kvscope/units.h"
#include "kvscope/validation.h"
#include "kvscope/weights.h"

namespace kvscope {

namespace {

constexpr std::uint64_t kMillion = 1'000'000;

bool hasKvHeads(LayerKind kind) { return kind == LayerKind::Full || kind == LayerKind::Sliding; }

std::uint64_t ceilDiv(std::uint64_t a, std::uint64_t b) { return a / b + (a % b != 0 ? 1 : 0); }

bool splitsEvenly(const LayerSpec &s, std::uint32_t tp) {
    if (!isAttention(s.kind)) return true;
    if (s.n_heads % tp != 0) return false;
    if (!hasKvHeads(s.kind)) return true;
    return s.n_kv_heads >= tp ? s.n_kv_heads % tp == 0 : tp % s.n_kv_heads == 0;
}

bool splitsEvenly(const ModelLayout &layout, std::uint32_t tp) {
    return std::ranges::all_of(layout.groups, [tp](const LayerGroup &g) { return splitsEvenly(g.spec, tp); });
}

std::string gib(std::uint64_t bytes) { return formatBytes(bytes, ByteUnit::Binary); }

// "1.51 MiB, 1,585,152 bytes"; small sizes once: "1,000 B".
std::string sizeText(std::uint64_t bytes) {
    if (bytes < 1024) return gib(bytes);
    return gib(bytes) + ", " + formatThousands(bytes) + " bytes";
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

// Only the layers that grow with context, with no window, for one block.
ModelLayout growingLayers(const ModelLayout &per_gpu) {
    ModelLayout out;
    for (const LayerGroup &g : per_gpu.groups) {
        if (!isAttention(g.spec.kind)) continue;
        LayerSpec spec = g.spec;
        if (spec.kind == LayerKind::Sliding) spec.kind = LayerKind::Full;
        spec.window = 0;
        appendLayers(out, spec, g.count);
    }
    return out;
}

// vLLM's num_blocks * block_size / context, or, where a sequence's cache is
// not context tokens of every layer (holdsWholeContext), the blocks' bytes
// over one running sequence's exact cache in whole blocks.
double maxConcurrency(const PagedCache &cache, const Plan &p, std::uint64_t context) {
    if (p.block_bytes == 0) return static_cast<double>(p.max_batch_size.value);
    const double formula = static_cast<double>(p.num_blocks) * cache.block_size / static_cast<double>(context);
    if (holdsWholeContext(cache.per_gpu)) return formula;
    const Result<std::uint64_t> one = pagedBytes(cache, context, 1);
    if (!one || *one == 0) return formula;
    return static_cast<double>(p.num_blocks) * static_cast<double>(p.block_bytes) / static_cast<double>(*one);
}

template <class Fits>
Solved searchLargest(std::uint64_t max, Fits fitsAt) {
    if (!fitsAt(1)) return {};
    if (fitsAt(max)) return {max, true};
    std::uint64_t lo = 1;  // fits
    std::uint64_t hi = max;  // does not fit
    while (hi - lo > 1) {
        const std::uint64_t mid = lo + (hi - lo) / 2;
        (fitsAt(mid) ? lo : hi) = mid;
    }
    return {lo, false};
}

}  // namespace

std::optional<InputError> validateDeployment(const Deployment &d) {
    if (auto e = checkRange("tensor_parallel", d.tensor_parallel, 1, PlanLimits::max_tensor_parallel)) return e;
    if (d.block_size < 1 || d.block_size > PlanLimits::max_block_size || !std::has_single_bit(d.block_size)) {
        return InputError{"block_size", "block_size must be a power of two from 1 to " +
                                            formatThousands(PlanLimits::max_block_size) + " (got " +
                                            formatThousands(d.block_size) + ")"};
    }
    if (d.utilization_ppm < PlanLimits::min_utilization_ppm || d.utilization_ppm > PlanLimits::max_utilization_ppm) {
        return InputError{"gpu_utilization", "gpu_utilization must be above 0 and at most 1 (got " +
                                                 utilizationText(d.utilization_ppm) + ")"};
    }
    if (auto e = checkRange("parameters", d.parameters, 0, PlanLimits::max_parameters)) return e;
    if (d.kv_budget_bytes) {
        return checkRange("kv_budget_bytes", *d.kv_budget_bytes, 1, PlanLimits::max_gpu_memory_bytes);
    }
    if (d.gpu_memory_bytes < 1 || d.gpu_memory_bytes > PlanLimits::max_gpu_memory_bytes) {
        return InputError{"gpu_memory", "gpu_memory must be above 0 and at most " +
                                            gib(PlanLimits::max_gpu_memory_bytes) + " per GPU (got " +
                                            formatThousands(d.gpu_memory_bytes) + " bytes)"};
    }
    return checkRange("overhead", d.overhead_bytes, 0, PlanLimits::max_gpu_memory_bytes);
}

std::vector<std::uint32_t> validTensorParallelCounts(const ModelLayout &layout, std::uint32_t max) {
    // Only divisors of every attention layer's query heads can split them.
    std::uint32_t heads = 0;
    for (const LayerGroup &g : layout.groups) {
        if (isAttention(g.spec.kind)) heads = std::gcd(heads, g.spec.n_heads);
    }
    std::vector<std::uint32_t> counts;
    const std::uint32_t last = std::min(max, PlanLimits::max_tensor_parallel);
    for (std::uint32_t n = 1; n <= last; ++n) {
        if (heads != 0 && (n > heads || heads % n != 0)) continue;
        if (splitsEvenly(layout, n)) counts.push_back(n);
    }
    return counts;
}

std::optional<InputError> validateTensorParallel(const ModelLayout &layout, std::uint32_t tp) {
    if (auto e = checkRange("tensor_parallel", tp, 1, PlanLimits::max_tensor_parallel)) return e;
    if (splitsEvenly(layout, tp)) return std::nullopt;
    std::string valid;
    const std::vector<std::uint32_t> counts = validTensorParallelCounts(layout);
    for (std::size_t i = 0; i < counts.size() && i < 12; ++i) valid += (i == 0 ? "" : ", ") + std::to_string(counts[i]);
    return InputError{"tensor_parallel",
                      "tensor_parallel (" + std::to_string(tp) +
                          ") must split every attention layer's query heads evenly, and its K/V heads evenly or "
                          "into whole replicas; valid counts: " +
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
            spec.recurrent_state_elems = ceilDiv(spec.recurrent_state_elems, tp);
            spec.conv_state_elems = ceilDiv(spec.conv_state_elems, tp);
        }
        appendLayers(out, spec, g.count);
    }
    return out;
}

std::string gpusNeededClause(std::uint32_t gpus) {
    return "; needs " + std::to_string(gpus) + (gpus == 1 ? " GPU" : " GPUs");
}

bool holdsWholeContext(const ModelLayout &layout) {
    return std::all_of(layout.groups.begin(), layout.groups.end(),
                       [](const LayerGroup &g) { return g.spec.kind != LayerKind::Linear && !isWindowed(g.spec); });
}

Result<std::uint64_t> blockBytes(const ModelLayout &per_gpu, DType kv_dtype, std::uint32_t block_size) {
    const ModelLayout growing = growingLayers(per_gpu);
    if (growing.groups.empty()) return std::uint64_t{0};
    return layoutTotalBytes(growing, Workload{block_size, 1, kv_dtype});
}

Result<std::uint64_t> pagedBytes(const PagedCache &cache, std::uint64_t context, std::uint64_t batch) {
    if (auto e = checkRange("batch_size", batch, 1, Limits::max_batch_size)) return *e;
    if (auto e = checkRange("context_length", context, 1, Limits::max_context_length)) return *e;
    const std::uint64_t block = std::max<std::uint32_t>(cache.block_size, 1);
    const std::uint64_t rounded = std::min(ceilDiv(context, block) * block, Limits::max_context_length);
    return layoutTotalBytes(cache.per_gpu, Workload{rounded, static_cast<std::uint32_t>(batch), cache.kv_dtype});
}

bool fits(const PagedCache &cache, std::uint64_t context, std::uint64_t batch) {
    const Result<std::uint64_t> bytes = pagedBytes(cache, context, batch);
    return bytes.ok() && *bytes <= cache.kv_budget_bytes;
}

Solved maxContextLength(const PagedCache &cache, std::uint64_t batch) {
    return searchLargest(Limits::max_context_length, [&](std::uint64_t c) { return fits(cache, c, batch); });
}

Solved maxBatchSize(const PagedCache &cache, std::uint64_t context) {
    return searchLargest(Limits::max_batch_size, [&](std::uint64_t b) { return fits(cache, context, b); });
}

std::optional<std::uint32_t> gpusNeeded(const ModelLayout &layout, const Workload &workload,
                                        const Deployment &deployment) {
    if (deployment.kv_budget_bytes || validateDeployment(deployment)) return std::nullopt;
    const Result<std::uint64_t> weights = weightsBytes(deployment.parameters, deployment.weights_dtype);
    if (!weights) return std::nullopt;
    for (const std::uint32_t tp : validTensorParallelCounts(layout)) {
        const std::optional<std::uint64_t> budget = gpuKvBudget(deployment, *weights, tp);
        if (!budget) continue;
        Result<ModelLayout> per_gpu = layoutPerGpu(layout, tp);
        if (!per_gpu) continue;
        const PagedCache cache{std::move(per_gpu).value(), workload.dtype, deployment.block_size, *budget};
        if (fits(cache, workload.context_length, workload.batch_size)) return tp;
    }
    return std::nullopt;
}

Result<Plan> plan(const ModelLayout &layout, const Workload &workload, const Deployment &d) {
    if (auto e = validateDeployment(d)) return *e;
    const Result<std::uint64_t> total_kv = layoutTotalBytes(layout, workload);
    if (!total_kv) return total_kv.error();
    Result<ModelLayout> per_gpu = layoutPerGpu(layout, d.tensor_parallel);
    if (!per_gpu) return per_gpu.error();
    const Result<std::uint64_t> weights = weightsBytes(d.parameters, d.weights_dtype);
    if (!weights) return weights.error();

    Plan p;
    p.weights_bytes = *weights;
    p.weights_bytes_per_gpu = ceilDiv(*weights, d.tensor_parallel);
    p.kv_bytes = *total_kv;
    if (d.kv_budget_bytes) {
        p.kv_budget_bytes = *d.kv_budget_bytes;
    } else {
        p.usable_bytes_per_gpu = usableBytes(d);
        const std::optional<std::uint64_t> budget = gpuKvBudget(d, *weights, d.tensor_parallel);
        if (!budget) {
            std::string message = "the weights need " + gib(p.weights_bytes_per_gpu) + " per GPU";
            if (d.overhead_bytes != 0) message += " plus " + gib(d.overhead_bytes) + " overhead";
            message += ", leaving no room for the KV cache in the " + gib(p.usable_bytes_per_gpu) + " usable (" +
                       gib(d.gpu_memory_bytes) + " x " + utilizationText(d.utilization_ppm) + ")";
            if (const auto needed = gpusNeeded(layout, workload, d)) message += gpusNeededClause(*needed);
            return InputError{"gpu_memory", std::move(message)};
        }
        p.kv_budget_bytes = *budget;
    }

    const Result<std::uint64_t> kv_per_gpu = layoutTotalBytes(*per_gpu, workload);
    if (!kv_per_gpu) return kv_per_gpu.error();
    p.kv_bytes_per_gpu = *kv_per_gpu;
    const Result<std::uint64_t> block = blockBytes(*per_gpu, workload.dtype, d.block_size);
    if (!block) return block.error();
    p.block_bytes = *block;

    const PagedCache cache{std::move(per_gpu).value(), workload.dtype, d.block_size, p.kv_budget_bytes};
    const Result<std::uint64_t> smallest = pagedBytes(cache, 1, 1);
    if (!smallest) return smallest.error();
    if (*smallest > p.kv_budget_bytes) {
        std::string message = "the KV budget per GPU (" + sizeText(p.kv_budget_bytes) + ") does not hold one block of " +
                              std::to_string(d.block_size) + " tokens (" + sizeText(*smallest) + ")";
        if (const auto needed = gpusNeeded(layout, workload, d)) message += gpusNeededClause(*needed);
        return InputError{"kv_budget_bytes", std::move(message)};
    }

    p.kv_heads_per_gpu = firstKvHeads(cache.per_gpu);
    p.kv_heads_replicated = kvHeadsReplicated(layout, d.tensor_parallel);
    p.num_blocks = p.block_bytes == 0 ? 0 : p.kv_budget_bytes / p.block_bytes;
    p.fits = fits(cache, workload.context_length, workload.batch_size);
    p.max_context_length = maxContextLength(cache, workload.batch_size);
    p.max_batch_size = maxBatchSize(cache, workload.context_length);
    p.max_concurrency = maxConcurrency(cache, p, workload.context_length);
    p.gpus_needed = gpusNeeded(layout, workload, d);
    return p;
}

}  // namespace kvscope
