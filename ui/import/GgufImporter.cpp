#include "GgufImporter.h"

#include <QJsonArray>
#include <QJsonObject>
#include <algorithm>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ConfigImporter.h"
#include "GgufReader.h"
#include "kvscope/format.h"
#include "kvscope/validation.h"

using kvscope::InputError;

namespace {

// How an architecture's layers are laid out, which decides the keys it reads.
enum class Kind { Attention, Mla, Mamba1, Mamba2, Jamba, FalconH1, NemotronH, GraniteHybrid };

struct Arch {
    std::string_view gguf;        // general.architecture (src/llama-arch.cpp LLM_ARCH_NAMES)
    std::string_view model_type;  // the Hugging Face model_type it converts from
    Kind kind;
};

// src/llama-arch.cpp LLM_ARCH_NAMES, with the convert_hf_to_gguf.py model each comes from.
constexpr Arch kArchs[] = {
    {"llama", "llama", Kind::Attention},        {"qwen2", "qwen2", Kind::Attention},
    {"qwen2moe", "qwen2_moe", Kind::Attention}, {"qwen3", "qwen3", Kind::Attention},
    {"qwen3moe", "qwen3_moe", Kind::Attention}, {"gemma", "gemma", Kind::Attention},
    {"gemma2", "gemma2", Kind::Attention},      {"gemma3", "gemma3_text", Kind::Attention},
    {"phi3", "phi3", Kind::Attention},          {"gpt-oss", "gpt_oss", Kind::Attention},
    {"deepseek2", "deepseek_v3", Kind::Mla},    {"mamba", "mamba", Kind::Mamba1},
    {"mamba2", "mamba2", Kind::Mamba2},         {"jamba", "jamba", Kind::Jamba},
    {"falcon-h1", "falcon_h1", Kind::FalconH1}, {"nemotron_h", "nemotron_h", Kind::NemotronH},
    {"granitehybrid", "granitemoehybrid", Kind::GraniteHybrid},
};

std::string num(std::uint64_t v) { return std::to_string(v); }

bool isWordChar(char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == '.';
}

// Replaces each whole-word `from` in text by `to`.
std::string replaceWord(std::string text, const std::string &from, const std::string &to) {
    std::size_t at = 0;
    while ((at = text.find(from, at)) != std::string::npos) {
        const bool before = at > 0 && isWordChar(text[at - 1]);
        const bool after = at + from.size() < text.size() && isWordChar(text[at + from.size()]);
        if (before || after) {
            at += from.size();
            continue;
        }
        text.replace(at, from.size(), to);
        at += to.size();
    }
    return text;
}

// Builds the config object, remembering which GGUF key stands behind each
// config key, and the first problem with the file's metadata.
class Translation {
public:
    Translation(const GgufFile &gguf, std::string file, std::string arch)
        : m_gguf(gguf), m_file(std::move(file)), m_arch(std::move(arch)) {}

    bool failed() const { return m_error.has_value(); }
    const InputError &error() const { return *m_error; }
    void fail(const std::string &key, const std::string &problem) {
        if (!m_error) m_error = InputError{key, m_file + ": " + problem};
    }

    std::string key(std::string_view suffix) const { return m_arch + "." + std::string(suffix); }
    const GgufValue *find(std::string_view suffix) const { return m_gguf.find(key(suffix)); }

    // {arch}.suffix as a whole number, or nothing when absent (an error when not one).
    std::optional<std::uint64_t> whole(std::string_view suffix) {
        const GgufValue *v = find(suffix);
        if (!v) return std::nullopt;
        if (!v->isInteger() || !v->whole) {
            fail(key(suffix), key(suffix) + " must be a whole number from 0 up (it is " +
                                  (v->negative ? "negative" : v->describe()) + ")");
            return std::nullopt;
        }
        return *v->whole;
    }
    std::optional<std::uint64_t> required(std::string_view suffix, std::string_view why) {
        auto v = whole(suffix);
        if (!v && !failed()) fail(key(suffix), "GGUF key " + key(suffix) + " is missing (" + std::string(why) + ")");
        return v;
    }

