#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "kvscope/dtype.h"
#include "kvscope/result.h"
#include "kvscope/shape.h"

namespace kvscope {

// How a layer caches what it has seen. Real models mix these; the book's
// formula only knows Full.
enum class LayerKind : std::uint8_t {
    Full,     // K and V of every token in the context
    Sliding,  // K and V of at most `window` most recent tokens
    Mla,      // one compressed latent per token (DeepSeek's multi-head latent attention)
    Linear,   // a fixed-size state per sequence (Gated DeltaNet, Mamba): never grows with context
    Shared,   // no cache of its own: reads the K/V of an earlier layer
};
inline constexpr std::size_t kLayerKindCount = 5;
inline constexpr std::array<LayerKind, kLayerKindCount> kAllLayerKinds{
    LayerKind::Full, LayerKind::Sliding, LayerKind::Mla, LayerKind::Linear, LayerKind::Shared};

// "full", "sliding", "mla", "linear", "shared": stable names for JSON and tables.
std::string_view layerKindName(LayerKind kind);

// Full, Sliding and Mla: layers with query heads and a per-token cache.
bool isAttention(LayerKind kind);

// One layer. A single struct for every kind (rather than a variant) so that a
// what-if variant can turn one kind into another and keep what it still needs;
// fields a kind does not use are ignored for it.
struct LayerSpec {
    LayerKind kind = LayerKind::Full;

    // Attention layers (Full, Sliding, Mla): query heads. Kept so the what-if
    // variants can regroup K/V heads the way this layer's queries allow.
    std::uint32_t n_heads = 32;
    // Full and Sliding: cached K/V heads and their widths (K and V may differ,
    // e.g. DeepSeek's 192-wide K and 128-wide V). Mla: the per-head K/V it
    // expands its latent into, which is what an MHA cache of it would hold.
    std::uint32_t n_kv_heads = 8;
    std::uint32_t k_head_dim = 128;
    std::uint32_t v_head_dim = 128;
    // Sliding: tokens kept. Mla: 0 for the whole context, or a window.
    std::uint64_t window = 0;

    // Mla: per token, the latent (kv_lora_rank) plus the decoupled RoPE key
    // (qk_rope_head_dim), shared by all heads.
    std::uint32_t kv_lora_rank = 0;
    std::uint32_t qk_rope_head_dim = 0;

    // Linear: per sequence, a recurrent state and a short convolution state,
    // each with its own storage type; nullopt stores it in the KV dtype.
    std::uint64_t recurrent_state_elems = 0;
    std::optional<DType> recurrent_state_dtype = DType::fp32;
    std::uint64_t conv_state_elems = 0;
    std::optional<DType> conv_state_dtype;

    friend bool operator==(const LayerSpec &, const LayerSpec &) = default;
};

// Whether the layer keeps only its `window` most recent tokens: Sliding, or
// Mla with a window.
bool isWindowed(const LayerSpec &spec);

LayerSpec fullLayer(std::uint32_t n_heads, std::uint32_t n_kv_heads, std::uint32_t k_head_dim,
                    std::uint32_t v_head_dim);
LayerSpec slidingLayer(std::uint32_t n_heads, std::uint32_t n_kv_heads, std::uint32_t k_head_dim,
                       std::uint32_t v_head_dim, std::uint64_t window);
// k_head_dim and v_head_dim: the per-head K and V an MHA cache of this layer
// would hold (DeepSeek-V3: qk_nope_head_dim + qk_rope_head_dim = 192, and 128).
LayerSpec mlaLayer(std::uint32_t n_heads, std::uint32_t kv_lora_rank, std::uint32_t qk_rope_head_dim,
                   std::uint32_t k_head_dim, std::uint32_t v_head_dim);
LayerSpec linearLayer(std::uint64_t recurrent_state_elems, std::optional<DType> recurrent_state_dtype,
                      std::uint64_t conv_state_elems, std::optional<DType> conv_state_dtype);
LayerSpec sharedLayer();

// `count` consecutive identical layers.
struct LayerGroup {
    LayerSpec spec;
    std::uint32_t count = 1;

    friend bool operator==(const LayerGroup &, const LayerGroup &) = default;
};

// A model as its layers in order, run-length grouped: a uniform model is one
// group however deep it is, and gpt-oss's alternation is one group per layer,
// which is still small.
struct ModelLayout {
    std::vector<LayerGroup> groups;

    friend bool operator==(const ModelLayout &, const ModelLayout &) = default;
};

// Appends `count` layers, merging them into the last group when identical.
void appendLayers(ModelLayout &layout, const LayerSpec &spec, std::uint32_t count = 1);

std::uint64_t layerCount(const ModelLayout &layout);

// Layers of each kind, indexed by static_cast<std::size_t>(LayerKind).
std::array<std::uint64_t, kLayerKindCount> layerCountsByKind(const ModelLayout &layout);

// The book's shape as a layout: n_layers identical full layers with the
// shape's GQA heads (n_heads / n_kv_groups) and head_dim for both K and V.
// Its totals equal kvBytes(shape, workload, gqaKvHeads(shape)) exactly.
ModelLayout layoutFromShape(const ModelShape &shape);

// The first problem with a layout, naming the field and, for one layer, its
// index (layers count from 0).
std::optional<InputError> validateLayout(const ModelLayout &layout);

// Largest state a linear layer may declare, in elements per sequence.
inline constexpr std::uint64_t kMaxStateElems = std::uint64_t{1} << 40;

}  // namespace kvscope
