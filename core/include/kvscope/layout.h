#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
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
    Linear,   // a fixed-size state per sequence (Mamba, Gated DeltaNet, short conv): never grows with context
    Shared,   // no cache of its own: reads the K/V of an earlier layer
    Chunked,  // K and V of the tokens in the current chunk of `window` tokens (Llama 4's local attention)
    Mlp,      // no cache at all: a block of only an MLP or experts (Nemotron-H's '-' and 'E' layers)
};
inline constexpr std::size_t kLayerKindCount = 7;
inline constexpr std::array<LayerKind, kLayerKindCount> kAllLayerKinds{
    LayerKind::Full,   LayerKind::Sliding, LayerKind::Mla,     LayerKind::Linear,
    LayerKind::Shared, LayerKind::Chunked, LayerKind::Mlp};

// "full", "sliding", "mla", "linear", "shared", "chunked", "mlp": stable names for JSON and tables.
std::string_view layerKindName(LayerKind kind);
std::optional<LayerKind> parseLayerKind(std::string_view name);

// Full, Sliding, Chunked and Mla: layers with query heads and a per-token cache.
bool isAttention(LayerKind kind);

// Full, Sliding and Chunked: layers that cache n_kv_heads K and V heads.
bool hasKvHeads(LayerKind kind);

// Which recurrent family a linear layer belongs to: the engines store and
// split each family's states their own way.
enum class StateFamily : std::uint8_t {
    Generic,             // sizes only (a layout saved before families were told apart)
    Mamba1,              // Jamba, Falcon-Mamba: conv over d_inner, SSM d_inner x d_state
    Mamba2,              // Nemotron-H, Falcon-H1, Granite 4.0-H, Bamba: grouped B/C, SSM per head
    GatedDeltaNet,       // Qwen3-Next: conv over q, k, v; one key-by-value matrix per value head
    ShortConv,           // LFM2: a short convolution's last inputs only
    LightningAttention,  // MiniMax-Text-01: one head_dim x head_dim state per head, no conv
};
std::string_view stateFamilyName(StateFamily family);  // "mamba1", "mamba2", ...
std::optional<StateFamily> parseStateFamily(std::string_view name);

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
    // Sliding: tokens kept. Chunked: tokens per chunk. Mla: 0 for the whole
    // context, or a window.
    std::uint64_t window = 0;

    // Mla: per token, the latent (kv_lora_rank) plus the decoupled RoPE key
    // (qk_rope_head_dim), shared by all heads.
    std::uint32_t kv_lora_rank = 0;
    std::uint32_t qk_rope_head_dim = 0;

    // Linear: per sequence, a recurrent (SSM) state and a short convolution
    // state. A dtype set here is one the model fixes (Nemotron-H's config
    // names its SSM state dtype); nullopt leaves it to the engine
    // (engineLayout() fills it in); a layout no engine resolved stores it in
    // the KV dtype.
    StateFamily state_family = StateFamily::Generic;
    std::uint64_t recurrent_state_elems = 0;
    std::optional<DType> recurrent_state_dtype;
    std::uint64_t conv_state_elems = 0;
    std::optional<DType> conv_state_dtype;
    // Linear, what tensor parallelism splits (0: nothing is known, each state
    // is split in equal parts rounded up). The recurrent state is state_heads
    // equal slices; the conv state is conv_channels channels of
    // conv_state_elems / conv_channels elements each; Mamba-2 adds
    // group_channels channels for each of the state_groups groups it
    // replicates so that every GPU holds whole groups.
    std::uint32_t state_heads = 0;
    std::uint64_t conv_channels = 0;
    std::uint32_t state_groups = 0;
    std::uint32_t group_channels = 0;
    // Linear: runs beside the attention layer before it, in the same block
    // (Falcon-H1's parallel attention and Mamba): a cache of its own but not
    // a layer of its own, so layerCount() leaves it out.
    bool beside_attention = false;

    friend bool operator==(const LayerSpec &, const LayerSpec &) = default;
};

// Whether the layer keeps at most `window` tokens: Sliding, Chunked, or Mla
// with a window.
bool isWindowed(const LayerSpec &spec);

