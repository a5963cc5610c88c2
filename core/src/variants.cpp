#include "kvscope/variants.h"

#include <algorithm>
#include <numeric>
#include <string>

#include "kvscope/layout.h"
#include "kvscope/sweep.h"
#include "kvscope/validation.h"

namespace kvscope {

namespace {

// Rebuilds a layout layer run by layer run, merging runs that became equal.
template <class Transform>
ModelLayout mapLayers(const ModelLayout &layout, Transform transform) {
    ModelLayout out;
    out.hints = layout.hints;
    out.groups.reserve(layout.groups.size());
    for (const LayerGroup &g : layout.groups) appendLayers(out, transform(g.spec), g.count);
    return out;
}

// An attention layer as a plain K/V cache with `n_kv_heads` heads; a window
// (sliding, or a windowed MLA layer) is kept.
LayerSpec asKvLayer(const LayerSpec &s, std::uint32_t n_kv_heads) {
    if (s.kind == LayerKind::Chunked) return chunkedLayer(s.n_heads, n_kv_heads, s.k_head_dim, s.v_head_dim, s.window);
    if (s.window != 0 && s.kind != LayerKind::Full) {
        return slidingLayer(s.n_heads, n_kv_heads, s.k_head_dim, s.v_head_dim, s.window);
    }
    return fullLayer(s.n_heads, n_kv_heads, s.k_head_dim, s.v_head_dim);
}

}  // namespace

Result<ModelLayout> asGqa(const ModelLayout &layout, std::uint32_t n_kv_groups) {
    std::uint64_t first = 0;
    for (const LayerGroup &g : layout.groups) {
        if (isAttention(g.spec.kind)) {
            if (auto e = checkRange("n_kv_groups", n_kv_groups, 1, g.spec.n_heads)) return *e;
            if (g.spec.n_heads % n_kv_groups != 0) {
                return InputError{"n_kv_groups", "layer " + std::to_string(first) + ": n_kv_groups (" +
                                                     std::to_string(n_kv_groups) + ") must divide n_heads (" +
                                                     std::to_string(g.spec.n_heads) + ") exactly."};
            }
        }
        first += g.count;
    }
    return mapLayers(layout, [n_kv_groups](const LayerSpec &s) {
        return isAttention(s.kind) ? asKvLayer(s, s.n_heads / n_kv_groups) : s;
    });
}

ModelLayout asMha(const ModelLayout &layout) {
    return mapLayers(layout, [](const LayerSpec &s) { return isAttention(s.kind) ? asKvLayer(s, s.n_heads) : s; });
}

ModelLayout asMqa(const ModelLayout &layout) {
    return mapLayers(layout, [](const LayerSpec &s) { return isAttention(s.kind) ? asKvLayer(s, 1) : s; });
}

ModelLayout withoutSlidingWindow(const ModelLayout &layout) {
    return mapLayers(layout, [](const LayerSpec &s) {
        LayerSpec out = s;
        if (s.kind == LayerKind::Sliding || s.kind == LayerKind::Chunked) out.kind = LayerKind::Full;
        if (out.kind == LayerKind::Full || out.kind == LayerKind::Mla) out.window = 0;
        return out;
    });
}

Result<ModelLayout> withMla(const ModelLayout &layout, std::uint32_t kv_lora_rank, std::uint32_t qk_rope_head_dim) {
    if (auto e = checkRange("kv_lora_rank", kv_lora_rank, 1, Limits::max_head_dim)) return *e;
    if (auto e = checkRange("qk_rope_head_dim", qk_rope_head_dim, 0, Limits::max_head_dim)) return *e;
    return mapLayers(layout, [&](const LayerSpec &s) {
        if (!isAttention(s.kind)) return s;
        LayerSpec out = mlaLayer(s.n_heads, kv_lora_rank, qk_rope_head_dim, s.k_head_dim, s.v_head_dim);
        out.window = s.kind == LayerKind::Full ? 0 : s.window;
        return out;
    });
}

std::vector<std::uint32_t> validLayoutGroupCounts(const ModelLayout &layout) {
    std::uint32_t common = 0;  // gcd of every attention layer's n_heads
    for (const LayerGroup &g : layout.groups) {
        if (isAttention(g.spec.kind)) common = std::gcd(common, g.spec.n_heads);
    }
    if (common == 0) return {};
    return validGroupCounts(common);
}

}  // namespace kvscope
