#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ConfigReader.h"
#include "kvscope/layout.h"

// What one layer of a model holds, before its sizes are read.
enum class Block : std::uint8_t {
    Full,               // attention over the whole context
    Sliding,            // attention over a window
    Chunked,            // attention within chunks (Llama 4's local layers)
    State,              // a fixed-size recurrent state (Mamba, Gated DeltaNet, short conv, lightning)
    Mlp,                // an MLP or experts alone: no cache
    AttentionAndState,  // full attention with a state beside it (Falcon-H1)
};

// "12 full + 36 linear": the pattern as a user reads it.
std::string describeBlocks(const std::vector<Block> &blocks);

// One name a config gives a kind of layer ("full_attention", "mamba", ...).
struct LayerName {
    std::string_view name;
    Block block;
};

// A list naming every layer (layer_types and its kin), each name one of
// `names`: an unknown name, a wrong length or a wrong type is an error naming
// the key; nothing when r has failed.
std::optional<std::vector<Block>> namedLayers(ConfigReader &r, const ConfigReader::Found &found,
                                              std::uint64_t n_layers, std::span<const LayerName> names);

// Architectures whose layers or states config.json spells its own way.
// Standard covers every plain decoder, known or not.
enum class ModelFamily : std::uint8_t {
    Standard,
    GatedDeltaNet,  // qwen3_next, qwen3_5*
    Jamba,
    NemotronH,
    FalconH1,
    GraniteHybrid,  // granitemoehybrid, bamba
    Lfm2,
    MiniMax,        // minimax_text_01, minimax
    Mamba1,         // mamba, falcon_mamba
    Mamba2,
    Llama4,
};
ModelFamily modelFamily(std::string_view model_type);

// The layer pattern of a family that names it its own way (not Standard or
// GatedDeltaNet, whose layer_types and full_attention_interval the importer
// reads), with a provenance note; nothing when r has failed.
std::optional<std::vector<Block>> readFamilyBlocks(ConfigReader &r, ModelFamily family, std::uint64_t n_layers);

// What the attention layers of the model are, for the state readers that
// size a state from them (MiniMax's lightning heads are its attention heads).
struct AttentionFacts {
    std::optional<ConfigReader::Number> hidden;
    std::uint32_t n_heads = 0;
    std::uint32_t head_dim = 0;
};

// The state layer of a family with state layers, as the engines size it
// (vLLM's get_mamba_state_shape_from_config, llama.cpp's n_embd_r and
// n_embd_s), with provenance notes; nothing when r has failed.
std::optional<kvscope::LayerSpec> readStateLayer(ConfigReader &r, ModelFamily family, const AttentionFacts &attention);

// What each pinned engine does with the architecture beyond its layers.
kvscope::EngineHints engineHints(ModelFamily family, const std::string &model_type);