LayerSpec fullLayer(std::uint32_t n_heads, std::uint32_t n_kv_heads, std::uint32_t k_head_dim,
                    std::uint32_t v_head_dim);
LayerSpec slidingLayer(std::uint32_t n_heads, std::uint32_t n_kv_heads, std::uint32_t k_head_dim,
                       std::uint32_t v_head_dim, std::uint64_t window);
// k_head_dim and v_head_dim: the per-head K and V an MHA cache of this layer
// would hold (DeepSeek-V3: qk_nope_head_dim + qk_rope_head_dim = 192, and 128).
LayerSpec mlaLayer(std::uint32_t n_heads, std::uint32_t kv_lora_rank, std::uint32_t qk_rope_head_dim,
                   std::uint32_t k_head_dim, std::uint32_t v_head_dim);
LayerSpec chunkedLayer(std::uint32_t n_heads, std::uint32_t n_kv_heads, std::uint32_t k_head_dim,
                       std::uint32_t v_head_dim, std::uint64_t chunk);
LayerSpec linearLayer(std::uint64_t recurrent_state_elems, std::optional<DType> recurrent_state_dtype,
                      std::uint64_t conv_state_elems, std::optional<DType> conv_state_dtype);
LayerSpec sharedLayer();
LayerSpec mlpLayer();

// Linear layers of each family, from the config.json quantities that size
// them (the engines' own formulas, which agree on the element counts; see
// layout.cpp). conv_kernel counts the current input: kernel - 1 are kept.
LayerSpec mamba1Layer(std::uint64_t d_inner, std::uint64_t d_state, std::uint64_t conv_kernel);
LayerSpec mamba2Layer(std::uint64_t d_inner, std::uint32_t n_groups, std::uint32_t n_heads, std::uint64_t head_dim,
                      std::uint64_t d_state, std::uint64_t conv_kernel);
LayerSpec gatedDeltaNetLayer(std::uint32_t n_key_heads, std::uint32_t n_value_heads, std::uint64_t key_head_dim,
                             std::uint64_t value_head_dim, std::uint64_t conv_kernel);
LayerSpec shortConvLayer(std::uint64_t conv_dim, std::uint64_t conv_kernel);
LayerSpec lightningAttentionLayer(std::uint32_t n_heads, std::uint64_t head_dim);

// `count` consecutive identical layers.
struct LayerGroup {
    LayerSpec spec;
    std::uint32_t count = 1;

    friend bool operator==(const LayerGroup &, const LayerGroup &) = default;
};

// What an engine does differently with a model's architecture than its
// layers say, from the engine's own source (the importer knows the
// architecture; the core only applies these).
struct EngineHints {
    // llama.cpp applies the sliding windows. False where its model code reads
    // no window (the llama architecture, which Mistral 7B v0.1 runs as; Qwen2
    // and Qwen3) or turns it off (Phi-3): every windowed layer is held whole.
    bool llamacpp_windows = true;
    // Non-empty: the pinned engine does not run this architecture, and why.
    std::string vllm_unsupported;
    std::string llamacpp_unsupported;

    friend bool operator==(const EngineHints &, const EngineHints &) = default;
};

// A model as its layers in order, run-length grouped: a uniform model is one
// group however deep it is, and gpt-oss's alternation is one group per layer,
// which is still small.
struct ModelLayout {
    std::vector<LayerGroup> groups;
    EngineHints hints;

    friend bool operator==(const ModelLayout &, const ModelLayout &) = default;
};

// Appends `count` layers, merging them into the last group when identical.
void appendLayers(ModelLayout &layout, const LayerSpec &spec, std::uint32_t count = 1);

// The model's layers (blocks): states beside an attention layer do not count.
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

// A linear layer's states on one of `tensor_parallel` GPUs, as vLLM splits
// them (vllm/model_executor/layers/mamba/mamba_utils.py
// MambaStateShapeCalculator): whole heads and channels, Mamba-2's groups
// replicated up to the GPU count (extra_groups_for_head_shards). Nothing when
// the count does not split them: a message naming what must divide.
Result<LayerSpec> linearLayerPerGpu(const LayerSpec &spec, std::uint32_t tensor_parallel);

}  // namespace kvscope
