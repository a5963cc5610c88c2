// Arbitrary shapes through the core: every input either gives an error value
// or numbers that satisfy the estimator's invariants. Never a crash, never a
// wrapped total.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>

#include "kvscope/estimator.h"
#include "kvscope/format.h"
#include "kvscope/layout.h"
#include "kvscope/plan.h"
#include "kvscope/sweep.h"
#include "kvscope/units.h"

namespace {

// A block format's total may hold more than 2^64 elements, and a token's
// share rounded up to whole blocks times every token may pass 2^64 bytes.
__extension__ using Wide = unsigned __int128;

template <class T>
T take(const std::uint8_t *&data, std::size_t &size) {
    T value{};
    const std::size_t n = size < sizeof(T) ? size : sizeof(T);
    std::memcpy(&value, data, n);
    data += n;
    size -= n;
    return value;
}

// Names the broken invariant's line before stopping, for a quick diagnosis.
void check(bool condition, int line = __builtin_LINE()) {
    if (condition) return;
    std::fprintf(stderr, "fuzz_estimate: invariant at line %d does not hold\n", line);
    __builtin_trap();
}

// A deployment from the remaining bytes: any plan either is an error that
// names its field, or is consistent with its own solvers.
void checkPlan(const kvscope::ModelShape &shape, const kvscope::Workload &workload, const std::uint8_t *&data,
               std::size_t &size) {
    using namespace kvscope;
    Deployment d;
    d.gpu_memory_bytes = take<std::uint64_t>(data, size) >> take<std::uint8_t>(data, size) % 64;
    d.utilization_ppm = take<std::uint32_t>(data, size) % 1'100'000;
    d.tensor_parallel = take<std::uint16_t>(data, size) % 1100;
    d.parameters = take<std::uint64_t>(data, size) >> 16;
    d.weights_dtype = allDTypes()[take<std::uint8_t>(data, size) % allDTypes().size()].id;
    d.overhead_bytes = take<std::uint32_t>(data, size);
    d.block_size = take<std::uint16_t>(data, size) % 2100;
    if (take<std::uint8_t>(data, size) & 1u) d.kv_budget_bytes = take<std::uint64_t>(data, size) >> 8;
    // Either engine, with any of its options.
    EngineSetup setup;
    const auto options = take<std::uint16_t>(data, size);
    setup.engine = options & 1u ? Engine::LlamaCpp : Engine::Vllm;
    setup.vllm.async_scheduling = (options & 2u) != 0;
    setup.vllm.prefix_caching = (options & 4u) != 0;
    setup.vllm.disable_hybrid_kv_cache_manager = (options & 8u) != 0;
    setup.vllm.max_num_batched_tokens = take<std::uint16_t>(data, size);
    setup.llamacpp.swa_full = (options & 16u) != 0;
    setup.llamacpp.kv_unified = (options & 32u) != 0;
    setup.llamacpp.n_ubatch = 1u + take<std::uint16_t>(data, size);
    setup.gpu_arch = static_cast<GpuArch>((options >> 8) % 7);
    setup.max_model_len = take<std::uint32_t>(data, size) % 3 == 0 ? 0 : take<std::uint32_t>(data, size);
    const auto p = plan(layoutFromShape(shape), workload, d, setup);
    if (!p) {
        check(!p.error().field.empty() && !p.error().message.empty());
        return;
    }
    check(p->kv_budget_bytes > 0);
    if (setup.engine == Engine::Vllm) {
        // One token's blocks and the null block fit, or plan() would have said so.
        check(p->block_bytes > 0 && p->num_blocks >= 2 && p->block_size >= 1 && p->max_concurrency > 0.0);
        check(p->engine_kv_bytes_per_gpu == workload.batch_size * p->blocks_per_request * p->block_bytes);
    } else {
        check(p->block_bytes == 0 && p->num_blocks == 0);
    }
    check(p->kv_bytes_per_gpu <= p->kv_bytes);
    check(p->max_context_length.value >= 1 || workload.batch_size > 1);
    if (setup.max_model_len != 0) check(p->max_context_length.value <= setup.max_model_len);
    check(p->fits == (p->max_batch_size.value >= workload.batch_size));
    if (setup.max_model_len == 0 || workload.context_length <= setup.max_model_len)
        check(p->fits == (p->max_context_length.value >= workload.context_length));
    if (p->gpus_needed) check(!p->fits || *p->gpus_needed <= d.tensor_parallel);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    using namespace kvscope;
    ModelShape shape;
    shape.emb_dim = take<std::uint32_t>(data, size);
    shape.n_heads = take<std::uint16_t>(data, size);
    shape.n_kv_groups = take<std::uint16_t>(data, size);
    shape.n_layers = take<std::uint16_t>(data, size);
    const auto head_dim = take<std::uint32_t>(data, size);
    if (head_dim & 1u) shape.head_dim = head_dim >> 1;
    Workload workload;
    workload.context_length = take<std::uint64_t>(data, size);
    workload.batch_size = take<std::uint32_t>(data, size);
    workload.dtype = allDTypes()[take<std::uint8_t>(data, size) % allDTypes().size()].id;

    const auto result = estimate(shape, workload);
    if (!result) {
        check(!result.error().field.empty() && !result.error().message.empty());
        return 0;
    }
    const KvEstimate &e = *result;
    check(e.gqa_bytes <= e.mha_bytes);
    check(e.n_kv_heads_gqa * shape.n_kv_groups == shape.n_heads);
    // Whole-byte formats scale exactly; block formats round each total up to
    // whole blocks, so a token's share is only bounded.
    if (dtypeInfo(workload.dtype).block_elems == 1) {
        check(e.mha_bytes == e.mha_bytes_per_token * workload.context_length * workload.batch_size);
        check(e.mha_bytes % e.gqa_bytes == 0 && e.mha_bytes / e.gqa_bytes == shape.n_kv_groups);
    } else {
        check(e.mha_bytes <= Wide{e.mha_bytes_per_token} * workload.context_length * workload.batch_size);
    }
    check(e.savings_percent >= 0.0 && e.savings_percent < 100.0);
    check(!bookReport(shape, workload, e).empty());
    check(!formatBytes(e.mha_bytes, ByteUnit::Binary).empty());

    checkPlan(shape, workload, data, size);

    const auto groups = groupSweep(shape, workload);
    check(groups.ok() && !groups->empty() && groups->front().n_kv_groups == 1);
    const auto lengths = chartContextLengths(workload.context_length);
    const auto points = contextSweep(shape, workload, lengths);
    // The chart's curve may end early where totals pass 64 bits, but every
    // length up to the current context fits. Only a context shorter than the
    // chart's first length can fit while that first length does not.
    if (!points) {
        check(lengths.front() > workload.context_length && !points.error().message.empty());
        return 0;
    }
    check(!points->empty() && points->size() <= lengths.size());
    for (std::size_t i = 0; i < lengths.size() && lengths[i] <= workload.context_length; ++i) check(i < points->size());
    return 0;
}
