#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "kvscope/layout.h"
#include "kvscope/result.h"
#include "kvscope/shape.h"

namespace kvscope {

// One run of identical layers at a given workload.
struct GroupBytes {
    LayerKind kind = LayerKind::Full;
    std::uint64_t first_layer = 0;  // index of the run's first layer, from 0
    std::uint32_t count = 0;
    std::uint64_t bytes_per_layer = 0;  // one layer, the whole batch
    std::uint64_t bytes = 0;            // the whole run
};

struct KindBytes {
    std::uint64_t layers = 0;
    std::uint64_t bytes = 0;
};

// Exact totals of a layout at one context length, batch and KV dtype.
struct LayoutBytes {
    std::uint64_t total = 0;
    std::vector<GroupBytes> groups;  // in layer order
    std::array<KindBytes, kLayerKindCount> kinds{};  // indexed by static_cast<std::size_t>(LayerKind)

    const KindBytes &of(LayerKind kind) const { return kinds[static_cast<std::size_t>(kind)]; }
};

// Per kind, per layer at `workload`:
//   full      batch * context * n_kv_heads * (k_head_dim + v_head_dim)
//   sliding   batch * min(context, window) * n_kv_heads * (k_head_dim + v_head_dim)
//   chunked   the same with window = the chunk (the longest a chunk gets)
//   mla       batch * context (or min with its window) * (kv_lora_rank + qk_rope_head_dim)
//   linear    batch * (recurrent_state + conv_state), whatever the context
//   shared    0
//   mlp       0
// elements, stored in workload.dtype unless a linear state names its own.
// Elements are summed per run before they are turned into bytes, so a single
// run of full layers gives exactly kvBytes() of the book's shape. A total that
// does not fit 64 bits is an InputError, never a wrapped number.
Result<LayoutBytes> layoutBytes(const ModelLayout &layout, const Workload &workload);

// Just the total of layoutBytes().
Result<std::uint64_t> layoutTotalBytes(const ModelLayout &layout, const Workload &workload);

// How much the cache grows when one sequence holding workload.context_length
// tokens takes one more: full and MLA layers always grow, a sliding layer only
// while context_length < window, linear and shared layers never. One sequence,
// like KvEstimate::gqa_bytes_per_token: batch_size is ignored.
Result<std::uint64_t> layoutBytesPerToken(const ModelLayout &layout, const Workload &workload);

struct LayoutPoint {
    std::uint64_t context_length = 0;
    std::uint64_t bytes = 0;

    friend bool operator==(const LayoutPoint &, const LayoutPoint &) = default;
};

// Totals at each context length (for the context chart); workload.context_length
// is ignored. Lengths must ascend; the sweep stops before the first one whose
// total does not fit 64 bits, and is an error when a length is out of range
// or not even the first total fits.
Result<std::vector<LayoutPoint>> layoutContextSweep(const ModelLayout &layout, const Workload &workload,
                                                    std::span<const std::uint64_t> context_lengths);

}  // namespace kvscope
