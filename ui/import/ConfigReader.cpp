#include "ConfigReader.h"

#include <QString>
#include <cmath>

#include "kvscope/format.h"
#include "kvscope/validation.h"

using kvscope::InputError;

namespace {

// Keys some public configs leave out because transformers' config class
// supplies them: Gemma 3's configs omit sliding_window_pattern (and the
// 4B omits its heads and head_dim), relying on Gemma3TextConfig's defaults;
// JambaConfig, MambaConfig, Mamba2Config, Llama4TextConfig, Lfm2Config and
// FalconConfig likewise.
struct FamilyDefault {
    std::string_view model_type;
    std::string_view key;
    std::uint64_t value;
};
constexpr FamilyDefault kFamilyDefaults[] = {
    {"gemma3_text", "num_attention_heads", 8}, {"gemma3_text", "num_key_value_heads", 4},
    {"gemma3_text", "head_dim", 256},          {"gemma3_text", "sliding_window", 4096},
    {"gemma3_text", "sliding_window_pattern", 6},
    {"gemma3", "num_attention_heads", 8},      {"gemma3", "num_key_value_heads", 4},
    {"gemma3", "head_dim", 256},               {"gemma3", "sliding_window", 4096},
    {"gemma3", "sliding_window_pattern", 6},   {"gemma3_text", "max_position_embeddings", 131072},
    {"gemma3", "max_position_embeddings", 131072},
    {"gemma2", "head_dim", 256},               {"gemma2", "sliding_window", 4096},
    {"jamba", "attn_layer_period", 8},         {"jamba", "attn_layer_offset", 4},
    {"jamba", "mamba_d_state", 16},            {"jamba", "mamba_d_conv", 4},
    {"jamba", "mamba_expand", 2},
    {"mamba", "state_size", 16},               {"mamba", "conv_kernel", 4},
    {"mamba", "expand", 2},
    {"falcon_mamba", "state_size", 16},        {"falcon_mamba", "conv_kernel", 4},
    {"falcon_mamba", "expand", 2},
    {"mamba2", "num_heads", 128},              {"mamba2", "head_dim", 64},
    {"mamba2", "state_size", 128},             {"mamba2", "n_groups", 8},
    {"mamba2", "conv_kernel", 4},              {"mamba2", "expand", 2},
    {"llama4", "no_rope_layer_interval", 4},   {"llama4_text", "no_rope_layer_interval", 4},
    {"lfm2", "conv_L_cache", 3},
    // FalconConfig's max_position_embeddings, which vLLM then reads.
    {"falcon", "max_position_embeddings", 2048}, {"RefinedWeb", "max_position_embeddings", 2048},
    {"RefinedWebModel", "max_position_embeddings", 2048},
};

}  // namespace

std::string toStd(QLatin1StringView s) { return std::string(s.data(), static_cast<std::size_t>(s.size())); }
std::string num(std::uint64_t v) { return std::to_string(v); }

std::string typeName(const QJsonValue &v) {
    switch (v.type()) {
    case QJsonValue::Null: return "null";
    case QJsonValue::Bool: return "true/false";
    case QJsonValue::Double: return "a number";
    case QJsonValue::String: return "a string";
    case QJsonValue::Array: return "a list";
    case QJsonValue::Object: return "an object";
    case QJsonValue::Undefined: break;
    }
    return "nothing";
}

std::optional<kvscope::DType> dtypeFromTorch(const std::string &name) {
    if (name == "float32") return kvscope::DType::fp32;
    if (name == "bfloat16") return kvscope::DType::bf16;
    if (name == "float16") return kvscope::DType::fp16;
    return std::nullopt;
}

ConfigReader::ConfigReader(const QJsonObject &root) : m_root(root) {
    const QJsonValue text = root.value(QLatin1StringView("text_config"));
    if (text.isObject()) {
        m_text = text.toObject();
        m_hasText = true;
    } else if (!text.isUndefined() && !text.isNull()) {
        fail("text_config", "text_config must be an object, not " + typeName(text));
    }
}

void ConfigReader::fail(std::string field, std::string message) {
    if (!m_error) m_error = InputError{std::move(field), std::move(message)};
}

std::optional<ConfigReader::Found> ConfigReader::find(QLatin1StringView key) const {
    if (m_hasText) {
        const QJsonValue v = m_text.value(key);
        if (!v.isUndefined() && !v.isNull()) return Found{v, "text_config." + toStd(key)};
    }
    const QJsonValue v = m_root.value(key);
    if (!v.isUndefined() && !v.isNull()) return Found{v, toStd(key)};
    return std::nullopt;
}

