#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QLatin1StringView>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ImportedModel.h"
#include "kvscope/dtype.h"
#include "kvscope/result.h"

// Largest whole number a JSON double holds exactly.
inline constexpr double kMaxExactDouble = 9007199254740992.0;  // 2^53

std::string toStd(QLatin1StringView s);
std::string num(std::uint64_t v);
// "a number", "a string", ...: what a value is, for error messages.
std::string typeName(const QJsonValue &v);
// float32, bfloat16, float16: the torch dtype names KV Scope stores states in.
std::optional<kvscope::DType> dtypeFromTorch(const std::string &name);

// Reads keys from the text model's config: `text_config` when the config
// nests one (multimodal models), falling back to the top level. Collects the
// first error, provenance and warnings as it goes, so the interpretation
// reads as a list of rules.
class ConfigReader {
public:
    explicit ConfigReader(const QJsonObject &root);

    bool failed() const { return m_error.has_value(); }
    const kvscope::InputError &error() const { return *m_error; }
    void fail(std::string field, std::string message);

    // The key's value and its spelled-out location, or nothing when absent or null.
    struct Found {
        QJsonValue value;
        std::string key;
    };
    std::optional<Found> find(QLatin1StringView key) const;
    // The key as a message names it: "text_config.key" when the config nests one.
    std::string spelled(QLatin1StringView key) const;

    // The first present key among `keys` (aliases of one field) as a whole
    // number from min to max. Aliases that are both present must agree.
    struct Number {
        std::uint64_t value = 0;
        std::string key;
    };
    std::optional<Number> number(std::initializer_list<QLatin1StringView> keys, std::uint64_t min,
                                 std::uint64_t max);
    // A required field: its absence is an error naming the first alias.
    std::optional<Number> required(std::initializer_list<QLatin1StringView> keys, std::uint64_t min,
                                   std::uint64_t max, std::string_view why = {});
    std::optional<std::uint64_t> wholeNumber(const Found &found, std::uint64_t min, std::uint64_t max);

    std::optional<bool> boolean(QLatin1StringView key);
    std::optional<std::string> string(QLatin1StringView key);
    // A list, or nothing when absent or null (an error when it is not a list).
    std::optional<QJsonArray> list(QLatin1StringView key);

    void note(std::string field, std::string value, std::string source);
    // An assumption: provenance always; a warning too when the architecture is
    // unknown, since then nothing vouches for it.
    void assume(std::string field, std::string value, std::string source);
    void warn(std::string text);
    // Restates a noted value once it is fully known (the layer pattern is
    // read before MLA or shared layers are applied to it).
    void restate(std::string_view field, std::string value);
    void setModelType(const std::string &type, bool known);
    const std::string &modelType() const { return m_modelType; }

    std::vector<Provenance> takeProvenance() { return std::move(m_provenance); }
    std::vector<std::string> takeWarnings() { return std::move(m_warnings); }

private:
    // transformers' default for an absent key of a known family, if it has one.
    std::optional<Number> familyDefault(std::initializer_list<QLatin1StringView> keys) const;

    QJsonObject m_root;
    QJsonObject m_text;
    bool m_hasText = false;
    bool m_knownType = true;
    std::string m_modelType;
    std::optional<kvscope::InputError> m_error;
    std::vector<Provenance> m_provenance;
    std::vector<std::string> m_warnings;
};
