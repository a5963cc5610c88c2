#include "FamilyLayers.h"

#include <QJsonArray>
#include <QString>
#include <algorithm>
#include <span>

using kvscope::Limits;
using L = QLatin1StringView;

namespace {

std::string_view blockName(Block block) {
    switch (block) {
    case Block::Full: return "attention";
    case Block::Sliding: return "sliding attention";
    case Block::Chunked: return "chunked attention";
    case Block::State: return "state";
    case Block::Mlp: return "MLP";
    case Block::AttentionAndState: return "attention and state";
    }
    return "attention";
}

std::string knownNames(std::span<const LayerName> names) {
    std::string text;
    for (const LayerName &n : names) text += (text.empty() ? "" : ", ") + std::string(n.name);
    return text;
}

// A list of layer indices: those layers are `listed`, the others `other`.
std::optional<std::vector<Block>> indexedLayers(ConfigReader &r, const ConfigReader::Found &found,
                                                std::uint64_t n_layers, Block listed, Block other) {
    if (!found.value.isArray()) {
        r.fail(found.key, found.key + " must be a list of layer numbers, not " + typeName(found.value));
        return std::nullopt;
    }
    std::vector<Block> blocks(n_layers, other);
    const QJsonArray array = found.value.toArray();
    for (qsizetype i = 0; i < array.size(); ++i) {
        const ConfigReader::Found entry{array.at(i), found.key + "[" + num(static_cast<std::uint64_t>(i)) + "]"};
        const auto index = r.wholeNumber(entry, 0, n_layers - 1);
        if (!index) return std::nullopt;
        if (blocks[*index] == listed) {
            r.fail(found.key, found.key + " names layer " + num(*index) + " twice");
            return std::nullopt;
        }
        blocks[*index] = listed;
    }
    return blocks;
}

// Two keys describing one pattern must describe the same one.
bool agree(ConfigReader &r, const std::vector<Block> &a, const std::string &a_key, const std::vector<Block> &b,
           const std::string &b_key) {
    for (std::size_t i = 0; i < a.size() && i < b.size(); ++i) {
        if (a[i] != b[i]) {
            r.fail(a_key, a_key + " and " + b_key + " disagree at layer " + num(i) + " (" +
                              std::string(blockName(a[i])) + " against " + std::string(blockName(b[i])) + ")");
            return false;
        }
    }
    return true;
}

// A pattern some configs give by one key, others by another, a few by both
// (which must then agree), with what each key's entries mean.
struct PatternSource {
    L key;
    std::optional<std::vector<Block>> blocks;
    std::string found_key;
    std::string meaning;
};
std::optional<std::vector<Block>> eitherPattern(ConfigReader &r, PatternSource first, PatternSource second,
                                                std::string_view missing_why) {
    if (r.failed()) return std::nullopt;
    if (!first.blocks && !second.blocks) {
        r.fail(toStd(first.key), r.spelled(first.key) + " is missing (also looked for " + toStd(second.key) +
                                     "): model_type " + r.modelType() + " " + std::string(missing_why));
        return std::nullopt;
    }
    if (first.blocks && second.blocks && !agree(r, *first.blocks, first.found_key, *second.blocks, second.found_key)) {
        return std::nullopt;
    }
    const PatternSource &used = first.blocks ? first : second;
    r.note("layers", describeBlocks(*used.blocks), used.found_key + ": " + used.meaning);
    return used.blocks;
}

// A pattern read from a list of names, a list of indices, or both.
std::optional<std::vector<Block>> namesOrIndices(ConfigReader &r, std::uint64_t n_layers, L names_key,
                                                 std::span<const LayerName> names, L indices_key, Block listed,
                                                 Block other) {
    PatternSource by_name{names_key, std::nullopt, {}, "one entry per layer"};
    PatternSource by_index{indices_key, std::nullopt, {}, "the layers listed attend"};
    if (const auto found = r.find(names_key)) {
        by_name.found_key = found->key;
        by_name.blocks = namedLayers(r, *found, n_layers, names);
    }
    if (const auto found = r.find(indices_key); found && !r.failed()) {
        by_index.found_key = found->key;
        by_index.blocks = indexedLayers(r, *found, n_layers, listed, other);
    }
    return eitherPattern(r, std::move(by_name), std::move(by_index), "names its layers there");
}

std::optional<std::vector<Block>> jambaBlocks(ConfigReader &r, std::uint64_t n_layers) {
    const auto period = r.number({L("attn_layer_period")}, 1, Limits::max_layers);
    const auto offset = r.number({L("attn_layer_offset")}, 0, Limits::max_layers);
    if (r.failed()) return std::nullopt;
    if (offset->value >= period->value) {
        r.fail(offset->key, offset->key + " (" + num(offset->value) + ") must be smaller than " + period->key + " (" +
                                num(period->value) + "), as transformers' JambaConfig requires");
        return std::nullopt;
    }
    // llama.cpp conversion/jamba.py: attention where i >= offset and (i - offset) % period == 0.
    std::vector<Block> blocks(n_layers, Block::State);
    for (std::uint64_t i = offset->value; i < n_layers; i += period->value) blocks[i] = Block::Full;
    static constexpr LayerName kNames[] = {{"attention", Block::Full}, {"mamba", Block::State}};
    for (L key : {L("layers_block_type"), L("layer_types")}) {
        if (const auto found = r.find(key)) {
            const auto listed = namedLayers(r, *found, n_layers, kNames);
            if (!listed || !agree(r, *listed, found->key, blocks, period->key)) return std::nullopt;
        }
    }
    r.note("layers", describeBlocks(blocks),
           period->key + " = " + num(period->value) + ", " + offset->key + " = " + num(offset->value) +
               ": layer i attends when i >= " + num(offset->value) + " and (i - " + num(offset->value) + ") % " +
               num(period->value) + " == 0; the others are Mamba");
    return blocks;
}

std::optional<std::vector<Block>> nemotronBlocks(ConfigReader &r, std::uint64_t n_layers) {
    const auto pattern = r.find(L("hybrid_override_pattern"));
    const auto types = r.find(L("layers_block_type"));
    std::optional<std::vector<Block>> from_pattern;
    if (pattern) {
        if (!pattern->value.isString()) {
            r.fail(pattern->key, pattern->key + " must be a string, not " + typeName(pattern->value));
            return std::nullopt;
        }
        const QString text = pattern->value.toString();
        if (static_cast<std::uint64_t>(text.size()) != n_layers) {
            r.fail(pattern->key, pattern->key + " has " + num(static_cast<std::uint64_t>(text.size())) +
                                     " characters but the model has " + num(n_layers) + " layers");
            return std::nullopt;
        }
        from_pattern.emplace();
        for (qsizetype i = 0; i < text.size(); ++i) {
            // vllm/model_executor/models/nemotron_h.py ALL_DECODER_LAYER_TYPES.
            switch (text.at(i).unicode()) {
            case u'M': from_pattern->push_back(Block::State); break;
            case u'*': from_pattern->push_back(Block::Full); break;
            case u'-':
            case u'E': from_pattern->push_back(Block::Mlp); break;
            default:
                r.fail(pattern->key, pattern->key + "[" + num(static_cast<std::uint64_t>(i)) + "] is '" +
                                         QString(text.at(i)).toStdString() +
                                         "', a layer KV Scope does not know (M Mamba-2, * attention, - MLP, "
                                         "E experts)");
                return std::nullopt;
            }
        }
    }
    static constexpr LayerName kNames[] = {
        {"mamba", Block::State}, {"attention", Block::Full}, {"mlp", Block::Mlp}, {"moe", Block::Mlp}};
    PatternSource by_name{L("layers_block_type"), std::nullopt, {}, "one entry per layer; mlp and moe cache nothing"};
    if (types && !r.failed()) {
        by_name.found_key = types->key;
        by_name.blocks = namedLayers(r, *types, n_layers, kNames);
    }
    return eitherPattern(r,
                         {L("hybrid_override_pattern"), std::move(from_pattern), pattern ? pattern->key : std::string(),
                          "M Mamba-2, * attention, - and E an MLP or experts alone, which cache nothing"},
                         std::move(by_name), "names its Mamba, attention and MLP layers there");
}

std::optional<std::vector<Block>> falconH1Blocks(ConfigReader &r, std::uint64_t n_layers) {
    if (const auto indices = r.find(L("attn_layer_indices"));
        indices && !(indices->value.isArray() && indices->value.toArray().isEmpty())) {
        r.fail(indices->key, indices->key + " is set: vLLM and llama.cpp run Falcon-H1 with attention and Mamba-2 "
                                            "in every layer, and KV Scope does not know a Falcon-H1 without");
        return std::nullopt;
    }
    std::vector<Block> blocks(n_layers, Block::AttentionAndState);
    r.note("layers", describeBlocks(blocks),
           "model_type falcon_h1: every layer runs attention and a Mamba-2 mixer side by side");
    return blocks;
}

std::optional<std::vector<Block>> miniMaxBlocks(ConfigReader &r, std::uint64_t n_layers) {
    const auto types = r.find(L("attn_type_list"));
    std::optional<std::vector<Block>> from_types;
    if (types) {
        if (!types->value.isArray() || static_cast<std::uint64_t>(types->value.toArray().size()) != n_layers) {
            r.fail(types->key, types->key + " must list 0 (lightning) or 1 (softmax attention) for each of the " +
                                   num(n_layers) + " layers");
            return std::nullopt;
        }
        from_types.emplace();
        const QJsonArray array = types->value.toArray();
        for (qsizetype i = 0; i < array.size(); ++i) {
            const auto kind =
                r.wholeNumber({array.at(i), types->key + "[" + num(static_cast<std::uint64_t>(i)) + "]"}, 0, 1);
            if (!kind) return std::nullopt;
            from_types->push_back(*kind == 1 ? Block::Full : Block::State);
        }
    }
    static constexpr LayerName kNames[] = {{"linear_attention", Block::State}, {"full_attention", Block::Full}};
    PatternSource by_name{L("layer_types"), std::nullopt, {}, "one entry per layer"};
    if (const auto named = r.find(L("layer_types")); named && !r.failed()) {
        by_name.found_key = named->key;
        by_name.blocks = namedLayers(r, *named, n_layers, kNames);
    }
    return eitherPattern(r,
                         {L("attn_type_list"), std::move(from_types), types ? types->key : std::string(),
                          "0 lightning (linear) attention, 1 softmax attention"},
                         std::move(by_name), "names its lightning and softmax attention layers there");
}

// llama.cpp runs Llama 4 its own way whatever the config says
// (b10470 src/models/llama4.cpp llama_model_llama4::load_arch_hparams):
// chunks of 8,192 tokens ("hparams.n_swa = 8192"), every fourth layer global
// ("swa_period = 4"; the converter writes no pattern).
void warnWhereLlamaCppDiffers(ConfigReader &r, const std::vector<Block> &blocks, const ConfigReader::Found &chunk) {
    for (std::size_t i = 0; i < blocks.size(); ++i) {
        if ((blocks[i] == Block::Full) != ((i + 1) % 4 == 0)) {
            r.warn("the config makes layer " + num(i) + (blocks[i] == Block::Full ? " global" : " chunked") +
                   ", but llama.cpp makes every fourth layer global (3, 7, ...) whatever the config says: its "
                   "figures here follow the config");
            break;
        }
    }
    if (chunk.value.isDouble() && chunk.value.toDouble() != 8192.0) {
        r.warn(chunk.key + " is " + QString::number(chunk.value.toDouble(), 'g', 17).toStdString() +
               ", but llama.cpp always uses chunks of 8,192 tokens, and so do its figures here");
    }
}

std::optional<std::vector<Block>> llama4Blocks(ConfigReader &r, std::uint64_t n_layers) {
    // vllm/model_executor/models/llama4.py: a layer with RoPE
    // (no_rope_layers[i] == 1) uses chunked local attention when
    // attention_chunk_size is set; a NoPE layer (0) attends globally.
    const auto chunk = r.find(L("attention_chunk_size"));
    std::vector<Block> blocks(n_layers, Block::Full);
    if (!chunk) {
        r.note("layers", describeBlocks(blocks), "attention_chunk_size is null: every layer attends globally");
        // b10470 conversion/llama.py Llama4Model.set_gguf_parameters turns
        // chunking off (sliding_window 0) only for a layer_types of full_attention alone.
        const auto types = r.find(L("layer_types"));
        const QJsonArray names = types ? types->value.toArray() : QJsonArray();
        const bool all_full = !names.isEmpty() && std::all_of(names.begin(), names.end(), [](const QJsonValue &v) {
            return v.toString() == u"full_attention";
        });
        if (!all_full) {
            r.warn("attention_chunk_size is null: every layer attends globally, as vLLM runs it, but llama.cpp "
                   "still makes three layers of every four chunked (8,192 tokens) unless layer_types names "
                   "every layer full_attention: its figures here follow the config");
        }
        return blocks;
    }
    const auto nope = r.list(L("no_rope_layers"));
    if (r.failed()) return std::nullopt;
    if (nope && !nope->isEmpty()) {
        const std::string key = r.find(L("no_rope_layers"))->key;
        if (static_cast<std::uint64_t>(nope->size()) != n_layers) {
            r.fail(key, key + " has " + num(static_cast<std::uint64_t>(nope->size())) + " entries but the model has " +
                            num(n_layers) + " layers");
            return std::nullopt;
        }
        for (qsizetype i = 0; i < nope->size(); ++i) {
            const auto rope = r.wholeNumber({nope->at(i), key + "[" + num(static_cast<std::uint64_t>(i)) + "]"}, 0, 1);
            if (!rope) return std::nullopt;
            if (*rope == 1) blocks[static_cast<std::size_t>(i)] = Block::Chunked;
        }
        r.note("layers", describeBlocks(blocks), key + ": 1 RoPE layers attend in chunks, 0 NoPE layers globally");
        warnWhereLlamaCppDiffers(r, blocks, *chunk);
        return blocks;
    }
    const auto interval = r.number({L("no_rope_layer_interval")}, 1, Limits::max_layers);
    if (r.failed()) return std::nullopt;
    // transformers' Llama4TextConfig: no_rope_layers[i] = int((i + 1) % interval != 0).
    for (std::uint64_t i = 0; i < n_layers; ++i) {
        if ((i + 1) % interval->value != 0) blocks[i] = Block::Chunked;
    }
    r.note("layers", describeBlocks(blocks),
           "no_rope_layers is empty, so " + interval->key + " = " + num(interval->value) +
               " gives it: every layer whose number (from 1) is a multiple of " + num(interval->value) +
               " is NoPE and attends globally, the others attend in chunks");
    warnWhereLlamaCppDiffers(r, blocks, *chunk);
    return blocks;
}

// ---- States ----------------------------------------------------------------

// The state's element counts must stay within what KV Scope sizes.
bool withinLimits(ConfigReader &r, const kvscope::LayerSpec &spec, const std::string &first_key,
                  const std::string &formula) {
    if (spec.recurrent_state_elems > kvscope::kMaxStateElems || spec.conv_state_elems > kvscope::kMaxStateElems) {
        r.fail(first_key, "the state " + formula + " holds more than 2^40 elements a sequence; no model's state is "
                                                   "that large");
        return false;
    }
    return true;
}

void noteStates(ConfigReader &r, const kvscope::LayerSpec &spec, const std::string &recurrent_source,
                const std::string &conv_source) {
    const std::string dtype = spec.recurrent_state_dtype
                                  ? std::string(kvscope::dtypeName(*spec.recurrent_state_dtype)) + " elements"
                                  : "elements, in the engine's state dtype";
    if (spec.recurrent_state_elems != 0) {
        r.note("linear_recurrent_state", num(spec.recurrent_state_elems) + " " + dtype, recurrent_source);
    }
    if (spec.conv_state_elems != 0) {
        r.note("linear_conv_state", num(spec.conv_state_elems) + " elements, in the engine's state dtype",
               conv_source);
    }
}

// A state dtype the model fixes (Nemotron-H's mamba_ssm_cache_dtype, Qwen3.5's mamba_ssm_dtype).
std::optional<kvscope::DType> stateDtype(ConfigReader &r, L key, std::optional<kvscope::DType> fallback) {
    const auto name = r.string(key);
    if (r.failed() || !name) return fallback;
    const auto dtype = dtypeFromTorch(*name);
    if (!dtype) {
        r.fail(toStd(key), r.spelled(key) + " is \"" + name->substr(0, 64) +
                               "\": KV Scope keeps a state in float32, bfloat16 or float16");
    }
    return dtype;
}

struct Mamba2Keys {
    L heads, head_dim, groups, d_state, kernel;
};

// A Mamba-2 state: d_inner channels of n_heads heads of head_dim, grouped.
std::optional<kvscope::LayerSpec> mamba2(ConfigReader &r, std::uint64_t d_inner, const std::string &d_inner_text,
                                         std::initializer_list<L> heads_keys, std::initializer_list<L> dim_keys,
                                         std::initializer_list<L> group_keys, std::initializer_list<L> state_keys,
                                         std::initializer_list<L> kernel_keys) {
    const auto heads = r.required(heads_keys, 1, Limits::max_heads, "Mamba-2 layers");
    const auto dim = r.required(dim_keys, 1, Limits::max_head_dim, "Mamba-2 layers");
    const auto groups = r.required(group_keys, 1, Limits::max_heads, "Mamba-2 layers");
    const auto d_state = r.required(state_keys, 1, Limits::max_head_dim, "Mamba-2 layers");
    const auto kernel = r.required(kernel_keys, 1, 1024, "Mamba-2 layers");
    if (r.failed()) return std::nullopt;
    if (heads->value * dim->value != d_inner) {
        r.fail(heads->key, heads->key + " * " + dim->key + " (" + num(heads->value) + " * " + num(dim->value) +
                               ") must equal the Mamba-2 inner size " + d_inner_text);
        return std::nullopt;
    }
    if (heads->value % groups->value != 0) {
        r.fail(groups->key, groups->key + " (" + num(groups->value) + ") must divide " + heads->key + " (" +
                                num(heads->value) + ")");
        return std::nullopt;
    }
    auto spec = kvscope::mamba2Layer(d_inner, static_cast<std::uint32_t>(groups->value),
                                     static_cast<std::uint32_t>(heads->value), dim->value, d_state->value,
                                     kernel->value);
    const std::string recurrent = "derived as " + heads->key + " * " + dim->key + " * " + d_state->key + " = " +
                                  num(heads->value) + " * " + num(dim->value) + " * " + num(d_state->value);
    const std::string conv = "derived as (d_inner + 2 * " + groups->key + " * " + d_state->key + ") * (" +
                             kernel->key + " - 1) = (" + num(d_inner) + " + 2 * " + num(groups->value) + " * " +
                             num(d_state->value) + ") * " + num(kernel->value - 1) + ", d_inner " + d_inner_text;
    if (!withinLimits(r, spec, heads->key, recurrent.substr(11))) return std::nullopt;
    noteStates(r, spec, recurrent, conv);
    return spec;
}

// d_inner = expand * hidden_size, as the engines compute it.
std::optional<std::uint64_t> expandedInner(ConfigReader &r, L expand_key, const AttentionFacts &a, std::string &text) {
    const auto expand = r.required({expand_key}, 1, 1024, "the Mamba inner size is it times hidden_size");
    if (r.failed()) return std::nullopt;
    if (!a.hidden) {
        r.required({L("hidden_size"), L("d_model")}, 1, Limits::max_emb_dim, "the Mamba inner size is derived from it");
        return std::nullopt;
    }
    const std::uint64_t d_inner = expand->value * a.hidden->value;
    text = "= " + expand->key + " * " + a.hidden->key + " = " + num(expand->value) + " * " + num(a.hidden->value);
    return d_inner;
}

std::optional<kvscope::LayerSpec> gatedDeltaNet(ConfigReader &r) {
    const auto nk = r.required({L("linear_num_key_heads")}, 1, Limits::max_heads, "linear attention layers");
    const auto nv = r.required({L("linear_num_value_heads")}, 1, Limits::max_heads, "linear attention layers");
    const auto dk = r.required({L("linear_key_head_dim")}, 1, Limits::max_head_dim, "linear attention layers");
    const auto dv = r.required({L("linear_value_head_dim")}, 1, Limits::max_head_dim, "linear attention layers");
    const auto kernel = r.required({L("linear_conv_kernel_dim")}, 1, 1024, "linear attention layers");
    if (r.failed()) return std::nullopt;
    auto spec = kvscope::gatedDeltaNetLayer(static_cast<std::uint32_t>(nk->value),
                                            static_cast<std::uint32_t>(nv->value), dk->value, dv->value,
                                            kernel->value);
    // vllm/model_executor/models/config.py Qwen3_5ForConditionalGenerationConfig:
    // the model's mamba_ssm_dtype is the SSM state's; Qwen3-Next fixes none.
    spec.recurrent_state_dtype = stateDtype(r, L("mamba_ssm_dtype"), std::nullopt);
    if (r.failed()) return std::nullopt;
    const std::string recurrent = "derived as linear_num_value_heads * linear_value_head_dim * linear_key_head_dim = " +
                                  num(nv->value) + " * " + num(dv->value) + " * " + num(dk->value);
    if (!withinLimits(r, spec, nv->key, recurrent.substr(11))) return std::nullopt;
    noteStates(r, spec,
               recurrent + (spec.recurrent_state_dtype ? ", in the dtype mamba_ssm_dtype fixes"
                                                       : "; vLLM keeps it in the model dtype, llama.cpp in f32"),
               "derived as (2 * linear_num_key_heads * linear_key_head_dim + linear_num_value_heads * "
               "linear_value_head_dim) * (linear_conv_kernel_dim - 1) = (2 * " +
                   num(nk->value) + " * " + num(dk->value) + " + " + num(nv->value) + " * " + num(dv->value) +
                   ") * " + num(kernel->value - 1));
    return spec;
}

std::optional<kvscope::LayerSpec> mamba1(ConfigReader &r, std::uint64_t d_inner, const std::string &d_inner_text,
                                         L state_key, L kernel_key) {
    const auto d_state = r.required({state_key}, 1, Limits::max_head_dim, "Mamba layers");
    const auto kernel = r.required({kernel_key}, 1, 1024, "Mamba layers");
    if (r.failed()) return std::nullopt;
    auto spec = kvscope::mamba1Layer(d_inner, d_state->value, kernel->value);
    const std::string recurrent =
        "derived as d_inner * " + d_state->key + " = " + num(d_inner) + " * " + num(d_state->value) + ", d_inner " +
        d_inner_text;
    if (!withinLimits(r, spec, d_state->key, recurrent.substr(11))) return std::nullopt;
    noteStates(r, spec, recurrent,
               "derived as d_inner * (" + kernel->key + " - 1) = " + num(d_inner) + " * " + num(kernel->value - 1));
    return spec;
}

std::optional<kvscope::LayerSpec> shortConv(ConfigReader &r, const AttentionFacts &a) {
    const auto kernel = r.required({L("conv_L_cache")}, 2, 1024, "short convolution layers keep its last inputs");
    const auto conv_dim = r.number({L("conv_dim")}, 1, Limits::max_emb_dim);
    if (r.failed()) return std::nullopt;
    // vLLM (lfm2.py get_mamba_state_shape_from_config) sizes the conv state by
    // conv_dim, llama.cpp (n_embd_r) and transformers by hidden_size.
    if (conv_dim && a.hidden && conv_dim->value != a.hidden->value) {
        r.fail(conv_dim->key, conv_dim->key + " (" + num(conv_dim->value) + ") differs from " + a.hidden->key + " (" +
                                  num(a.hidden->value) +
                                  "): vLLM sizes the conv state by conv_dim, llama.cpp and transformers by "
                                  "hidden_size, and KV Scope cannot follow both");
        return std::nullopt;
    }
    const auto width = conv_dim ? conv_dim : a.hidden;
    if (!width) {
        r.required({L("conv_dim"), L("hidden_size")}, 1, Limits::max_emb_dim, "the conv state is that wide");
        return std::nullopt;
    }
    auto spec = kvscope::shortConvLayer(width->value, kernel->value);
    noteStates(r, spec, {},
               "derived as " + width->key + " * (" + kernel->key + " - 1) = " + num(width->value) + " * " +
                   num(kernel->value - 1));
    return spec;
}

std::optional<kvscope::LayerSpec> lightning(ConfigReader &r, const AttentionFacts &a) {
    // vLLM's MiniMax linear attention and llama.cpp's n_embd_head_la: one
    // head_dim x head_dim state per attention head, no conv.
    auto spec = kvscope::lightningAttentionLayer(a.n_heads, a.head_dim);
    const std::string recurrent = "derived as num_attention_heads * head_dim * head_dim = " + num(a.n_heads) + " * " +
                                  num(a.head_dim) + " * " + num(a.head_dim);
    noteStates(r, spec, recurrent, {});
    return spec;
}

constexpr std::string_view kNoSlidingInLlamaCpp[] = {"llama", "mistral", "mixtral", "qwen2",
                                                      "qwen3", "qwen3_moe", "phi3"};

}  // namespace