std::string ConfigReader::spelled(QLatin1StringView key) const { return (m_hasText ? "text_config." : "") + toStd(key); }

std::optional<ConfigReader::Number> ConfigReader::number(std::initializer_list<QLatin1StringView> keys,
                                                         std::uint64_t min, std::uint64_t max) {
    std::optional<Number> first;
    for (QLatin1StringView key : keys) {
        auto found = find(key);
        if (!found) continue;
        auto value = wholeNumber(*found, min, max);
        if (!value) return std::nullopt;
        if (!first) {
            first = Number{*value, found->key};
        } else if (first->value != *value) {
            fail(first->key, first->key + " (" + num(first->value) + ") and " + found->key + " (" + num(*value) +
                                 ") name the same thing but disagree");
            return std::nullopt;
        }
    }
    if (!first) first = familyDefault(keys);
    return first;
}

std::optional<ConfigReader::Number> ConfigReader::familyDefault(std::initializer_list<QLatin1StringView> keys) const {
    for (QLatin1StringView key : keys) {
        for (const FamilyDefault &d : kFamilyDefaults) {
            if (d.model_type == m_modelType && d.key == toStd(key)) {
                return Number{d.value, toStd(key) + " (absent: transformers' default for " + m_modelType + ")"};
            }
        }
    }
    return std::nullopt;
}

std::optional<ConfigReader::Number> ConfigReader::required(std::initializer_list<QLatin1StringView> keys,
                                                           std::uint64_t min, std::uint64_t max, std::string_view why) {
    auto n = number(keys, min, max);
    if (!n && !failed()) {
        std::string message = spelled(*keys.begin()) + " is missing";
        if (keys.size() > 1) {
            message += " (also looked for";
            for (auto it = keys.begin() + 1; it != keys.end(); ++it) message += " " + toStd(*it);
            message += ")";
        }
        if (!why.empty()) message += std::string(": ") + std::string(why);
        fail(toStd(*keys.begin()), message);
    }
    return n;
}

std::optional<std::uint64_t> ConfigReader::wholeNumber(const Found &found, std::uint64_t min, std::uint64_t max) {
    if (!found.value.isDouble()) {
        fail(found.key, found.key + " must be a whole number, not " + typeName(found.value));
        return std::nullopt;
    }
    const double d = found.value.toDouble();
    if (!std::isfinite(d) || d != std::trunc(d) || d < 0 || d > kMaxExactDouble) {
        fail(found.key, found.key + " must be a whole number from " + kvscope::formatThousands(min) + " to " +
                            kvscope::formatThousands(max) + " (got " + QString::number(d, 'g', 17).toStdString() +
                            ")");
        return std::nullopt;
    }
    const auto value = static_cast<std::uint64_t>(d);
    if (auto e = kvscope::checkRange(found.key, value, min, max)) {
        fail(e->field, e->message);
        return std::nullopt;
    }
    return value;
}

std::optional<bool> ConfigReader::boolean(QLatin1StringView key) {
    auto found = find(key);
    if (!found) return std::nullopt;
    if (!found->value.isBool()) {
        fail(found->key, found->key + " must be true or false, not " + typeName(found->value));
        return std::nullopt;
    }
    return found->value.toBool();
}

std::optional<std::string> ConfigReader::string(QLatin1StringView key) {
    auto found = find(key);
    if (!found) return std::nullopt;
    if (!found->value.isString()) {
        fail(found->key, found->key + " must be a string, not " + typeName(found->value));
        return std::nullopt;
    }
    return found->value.toString().toStdString();
}

std::optional<QJsonArray> ConfigReader::list(QLatin1StringView key) {
    auto found = find(key);
    if (!found) return std::nullopt;
    if (!found->value.isArray()) {
        fail(found->key, found->key + " must be a list, not " + typeName(found->value));
        return std::nullopt;
    }
    return found->value.toArray();
}

void ConfigReader::note(std::string field, std::string value, std::string source) {
    m_provenance.push_back({std::move(field), std::move(value), std::move(source)});
}

void ConfigReader::assume(std::string field, std::string value, std::string source) {
    if (!m_knownType) m_warnings.push_back(field + " = " + value + ": " + source);
    note(std::move(field), std::move(value), std::move(source));
}

void ConfigReader::warn(std::string text) { m_warnings.push_back(std::move(text)); }

void ConfigReader::restate(std::string_view field, std::string value) {
    for (Provenance &p : m_provenance) {
        if (p.field == field) p.value = value;
    }
}

void ConfigReader::setModelType(const std::string &type, bool known) {
    m_modelType = type;
    m_knownType = known;
}