    // {arch}.suffix for every layer: a scalar for all, or an array of one
    // whole number per layer (llama_model_loader::get_key_or_arr).
    std::optional<std::vector<std::uint64_t>> perLayer(std::string_view suffix, std::uint64_t n_layers) {
        const GgufValue *v = find(suffix);
        if (!v) return std::nullopt;
        if (v->type == GgufValue::Type::Array) {
            if (!v->wholes || v->count != n_layers) {
                fail(key(suffix), key(suffix) + " must hold one whole number from 0 up per layer (" + num(n_layers) +
                                      "); it is " + v->describe() + (v->negative ? " with a negative entry" : ""));
                return std::nullopt;
            }
            return *v->wholes;
        }
        const auto one = whole(suffix);
        if (!one) return std::nullopt;
        return std::vector<std::uint64_t>(n_layers, *one);
    }

    // Names a key the config leaves out by the GGUF key that would hold it, for messages.
    void alias(const char *hfKey, std::string_view suffix) { m_sources.emplace_back(hfKey, "gguf " + key(suffix)); }

    void set(const char *hfKey, const QJsonValue &value, std::string source) {
        m_config.insert(QLatin1StringView(hfKey), value);
        m_sources.emplace_back(hfKey, std::move(source));
    }
    void setNumber(const char *hfKey, std::uint64_t value, std::string_view suffix) {
        set(hfKey, static_cast<double>(value), "gguf " + key(suffix));
    }
    // A number the config states, derived from GGUF keys (`how` names them).
    void setDerived(const char *hfKey, std::uint64_t value, std::string how) {
        set(hfKey, static_cast<double>(value), "(gguf " + how + ")");
    }

    // a / b as a whole number, or an error naming both keys.
    std::optional<std::uint64_t> divide(std::uint64_t a, std::string_view a_key, std::uint64_t b,
                                        std::string_view b_key) {
        if (b == 0 || a % b != 0) {
            fail(key(a_key), key(a_key) + " (" + num(a) + ") must be a whole multiple of " + key(b_key) + " (" + num(b) +
                                 ")");
            return std::nullopt;
        }
        return a / b;
    }

    QJsonObject config() const { return m_config; }
    const std::vector<std::pair<std::string, std::string>> &sources() const { return m_sources; }
    std::vector<std::string> warnings;

    std::string rewrite(std::string text) const {
        for (const auto &[hf, gguf] : m_sources) text = replaceWord(std::move(text), hf, gguf);
        return text;
    }

private:
    const GgufFile &m_gguf;
    std::string m_file;
    std::string m_arch;
    std::optional<InputError> m_error;
    QJsonObject m_config;
    std::vector<std::pair<std::string, std::string>> m_sources;
};

// The non-zero entries of a per-layer list must agree: KV Scope gives every
// attention layer of a model the same heads.
std::optional<std::uint64_t> commonNonZero(Translation &t, const std::vector<std::uint64_t> &values,
                                           std::string_view suffix) {
    std::optional<std::uint64_t> common;
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (values[i] == 0) continue;
        if (common && *common != values[i]) {
            t.fail(t.key(suffix), t.key(suffix) + " differs between layers (" + num(*common) + " and " + num(values[i]) +
                                      " at layer " + num(i) + "): KV Scope needs one head count for every attention layer");
            return std::nullopt;
        }
        common = values[i];
    }
    return common;
}

