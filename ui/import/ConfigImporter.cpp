#include "ConfigImporter.h"

#include "ConfigReader.h"
#include "FamilyLayers.h"
#include "ModelLength.h"
#include "OllamaStore.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QJsonValue>
#include <QLatin1StringView>
#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <span>
#include <string>
#include <vector>

#include "kvscope/estimator.h"
#include "kvscope/format.h"
#include "kvscope/validation.h"
#include "kvscope/weights.h"

using kvscope::InputError;
using kvscope::Limits;

namespace {

// Architectures whose layer pattern and defaults this reader knows. Anything
// else still loads, but every default it falls back on becomes a warning.
constexpr std::string_view kKnownModelTypes[] = {
    "gpt2",      "llama",       "mistral",     "mixtral",    "qwen2",       "qwen2_moe",   "qwen3",
    "qwen3_moe", "qwen3_next",  "gemma",       "gemma2",     "gemma3",      "gemma3_text", "gpt_oss",
    "deepseek_v2", "deepseek_v3", "glm4",      "glm4_moe",   "falcon",      "RefinedWeb",  "RefinedWebModel",
    "phi3",      "jamba",       "nemotron_h",  "falcon_h1",  "granitemoehybrid", "bamba", "lfm2",
    "minimax_text_01", "minimax", "mamba",     "mamba2",     "falcon_mamba", "llama4",  "llama4_text",
    "qwen3_5",   "qwen3_5_text", "qwen3_5_moe", "qwen3_5_moe_text",
    // Kimi K2: DeepSeek-V3's architecture under its own name
    // (vllm/transformers_utils/config.py _CONFIG_REGISTRY: kimi_k2 -> DeepseekV3Config;
    // llama.cpp conversion/__init__.py: DeepseekV3ForCausalLM -> deepseek2).
    "kimi_k2",
};

// Layer i is full when (i + 1) is a multiple of `every`, else `other`: the
// rule transformers uses for sliding_window_pattern and full_attention_interval.
std::vector<Block> everyNthFull(std::uint64_t n_layers, std::uint64_t every, Block other) {
    std::vector<Block> kinds(n_layers, other);
    for (std::uint64_t i = 0; i < n_layers; ++i) {
        if ((i + 1) % every == 0) kinds[i] = Block::Full;
    }
    return kinds;
}

// The attention kind of every layer, from whichever keys the config uses.
std::optional<std::vector<Block>> readLayerKinds(ConfigReader &r, std::uint64_t n_layers, const std::string &model_type) {
    using L = QLatin1StringView;
    std::optional<std::vector<Block>> from_types;
    std::string types_key;
    if (auto found = r.find(L("layer_types"))) {
        types_key = found->key;
        // linear_attention is read here; whether KV Scope knows the state of
        // the model's linear layers is for readStateLayer to say.
        static constexpr LayerName kNames[] = {{"full_attention", Block::Full},
                                               {"sliding_attention", Block::Sliding},
                                               {"chunked_attention", Block::Chunked},
                                               {"linear_attention", Block::State}};
        from_types = namedLayers(r, *found, n_layers, kNames);
        if (!from_types) return std::nullopt;
    }

    // Keys that also describe the pattern; each must agree with layer_types.
    std::optional<std::vector<Block>> from_rule;
    std::string rule_source;
    if (auto interval = r.number({L("full_attention_interval")}, 1, Limits::max_layers)) {
        // An interval past the last layer leaves no full-attention layer:
        // a hybrid config that describes no hybrid, with no sensible reading.
        if (interval->value > n_layers) {
            r.fail(interval->key, interval->key + " must be a whole number from 1 to " + kvscope::formatThousands(n_layers) +
                                      " (the layers), or no layer is full attention (got " + kvscope::formatThousands(interval->value) +
                                      ")");
            return std::nullopt;
        }
        from_rule = everyNthFull(n_layers, interval->value, Block::State);
        rule_source = interval->key + " = " + num(interval->value) + ": layers whose number (from 1) is a multiple of " +
                      num(interval->value) + " are full attention, the others linear attention";
    } else if (auto pattern = r.number({L("sliding_window_pattern"), L("_sliding_window_pattern")}, 1,
                                       Limits::max_layers)) {
        from_rule = everyNthFull(n_layers, pattern->value, Block::Sliding);
        rule_source = pattern->key + " = " + num(pattern->value) + ": layers whose number (from 1) is a multiple of " +
                      num(pattern->value) + " are full attention, the others sliding";
    }
    if (r.failed()) return std::nullopt;

    if (from_types && from_rule) {
        for (std::uint64_t i = 0; i < n_layers; ++i) {
            if ((*from_types)[i] != (*from_rule)[i]) {
                r.fail(types_key, types_key + " and " + rule_source.substr(0, rule_source.find(' ')) +
                                      " disagree at layer " + num(i));
                return std::nullopt;
            }
        }
    }
    if (from_types) {
        r.note("layers", describeBlocks(*from_types), types_key + ": one entry per layer");
        return from_types;
    }
    if (from_rule) {
        r.note("layers", describeBlocks(*from_rule), rule_source);
        return from_rule;
    }

    const auto use_sliding = r.boolean(L("use_sliding_window"));
    const auto window = r.find(L("sliding_window"));
    if (r.failed()) return std::nullopt;

    if (model_type == "gemma2") {
        std::vector<Block> kinds(n_layers, Block::Full);
        for (std::uint64_t i = 0; i < n_layers; i += 2) kinds[i] = Block::Sliding;
        r.note("layers", describeBlocks(kinds),
               "model_type gemma2: layers alternate sliding and full, from sliding (as transformers' Gemma2)");
        return kinds;
    }
    if (use_sliding && !*use_sliding) {
        r.note("layers", describeBlocks(std::vector<Block>(n_layers, Block::Full)),
               window ? "use_sliding_window is false: the config's sliding_window is switched off"
                      : "use_sliding_window is false");
        return std::vector<Block>(n_layers, Block::Full);
    }
    if (use_sliding && *use_sliding) {
        // Qwen2-style: the first max_window_layers layers are full, the rest slide.
        std::uint64_t first_sliding = 0;
        std::string source = "use_sliding_window is true";
        if (auto max_window = r.number({L("max_window_layers")}, 0, Limits::max_layers)) {
            first_sliding = std::min(max_window->value, n_layers);
            source += ", " + max_window->key + " = " + num(max_window->value) + ": layers from " +
                      num(first_sliding) + " on slide";
        } else if (r.failed()) {
            return std::nullopt;
        } else {
            source += " and no max_window_layers: every layer slides";
        }
        std::vector<Block> kinds(n_layers, Block::Full);
        for (std::uint64_t i = first_sliding; i < n_layers; ++i) kinds[i] = Block::Sliding;
        r.note("layers", describeBlocks(kinds), source);
        return kinds;
    }
    if (window) {
        // Mistral 7B v0.1, Phi-3: a window with no pattern applies to every layer.
        r.assume("layers", describeBlocks(std::vector<Block>(n_layers, Block::Sliding)),
                 window->key + " is set with no pattern: every layer slides");
        return std::vector<Block>(n_layers, Block::Sliding);
    }
    r.note("layers", describeBlocks(std::vector<Block>(n_layers, Block::Full)),
           "no sliding_window, layer_types or pattern: every layer attends to the whole context");
    return std::vector<Block>(n_layers, Block::Full);
}

// Families whose weights are a mixture of experts even when the config names
// no expert count (the presets keep only the keys the KV cache needs).
constexpr std::string_view kMoeModelTypes[] = {"mixtral",  "qwen2_moe",   "qwen3_moe",   "qwen3_next",
                                               "gpt_oss",  "deepseek_v2", "deepseek_v3", "glm4_moe",
                                               "kimi_k2"};

// Dense decoders whose weights transformers lays out the way DenseShape
// counts them. A known family not listed here is left uncounted.
constexpr std::string_view kDenseModelTypes[] = {"gpt2",   "llama",       "mistral",    "qwen2",           "qwen3",
                                                 "gemma",  "gemma2",      "gemma3",     "gemma3_text",     "phi3",
                                                 "falcon", "RefinedWeb",  "RefinedWebModel"};

// What the rest of the config already settled, for the parameter count.
struct ParameterFacts {
    bool known_type = false;
    std::uint64_t n_layers = 0;
    std::uint32_t heads = 0;
    std::uint32_t kv_heads = 0;
    std::uint32_t head_dim = 0;
    std::optional<ConfigReader::Number> hidden;
    bool mla = false;
    bool any_linear = false;
};

bool isOneOf(const std::string &type, std::span<const std::string_view> list) {
    return std::find(list.begin(), list.end(), type) != list.end();
}

// The model's parameter count, for the memory its weights take: exact for a
// dense decoder of a family whose layout is known (Llama, Mistral, Qwen2/3,
// Gemma 1-3, Phi-3, GPT-2, Falcon), from the shape already read plus the MLP
// width, the vocabulary and the family's biases, norms and tying. Anything
// with modules the keys do not fully describe (experts, MLA, linear
// attention, a vision tower) is left unknown, without a warning, for the user
// or a preset to fill in. The keys read here are optional extras, so a
// malformed one leaves the count unknown rather than failing the import.
void readParameters(ConfigReader &r, ImportedModel &model, const ParameterFacts &f) {
    using L = QLatin1StringView;
    const std::string &type = model.model_type;
    const auto unknown = [&](const std::string &why) {
        r.note("parameters", "unknown", why + "; not counted from the config: enter the published count by hand");
    };

    for (L key : {L("num_local_experts"), L("num_experts"), L("n_routed_experts")}) {
        const auto found = r.find(key);
        if (found && found->value.isDouble() && found->value.toDouble() > 0) {
            return unknown(found->key + " = " + QString::number(found->value.toDouble(), 'g', 17).toStdString() +
                           ": a mixture of experts");
        }
    }
    if (isOneOf(type, kMoeModelTypes)) return unknown("model_type " + type + " is a mixture of experts");
    if (f.mla) return unknown("kv_lora_rank: multi-head latent attention");
    if (f.any_linear) return unknown("linear-attention layers");
    if (r.find(L("vision_config"))) return unknown("vision_config: the vision tower's weights");
    if (f.known_type && !isOneOf(type, kDenseModelTypes)) {
        return unknown("model_type " + type + ": a weight layout KV Scope does not count");
    }

    // Lenient readers: nothing when a key is absent or malformed; `bad` names the first malformed one.
    std::string bad;
    const auto whole = [&](std::initializer_list<L> keys) -> std::optional<ConfigReader::Number> {
        for (L key : keys) {
            const auto found = r.find(key);
            if (!found) continue;
            const double d = found->value.toDouble(-1);
            if (!found->value.isDouble() || !(d >= 1) || d > kMaxExactDouble || d != std::trunc(d)) {
                if (bad.empty()) bad = found->key;
                return std::nullopt;
            }
            return ConfigReader::Number{static_cast<std::uint64_t>(d), found->key};
        }
        return std::nullopt;
    };
    const auto flag = [&](L key, bool fallback, std::string &text) {
        const auto found = r.find(key);
        if (found && found->value.isBool()) {
            text = found->key + (found->value.toBool() ? " = true" : " = false");
            return found->value.toBool();
        }
        if (found && bad.empty()) bad = found->key;
        text = toStd(key) + " absent: " + (fallback ? "true" : "false") + " for " + (type.empty() ? "(none)" : type);
        return fallback;
    };

    const bool gpt2 = type == "gpt2";
    const bool falcon = type == "falcon" || type == "RefinedWeb" || type == "RefinedWebModel";
    const bool gemma = type.rfind("gemma", 0) == 0;
    const bool gemma3 = type == "gemma3" || type == "gemma3_text";

    if (!f.hidden) return unknown("hidden_size is missing");
    const auto vocab = whole({L("vocab_size")});
    auto inter = whole({L("intermediate_size"), L("n_inner"), L("ffn_hidden_size")});
    if (!bad.empty()) return unknown(bad + " is not a positive whole number");
    if (!vocab) return unknown("vocab_size is missing");
    std::string inter_text;
    if (inter) {
        inter_text = inter->key + " = " + num(inter->value);
    } else if (gpt2 || falcon) {
        inter = ConfigReader::Number{4 * f.hidden->value, ""};
        inter_text = "an MLP 4 * " + f.hidden->key + " = " + num(inter->value) + " wide (" + type + "'s default)";
    } else {
        return unknown("intermediate_size is missing");
    }

    kvscope::DenseShape shape;
    shape.hidden_size = f.hidden->value;
    shape.n_layers = f.n_layers;
    shape.n_heads = f.heads;
    shape.n_kv_heads = f.kv_heads;
    shape.head_dim = f.head_dim;
    shape.intermediate_size = inter->value;
    shape.vocab_size = vocab->value;

    std::vector<std::string> parts;  // the layout, as the source says it
    std::string tie_text;
    if (gpt2) {
        // GPT-2: LayerNorm, biases everywhere, learned positions, tied head.
        shape.gated_mlp = false;
        shape.qkv_bias = shape.o_bias = shape.mlp_bias = shape.norm_bias = true;
        const auto positions = whole({L("n_positions"), L("max_position_embeddings")});
        if (!positions) return unknown(bad.empty() ? "n_positions is missing" : bad + " is not a positive whole number");
        shape.learned_positions = positions->value;
        parts.push_back("a two-matrix MLP, biases on every projection, 2 LayerNorms per layer, " +
                        num(positions->value) + " learned positions (" + positions->key + ")");
        shape.tied_embeddings = flag(L("tie_word_embeddings"), true, tie_text);
    } else if (falcon) {
        // Falcon: fused QKV (same count), a two-matrix MLP, LayerNorm; one
        // norm per layer for parallel attention, two for the new decoder
        // architecture (ln_attn, ln_mlp) or sequential attention.
        std::string text;
        shape.gated_mlp = false;
        shape.norm_bias = true;
        const bool bias = flag(L("bias"), false, text);
        shape.qkv_bias = shape.o_bias = shape.mlp_bias = bias;
        const bool parallel = flag(L("parallel_attn"), true, text);
        const bool new_arch = flag(L("new_decoder_architecture"), false, text);
        const auto ln = whole({L("num_ln_in_parallel_attn")});
        shape.norms_per_layer = !parallel || (new_arch && (!ln || ln->value == 2)) ? 2 : 1;
        parts.push_back(std::string("a two-matrix MLP, ") + (bias ? "biases on every projection, " : "no biases, ") +
                        num(shape.norms_per_layer) + (shape.norms_per_layer == 1 ? " LayerNorm" : " LayerNorms") +
                        " per layer");
        shape.tied_embeddings = flag(L("tie_word_embeddings"), true, tie_text);
    } else {
        // Llama and its descendants: RMSNorm, a gated MLP.
        std::string text;
        if (type == "qwen2") {
            shape.qkv_bias = true;
            parts.push_back("biases on Q, K and V");
        } else if (type == "llama" || type == "qwen3" || gemma || !f.known_type) {
            if (flag(L("attention_bias"), false, text)) {
                shape.qkv_bias = shape.o_bias = true;
                parts.push_back("biases on Q, K, V and O (" + text + ")");
            }
        }
        if ((type == "llama" || !f.known_type) && flag(L("mlp_bias"), false, text)) {
            shape.mlp_bias = true;
            parts.push_back("biases on the MLP (" + text + ")");
        }
        shape.norms_per_layer = type == "gemma2" || gemma3 ? 4 : 2;
        parts.insert(parts.begin(), "a gated MLP, " + num(shape.norms_per_layer) + " RMSNorms per layer");
        if (type == "qwen3" || gemma3) {
            shape.qk_norm = true;
            parts.push_back("RMSNorm on Q and K");
        }
        shape.tied_embeddings = flag(L("tie_word_embeddings"), gemma, tie_text);
    }
    if (!bad.empty()) return unknown(bad + " has the wrong type");
    parts.push_back(std::string(shape.tied_embeddings ? "the output head tied to the embeddings"
                                                      : "an untied output head") +
                    " (" + tie_text + ")");

    auto count = kvscope::denseParameterCount(shape);
    if (!count) return unknown("the count passes 64 bits");
    model.parameters = *count;
    std::string source = "computed from the shape above, " + inter_text + " and " + vocab->key + " = " +
                         num(vocab->value) + " as a dense decoder:";
    for (std::size_t i = 0; i < parts.size(); ++i) source += (i == 0 ? " " : ", ") + parts[i];
    // For an unknown family the layout is a guess, so it is also a warning.
    r.assume("parameters", kvscope::formatThousands(*count), source);
}

kvscope::Result<ImportedModel> interpret(const QJsonObject &root) {
    using L = QLatin1StringView;
    ConfigReader r(root);
    if (r.failed()) return r.error();
    ImportedModel model;

    // model_type first: it decides whether defaults are trusted or warned about.
    if (auto type = r.string(L("model_type"))) model.model_type = type->substr(0, 64);
    if (r.failed()) return r.error();
    const bool known = std::find(std::begin(kKnownModelTypes), std::end(kKnownModelTypes), model.model_type) !=
                       std::end(kKnownModelTypes);
    r.setModelType(model.model_type, known);
    if (!known) {
        r.warn(model.model_type.empty()
                   ? "the config names no model_type: read as a standard decoder"
                   : "model_type \"" + model.model_type + "\" is not one KV Scope knows: read as a standard decoder");
    }
    r.note("model_type", model.model_type.empty() ? "(none)" : model.model_type, "model_type");

    const auto n_layers = r.required({L("num_hidden_layers"), L("n_layer"), L("num_layers")}, 1, Limits::max_layers);
    if (r.failed()) return r.error();
    r.note("n_layers", num(n_layers->value), n_layers->key);

    const ModelFamily family = modelFamily(model.model_type);
    const auto hidden = r.number({L("hidden_size"), L("n_embd"), L("d_model")}, 1, Limits::max_emb_dim);
    if (r.failed()) return r.error();
    if (hidden) r.note("hidden_size", num(hidden->value), hidden->key);

    const bool own_pattern = family != ModelFamily::Standard && family != ModelFamily::GatedDeltaNet;
    auto kinds = own_pattern ? readFamilyBlocks(r, family, n_layers->value)
                             : readLayerKinds(r, n_layers->value, model.model_type);
    if (!kinds) return r.error();
    const auto has = [&](Block b) { return std::find(kinds->begin(), kinds->end(), b) != kinds->end(); };
    const bool any_attention = has(Block::Full) || has(Block::Sliding) || has(Block::Chunked) ||
                               has(Block::AttentionAndState);
    const bool any_sliding = has(Block::Sliding);
    const bool any_linear = has(Block::State) || has(Block::AttentionAndState);
    // MiniMax sizes its lightning states by its attention heads.
    const bool needs_heads = any_attention || family == ModelFamily::MiniMax;

    // Attention heads: pure state-space models have none (and Mamba-2's
    // num_heads are its SSM heads).
    std::optional<ConfigReader::Number> n_heads;
    std::uint32_t heads = 0;
    if (needs_heads) {
        n_heads = r.required({L("num_attention_heads"), L("n_head"), L("num_heads")}, 1, Limits::max_heads);
        if (r.failed()) return r.error();
        r.note("n_heads", num(n_heads->value), n_heads->key);
        heads = static_cast<std::uint32_t>(n_heads->value);
    }

    std::uint64_t window = 0;
    if (any_sliding) {
        const auto w = r.required({L("sliding_window")}, 1, Limits::max_context_length,
                                  "the layer pattern has sliding layers");
        if (r.failed()) return r.error();
        window = w->value;
        r.note("sliding_window", num(window), w->key);
    }
    std::uint64_t chunk = 0;
    if (has(Block::Chunked)) {
        const auto c = r.required({L("attention_chunk_size")}, 1, Limits::max_context_length,
                                  "the layer pattern has chunked layers");
        if (r.failed()) return r.error();
        chunk = c->value;
        r.note("attention_chunk_size", num(chunk), c->key);
    }

    // MLA replaces per-head K/V with a latent; the other keys then describe
    // the heads it expands into, which only the MHA what-if uses.
    const auto kv_lora_rank = r.number({L("kv_lora_rank")}, 1, Limits::max_head_dim);
    if (r.failed()) return r.error();

    std::uint32_t head_dim = 0;
    std::uint32_t kv_heads = heads;
    kvscope::LayerSpec attention;
    if (needs_heads && kv_lora_rank) {
        const auto rope = r.required({L("qk_rope_head_dim")}, 0, Limits::max_head_dim,
                                     "MLA caches it beside the kv_lora_rank latent");
        if (r.failed()) return r.error();
        r.note("kv_lora_rank", num(kv_lora_rank->value), kv_lora_rank->key);
        r.note("qk_rope_head_dim", num(rope->value), rope->key);
        r.note("mla_latent", num(kv_lora_rank->value + rope->value),
               "derived as kv_lora_rank + qk_rope_head_dim = " + num(kv_lora_rank->value) + " + " +
                   num(rope->value));
        // For the MHA what-if: K per head = qk_nope_head_dim + qk_rope_head_dim, V per head = v_head_dim.
        auto nope = r.number({L("qk_nope_head_dim")}, 0, Limits::max_head_dim);
        auto v_dim = r.number({L("v_head_dim")}, 1, Limits::max_head_dim);
        if (r.failed()) return r.error();
        std::uint64_t k_dim = rope->value + (nope ? nope->value : 0);
        if (nope) {
            r.note("k_head_dim", num(k_dim),
                   "derived as qk_nope_head_dim + qk_rope_head_dim = " + num(nope->value) + " + " + num(rope->value));
        } else {
            r.warn("qk_nope_head_dim is missing: the MHA what-if uses K heads of qk_rope_head_dim only");
        }
        if (k_dim == 0) {
            // The MHA what-if needs K heads of some width; inventing one would be a guess.
            r.fail(rope->key, "qk_nope_head_dim + qk_rope_head_dim must be from 1 to " +
                                  kvscope::formatThousands(Limits::max_head_dim) +
                                  ": an MLA layer's query and key heads need a width (got 0 + 0)");
            return r.error();
        }
        const std::uint64_t v = v_dim ? v_dim->value : k_dim;
        if (v_dim) {
            r.note("v_head_dim", num(v), v_dim->key);
        } else {
            r.warn("v_head_dim is missing: the MHA what-if uses V heads as wide as K");
        }
        attention = kvscope::mlaLayer(heads, static_cast<std::uint32_t>(kv_lora_rank->value),
                                      static_cast<std::uint32_t>(rope->value), static_cast<std::uint32_t>(k_dim),
                                      static_cast<std::uint32_t>(v));
        kv_heads = heads;
        head_dim = static_cast<std::uint32_t>(k_dim);
    } else if (needs_heads) {
        // vLLM's and llama.cpp's Granite 4.0-H and Bamba ignore head_dim: their
        // heads are hidden_size / num_attention_heads wide.
        const bool derived_dim = family == ModelFamily::GraniteHybrid;
        if (auto explicit_dim = derived_dim ? std::nullopt
                                            : r.number({L("head_dim"), L("attention_head_dim")}, 1, Limits::max_head_dim)) {
            head_dim = static_cast<std::uint32_t>(explicit_dim->value);
            std::string source = explicit_dim->key;
            if (hidden && hidden->value != std::uint64_t{head_dim} * heads) {
                source += " (not " + hidden->key + " / " + n_heads->key + " = " + num(hidden->value) + " / " +
                          num(heads) + ")";
            }
            r.note("head_dim", num(head_dim), source);
        } else if (r.failed()) {
            return r.error();
        } else if (!hidden) {
            r.required({L("hidden_size"), L("n_embd"), L("d_model")}, 1, Limits::max_emb_dim,
                       "head_dim is not given, so it is derived from it");
            return r.error();
        } else {
            // transformers floors; a remainder means the config is odd, so say so.
            head_dim = static_cast<std::uint32_t>(hidden->value / heads);
            if (head_dim == 0) {
                r.fail(hidden->key, hidden->key + " (" + num(hidden->value) + ") is smaller than " + n_heads->key +
                                        " (" + num(heads) + "): no head_dim can be derived");
                return r.error();
            }
            if (hidden->value % heads != 0) {
                r.warn(hidden->key + " (" + num(hidden->value) + ") is not a multiple of " + n_heads->key + " (" +
                       num(heads) + "): head_dim rounded down to " + num(head_dim));
            }
            r.assume("head_dim", num(head_dim),
                     "derived as " + hidden->key + " / " + n_heads->key + " = " + num(hidden->value) + " / " +
                         num(heads));
        }

        const auto kv = r.number({L("num_key_value_heads"), L("num_kv_heads"), L("n_head_kv")}, 1, Limits::max_heads);
        const auto multi_query = r.boolean(L("multi_query"));
        if (r.failed()) return r.error();
        if (kv && multi_query && *multi_query && kv->value != 1) {
            r.fail(kv->key, kv->key + " is " + num(kv->value) + " but multi_query is true (one K/V head)");
            return r.error();
        }
        if (kv) {
            kv_heads = static_cast<std::uint32_t>(kv->value);
            r.note("n_kv_heads", num(kv_heads), kv->key);
        } else if (multi_query && *multi_query) {
            kv_heads = 1;
            r.note("n_kv_heads", "1", "multi_query is true: one K/V head shared by every query head (MQA)");
        } else {
            kv_heads = heads;
            r.assume("n_kv_heads", num(kv_heads),
                     "no num_key_value_heads or multi_query: one K/V head per query head (MHA)");
        }
        if (kv_heads > heads || heads % kv_heads != 0) {
            const std::string key = kv ? kv->key : "num_key_value_heads";
            r.fail(key, key + " (" + num(kv_heads) + ") must divide " + n_heads->key + " (" + num(heads) +
                            ") exactly");
            return r.error();
        }
        attention = kvscope::fullLayer(heads, kv_heads, head_dim, head_dim);
    }

    kvscope::LayerSpec linear;
    if (any_linear) {
        auto state = readStateLayer(r, family, AttentionFacts{hidden, heads, head_dim});
        if (!state) return r.error();
        linear = *state;
    }

    // Gemma 3n: the last num_kv_shared_layers layers reuse earlier layers' K/V.
    std::uint64_t shared_from = n_layers->value;
    if (auto shared = r.number({L("num_kv_shared_layers")}, 0, n_layers->value - 1)) {
        shared_from = n_layers->value - shared->value;
        if (shared->value > 0) {
            r.note("shared_layers", num(shared->value),
                   shared->key + ": the last " + num(shared->value) + " layers reuse earlier layers' K/V");
        }
    }
    if (r.failed()) return r.error();

    for (std::uint64_t i = 0; i < n_layers->value; ++i) {
        if (i >= shared_from) {
            kvscope::appendLayers(model.layout, kvscope::sharedLayer());
            continue;
        }
        switch ((*kinds)[i]) {
        case Block::Full: {
            kvscope::LayerSpec full = attention;
            full.window = 0;
            kvscope::appendLayers(model.layout, full);
            break;
        }
        case Block::Sliding: {
            kvscope::LayerSpec sliding = attention;
            if (sliding.kind == kvscope::LayerKind::Full) sliding.kind = kvscope::LayerKind::Sliding;
            sliding.window = window;
            kvscope::appendLayers(model.layout, sliding);
            break;
        }
        case Block::Chunked: {
            kvscope::LayerSpec chunked = attention;
            if (chunked.kind == kvscope::LayerKind::Full) chunked.kind = kvscope::LayerKind::Chunked;
            chunked.window = chunk;
            kvscope::appendLayers(model.layout, chunked);
            break;
        }
        case Block::State: kvscope::appendLayers(model.layout, linear); break;
        case Block::Mlp: kvscope::appendLayers(model.layout, kvscope::mlpLayer()); break;
        case Block::AttentionAndState: {
            kvscope::LayerSpec full = attention;
            full.window = 0;
            kvscope::appendLayers(model.layout, full);
            kvscope::appendLayers(model.layout, linear);  // beside_attention: in the same block
            break;
        }
        }
    }
    if (auto e = kvscope::validateLayout(model.layout)) return *e;
    {
        std::string text;
        const auto counts = kvscope::layerCountsByKind(model.layout);
        std::uint64_t beside = 0;
        for (const kvscope::LayerGroup &g : model.layout.groups) beside += g.spec.beside_attention ? g.count : 0;
        const auto add = [&](std::uint64_t n, std::string_view name) {
            if (n == 0) return;
            if (!text.empty()) text += " + ";
            text += num(n) + " " + std::string(name);
        };
        for (kvscope::LayerKind kind : {kvscope::LayerKind::Sliding, kvscope::LayerKind::Chunked,
                                        kvscope::LayerKind::Linear, kvscope::LayerKind::Mla, kvscope::LayerKind::Full,
                                        kvscope::LayerKind::Shared, kvscope::LayerKind::Mlp}) {
            const std::uint64_t n = counts[static_cast<std::size_t>(kind)];
            add(kind == kvscope::LayerKind::Linear ? n - beside : n, kvscope::layerKindName(kind));
        }
        add(beside, "linear beside attention");
        r.restate("layers", text);
    }
    model.layout.hints = engineHints(family, model.model_type);

    // Optional facts: defaults for the workload.
    auto found_dtype = r.find(L("torch_dtype"));
    if (!found_dtype) found_dtype = r.find(L("dtype"));  // transformers 4.56 renamed it
    if (const auto &found = found_dtype) {
        if (found->value.isString()) {
            const std::string name = found->value.toString().left(64).toStdString();
            model.torch_dtype = dtypeFromTorch(name);
            if (model.torch_dtype) {
                r.note("torch_dtype", std::string(kvscope::dtypeName(*model.torch_dtype)), found->key + " = " + name);
            } else {
                r.warn(found->key + " is \"" + name + "\": not a KV dtype KV Scope defaults to (float32, bfloat16, "
                                                      "float16); pick one");
            }
        } else {
            r.warn(found->key + " is " + typeName(found->value) + ", not a string: ignored");
        }
    }
    if (auto max_pos = r.number({L("max_position_embeddings"), L("n_positions")}, 1, Limits::max_context_length)) {
        model.max_position_embeddings = max_pos->value;
        r.note("max_position_embeddings", num(max_pos->value), max_pos->key);
        if (window > max_pos->value) {
            r.warn("sliding_window " + kvscope::formatThousands(window) + " is longer than " + max_pos->key + " " +
                   kvscope::formatThousands(max_pos->value) + ": the sliding layers never drop a token and hold the whole "
                   "context, as full attention");
        }
    } else if (r.failed()) {
        return r.error();
    }

    readMaxModelLen(r, model);
    if (r.failed()) return r.error();

    readParameters(r, model,
                   ParameterFacts{known, n_layers->value, heads, kv_heads, head_dim, hidden,
                                  any_attention && kv_lora_rank.has_value(), any_linear});

    // The book's view, for the sliders.
    model.shape.n_layers = static_cast<std::uint32_t>(n_layers->value);
    model.shape.n_heads = std::max<std::uint32_t>(heads, 1);
    model.shape.n_kv_groups = kv_heads == 0 ? 1 : model.shape.n_heads / kv_heads;
    const std::uint64_t emb = hidden ? hidden->value : std::uint64_t{heads} * std::max<std::uint32_t>(head_dim, 1);
    model.shape.emb_dim = static_cast<std::uint32_t>(std::min<std::uint64_t>(emb, Limits::max_emb_dim));
    model.shape.head_dim = std::nullopt;
    if (head_dim != 0 && kvscope::headDim(model.shape) != head_dim) model.shape.head_dim = head_dim;
    model.shape_is_exact = kvscope::layoutFromShape(model.shape).groups == model.layout.groups;

    model.provenance = r.takeProvenance();
    model.warnings = r.takeWarnings();
    return model;
}

}  // namespace

