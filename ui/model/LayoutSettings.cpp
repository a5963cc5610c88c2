#include "LayoutSettings.h"

#include <QSettings>
#include <limits>

#include "kvscope/format.h"

using namespace Qt::StringLiterals;

namespace {

// Plain ints where they fit, so the settings file shows them as numbers.
QVariant number(std::uint64_t value) {
    if (value <= static_cast<std::uint64_t>(std::numeric_limits<int>::max())) return static_cast<int>(value);
    return static_cast<qulonglong>(value);
}

QString dtypeText(const std::optional<kvscope::DType> &dtype) {
    // Empty: stored in the KV dtype.
    if (!dtype) return QString();
    const std::string_view name = kvscope::dtypeName(*dtype);
    return QString::fromLatin1(name.data(), static_cast<qsizetype>(name.size()));
}

std::optional<kvscope::LayerKind> parseKind(const QString &text) {
    for (kvscope::LayerKind kind : kvscope::kAllLayerKinds) {
        const std::string_view name = kvscope::layerKindName(kind);
        if (text == QLatin1StringView(name.data(), static_cast<qsizetype>(name.size()))) return kind;
    }
    return std::nullopt;
}

// Reads the values of one array entry, remembering the first one that was
// missing or not a number in range.
class EntryReader {
public:
    EntryReader(const QSettings &settings, QString prefix, QString entry)
        : m_settings(settings), m_prefix(std::move(prefix)), m_entry(std::move(entry)) {}

    template <typename Int>
    Int number(const QString &key) {
        const QVariant stored = m_settings.value(m_prefix + m_entry + key);
        const std::optional<std::uint64_t> number = LayoutSettings::unsignedValue(stored);
        if (!number || *number > std::numeric_limits<Int>::max()) {
            const std::string max = kvscope::formatThousands(std::numeric_limits<Int>::max());
            fail(key, stored.isValid() ? LayoutSettings::shownValue(stored) + u" is not a whole number from 0 to "_s +
                                             QString::fromStdString(max)
                                       : u"is missing"_s);
            return 0;
        }
        return static_cast<Int>(*number);
    }

    // Empty text stores the state in the KV dtype; a missing key is damage.
    std::optional<kvscope::DType> dtype(const QString &key) {
        if (!m_settings.contains(m_prefix + m_entry + key)) {
            fail(key, u"is missing"_s);
            return std::nullopt;
        }
        const QString text = m_settings.value(m_prefix + m_entry + key).toString();
        if (text.isEmpty()) return std::nullopt;
        const auto dtype = kvscope::parseDType(text.toStdString());
        if (!dtype) fail(key, u"\""_s + text + u"\" is not a dtype"_s);
        return dtype;
    }

    QString text(const QString &key) const { return m_settings.value(m_prefix + m_entry + key).toString(); }
    bool has(const QString &key) const { return m_settings.contains(m_prefix + m_entry + key); }

    // true or false (a JSON boolean, or its text); anything else is damage.
    bool boolean(const QString &key) {
        const QVariant value = m_settings.value(m_prefix + m_entry + key);
        if (value.metaType().id() == QMetaType::Bool) return value.toBool();
        const QString text = value.toString();
        if (text == QLatin1StringView("true")) return true;
        if (text != QLatin1StringView("false")) fail(key, LayoutSettings::shownValue(value) + u" is not true or false"_s);
        return false;
    }

    void fail(const QString &key, const QString &problem) {
        if (!m_error) {
            m_error = kvscope::InputError{QString(m_entry + key).toStdString(),
                                          QString(m_prefix + m_entry + key + u' ' + problem).toStdString()};
        }
    }
    const std::optional<kvscope::InputError> &error() const { return m_error; }

private:
    const QSettings &m_settings;
    QString m_prefix;
    QString m_entry;  // "layers/2/"
    std::optional<kvscope::InputError> m_error;
};

}  // namespace