// Heads, KV heads and head width of the attention layers; `recurrent` gets
// the layers whose head_count_kv is 0 (they keep no KV: a recurrent or MLP
// layer of a hybrid). A 0 is refused where the architecture has no such layers.
bool readAttention(Translation &t, std::uint64_t n_layers, bool hybrid, std::vector<bool> &no_kv) {
    const auto heads = t.perLayer("attention.head_count", n_layers);
    if (t.failed()) return false;
    if (!heads) {
        t.fail(t.key("attention.head_count"), "GGUF key " + t.key("attention.head_count") + " is missing");
        return false;
    }
    // llama-model.cpp load_hparams: head_count_kv defaults to head_count.
    auto kv = t.perLayer("attention.head_count_kv", n_layers);
    if (t.failed()) return false;
    const bool kv_given = kv.has_value();
    if (!kv) kv = heads;
    no_kv.assign(n_layers, false);
    for (std::uint64_t i = 0; i < n_layers; ++i) {
        if ((*kv)[i] != 0) continue;
        if (!hybrid) {
            t.fail(t.key("attention.head_count_kv"),
                   t.key("attention.head_count_kv") + " is 0 at layer " + num(i) + ", but " +
                       "this architecture has no layers without attention (must be from 1 up)");
            return false;
        }
        no_kv[i] = true;
    }
    const auto q = commonNonZero(t, *heads, "attention.head_count");
    const auto k = commonNonZero(t, *kv, "attention.head_count_kv");
    if (t.failed()) return false;
    if (!q) {
        t.fail(t.key("attention.head_count"), t.key("attention.head_count") + " is 0 for every layer");
        return false;
    }
    t.setNumber("num_attention_heads", *q, "attention.head_count");
    if (k) {
        if (kv_given) t.setNumber("num_key_value_heads", *k, "attention.head_count_kv");
        else t.set("num_key_value_heads", static_cast<double>(*k), "gguf " + t.key("attention.head_count") +
                                                                          " (no head_count_kv: llama.cpp's default)");
    }

    const auto key_length = t.whole("attention.key_length");
    const auto value_length = t.whole("attention.value_length");
    if (t.failed()) return false;
    if (key_length && value_length && *key_length != *value_length) {
        t.fail(t.key("attention.value_length"), t.key("attention.key_length") + " (" + num(*key_length) + ") and " +
                                                    t.key("attention.value_length") + " (" + num(*value_length) +
                                                    ") differ; KV Scope reads heads whose K and V are as wide");
        return false;
    }
    if (key_length) t.setNumber("head_dim", *key_length, "attention.key_length");
    return true;
}

// The sliding layers as llama.cpp sets them (llama_hparams::set_swa_pattern:
// layer il slides when il % n < n - 1; an array names each layer).
bool readSliding(Translation &t, const std::string &arch, std::uint64_t n_layers) {
    const auto window = t.whole("attention.sliding_window");
    if (t.failed()) return false;
    const GgufValue *pattern = t.find("attention.sliding_window_pattern");
    std::optional<std::uint64_t> default_period;
    std::uint64_t default_window = 0;
    if (arch == "gemma2") {
        default_period = 2, default_window = 4096;  // src/models/gemma2.cpp load_arch_hparams
    } else if (arch == "gemma3") {
        if (!window || *window == 0) return true;  // src/models/gemma3.cpp: no window, no SWA
        default_period = 6;
    } else if (arch == "gpt-oss") {
        if (!window) {  // src/models/openai-moe.cpp reads it as required
            t.fail(t.key("attention.sliding_window"), "GGUF key " + t.key("attention.sliding_window") + " is missing");
            return false;
        }
        default_period = 2;
    } else {
        // phi3.cpp switches Phi-3's window off; the others never read one.
        if (window) {
            t.warnings.push_back(t.key("attention.sliding_window") + " = " + num(*window) +
                                 " is not used: llama.cpp runs " + arch + " with full attention in every layer");
        }
        return true;
    }
    if (window) t.setNumber("sliding_window", *window, "attention.sliding_window");
    else t.set("sliding_window", static_cast<double>(default_window),
               "llama.cpp's default for " + arch + " (no " + t.key("attention.sliding_window") + ")");

    if (pattern && pattern->type == GgufValue::Type::Array) {
        if (!pattern->wholes || pattern->count != n_layers) {
            t.fail(t.key("attention.sliding_window_pattern"),
                   t.key("attention.sliding_window_pattern") + " must hold one bool per layer (" + num(n_layers) + ")");
            return false;
        }
        QJsonArray types;
        for (std::uint64_t slides : *pattern->wholes) types.append(QLatin1StringView(slides ? "sliding_attention" : "full_attention"));
        t.set("layer_types", types, "gguf " + t.key("attention.sliding_window_pattern"));
        return true;
    }
    const auto period = t.whole("attention.sliding_window_pattern");
    if (t.failed()) return false;
    if (period && *period == 0) {
        // set_swa_pattern(0): every layer slides.
        QJsonArray types;
        for (std::uint64_t i = 0; i < n_layers; ++i) types.append(QLatin1StringView("sliding_attention"));
        t.set("layer_types", types, "gguf " + t.key("attention.sliding_window_pattern") + " = 0");
        return true;
    }
    if (period) t.setNumber("sliding_window_pattern", *period, "attention.sliding_window_pattern");
    else t.set("sliding_window_pattern", static_cast<double>(*default_period),
               "llama.cpp's default for " + arch + " (no " + t.key("attention.sliding_window_pattern") + ")");
    return true;
}