std::optional<std::vector<Block>> namedLayers(ConfigReader &r, const ConfigReader::Found &found,
                                              std::uint64_t n_layers, std::span<const LayerName> names) {
    if (!found.value.isArray()) {
        r.fail(found.key, found.key + " must be a list of strings, not " + typeName(found.value));
        return std::nullopt;
    }
    const QJsonArray array = found.value.toArray();
    if (static_cast<std::uint64_t>(array.size()) != n_layers) {
        r.fail(found.key, found.key + " has " + num(static_cast<std::uint64_t>(array.size())) +
                              " entries but the model has " + num(n_layers) + " layers");
        return std::nullopt;
    }
    std::vector<Block> blocks;
    blocks.reserve(n_layers);
    for (qsizetype i = 0; i < array.size(); ++i) {
        const std::string where = found.key + "[" + num(static_cast<std::uint64_t>(i)) + "]";
        if (!array.at(i).isString()) {
            r.fail(found.key, where + " must be a string, not " + typeName(array.at(i)));
            return std::nullopt;
        }
        const std::string name = array.at(i).toString().left(64).toStdString();
        const auto it = std::find_if(names.begin(), names.end(), [&](const LayerName &n) { return n.name == name; });
        if (it == names.end()) {
            r.fail(found.key, where + " is \"" + name + "\", a layer type KV Scope does not know for model_type " +
                                  r.modelType() + " (it reads " + knownNames(names) + ")");
            return std::nullopt;
        }
        blocks.push_back(it->block);
    }
    return blocks;
}