namespace LayoutSettings {

std::optional<std::uint64_t> unsignedValue(const QVariant &value) {
    bool ok = false;
    switch (value.metaType().id()) {
    case QMetaType::Int:
    case QMetaType::LongLong: {
        const qlonglong number = value.toLongLong(&ok);
        if (!ok || number < 0) return std::nullopt;
        return static_cast<std::uint64_t>(number);
    }
    case QMetaType::UInt:
    case QMetaType::ULongLong: return value.toULongLong();
    case QMetaType::QString: {
        const qulonglong number = value.toString().trimmed().toULongLong(&ok);
        if (!ok) return std::nullopt;
        return number;
    }
    default: return std::nullopt;
    }
}

void write(QSettings &settings, const kvscope::ModelLayout &layout) {
    settings.beginWriteArray(u"layers"_s, static_cast<int>(layout.groups.size()));
    for (std::size_t i = 0; i < layout.groups.size(); ++i) {
        settings.setArrayIndex(static_cast<int>(i));
        const kvscope::LayerGroup &group = layout.groups[i];
        const kvscope::LayerSpec &spec = group.spec;
        const std::string_view kind = kvscope::layerKindName(spec.kind);
        settings.setValue(u"kind"_s, QString::fromLatin1(kind.data(), static_cast<qsizetype>(kind.size())));
        settings.setValue(u"count"_s, number(group.count));
        if (kvscope::isAttention(spec.kind)) {
            settings.setValue(u"n_heads"_s, number(spec.n_heads));
            settings.setValue(u"n_kv_heads"_s, number(spec.n_kv_heads));
            settings.setValue(u"k_head_dim"_s, number(spec.k_head_dim));
            settings.setValue(u"v_head_dim"_s, number(spec.v_head_dim));
        }
        if (kvscope::isWindowed(spec) || spec.kind == kvscope::LayerKind::Mla)
            settings.setValue(u"window"_s, number(spec.window));
        if (spec.kind == kvscope::LayerKind::Mla) {
            settings.setValue(u"kv_lora_rank"_s, number(spec.kv_lora_rank));
            settings.setValue(u"qk_rope_head_dim"_s, number(spec.qk_rope_head_dim));
        }
        if (spec.kind == kvscope::LayerKind::Linear) {
            settings.setValue(u"recurrent_state_elems"_s, number(spec.recurrent_state_elems));
            settings.setValue(u"recurrent_state_dtype"_s, dtypeText(spec.recurrent_state_dtype));
            settings.setValue(u"conv_state_elems"_s, number(spec.conv_state_elems));
            settings.setValue(u"conv_state_dtype"_s, dtypeText(spec.conv_state_dtype));
            const std::string_view family = kvscope::stateFamilyName(spec.state_family);
            settings.setValue(u"state_family"_s, QString::fromLatin1(family.data(), static_cast<qsizetype>(family.size())));
            settings.setValue(u"state_heads"_s, number(spec.state_heads));
            settings.setValue(u"conv_channels"_s, number(spec.conv_channels));
            settings.setValue(u"state_groups"_s, number(spec.state_groups));
            settings.setValue(u"group_channels"_s, number(spec.group_channels));
            settings.setValue(u"beside_attention"_s, spec.beside_attention);
        }
    }
    settings.endArray();
    const kvscope::EngineHints &hints = layout.hints;
    settings.setValue(u"hints/llamacpp_windows"_s, hints.llamacpp_windows);
    settings.setValue(u"hints/vllm_unsupported"_s, QString::fromStdString(hints.vllm_unsupported));
    settings.setValue(u"hints/llamacpp_unsupported"_s, QString::fromStdString(hints.llamacpp_unsupported));
}

QString shownValue(const QVariant &value) {
    if (!value.isValid()) return u"missing"_s;
    if (value.metaType().id() == QMetaType::QString) return u'"' + value.toString() + u'"';
    return value.toString();
}

kvscope::Result<kvscope::ModelLayout> read(const QSettings &settings, const QString &prefix) {
    const QVariant storedSize = settings.value(prefix + u"layers/size"_s);
    const std::optional<std::uint64_t> size = unsignedValue(storedSize);
    if (!size || *size < 1 || *size > kvscope::Limits::max_layers) {
        const QString message = prefix + u"layers/size "_s + shownValue(storedSize) +
                                u" is not a count of layer runs from 1 to "_s +
                                QString::number(kvscope::Limits::max_layers);
        return kvscope::InputError{"layers/size", message.toStdString()};
    }
    kvscope::ModelLayout layout;
    for (int i = 1; i <= static_cast<int>(*size); ++i) {  // QSettings numbers array entries from 1
        EntryReader entry(settings, prefix, u"layers/%1/"_s.arg(i));
        const auto kind = parseKind(entry.text(u"kind"_s));
        if (!kind) {
            entry.fail(u"kind"_s, shownValue(settings.value(u"%1layers/%2/kind"_s.arg(prefix).arg(i))) +
                                      u" is not a layer kind"_s);
            return *entry.error();
        }
        kvscope::LayerSpec spec;
        spec.kind = *kind;
        const auto count = entry.number<std::uint32_t>(u"count"_s);
        if (kvscope::isAttention(*kind)) {
            spec.n_heads = entry.number<std::uint32_t>(u"n_heads"_s);
            spec.n_kv_heads = entry.number<std::uint32_t>(u"n_kv_heads"_s);
            spec.k_head_dim = entry.number<std::uint32_t>(u"k_head_dim"_s);
            spec.v_head_dim = entry.number<std::uint32_t>(u"v_head_dim"_s);
        }
        if (*kind == kvscope::LayerKind::Sliding || *kind == kvscope::LayerKind::Chunked ||
            *kind == kvscope::LayerKind::Mla)
            spec.window = entry.number<std::uint64_t>(u"window"_s);
        if (*kind == kvscope::LayerKind::Mla) {
            spec.kv_lora_rank = entry.number<std::uint32_t>(u"kv_lora_rank"_s);
            spec.qk_rope_head_dim = entry.number<std::uint32_t>(u"qk_rope_head_dim"_s);
        }
        if (*kind == kvscope::LayerKind::Linear) {
            spec.recurrent_state_elems = entry.number<std::uint64_t>(u"recurrent_state_elems"_s);
            spec.recurrent_state_dtype = entry.dtype(u"recurrent_state_dtype"_s);
            spec.conv_state_elems = entry.number<std::uint64_t>(u"conv_state_elems"_s);
            spec.conv_state_dtype = entry.dtype(u"conv_state_dtype"_s);
            // Saved since the engines' rules: absent in older files, which
            // knew only the sizes.
            if (entry.has(u"state_family"_s)) {
                const auto family = kvscope::parseStateFamily(entry.text(u"state_family"_s).toStdString());
                if (family) spec.state_family = *family;
                else entry.fail(u"state_family"_s, u"\""_s + entry.text(u"state_family"_s) + u"\" is not a state family"_s);
                spec.state_heads = entry.number<std::uint32_t>(u"state_heads"_s);
                spec.conv_channels = entry.number<std::uint64_t>(u"conv_channels"_s);
                spec.state_groups = entry.number<std::uint32_t>(u"state_groups"_s);
                spec.group_channels = entry.number<std::uint32_t>(u"group_channels"_s);
                spec.beside_attention = entry.boolean(u"beside_attention"_s);
            }
        }
        if (count == 0) entry.fail(u"count"_s, u"0 is not a count of layers"_s);
        if (entry.error()) return *entry.error();
        layout.groups.push_back({spec, count});
    }
    const QString hints = prefix + u"hints/"_s;
    if (settings.contains(hints + u"llamacpp_windows"_s)) {
        const QVariant windows = settings.value(hints + u"llamacpp_windows"_s);
        if (windows.metaType().id() != QMetaType::Bool && windows.toString() != u"true"_s &&
            windows.toString() != u"false"_s) {
            const QString message = hints + u"llamacpp_windows "_s + shownValue(windows) + u" is not true or false"_s;
            return kvscope::InputError{"hints/llamacpp_windows", message.toStdString()};
        }
        layout.hints.llamacpp_windows = windows.toBool();
        layout.hints.vllm_unsupported = settings.value(hints + u"vllm_unsupported"_s).toString().left(512).toStdString();
        layout.hints.llamacpp_unsupported =
            settings.value(hints + u"llamacpp_unsupported"_s).toString().left(512).toStdString();
    }
    if (auto error = kvscope::validateLayout(layout)) {
        error->message = QString(prefix + u"layers: "_s).toStdString() + error->message;
        return *error;
    }
    return layout;
}

}  // namespace LayoutSettings