struct Ssm {
    std::uint64_t inner = 0, state = 0, conv = 0, heads = 0, groups = 0;
};

// llama-model.cpp's SSM keys (ssm.inner_size, state_size, conv_kernel,
// time_step_rank, group_count). Mamba-2 reads time_step_rank as its heads.
std::optional<Ssm> readSsm(Translation &t, bool mamba2) {
    Ssm s;
    const auto inner = t.required("ssm.inner_size", "the Mamba inner size");
    const auto state = t.required("ssm.state_size", "the Mamba state size");
    const auto conv = t.required("ssm.conv_kernel", "the Mamba convolution width");
    if (t.failed()) return std::nullopt;
    s.inner = *inner, s.state = *state, s.conv = *conv;
    if (mamba2) {
        const auto heads = t.required("ssm.time_step_rank", "Mamba-2's heads");
        const auto groups = t.required("ssm.group_count", "Mamba-2's groups");
        if (t.failed()) return std::nullopt;
        s.heads = *heads, s.groups = *groups;
    }
    return s;
}

// The Mamba-2 keys under the names a family's config spells them.
bool setMamba2(Translation &t, const Ssm &s, const char *heads, const char *head_dim, const char *groups,
               const char *state, const char *conv) {
    const auto dim = t.divide(s.inner, "ssm.inner_size", s.heads, "ssm.time_step_rank");
    if (!dim) return false;
    t.setNumber(heads, s.heads, "ssm.time_step_rank");
    t.setDerived(head_dim, *dim, t.key("ssm.inner_size") + " / " + t.key("ssm.time_step_rank"));
    t.setNumber(groups, s.groups, "ssm.group_count");
    t.setNumber(state, s.state, "ssm.state_size");
    t.setNumber(conv, s.conv, "ssm.conv_kernel");
    return true;
}

bool setExpand(Translation &t, const char *expand_key, const Ssm &s, std::uint64_t hidden) {
    const auto expand = t.divide(s.inner, "ssm.inner_size", hidden, "embedding_length");
    if (!expand) return false;
    t.setDerived(expand_key, *expand, t.key("ssm.inner_size") + " / " + t.key("embedding_length"));
    return true;
}