std::string describeBlocks(const std::vector<Block> &blocks) {
    const auto count = [&](Block b) { return static_cast<std::uint64_t>(std::count(blocks.begin(), blocks.end(), b)); };
    std::string text;
    const auto add = [&](std::uint64_t n, const std::string &name) {
        if (n == 0) return;
        if (!text.empty()) text += " + ";
        text += num(n) + " " + name;
    };
    add(count(Block::Sliding), "sliding");
    add(count(Block::Chunked), "chunked");
    add(count(Block::State), "linear");
    add(count(Block::Full), "full");
    add(count(Block::AttentionAndState), "full, each with a linear state beside it");
    add(count(Block::Mlp), "mlp");
    return text;
}

ModelFamily modelFamily(std::string_view t) {
    if (t == "qwen3_next" || t.starts_with("qwen3_5")) return ModelFamily::GatedDeltaNet;
    if (t == "jamba") return ModelFamily::Jamba;
    if (t == "nemotron_h") return ModelFamily::NemotronH;
    if (t == "falcon_h1") return ModelFamily::FalconH1;
    if (t == "granitemoehybrid" || t == "bamba") return ModelFamily::GraniteHybrid;
    if (t == "lfm2") return ModelFamily::Lfm2;
    if (t == "minimax_text_01" || t == "minimax") return ModelFamily::MiniMax;
    if (t == "mamba" || t == "falcon_mamba") return ModelFamily::Mamba1;
    if (t == "mamba2") return ModelFamily::Mamba2;
    if (t == "llama4" || t == "llama4_text") return ModelFamily::Llama4;
    return ModelFamily::Standard;
}

