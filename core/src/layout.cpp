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
    case LayerKind::Chunked: return "chunked";
    case LayerKind::Mlp: return "mlp";
    }
    return "full";  // unreachable: every enumerator is handled
}

std::optional<LayerKind> parseLayerKind(std::string_view name) {
    for (LayerKind kind : kAllLayerKinds) {
        if (layerKindName(kind) == name) return kind;
    }
    return std::nullopt;
}

bool isAttention(LayerKind kind) { return hasKvHeads(kind) || kind == LayerKind::Mla; }

bool hasKvHeads(LayerKind kind) {
    return kind == LayerKind::Full || kind == LayerKind::Sliding || kind == LayerKind::Chunked;
}

std::string_view stateFamilyName(StateFamily family) {
    switch (family) {
    case StateFamily::Generic: return "generic";
    case StateFamily::Mamba1: return "mamba1";
    case StateFamily::Mamba2: return "mamba2";
    case StateFamily::GatedDeltaNet: return "gated_delta_net";
    case StateFamily::ShortConv: return "short_conv";
    case StateFamily::LightningAttention: return "lightning_attention";
    }
    return "generic";
}

std::optional<StateFamily> parseStateFamily(std::string_view name) {
    for (StateFamily family : {StateFamily::Generic, StateFamily::Mamba1, StateFamily::Mamba2,
                               StateFamily::GatedDeltaNet, StateFamily::ShortConv, StateFamily::LightningAttention}) {
        if (stateFamilyName(family) == name) return family;
    }
    return std::nullopt;
}

