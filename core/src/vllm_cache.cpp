#include "kvscope/vllm_cache.h"

#include <algorithm>
#include <cstdio>
#include <optional>
#include <string>
#include <tuple>

#include "kvscope/format.h"

namespace kvscope {

namespace {

std::uint64_t ceilDiv(std::uint64_t a, std::uint64_t b) { return a / b + (a % b != 0 ? 1 : 0); }

// Whole bytes per element of a dtype vLLM stores unpacked.
std::uint64_t elemBytes(DType dtype) {
    const DTypeInfo &info = dtypeInfo(dtype);
    return info.block_bytes / info.block_elems;
}

// One layer's spec, as far as the cache's size goes.
struct Spec {
    LayerKind kind = LayerKind::Full;  // Full also for layers promoted to it
    // Attention: the page's shape (what makes two specs equal in vLLM).
    std::uint32_t n_kv_heads = 0;
    std::uint32_t k_head_dim = 0;
    std::uint32_t v_head_dim = 0;
    std::uint64_t token_bytes = 0;  // bytes per token of the page
    std::uint64_t window = 0;       // sliding window or chunk
    // Mamba: the states' bytes, unpadded.
    std::uint64_t state_bytes = 0;
    // After the block size is known.
    std::uint32_t block_size = 0;
    std::uint64_t page_bytes = 0;