std::optional<std::vector<Block>> readFamilyBlocks(ConfigReader &r, ModelFamily family, std::uint64_t n_layers) {
    switch (family) {
    case ModelFamily::Jamba: return jambaBlocks(r, n_layers);
    case ModelFamily::NemotronH: return nemotronBlocks(r, n_layers);
    case ModelFamily::FalconH1: return falconH1Blocks(r, n_layers);
    case ModelFamily::GraniteHybrid: {
        // transformers before 5.13 writes mamba/attention, later linear_attention/full_attention.
        static constexpr LayerName kNames[] = {{"mamba", Block::State},
                                          {"attention", Block::Full},
                                          {"linear_attention", Block::State},
                                          {"full_attention", Block::Full}};
        return namesOrIndices(r, n_layers, L("layer_types"), kNames, L("attn_layer_indices"), Block::Full,
                              Block::State);
    }
    case ModelFamily::Lfm2: {
        static constexpr LayerName kNames[] = {{"conv", Block::State}, {"full_attention", Block::Full}};
        return namesOrIndices(r, n_layers, L("layer_types"), kNames, L("full_attn_idxs"), Block::Full, Block::State);
    }
    case ModelFamily::MiniMax: return miniMaxBlocks(r, n_layers);
    case ModelFamily::Mamba1:
    case ModelFamily::Mamba2: {
        std::vector<Block> blocks(n_layers, Block::State);
        r.note("layers", describeBlocks(blocks), "model_type " + r.modelType() + ": every layer is a Mamba block");
        return blocks;
    }
    case ModelFamily::Llama4: return llama4Blocks(r, n_layers);
    case ModelFamily::Standard:
    case ModelFamily::GatedDeltaNet: break;
    }
    r.fail("model_type", "model_type " + r.modelType() + " has no layer pattern of its own");
    return std::nullopt;
}