void translate(Translation &t, const Arch &arch, const std::string &name) {
    const auto n_layers = t.required("block_count", "the number of layers");
    if (t.failed()) return;
    // Checked before any per-layer list is built from it.
    if (*n_layers < 1 || *n_layers > kvscope::Limits::max_layers) {
        t.fail(t.key("block_count"), t.key("block_count") + " must be a whole number from 1 to " +
                                         kvscope::formatThousands(kvscope::Limits::max_layers) + " (got " +
                                         kvscope::formatThousands(*n_layers) + ")");
        return;
    }
    const auto hidden = t.whole("embedding_length");
    const auto context = t.whole("context_length");
    if (t.failed()) return;
    t.setNumber("num_hidden_layers", *n_layers, "block_count");
    if (hidden) t.setNumber("hidden_size", *hidden, "embedding_length");
    if (context) t.setNumber("max_position_embeddings", *context, "context_length");
    else t.alias("max_position_embeddings", "context_length");
    if (const auto experts = t.whole("expert_count"); experts && *experts > 0) {
        t.setNumber("num_experts", *experts, "expert_count");
    }
    if (t.failed()) return;
    const auto needHidden = [&]() {
        if (!hidden) t.fail(t.key("embedding_length"), "GGUF key " + t.key("embedding_length") + " is missing");
        return hidden.has_value();
    };

    const bool hybrid = arch.kind == Kind::Jamba || arch.kind == Kind::NemotronH || arch.kind == Kind::GraniteHybrid;
    std::vector<bool> no_kv;
    switch (arch.kind) {
    case Kind::Attention:
        if (readAttention(t, *n_layers, false, no_kv)) readSliding(t, name, *n_layers);
        return;
    case Kind::Mla: {
        // src/models/deepseek2.cpp: the latent is kv_lora_rank wide plus the
        // RoPE part; key_length_mla / value_length_mla are the heads it
        // expands into (older files put them in key_length / value_length).
        const auto heads = t.perLayer("attention.head_count", *n_layers);
        const auto rank = t.required("attention.kv_lora_rank", "the MLA latent");
        const auto rope = t.required("rope.dimension_count", "the RoPE part MLA caches beside the latent");
        if (t.failed()) return;
        if (!heads) {
            t.fail(t.key("attention.head_count"), "GGUF key " + t.key("attention.head_count") + " is missing");
            return;
        }
        const auto q = commonNonZero(t, *heads, "attention.head_count");
        if (t.failed()) return;
        t.setNumber("num_attention_heads", q.value_or(0), "attention.head_count");
        t.setNumber("kv_lora_rank", *rank, "attention.kv_lora_rank");
        t.setNumber("qk_rope_head_dim", *rope, "rope.dimension_count");
        const bool mla_keys = t.find("attention.key_length_mla") != nullptr;
        const std::string k_suffix = mla_keys ? "attention.key_length_mla" : "attention.key_length";
        const std::string v_suffix = mla_keys ? "attention.value_length_mla" : "attention.value_length";
        const auto k = t.whole(k_suffix);
        const auto v = t.whole(v_suffix);
        if (t.failed()) return;
        if (k) {
            if (*k < *rope) {
                t.fail(t.key(k_suffix), t.key(k_suffix) + " (" + num(*k) + ") is smaller than " +
                                            t.key("rope.dimension_count") + " (" + num(*rope) + ")");
                return;
            }
            t.setDerived("qk_nope_head_dim", *k - *rope, t.key(k_suffix) + " - " + t.key("rope.dimension_count"));
        }
        if (v) t.setNumber("v_head_dim", *v, v_suffix);
        return;
    }
    case Kind::Mamba1: {
        const auto s = readSsm(t, false);
        if (!s) return;
        t.setNumber("intermediate_size", s->inner, "ssm.inner_size");
        t.setNumber("state_size", s->state, "ssm.state_size");
        t.setNumber("conv_kernel", s->conv, "ssm.conv_kernel");
        return;
    }
    case Kind::Mamba2: {
        const auto s = readSsm(t, true);
        if (!s || !needHidden() || !setExpand(t, "expand", *s, *hidden)) return;
        setMamba2(t, *s, "num_heads", "head_dim", "n_groups", "state_size", "conv_kernel");
        return;
    }
    case Kind::FalconH1: {
        // src/models/falcon-h1.cpp: every layer has attention and a Mamba-2 mixer.
        if (!readAttention(t, *n_layers, false, no_kv)) return;
        const auto s = readSsm(t, true);
        if (!s) return;
        t.setNumber("mamba_d_ssm", s->inner, "ssm.inner_size");
        setMamba2(t, *s, "mamba_n_heads", "mamba_d_head", "mamba_n_groups", "mamba_d_state", "mamba_d_conv");
        return;
    }
    case Kind::Jamba:
    case Kind::NemotronH:
    case Kind::GraniteHybrid: break;
    }
    if (!hybrid || !readAttention(t, *n_layers, true, no_kv)) return;

    // The hybrids: a layer whose head_count_kv is 0 keeps no KV (jamba.cpp,
    // granite-hybrid.cpp: recurrent; nemotron-h.cpp: recurrent when its
    // feed_forward_length is 0 too, else an MLP layer).
    const std::string kv_source = "gguf " + t.key("attention.head_count_kv") + " (0 where a layer keeps no KV)";
    QJsonArray names;
    if (arch.kind == Kind::NemotronH) {
        const auto ff = t.perLayer("feed_forward_length", *n_layers);
        if (t.failed()) return;
        for (std::uint64_t i = 0; i < *n_layers; ++i) {
            const bool mlp = no_kv[i] && ff && (*ff)[i] != 0;
            names.append(QLatin1StringView(!no_kv[i] ? "attention" : mlp ? "mlp" : "mamba"));
        }
        t.set("layers_block_type", names, kv_source + " and " + t.key("feed_forward_length"));
        const auto s = readSsm(t, true);
        if (!s) return;
        setMamba2(t, *s, "mamba_num_heads", "mamba_head_dim", "n_groups", "ssm_state_size", "conv_kernel");
        return;
    }
    for (std::uint64_t i = 0; i < *n_layers; ++i) names.append(QLatin1StringView(no_kv[i] ? "mamba" : "attention"));
    if (arch.kind == Kind::GraniteHybrid) {
        t.set("layer_types", names, kv_source);
        const auto s = readSsm(t, true);
        if (!s || !needHidden() || !setExpand(t, "mamba_expand", *s, *hidden)) return;
        setMamba2(t, *s, "mamba_n_heads", "mamba_d_head", "mamba_n_groups", "mamba_d_state", "mamba_d_conv");
        return;
    }
    // Jamba: its config states the attention layers as a period and an
    // offset; read them off the list (the importer checks the list agrees).
    std::vector<std::uint64_t> attention;
    for (std::uint64_t i = 0; i < *n_layers; ++i) {
        if (!no_kv[i]) attention.push_back(i);
    }
    if (attention.empty()) {
        t.fail(t.key("attention.head_count_kv"), t.key("attention.head_count_kv") + " is 0 for every layer: no attention layer");
        return;
    }
    const std::uint64_t offset = attention[0];
    const std::uint64_t period = attention.size() > 1 ? attention[1] - attention[0] : *n_layers;
    t.setDerived("attn_layer_offset", offset, t.key("attention.head_count_kv") + ": the first layer with KV heads");
    t.setDerived("attn_layer_period", period, t.key("attention.head_count_kv") + ": the layers between two with KV heads");
    t.set("layers_block_type", names, kv_source);
    const auto s = readSsm(t, false);
    if (!s || !needHidden() || !setExpand(t, "mamba_expand", *s, *hidden)) return;
    t.setNumber("mamba_d_state", s->state, "ssm.state_size");
    t.setNumber("mamba_d_conv", s->conv, "ssm.conv_kernel");
}