bool isWindowed(const LayerSpec &spec) {
    return spec.kind == LayerKind::Sliding || spec.kind == LayerKind::Chunked ||
           (spec.kind == LayerKind::Mla && spec.window != 0);
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

LayerSpec chunkedLayer(std::uint32_t n_heads, std::uint32_t n_kv_heads, std::uint32_t k_head_dim,
                       std::uint32_t v_head_dim, std::uint64_t chunk) {
    LayerSpec spec = fullLayer(n_heads, n_kv_heads, k_head_dim, v_head_dim);
    spec.kind = LayerKind::Chunked;
    spec.window = chunk;
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

LayerSpec mlpLayer() {
    LayerSpec spec;
    spec.kind = LayerKind::Mlp;
    return spec;
}

namespace {

// Products of config.json quantities, saturating so that a hostile config is
// refused by validateLayout's range check instead of wrapping.
std::uint64_t mul(std::uint64_t a, std::uint64_t b) {
    std::uint64_t product = 0;
    return __builtin_mul_overflow(a, b, &product) ? UINT64_MAX : product;
}
std::uint64_t add(std::uint64_t a, std::uint64_t b) {
    std::uint64_t sum = 0;
    return __builtin_add_overflow(a, b, &sum) ? UINT64_MAX : sum;
}
std::uint32_t narrow(std::uint64_t value) { return value > UINT32_MAX ? UINT32_MAX : static_cast<std::uint32_t>(value); }

LayerSpec stateLayer(StateFamily family, std::uint64_t recurrent, std::uint64_t conv_channels,
                     std::uint64_t conv_kernel) {
    LayerSpec spec = linearLayer(recurrent, std::nullopt, mul(conv_channels, conv_kernel == 0 ? 0 : conv_kernel - 1),
                                 std::nullopt);
    spec.state_family = family;
    spec.conv_channels = conv_kernel > 1 ? conv_channels : 0;
    return spec;
}

}  // namespace

// The element counts below are the shapes of
// vllm/model_executor/layers/mamba/mamba_utils.py MambaStateShapeCalculator
// at one GPU; llama.cpp's r_l and s_l tensors (src/llama-hparams.cpp n_embd_r,
// n_embd_s) hold the same counts.
LayerSpec mamba1Layer(std::uint64_t d_inner, std::uint64_t d_state, std::uint64_t conv_kernel) {
    // mamba1_state_shape: conv (d_inner, kernel - 1), SSM (d_inner, d_state).
    LayerSpec spec = stateLayer(StateFamily::Mamba1, mul(d_inner, d_state), d_inner, conv_kernel);
    spec.state_heads = narrow(d_inner);
    return spec;
}

LayerSpec mamba2Layer(std::uint64_t d_inner, std::uint32_t n_groups, std::uint32_t n_heads, std::uint64_t head_dim,
                      std::uint64_t d_state, std::uint64_t conv_kernel) {
    // mamba2_state_shape: conv (d_inner + 2 * n_groups * d_state, kernel - 1),
    // SSM (n_heads, head_dim, d_state).
    const std::uint64_t channels = add(d_inner, mul(2 * std::uint64_t{n_groups}, d_state));
    LayerSpec spec = stateLayer(StateFamily::Mamba2, mul(mul(n_heads, head_dim), d_state), channels, conv_kernel);
    spec.state_heads = n_heads;
    spec.state_groups = n_groups;
    spec.group_channels = narrow(mul(2, d_state));
    return spec;
}

LayerSpec gatedDeltaNetLayer(std::uint32_t n_key_heads, std::uint32_t n_value_heads, std::uint64_t key_head_dim,
                             std::uint64_t value_head_dim, std::uint64_t conv_kernel) {
    // gated_delta_net_state_shape: conv (2 * k_heads * k_dim + v_heads * v_dim,
    // kernel - 1), SSM (v_heads, v_dim, k_dim).
    const std::uint64_t channels = add(mul(2 * std::uint64_t{n_key_heads}, key_head_dim), mul(n_value_heads, value_head_dim));
    LayerSpec spec =
        stateLayer(StateFamily::GatedDeltaNet, mul(mul(n_value_heads, value_head_dim), key_head_dim), channels, conv_kernel);
    spec.state_heads = n_value_heads;
    return spec;
}

LayerSpec shortConvLayer(std::uint64_t conv_dim, std::uint64_t conv_kernel) {
    // short_conv_state_shape: conv (conv_dim, kernel - 1) only.
    return stateLayer(StateFamily::ShortConv, 0, conv_dim, conv_kernel);
}

LayerSpec lightningAttentionLayer(std::uint32_t n_heads, std::uint64_t head_dim) {
    // linear_attention_state_shape: (n_heads, head_dim, head_dim), no conv.
    LayerSpec spec = stateLayer(StateFamily::LightningAttention, mul(mul(n_heads, head_dim), head_dim), 0, 0);
    spec.state_heads = n_heads;
    return spec;
}

Result<LayerSpec> linearLayerPerGpu(const LayerSpec &spec, std::uint32_t tp) {
    LayerSpec out = spec;
    if (tp <= 1 || spec.kind != LayerKind::Linear) return out;
    const auto ceilDiv = [](std::uint64_t a, std::uint64_t b) { return a / b + (a % b != 0 ? 1 : 0); };
    const auto cannot = [&](const std::string &what, std::uint64_t count) {
        return InputError{"tensor_parallel", "tensor_parallel (" + std::to_string(tp) + ") must divide the " +
                                                 std::string(stateFamilyName(spec.state_family)) + " layers' " + what +
                                                 " (" + std::to_string(count) + ")"};
    };
    if (spec.state_heads != 0) {
        // vllm.distributed.divide asserts; linear_attention_state_shape floors.
        if (spec.state_family == StateFamily::LightningAttention) {
            out.state_heads = spec.state_heads / tp;
            out.recurrent_state_elems = spec.recurrent_state_elems / spec.state_heads * out.state_heads;
        } else {
            if (spec.state_heads % tp != 0) return cannot("state heads", spec.state_heads);
            out.state_heads = spec.state_heads / tp;
            out.recurrent_state_elems = spec.recurrent_state_elems / tp;
        }
    } else {
        out.recurrent_state_elems = ceilDiv(spec.recurrent_state_elems, tp);
    }
    if (spec.conv_channels != 0) {
        const std::uint64_t width = spec.conv_state_elems / spec.conv_channels;
        // extra_groups_for_head_shards: 0 when the groups split evenly, else tp - n_groups.
        std::uint64_t channels = spec.conv_channels;
        // vllm/model_executor/layers/mamba/mamba_mixer2.py MambaMixer2:
        // "assert (n_groups % self.tp_size) == 0 or n_groups == 1".
        if (spec.state_groups > 1 && spec.state_groups % tp != 0) return cannot("groups", spec.state_groups);
        if (spec.state_groups != 0 && spec.state_groups % tp != 0) {
            channels += std::uint64_t{tp - spec.state_groups} * spec.group_channels;
            out.state_groups = 0;  // whole groups on every GPU: nothing left to replicate
        } else if (spec.state_groups != 0) {
            out.state_groups = spec.state_groups / tp;
        }
        if (channels % tp != 0) return cannot("conv channels", channels);
        out.conv_channels = channels / tp;
        out.conv_state_elems = out.conv_channels * width;
    } else {
        out.conv_state_elems = ceilDiv(spec.conv_state_elems, tp);
    }
    return out;
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
    for (const LayerGroup &g : layout.groups) {
        if (!g.spec.beside_attention) n += g.count;  // at most 2^32 groups of 2^32: no wrap
    }
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

std::optional<InputError> checkLinear(const LayerSpec &s) {
    if (auto e = checkRange("recurrent_state", s.recurrent_state_elems, 0, kMaxStateElems)) return e;
    if (auto e = checkRange("conv_state", s.conv_state_elems, 0, kMaxStateElems)) return e;
    if (s.recurrent_state_elems == 0 && s.conv_state_elems == 0) {
        return InputError{"recurrent_state", "a linear layer must keep some state: its recurrent and conv states are both 0"};
    }
    // How tensor parallelism splits the states must describe them exactly.
    if (s.state_heads != 0 && s.recurrent_state_elems % s.state_heads != 0) {
        return InputError{"recurrent_state", "the recurrent state (" + std::to_string(s.recurrent_state_elems) +
                                                 " elements) is not " + std::to_string(s.state_heads) +
                                                 " equal heads"};
    }
    if (s.conv_channels != 0 && s.conv_state_elems % s.conv_channels != 0) {
        return InputError{"conv_state", "the conv state (" + std::to_string(s.conv_state_elems) + " elements) is not " +
                                            std::to_string(s.conv_channels) + " equal channels"};
    }
    if (std::uint64_t{s.state_groups} * s.group_channels > s.conv_channels) {
        return InputError{"conv_state", "the conv state's groups (" + std::to_string(s.state_groups) + " of " +
                                            std::to_string(s.group_channels) + " channels) exceed its " +
                                            std::to_string(s.conv_channels) + " channels"};
    }
    return std::nullopt;
}

std::optional<InputError> checkLayer(const LayerSpec &s) {
    switch (s.kind) {
    case LayerKind::Full: return checkAttention(s);
    case LayerKind::Sliding:
    case LayerKind::Chunked:
        if (auto e = checkAttention(s)) return e;
        return checkRange("window", s.window, 1, Limits::max_context_length);
    case LayerKind::Mla:
        if (auto e = checkAttention(s)) return e;
        if (auto e = checkRange("kv_lora_rank", s.kv_lora_rank, 1, Limits::max_head_dim)) return e;
        if (auto e = checkRange("qk_rope_head_dim", s.qk_rope_head_dim, 0, Limits::max_head_dim)) return e;
        if (s.window != 0) return checkRange("window", s.window, 1, Limits::max_context_length);
        return std::nullopt;
    case LayerKind::Linear: return checkLinear(s);
    case LayerKind::Shared:
    case LayerKind::Mlp: return std::nullopt;
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
        if (g.spec.kind != LayerKind::Shared && g.spec.kind != LayerKind::Mlp) has_cache = true;
        first += g.count;
    }
    // A shared layer reads an earlier layer's cache, so something must own
    // one; a model of MLP blocks alone is no language model.
    if (!has_cache) return InputError{"n_layers", "no layer has a cache of its own (every layer is shared or MLP-only)"};
    return std::nullopt;
}

}  // namespace kvscope
