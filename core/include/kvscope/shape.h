#pragma once

#include <cstdint>
#include <optional>

#include "kvscope/dtype.h"

namespace kvscope {

// The model's attention shape. Defaults are the seed script's model, which is
// also the window's embedded default.
struct ModelShape {
    std::uint32_t emb_dim = 2048;
    std::uint32_t n_heads = 24;
    std::uint32_t n_kv_groups = 4;  // query heads sharing one K/V head
    std::uint32_t n_layers = 48;
    std::optional<std::uint32_t> head_dim;  // explicit head_dim overrides ceil(emb_dim / n_heads)

    friend bool operator==(const ModelShape &, const ModelShape &) = default;
};

// What the cache has to hold.
struct Workload {
    std::uint64_t context_length = 8192;
    std::uint32_t batch_size = 1;
    DType dtype = DType::bf16;

    friend bool operator==(const Workload &, const Workload &) = default;
};

// Accepted ranges: every real model fits with room to spare.
struct Limits {
    static constexpr std::uint32_t min_emb_dim = 1;
    static constexpr std::uint32_t max_emb_dim = 1u << 20;  // 1,048,576
    static constexpr std::uint32_t max_heads = 1024;
    static constexpr std::uint32_t max_layers = 1024;
    static constexpr std::uint32_t max_head_dim = 1u << 16;
    static constexpr std::uint64_t max_context_length = std::uint64_t{1} << 31;
    static constexpr std::uint32_t max_batch_size = 1u << 20;
};

}  // namespace kvscope