// "Q4_K_M (Q4_K 4,352 tensors, Q6_K 1,024, F32 ...)": the file type and the tensors by type, most first.
std::string weightsFormat(const GgufFile &gguf) {
    std::map<std::string, std::uint64_t> counts;
    for (const GgufTensor &t : gguf.tensors) ++counts[std::string(t.type.name)];
    std::vector<std::pair<std::string, std::uint64_t>> sorted(counts.begin(), counts.end());
    std::stable_sort(sorted.begin(), sorted.end(), [](const auto &a, const auto &b) { return a.second > b.second; });
    std::string breakdown;
    for (std::size_t i = 0; i < sorted.size(); ++i) {
        breakdown += (i == 0 ? "" : ", ") + sorted[i].first + " " + kvscope::formatThousands(sorted[i].second) +
                     (i == 0 ? (sorted[i].second == 1 ? " tensor" : " tensors") : "");
    }
    std::string file_type;
    if (const GgufValue *ft = gguf.find("general.file_type"); ft && ft->whole) {
        file_type = llamaFileTypeName(static_cast<std::uint32_t>(std::min<std::uint64_t>(*ft->whole, 1u << 30)))
                        .value_or("file type " + num(*ft->whole));
    }
    if (file_type.empty()) return breakdown;
    return breakdown.empty() ? file_type : file_type + " (" + breakdown + ")";
}

}  // namespace

