#include "ModelLength.h"

#include <QJsonObject>
#include <QString>
#include <cmath>
#include <vector>

#include "kvscope/format.h"
#include "kvscope/shape.h"

using L = QLatin1StringView;

namespace {

// derive_max_model_len_and_key's possible_keys, in its order.
constexpr L kLengthKeys[] = {L("max_position_embeddings"), L("n_positions"),         L("max_seq_len"),
                             L("seq_length"),              L("model_max_length"),    L("max_target_positions"),
                             L("max_sequence_length"),     L("max_seq_length"),      L("seq_len")};
constexpr std::uint64_t kLargestLength = static_cast<std::uint64_t>(kMaxExactDouble);

std::string thousands(std::uint64_t v) { return kvscope::formatThousands(v); }

std::string factorText(double factor) { return QString::number(factor, 'g', 17).toStdString(); }

// One RoPE entry's type: rope_type, or the older "type" (transformers'
// patching renames it), "default" when neither is given.
std::string ropeType(const QJsonObject &rp) {
    for (const char *key : {"rope_type", "type"}) {
        const QJsonValue v = rp.value(QLatin1StringView(key));
        if (v.isString()) return v.toString().left(64).toStdString();
    }
    return "default";
}

}  // namespace

void readMaxModelLen(ConfigReader &r, ImportedModel &model) {
    // The smallest length key; model_max_length wins when present.
    std::optional<ConfigReader::Number> smallest;
    std::optional<ConfigReader::Number> model_max_length;
    for (L key : kLengthKeys) {
        const auto length = r.number({key}, 1, kLargestLength);
        if (r.failed()) return;
        if (!length) continue;
        if (key == L("model_max_length")) model_max_length = length;
        if (!smallest || length->value < smallest->value) smallest = length;
    }
    std::uint64_t length = 2048;
    std::string source;
    if (model_max_length) {
        length = model_max_length->value;
        source = model_max_length->key + " (which vLLM takes over any other length key)";
    } else if (smallest) {
        length = smallest->value;
        source = smallest->key;
    } else {
        source = "no max_position_embeddings, n_positions, max_seq_len, seq_length, model_max_length, "
                 "max_target_positions, max_sequence_length, max_seq_length or seq_len: vLLM assumes 2,048";
        r.warn("the config names no context length (max_position_embeddings, n_positions, ...): vLLM assumes "
               "2,048 tokens, and so does KV Scope");
    }

    // RoPE scaling (_get_and_verify_max_len): not for Gemma 3, whose length
    // is already scaled; su, longrope and llama3 keep the length; every other
    // type multiplies it by its factor, yarn starting from its original length.
    auto rope = r.find(L("rope_parameters"));
    if (!rope) rope = r.find(L("rope_scaling"));
    const bool gemma3 = r.modelType().find("gemma3") != std::string::npos || model.model_type.find("gemma3") != std::string::npos;
    double factor = 1.0;
    bool scaled = false;
    bool longrope = false;
    if (rope && !rope->value.isObject()) {
        r.fail(rope->key, rope->key + " must be an object, not " + typeName(rope->value));
        return;
    }
    if (rope && !gemma3) {
        const QJsonObject object = rope->value.toObject();
        // Nested per layer type ({"full_attention": {...}, ...}) or one entry.
        std::vector<QJsonObject> entries;
        const bool single = object.contains(QLatin1StringView("rope_type")) ||
                            object.contains(QLatin1StringView("type")) ||
                            object.contains(QLatin1StringView("factor")) ||
                            object.contains(QLatin1StringView("rope_theta"));
        if (single) {
            entries.push_back(object);
        } else {
            for (auto it = object.begin(); it != object.end(); ++it) {
                if (it.value().isObject()) entries.push_back(it.value().toObject());
            }
        }
        for (const QJsonObject &rp : entries) {
            const std::string type = ropeType(rp);
            if (type == "longrope" || type == "su") longrope = true;
            if (type == "su" || type == "longrope" || type == "llama3") {
                source += ", not scaled: vLLM applies no factor for " + rope->key + " of type " + type;
                continue;
            }
            const QJsonValue f = rp.value(QLatin1StringView("factor"));
            if (f.isDouble()) {
                const double d = f.toDouble();
                if (!std::isfinite(d) || d <= 0 || d > 1e6) {
                    r.fail(rope->key, rope->key + ".factor must be a positive number (got " + factorText(d) + ")");
                    return;
                }
                factor = d;
                scaled = true;
            } else if (f.isNull() && rp.contains(QLatin1StringView("factor"))) {
                r.warn(rope->key + ".factor is null: vLLM falls back to 1.0, and so does KV Scope");
            } else if (!f.isUndefined()) {
                r.fail(rope->key, rope->key + ".factor must be a number, not " + typeName(f));
                return;
            }
            if (type == "yarn") {
                std::optional<ConfigReader::Number> original;
                const QJsonValue o = rp.value(QLatin1StringView("original_max_position_embeddings"));
                if (!o.isUndefined() && !o.isNull()) {
                    original = ConfigReader::Number{0, rope->key + ".original_max_position_embeddings"};
                    const auto v = r.wholeNumber({o, original->key}, 1, kLargestLength);
                    if (!v) return;
                    original->value = *v;
                } else {
                    original = r.required({L("original_max_position_embeddings")}, 1, kLargestLength,
                                          "yarn scales the original length");
                    if (!original) return;
                }
                length = original->value;
                source = original->key + " (yarn's original length; vLLM scales it, not " + source + ")";
            }
        }
    }
    if (scaled) {
        const double product = std::floor(static_cast<double>(length) * factor);
        const std::uint64_t limit = kvscope::Limits::max_context_length;
        const std::uint64_t scaled_length =
            product >= static_cast<double>(limit) ? limit : static_cast<std::uint64_t>(product);
        source += " * " + rope->key + ".factor " + factorText(factor) + " = " +
                  (product >= static_cast<double>(limit) ? "over KV Scope's limit of " + thousands(limit) + ", so " +
                                                               thousands(limit)
                                                         : thousands(scaled_length));
        length = scaled_length;
    }
    if (length > kvscope::Limits::max_context_length) {
        source += ", which passes KV Scope's limit of " + thousands(kvscope::Limits::max_context_length) + " tokens";
        length = kvscope::Limits::max_context_length;
    }
    if (gemma3 && rope) source += "; " + rope->key + " not applied: Gemma 3's length is already scaled (vLLM)";
    if (longrope) {
        source += "; this is the limit: vLLM's default max_model_len for longrope is "
                  "original_max_position_embeddings";
        if (const auto original = r.number({L("original_max_position_embeddings")}, 1, kLargestLength)) {
            source += " (" + thousands(original->value) + ")";
        }
        if (r.failed()) return;
    }
    model.max_model_len = length;
    r.note("max_model_len", thousands(length), source);
}