    // Specs vLLM puts in one bucket: equal, or full attention differing only
    // in the window it computes with (FullAttentionSpec.merge).
    auto key() const {
        return std::tie(kind, n_kv_heads, k_head_dim, v_head_dim, token_bytes, window, state_bytes, block_size,
                        page_bytes);
    }
    bool sameBucket(const Spec &o) const { return key() == o.key(); }
};

struct Bucket {
    Spec spec;
    std::uint32_t layers = 0;
};

InputError engineError(std::string message) { return InputError{"engine", "vLLM: " + std::move(message)}; }

// vllm/v1/kv_cache_interface.py AttentionSpec.real_page_size_bytes (and
// FullAttentionSpec's, with head_size_v) for one token, plus
// unpadded_page_size_bytes' per-token-head fp32 scales for int8.
std::uint64_t attentionTokenBytes(const LayerSpec &s, DType kv_dtype) {
    const std::uint64_t size = elemBytes(kv_dtype);
    const bool int8 = kv_dtype == DType::int8;  // int8_per_token_head
    if (s.kind == LayerKind::Mla) {
        // MLAAttentionSpec: num_kv_heads 1, head_size kv_lora_rank + qk_rope_head_dim, no factor 2.
        return (std::uint64_t{s.kv_lora_rank} + s.qk_rope_head_dim) * size + (int8 ? 2 * 4 : 0);
    }
    return std::uint64_t{s.n_kv_heads} * (std::uint64_t{s.k_head_dim} + s.v_head_dim) * size +
           (int8 ? 2 * std::uint64_t{s.n_kv_heads} * 4 : 0);
}

// vllm/v1/kv_cache_interface.py MambaSpec.page_size_bytes: the sum of every
// state's elements times its dtype's size.
std::uint64_t mambaStateBytes(const LayerSpec &s, DType model_dtype) {
    return s.conv_state_elems * elemBytes(s.conv_state_dtype.value_or(model_dtype)) +
           s.recurrent_state_elems * elemBytes(s.recurrent_state_dtype.value_or(model_dtype));
}

// Blocks a request of max_model_len tokens holds in a group of this spec:
// cdiv(max_memory_usage_bytes, page_size_bytes).
std::uint64_t specBlocks(const Spec &s, std::uint64_t max_model_len, const VllmCache &cache) {
    switch (s.kind) {
    case LayerKind::Sliding:
        // SlidingWindowSpec.max_admission_blocks_per_request:
        // cdiv(min(sliding_window - 1 + max_in_flight_tokens, max_model_len), block_size) + 1.
        return ceilDiv(std::min(s.window - 1 + cache.in_flight_tokens, max_model_len), s.block_size) + 1;
    case LayerKind::Chunked:
        // ChunkedLocalAttentionSpec.max_admission_blocks_per_request:
        // cdiv(min(attention_chunk_size + max_in_flight_tokens, max_model_len), block_size).
        return ceilDiv(std::min(s.window + cache.in_flight_tokens, max_model_len), s.block_size);
    case LayerKind::Linear:
        // MambaSpec.max_memory_usage_bytes: page * (2 + spec blocks) in "align"
        // mode, page * (1 + spec blocks) in "none"; no speculative decoding here.
        return cache.mamba_align_mode ? 2 : 1;
    default:
        // FullAttentionSpec.max_memory_usage_bytes: cdiv(max_model_len, block_size) * page.
        return ceilDiv(max_model_len, s.block_size);
    }
}

}  // namespace

Result<VllmCache> vllmCache(const ModelLayout &per_gpu, DType kv_dtype, const EngineSetup &setup,
                            std::uint32_t block_size) {
    if (auto e = checkEngineKvDType(Engine::Vllm, kv_dtype)) return *e;
    VllmCache cache;
    cache.in_flight_tokens = vllmMaxInFlightTokens(setup);

    // One spec per run of layers, in layer order.
    std::vector<std::pair<Spec, std::uint32_t>> runs;
    bool uses_mla = false;
    std::optional<std::uint64_t> attention_token_bytes;  // model_config's heads and head size
    std::optional<std::uint64_t> state_bytes;
    bool has_chunked = false;
    for (const LayerGroup &g : per_gpu.groups) {
        const LayerSpec &s = g.spec;
        Spec spec;
        spec.kind = s.kind;
        switch (s.kind) {
        case LayerKind::Shared:
            // kv_sharing_target_layer_name: such layers get no KV cache spec.
            cache.shared_layers += g.count;
            continue;
        case LayerKind::Mlp:
            // vllm/model_executor/models/nemotron_h.py NemotronHMLPDecoderLayer
            // and NemotronHMoEDecoderLayer have no Attention or Mamba module,
            // so no KV cache spec either.
            continue;
        case LayerKind::Mla:
            if (s.window != 0) {
                return engineError("a windowed MLA layer is DeepSeek-V4's packed cache layout, which KV Scope "
                                   "does not model");
            }
            uses_mla = true;
            spec.token_bytes = attentionTokenBytes(s, kv_dtype);
            spec.k_head_dim = s.kv_lora_rank + s.qk_rope_head_dim;
            spec.n_kv_heads = 1;
            break;
        case LayerKind::Linear:
            spec.state_bytes = mambaStateBytes(s, setup.model_dtype);
            if (!state_bytes) state_bytes = spec.state_bytes;
            break;
        case LayerKind::Full:
        case LayerKind::Sliding:
        case LayerKind::Chunked:
            spec.n_kv_heads = s.n_kv_heads;
            spec.k_head_dim = s.k_head_dim;
            spec.v_head_dim = s.v_head_dim;
            spec.token_bytes = attentionTokenBytes(s, kv_dtype);
            spec.window = s.kind == LayerKind::Full ? 0 : s.window;
            has_chunked = has_chunked || s.kind == LayerKind::Chunked;
            break;
        }
        if (spec.kind != LayerKind::Linear && !attention_token_bytes) attention_token_bytes = spec.token_bytes;
        runs.emplace_back(spec, g.count);
    }
    if (runs.empty()) return engineError("no layer has a cache of its own");

    // Phase 1 of Platform.update_block_size_for_backend: --block-size, or the backend's.
    const std::uint32_t kernel_block = vllmDefaultBlockSize(setup, uses_mla, kv_dtype);
    cache.block_size = block_size != 0 ? block_size : kernel_block;

    // Phase 2, Platform._align_hybrid_block_size (attention and Mamba layers):
    // attn_block_size = alignment * cdiv(mamba_page, alignment * attn_page_1_token),
    // alignment = max(the backend's smallest kernel block, block_size), at
    // least 128 with MLA; the Mamba page is then padded to the attention page.
    const bool hybrid = state_bytes && attention_token_bytes;
    std::uint64_t mamba_page = state_bytes.value_or(0);
    if (state_bytes) cache.mamba_state_bytes = *state_bytes;
    // vllm/model_executor/models/config.py MambaModelConfig: prefix caching
    // puts Mamba states in "align" mode; vllm/config/model.py
    // is_prefix_caching_supported: attention-free models have no prefix caching.
    cache.mamba_align_mode = setup.vllm.prefix_caching && attention_token_bytes.has_value();
    if (hybrid && *state_bytes != 0) {
        std::uint64_t alignment = std::max<std::uint64_t>(kernel_block, cache.block_size);
        if (uses_mla) alignment = std::max<std::uint64_t>(alignment, 128);
        const std::uint64_t attn_block = alignment * ceilDiv(*state_bytes, alignment * *attention_token_bytes);
        if (attn_block > 0xffffffffu) return engineError("a Mamba state this large needs a block over 2^32 tokens");
        if (cache.block_size < attn_block) {
            cache.block_size = static_cast<std::uint32_t>(attn_block);
            cache.block_grown = true;
        }
        mamba_page = std::max(mamba_page, cache.block_size * *attention_token_bytes);
    }

    // --disable-hybrid-kv-cache-manager, which vllm/config/vllm.py also turns
    // on for chunked local attention: unify_hybrid_kv_cache_specs promotes
    // sliding and chunked layers to full attention when full layers exist.
    const bool manager_off = setup.vllm.disable_hybrid_kv_cache_manager || has_chunked;
    const bool has_full = std::any_of(runs.begin(), runs.end(), [](const auto &r) {
        return r.first.kind == LayerKind::Full || r.first.kind == LayerKind::Mla;
    });
    const bool has_local = std::any_of(runs.begin(), runs.end(), [](const auto &r) {
        return r.first.kind == LayerKind::Sliding || r.first.kind == LayerKind::Chunked;
    });
    if (manager_off && state_bytes && attention_token_bytes) {
        return engineError("a Mamba hybrid needs the hybrid KV cache manager (_promote_local_kv_cache_specs: \"Failed "
                           "to promote local KV cache specs to one unified type\"); drop "
                           "--disable-hybrid-kv-cache-manager");
    }
    if (manager_off && has_full && has_local) {
        cache.local_attention_as_full = true;
        for (auto &run : runs) {
            if (run.first.kind == LayerKind::Sliding || run.first.kind == LayerKind::Chunked) {
                run.first.kind = LayerKind::Full;
                run.first.window = 0;
            }
        }
    }

    // Pages at the block size.
    for (auto &run : runs) {
        Spec &s = run.first;
        s.block_size = cache.block_size;
        s.page_bytes = s.kind == LayerKind::Linear ? mamba_page : s.block_size * s.token_bytes;
        if (s.page_bytes == 0) return engineError("a layer's page would hold no bytes");
    }

    // Buckets of equal specs, in the order vLLM meets them.
    std::vector<Bucket> buckets;
    for (const auto &run : runs) {
        const Spec &spec = run.first;
        auto it = std::find_if(buckets.begin(), buckets.end(), [&](const Bucket &b) { return b.spec.sameBucket(spec); });
        if (it == buckets.end()) {
            buckets.push_back({spec, run.second});
        } else {
            it->layers += run.second;
        }
    }
    std::uint32_t all_layers = 0;
    for (const Bucket &b : buckets) all_layers += b.layers;

    const auto group = [](const Spec &s, std::uint32_t layers, std::uint32_t padding) {
        return VllmGroup{s.kind, layers, padding, s.block_size, s.window, s.page_bytes};
    };

    // get_kv_cache_groups: is_kv_cache_spec_uniform -> one group of every layer.
    if (buckets.size() == 1) {
        cache.grouping = VllmCache::Grouping::UniformSpec;
        cache.group_size = all_layers;
        cache.groups.push_back(group(buckets[0].spec, all_layers, 0));
        // get_num_blocks: available_memory // page_size // num_layers.
        cache.block_bytes = buckets[0].spec.page_bytes * all_layers;
        return cache;
    }

    // UniformTypeKVCacheSpecs.from_specs: one kind (full and MLA are one
    // FullAttentionSpec type; sliding windows and chunks must agree) at one
    // block size -> one group, each layer its own page.
    const auto uniformKind = [](LayerKind k) { return k == LayerKind::Mla ? LayerKind::Full : k; };
    const bool one_type = std::all_of(buckets.begin(), buckets.end(), [&](const Bucket &b) {
        return uniformKind(b.spec.kind) == uniformKind(buckets[0].spec.kind) && b.spec.window == buckets[0].spec.window &&
               b.spec.block_size == buckets[0].spec.block_size;
    });
    if (one_type) {
        cache.grouping = VllmCache::Grouping::UniformType;
        cache.group_size = all_layers;
        // UniformTypeKVCacheSpecs.page_size_bytes: the sum of every layer's page.
        for (const Bucket &b : buckets) cache.block_bytes += b.spec.page_bytes * b.layers;
        // One group: its layers' pages differ, so it reports the largest.
        Spec largest = buckets[0].spec;
        for (const Bucket &b : buckets) {
            if (b.spec.page_bytes > largest.page_bytes) largest = b.spec;
        }
        cache.groups.push_back(group(largest, all_layers, 0));
        return cache;
    }

    // unify_kv_cache_spec_page_size: every page grows to the largest, by a
    // larger block size where it divides, by padding for Mamba states.
    std::uint64_t max_page = 0;
    for (const Bucket &b : buckets) max_page = std::max(max_page, b.spec.page_bytes);
    for (Bucket &b : buckets) {
        Spec &s = b.spec;
        if (s.page_bytes == max_page) continue;
        if (s.kind == LayerKind::Linear) {
            s.page_bytes = max_page;
        } else if (max_page % s.page_bytes == 0) {
            const std::uint64_t ratio = max_page / s.page_bytes;
            s.block_size = static_cast<std::uint32_t>(s.block_size * ratio);
            s.page_bytes = max_page;
        } else {
            return engineError("its layers' pages (" + formatThousands(s.page_bytes) + " and " +
                               formatThousands(max_page) +
                               " bytes) cannot be unified (unify_kv_cache_spec_page_size: NotImplementedError)");
        }
    }

    // _get_kv_cache_groups_uniform_page_size: group_size is the smallest
    // layer count of a kind, or the largest when that is under 1.5 times
    // the smallest; each kind's layers fill cdiv(n, group_size) groups,
    // layers[i::num_groups], the missing slots being padding.
    std::uint32_t min_layers = buckets[0].layers;
    std::uint32_t max_layers = buckets[0].layers;
    for (const Bucket &b : buckets) {
        min_layers = std::min(min_layers, b.layers);
        max_layers = std::max(max_layers, b.layers);
    }
    cache.grouping = VllmCache::Grouping::Hybrid;
    cache.group_size = (2 * std::uint64_t{max_layers} < 3 * std::uint64_t{min_layers}) ? max_layers : min_layers;
    for (const Bucket &b : buckets) {
        const std::uint32_t num_groups = static_cast<std::uint32_t>(ceilDiv(b.layers, cache.group_size));
        for (std::uint32_t i = 0; i < num_groups; ++i) {
            const std::uint32_t layers = (b.layers - i + num_groups - 1) / num_groups;  // len(layers[i::num_groups])
            cache.groups.push_back(group(b.spec, layers, cache.group_size - layers));
        }
    }
    // get_kv_cache_config_from_groups: group_size tensors of page_size * num_blocks.
    cache.block_bytes = max_page * cache.group_size;
    return cache;
}

std::uint64_t vllmBlocksPerRequest(const VllmCache &cache, std::uint64_t max_model_len) {
    std::uint64_t blocks = 0;
    for (const VllmGroup &g : cache.groups) {
        Spec s;
        s.kind = g.kind;
        s.window = g.window;
        s.block_size = g.block_size;
        blocks += specBlocks(s, max_model_len, cache);
    }
    return blocks;
}

std::string vllmCapacityLogLine(std::uint64_t max_model_len, double max_concurrency) {
    const auto tokens = static_cast<std::uint64_t>(max_concurrency * static_cast<double>(max_model_len));
    char concurrency[64];
    std::snprintf(concurrency, sizeof concurrency, "%.2f", max_concurrency);
    return "GPU KV cache size: " + formatThousands(tokens) + " tokens, Maximum concurrency for " +
           formatThousands(max_model_len) + " tokens per request: " + concurrency + "x";
}

std::string vllmGroupingText(const VllmCache &cache) {
    std::uint32_t layers = 0;
    std::uint32_t padding = 0;
    for (const VllmGroup &g : cache.groups) {
        layers += g.layers;
        padding += g.padding;
    }
    const auto plural = [](std::uint64_t n, const char *one, const char *many) {
        return formatThousands(n) + " " + (n == 1 ? one : many);
    };
    std::string text = "vLLM: ";
    switch (cache.grouping) {
    case VllmCache::Grouping::UniformSpec:
        text += plural(layers, "layer", "layers") + " in one group";
        break;
    case VllmCache::Grouping::UniformType:
        text += plural(layers, "layer", "layers") + " in one group, a page per layer";
        break;
    case VllmCache::Grouping::Hybrid:
        text += plural(layers, "layer", "layers") + " in " + formatThousands(cache.groups.size()) + " groups of " +
                formatThousands(cache.group_size) + ", " + formatThousands(padding) + " padding";
        break;
    }
    text += "; blocks of " + plural(cache.block_size, "token", "tokens");
    if (cache.block_grown) {
        text += " (grown so a page holds a " + formatThousands(cache.mamba_state_bytes) + "-byte state)";
    }
    if (cache.local_attention_as_full) text += "; sliding and chunked layers held as full attention";
    if (cache.shared_layers != 0) text += "; " + plural(cache.shared_layers, "layer shares", "layers share") + " K/V";
    return text;
}

}  // namespace kvscope
