#pragma once

#include <cstdint>

#include "kvscope/result.h"
#include "kvscope/shape.h"

namespace kvscope {

struct KvEstimate {
    std::uint32_t head_dim = 0;
    std::uint32_t n_kv_heads_mha = 0;
    std::uint32_t n_kv_heads_gqa = 0;
    std::uint64_t mha_bytes = 0;  // whole cache: batch * context * every layer's K and V
    std::uint64_t gqa_bytes = 0;
    std::uint64_t mha_bytes_per_token = 0;  // one token of one sequence, all layers
    std::uint64_t gqa_bytes_per_token = 0;
    double ratio = 0.0;  // mha / gqa, as the book computes it
    double savings_percent = 0.0;  // (1 - gqa / mha) * 100, as the book computes it
};

// head_dim as the book derives it (ceil(emb_dim / n_heads)) unless the shape
// names one explicitly.
std::uint32_t headDim(const ModelShape &shape);

// n_heads / n_kv_groups; n_kv_groups must divide n_heads.
std::uint32_t gqaKvHeads(const ModelShape &shape);

// Total bytes of a cache with `n_kv_heads` K/V heads per layer, or an error
// when the total does not fit 64 bits. Does not validate the shape.
Result<std::uint64_t> kvBytes(const ModelShape &shape, const Workload &workload,
                              std::uint32_t n_kv_heads);

// Validates, then computes everything the book's report shows.
Result<KvEstimate> estimate(const ModelShape &shape, const Workload &workload);

// savings of `gqa` over `mha` in percent, computed in the book's order of
// operations so the printed digits agree.
double savingsPercent(std::uint64_t mha_bytes, std::uint64_t gqa_bytes);

}  // namespace kvscope