std::optional<kvscope::LayerSpec> readStateLayer(ConfigReader &r, ModelFamily family, const AttentionFacts &a) {
    std::string d_inner_text;
    switch (family) {
    case ModelFamily::GatedDeltaNet: return gatedDeltaNet(r);
    case ModelFamily::Jamba: {
        // vllm/model_executor/models/jamba.py: mamba1_state_shape(mamba_expand * hidden_size, mamba_d_state, mamba_d_conv).
        const auto d_inner = expandedInner(r, L("mamba_expand"), a, d_inner_text);
        if (!d_inner) return std::nullopt;
        return mamba1(r, *d_inner, d_inner_text, L("mamba_d_state"), L("mamba_d_conv"));
    }
    case ModelFamily::Mamba1: {
        // vllm/model_executor/models/mamba.py: intermediate_size, which
        // transformers' MambaConfig sets to expand * hidden_size.
        const auto inter = r.number({L("intermediate_size")}, 1, std::uint64_t{1} << 30);
        if (r.failed()) return std::nullopt;
        std::uint64_t d_inner = 0;
        if (inter) {
            d_inner = inter->value;
            d_inner_text = "= " + inter->key;
        } else {
            const auto expanded = expandedInner(r, L("expand"), a, d_inner_text);
            if (!expanded) return std::nullopt;
            d_inner = *expanded;
        }
        return mamba1(r, d_inner, d_inner_text, L("state_size"), L("conv_kernel"));
    }
    case ModelFamily::NemotronH: {
        // vllm/model_executor/models/nemotron_h.py: d_inner = mamba_num_heads * mamba_head_dim.
        const auto heads = r.required({L("mamba_num_heads")}, 1, Limits::max_heads, "Mamba-2 layers");
        const auto dim = r.required({L("mamba_head_dim")}, 1, Limits::max_head_dim, "Mamba-2 layers");
        if (r.failed()) return std::nullopt;
        auto spec = mamba2(r, heads->value * dim->value,
                           "= mamba_num_heads * mamba_head_dim = " + num(heads->value) + " * " + num(dim->value),
                           {L("mamba_num_heads")}, {L("mamba_head_dim")}, {L("n_groups"), L("mamba_n_groups")},
                           {L("ssm_state_size")}, {L("conv_kernel"), L("mamba_d_conv")});
        if (!spec) return std::nullopt;
        // vllm/model_executor/models/config.py NemotronHForCausalLMConfig:
        // the SSM state in the config's mamba_ssm_cache_dtype, else float32.
        spec->recurrent_state_dtype = stateDtype(r, L("mamba_ssm_cache_dtype"), kvscope::DType::fp32);
        if (r.failed()) return std::nullopt;
        r.note("linear_state_dtype", std::string(kvscope::dtypeName(*spec->recurrent_state_dtype)),
               r.find(L("mamba_ssm_cache_dtype"))
                   ? r.find(L("mamba_ssm_cache_dtype"))->key + ": the SSM state's dtype, as vLLM keeps it"
                   : "no mamba_ssm_cache_dtype: vLLM keeps Nemotron-H's SSM state in float32 "
                     "(NemotronHForCausalLMConfig)");
        r.restate("linear_recurrent_state", num(spec->recurrent_state_elems) + " " +
                                                std::string(kvscope::dtypeName(*spec->recurrent_state_dtype)) +
                                                " elements");
        return spec;
    }
    case ModelFamily::FalconH1:
    case ModelFamily::GraniteHybrid: {
        std::uint64_t d_inner = 0;
        const auto d_ssm = family == ModelFamily::FalconH1 ? r.number({L("mamba_d_ssm")}, 1, std::uint64_t{1} << 30)
                                                           : std::nullopt;
        if (r.failed()) return std::nullopt;
        if (d_ssm) {
            d_inner = d_ssm->value;
            d_inner_text = "= " + d_ssm->key;
        } else {
            const auto expanded = expandedInner(r, L("mamba_expand"), a, d_inner_text);
            if (!expanded) return std::nullopt;
            d_inner = *expanded;
        }
        auto spec = mamba2(r, d_inner, d_inner_text, {L("mamba_n_heads")}, {L("mamba_d_head")},
                           {L("mamba_n_groups")}, {L("mamba_d_state")}, {L("mamba_d_conv")});
        if (spec && family == ModelFamily::FalconH1) spec->beside_attention = true;
        return spec;
    }
    case ModelFamily::Mamba2: {
        const auto d_inner = expandedInner(r, L("expand"), a, d_inner_text);
        if (!d_inner) return std::nullopt;
        return mamba2(r, *d_inner, d_inner_text, {L("num_heads")}, {L("head_dim")}, {L("n_groups")},
                      {L("state_size")}, {L("conv_kernel")});
    }
    case ModelFamily::Lfm2: return shortConv(r, a);
    case ModelFamily::MiniMax: return lightning(r, a);
    case ModelFamily::Standard:
    case ModelFamily::Llama4: break;
    }
    r.fail("layer_types", "model_type " + (r.modelType().empty() ? std::string("(none)") : r.modelType()) +
                              " names linear layers, but KV Scope does not know their state (it reads the states of "
                              "qwen3_next, qwen3_5, jamba, nemotron_h, falcon_h1, granitemoehybrid, bamba, lfm2, "
                              "minimax_text_01, mamba, mamba2 and falcon_mamba)");
    return std::nullopt;
}

kvscope::EngineHints engineHints(ModelFamily family, const std::string &model_type) {
    kvscope::EngineHints hints;
    // llama.cpp src/models/llama.cpp, qwen2.cpp, qwen3.cpp, qwen3moe.cpp read
    // no sliding window; src/models/phi3.cpp turns it off. Mistral and
    // Mixtral convert to the llama architecture.
    if (std::find(std::begin(kNoSlidingInLlamaCpp), std::end(kNoSlidingInLlamaCpp), model_type) !=
        std::end(kNoSlidingInLlamaCpp)) {
        hints.llamacpp_windows = false;
    }
    // vllm/model_executor/models/registry.py _PREVIOUSLY_SUPPORTED_MODELS.
    if (model_type == "bamba") {
        hints.vllm_unsupported = "BambaForCausalLM was last supported in vLLM 0.23.0";
    } else if (family == ModelFamily::MiniMax) {
        hints.vllm_unsupported = "MiniMaxText01ForCausalLM was last supported in vLLM 0.23.0";
    }
    return hints;
}
