#include "kvscope/layout.h"

#include <string>

#include "kvscope/estimator.h"
#include "kvscope/validation.h"

namespace kvscope {

std::string_view layerKindName(LayerKind kind) {
    switch (kind) {
    case LayerKind::Full: return "full";
    case LayerKind::Sliding: return "sliding";
    case LayerKind::Mla: return "mla";
    case LayerKind::Linear: return "linear";
    case LayerKind::Shared: return "shared";
    }
    return "full";  // unreachable: every enumerator is handled
}

bool isAttention(LayerKind kind) {
    return kind == LayerKind::Full || kind == LayerKind::Sliding || kind == LayerKind::Mla;
}

bool isWindowed(const LayerSpec &spec) {
    return spec.kind == LayerKind::Sliding || (spec.kind == LayerKind::Mla && spec.window != 0);
}

LayerSpec fullLayer(std::uint32_t n_heads, std::uint32_t n_kv_heads, std::uint32_t k_head_dim,
                    std::uint32_t v_head_dim) {
    LayerSpec spec;
    spec.kind = LayerKind::Full;
    spec.n_heads = n_heads;
    spec.n_kv_heads = n_kv_heads;
    spec.k_head_dim = k_head_dim;
    spec.v_head_dim = v_head_dim;
    return spec;
}

LayerSpec slidingLayer(std::uint32_t n_heads, std::uint32_t n_kv_heads, std::uint32_t k_head_dim,
                       std::uint32_t v_head_dim, std::uint64_t window) {
    LayerSpec spec = fullLayer(n_heads, n_kv_heads, k_head_dim, v_head_dim);
    spec.kind = LayerKind::Sliding;
    spec.window = window;
    return spec;
}

LayerSpec mlaLayer(std::uint32_t n_heads, std::uint32_t kv_lora_rank, std::uint32_t qk_rope_head_dim,
                   std::uint32_t k_head_dim, std::uint32_t v_head_dim) {
    // n_kv_heads = n_heads: MLA expands its latent into one K/V per query head.
    LayerSpec spec = fullLayer(n_heads, n_heads, k_head_dim, v_head_dim);
    spec.kind = LayerKind::Mla;
    spec.kv_lora_rank = kv_lora_rank;
    spec.qk_rope_head_dim = qk_rope_head_dim;
    return spec;
}

LayerSpec linearLayer(std::uint64_t recurrent_state_elems, std::optional<DType> recurrent_state_dtype,
                      std::uint64_t conv_state_elems, std::optional<DType> conv_state_dtype) {
    LayerSpec spec;
    spec.kind = LayerKind::Linear;
    spec.recurrent_state_elems = recurrent_state_elems;
    spec.recurrent_state_dtype = recurrent_state_dtype;
    spec.conv_state_elems = conv_state_elems;
    spec.conv_state_dtype = conv_state_dtype;
    return spec;
}

LayerSpec sharedLayer() {
    LayerSpec spec;
    spec.kind = LayerKind::Shared;
    return spec;
}

void appendLayers(ModelLayout &layout, const LayerSpec &spec, std::uint32_t count) {
    if (count == 0) return;
    if (!layout.groups.empty() && layout.groups.back().spec == spec &&
        layout.groups.back().count <= UINT32_MAX - count) {
        layout.groups.back().count += count;
        return;
    }
    layout.groups.push_back({spec, count});
}

std::uint64_t layerCount(const ModelLayout &layout) {
    std::uint64_t n = 0;
    for (const LayerGroup &g : layout.groups) n += g.count;  // at most 2^32 groups of 2^32: no wrap
    return n;
}

std::array<std::uint64_t, kLayerKindCount> layerCountsByKind(const ModelLayout &layout) {
    std::array<std::uint64_t, kLayerKindCount> counts{};
    for (const LayerGroup &g : layout.groups) counts[static_cast<std::size_t>(g.spec.kind)] += g.count;
    return counts;
}

ModelLayout layoutFromShape(const ModelShape &shape) {
    ModelLayout layout;
    const std::uint32_t head_dim = headDim(shape);
    appendLayers(layout, fullLayer(shape.n_heads, gqaKvHeads(shape), head_dim, head_dim), shape.n_layers);
    return layout;
}

namespace {

std::optional<InputError> atLayer(std::uint64_t index, std::optional<InputError> error) {
    if (error) error->message = "layer " + std::to_string(index) + ": " + error->message;
    return error;
}

std::optional<InputError> checkAttention(const LayerSpec &s) {
    if (auto e = checkRange("n_heads", s.n_heads, 1, Limits::max_heads)) return e;
    if (auto e = checkRange("n_kv_heads", s.n_kv_heads, 1, s.n_heads)) return e;
    // A derived head_dim can be as wide as emb_dim (one head), so the book's
    // shapes must fit here too.
    if (auto e = checkRange("k_head_dim", s.k_head_dim, 1, Limits::max_emb_dim)) return e;
    if (auto e = checkRange("v_head_dim", s.v_head_dim, 1, Limits::max_emb_dim)) return e;
    return std::nullopt;
}

std::optional<InputError> checkLayer(const LayerSpec &s) {
    switch (s.kind) {
    case LayerKind::Full: return checkAttention(s);
    case LayerKind::Sliding:
        if (auto e = checkAttention(s)) return e;
        return checkRange("window", s.window, 1, Limits::max_context_length);
    case LayerKind::Mla:
        if (auto e = checkAttention(s)) return e;
        if (auto e = checkRange("kv_lora_rank", s.kv_lora_rank, 1, Limits::max_head_dim)) return e;
        if (auto e = checkRange("qk_rope_head_dim", s.qk_rope_head_dim, 0, Limits::max_head_dim)) return e;
        if (s.window != 0) return checkRange("window", s.window, 1, Limits::max_context_length);
        return std::nullopt;
    case LayerKind::Linear:
        if (auto e = checkRange("recurrent_state", s.recurrent_state_elems, 0, kMaxStateElems)) return e;
        if (auto e = checkRange("conv_state", s.conv_state_elems, 0, kMaxStateElems)) return e;
        return std::nullopt;
    case LayerKind::Shared: return std::nullopt;
    }
    return std::nullopt;
}

}  // namespace

std::optional<InputError> validateLayout(const ModelLayout &layout) {
    if (auto e = checkRange("n_layers", layerCount(layout), 1, Limits::max_layers)) return e;
    std::uint64_t first = 0;
    bool has_cache = false;
    for (const LayerGroup &g : layout.groups) {
        if (auto e = atLayer(first, checkLayer(g.spec))) return e;
        if (g.spec.kind != LayerKind::Shared) has_cache = true;
        first += g.count;
    }
    // A shared layer reads an earlier layer's cache, so something must own one.
    if (!has_cache) return InputError{"n_layers", "every layer shares another layer's cache: none has its own"};
    return std::nullopt;
}

}  // namespace kvscope