kvscope::Result<ImportedModel> ConfigImporter::fromObject(const QJsonObject &config) { return interpret(config); }

kvscope::Result<ImportedModel> ConfigImporter::fromJson(QByteArrayView json) {
    if (json.size() > kMaxConfigBytes) {
        return InputError{"config.json", "config.json is " + kvscope::formatThousands(static_cast<std::uint64_t>(
                                                                   json.size())) +
                                             " bytes; a model config is at most " +
                                             kvscope::formatThousands(kMaxConfigBytes) + " bytes"};
    }
    QJsonParseError parse_error{};
    // Qt's parser refuses nesting deeper than 1024 and reports it as an error,
    // so '[[[[...' cannot exhaust the stack.
    const QJsonDocument doc = QJsonDocument::fromJson(json.toByteArray(), &parse_error);
    if (parse_error.error != QJsonParseError::NoError) {
        return InputError{"config.json", "config.json is not valid JSON: " +
                                             parse_error.errorString().toStdString() + " at byte " +
                                             std::to_string(parse_error.offset)};
    }
    if (!doc.isObject()) {
        return InputError{"config.json", "config.json must hold one JSON object ({...}), not a list or a value"};
    }
    return interpret(doc.object());
}

QString ConfigImporter::displayName(const QString &path) {
    if (OllamaStore::isReference(path)) return path;  // a tag, not a file: "ollama:qwen2.5:7b" as given
    const QFileInfo info(path);
    if (info.isDir()) {
        // A snapshot in the Hugging Face cache, models--ORG--NAME/snapshots/<commit>,
        // goes by its repository's id; any other model folder by its name.
        const QStringList parts = QDir::cleanPath(info.absoluteFilePath()).split(u'/');
        const QString repo = parts.value(parts.size() - 3);
        if (parts.value(parts.size() - 2) == QLatin1StringView("snapshots") &&
            repo.startsWith(QLatin1StringView("models--"))) {
            return repo.mid(8).replace(QLatin1StringView("--"), QLatin1StringView("/"));
        }
        return QDir(info.absoluteFilePath()).dirName();
    }
    if (info.fileName().compare(QLatin1StringView("config.json"), Qt::CaseInsensitive) == 0 &&
        !info.absoluteDir().dirName().isEmpty())
        return info.absoluteDir().dirName();
    return info.completeBaseName();
}

kvscope::Result<ImportedModel> ConfigImporter::fromFile(const QString &path) {
    const QFileInfo info(path);
    // Only regular files: a FIFO or a device could block or never end.
    if (!info.exists()) return InputError{"config.json", "no such file: " + path.toStdString()};
    if (!info.isFile()) return InputError{"config.json", path.toStdString() + " is not a regular file"};
    if (info.size() > kMaxConfigBytes) {
        return InputError{"config.json", path.toStdString() + " is " +
                                             kvscope::formatThousands(static_cast<std::uint64_t>(info.size())) +
                                             " bytes; a model config is at most " +
                                             kvscope::formatThousands(kMaxConfigBytes) + " bytes"};
    }
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        return InputError{"config.json", "cannot read " + path.toStdString() + ": " + file.errorString().toStdString()};
    }
    // Read one byte past the limit so a file that grew since the check is still refused.
    const QByteArray bytes = file.read(kMaxConfigBytes + 1);
    return fromJson(bytes);
}