kvscope::Result<ImportedModel> GgufImporter::fromFile(const QString &path) {
    auto gguf = GgufReader::read(path);
    if (!gguf) return gguf.error();
    return fromGguf(*gguf, path);
}

kvscope::Result<ImportedModel> GgufImporter::fromGguf(const GgufFile &gguf, const QString &name) {
    const std::string file = name.toStdString();
    const GgufValue *arch_value = gguf.find("general.architecture");
    if (!arch_value || !arch_value->text) {
        return InputError{"general.architecture",
                          file + ": general.architecture " +
                              (arch_value ? "must be a short string (it is " + arch_value->describe() + ")"
                                          : "is missing: the file does not say what model it holds")};
    }
    const std::string arch = shownName(*arch_value->text);
    const auto known = std::find_if(std::begin(kArchs), std::end(kArchs), [&](const Arch &a) { return a.gguf == arch; });
    if (known == std::end(kArchs)) {
        std::string names;
        for (const Arch &a : kArchs) names += (names.empty() ? "" : ", ") + std::string(a.gguf);
        return InputError{"general.architecture", file + ": general.architecture \"" + arch +
                                                      "\" is not one KV Scope reads from GGUF (" + names + ")"};
    }

    Translation t(gguf, file, arch);
    t.set("model_type", QString::fromLatin1(known->model_type.data(), static_cast<qsizetype>(known->model_type.size())),
          "gguf general.architecture = " + arch);
    translate(t, *known, arch);
    if (t.failed()) return t.error();

    auto imported = ConfigImporter::fromObject(t.config());
    if (!imported) {
        InputError e = imported.error();
        return InputError{t.rewrite(e.field), file + ": " + t.rewrite(e.message)};
    }
    ImportedModel model = std::move(imported).value();
    for (Provenance &p : model.provenance) p.source = t.rewrite(p.source);
    for (std::string &w : model.warnings) w = t.rewrite(w);
    model.warnings.insert(model.warnings.end(), t.warnings.begin(), t.warnings.end());

    // The weights: every tensor's elements and exact stored bytes. A file
    // without tensors (a vocabulary-only GGUF) says nothing of them.
    if (gguf.tensors.empty()) {
        std::erase_if(model.provenance, [](const Provenance &p) { return p.field == "parameters"; });
        model.parameters.reset();
        model.warnings.insert(model.warnings.begin(), file + " holds no tensors: the weights are not known from it");
        return model;
    }
    std::uint64_t elements = 0;
    std::uint64_t bytes = 0;
    for (const GgufTensor &tensor : gguf.tensors) {
        // The bytes lie inside the file, so they fit; the elements of
        // 2^63-element tensors of a sub-byte type could pass 64 bits.
        bytes += tensor.bytes;
        if (__builtin_add_overflow(elements, tensor.elements, &elements)) {
            return InputError{"tensors", file + ": the tensors hold more than 2^64 weights"};
        }
    }
    model.parameters = elements;
    model.weights_bytes = bytes;
    model.weights_format = weightsFormat(gguf);
    const std::string count_source = "the elements of the GGUF file's tensors, summed (" +
                                     kvscope::formatThousands(gguf.tensors.size()) +
                                     (gguf.tensors.size() == 1 ? " tensor)" : " tensors)");
    const std::string bytes_source = "summed over the tensors of the GGUF file by GGML type (" + model.weights_format +
                                     "): blocks of each type times its bytes per block";
    std::erase_if(model.provenance, [](const Provenance &p) { return p.field == "parameters"; });
    model.provenance.push_back({"parameters", kvscope::formatThousands(elements), count_source});
    model.provenance.push_back({"weights_bytes", kvscope::formatThousands(bytes), bytes_source});
    return model;
}
