#include "kvscope/layout_bytes.h"

#include <algorithm>
#include <initializer_list>
#include <optional>

#include "checked_math.h"
#include "kvscope/validation.h"

namespace kvscope {

using detail::checkedSum;
using detail::checkedWideProduct;
using detail::elemsToBytes;

namespace {

InputError tooLarge() {
    return InputError{"context_length",
                      "the KV cache total does not fit in 64 bits (over 18.4 EB); "
                      "lower context_length, batch_size or the number of layers"};
}

// K/V elements one layer of this kind adds per cached token.
std::uint64_t elemsPerToken(const LayerSpec &s) {
    switch (s.kind) {
    case LayerKind::Full:
    case LayerKind::Sliding:
    case LayerKind::Chunked: return std::uint64_t{s.n_kv_heads} * (std::uint64_t{s.k_head_dim} + s.v_head_dim);
    case LayerKind::Mla: return std::uint64_t{s.kv_lora_rank} + s.qk_rope_head_dim;
    case LayerKind::Linear:
    case LayerKind::Shared:
    case LayerKind::Mlp: return 0;
    }
    return 0;
}

std::uint64_t tokensHeld(const LayerSpec &s, std::uint64_t context) {
    return isWindowed(s) ? std::min(context, s.window) : context;
}

// Bytes of `layers` layers of this spec for `batch` sequences of `context` tokens.
std::optional<std::uint64_t> runBytes(const LayerSpec &s, std::uint64_t layers, std::uint64_t batch,
                                      std::uint64_t context, DType kv_dtype) {
    if (s.kind == LayerKind::Linear) {
        auto recurrent = checkedWideProduct({layers, batch, s.recurrent_state_elems});
        auto conv = checkedWideProduct({layers, batch, s.conv_state_elems});
        if (!recurrent || !conv) return std::nullopt;
        auto recurrent_bytes = elemsToBytes(*recurrent, s.recurrent_state_dtype.value_or(kv_dtype));
        auto conv_bytes = elemsToBytes(*conv, s.conv_state_dtype.value_or(kv_dtype));
        if (!recurrent_bytes || !conv_bytes) return std::nullopt;
        return checkedSum(*recurrent_bytes, *conv_bytes);
    }
    // Same factor order as kvBytes(): the product is the same either way, but
    // keeping it makes the equivalence easy to see.
    auto elems = checkedWideProduct({batch, tokensHeld(s, context), elemsPerToken(s), layers});
    if (!elems) return std::nullopt;
    return elemsToBytes(*elems, kv_dtype);
}

std::optional<InputError> checkWorkload(const Workload &w) {
    if (auto e = checkRange("context_length", w.context_length, 1, Limits::max_context_length)) return e;
    return checkRange("batch_size", w.batch_size, 1, Limits::max_batch_size);
}

}  // namespace

Result<LayoutBytes> layoutBytes(const ModelLayout &layout, const Workload &workload) {
    if (auto e = validateLayout(layout)) return *e;
    if (auto e = checkWorkload(workload)) return *e;

    LayoutBytes result;
    result.groups.reserve(layout.groups.size());
    std::uint64_t first = 0;
    for (const LayerGroup &g : layout.groups) {
        auto one = runBytes(g.spec, 1, workload.batch_size, workload.context_length, workload.dtype);
        auto all = runBytes(g.spec, g.count, workload.batch_size, workload.context_length, workload.dtype);
        if (!one || !all) return tooLarge();
        result.groups.push_back({g.spec.kind, first, g.count, *one, *all});

        KindBytes &kind = result.kinds[static_cast<std::size_t>(g.spec.kind)];
        kind.layers += g.count;
        auto kind_total = checkedSum(kind.bytes, *all);
        auto total = checkedSum(result.total, *all);
        if (!kind_total || !total) return tooLarge();
        kind.bytes = *kind_total;
        result.total = *total;
        first += g.count;
    }
    return result;
}

Result<std::uint64_t> layoutTotalBytes(const ModelLayout &layout, const Workload &workload) {
    auto bytes = layoutBytes(layout, workload);
    if (!bytes) return bytes.error();
    return bytes->total;
}

Result<std::uint64_t> layoutBytesPerToken(const ModelLayout &layout, const Workload &workload) {
    if (auto e = validateLayout(layout)) return *e;
    if (auto e = checkWorkload(workload)) return *e;

    std::uint64_t total = 0;
    for (const LayerGroup &g : layout.groups) {
        const LayerSpec &s = g.spec;
        if (s.kind == LayerKind::Linear || s.kind == LayerKind::Shared || s.kind == LayerKind::Mlp) continue;
        // A windowed layer already full at this context drops its oldest token
        // for the new one: no growth.
        if (tokensHeld(s, workload.context_length + 1) == tokensHeld(s, workload.context_length)) continue;
        auto bytes = runBytes(s, g.count, 1, 1, workload.dtype);
        if (!bytes) return tooLarge();
        auto sum = checkedSum(total, *bytes);
        if (!sum) return tooLarge();
        total = *sum;
    }
    return total;
}

Result<std::vector<LayoutPoint>> layoutContextSweep(const ModelLayout &layout, const Workload &workload,
                                                    std::span<const std::uint64_t> context_lengths) {
    for (std::uint64_t length : context_lengths) {
        if (auto error = checkRange("context_length", length, 1, Limits::max_context_length)) return *error;
    }
    std::vector<LayoutPoint> points;
    points.reserve(context_lengths.size());
    for (std::uint64_t length : context_lengths) {
        Workload at = workload;
        at.context_length = length;
        auto total = layoutTotalBytes(layout, at);
        if (!total) {
            // Past the 64-bit range the curve ends here, as contextSweep()'s
            // does, rather than the whole curve failing.
            if (points.empty()) return total.error();
            break;
        }
        points.push_back({length, *total});
    }
    return points;
}

}  // namespace kvscope
