#include "PresetLibrary.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QSet>
#include <algorithm>
#include <cmath>

#include "ConfigImporter.h"
#include "kvscope/format.h"

using kvscope::InputError;

namespace {

constexpr std::string_view kField = "presets";

QString stringField(const QJsonObject &object, QLatin1StringView key) { return object.value(key).toString(); }

}  // namespace

static void initPresetResources() {
    // A static library's resources must be registered by name, from outside
    // any namespace, before first use.
    Q_INIT_RESOURCE(presets);
}

kvscope::Result<PresetLibrary> PresetLibrary::builtin() {
    initPresetResources();
    QFile file(QStringLiteral(":/kvscope/presets/models.json"));
    if (!file.open(QIODevice::ReadOnly)) {
        return InputError{std::string(kField), "the built-in presets are missing from this build"};
    }
    return fromJson(file.readAll());
}

kvscope::Result<PresetLibrary> PresetLibrary::fromJson(QByteArrayView json) {
    if (json.size() > ConfigImporter::kMaxConfigBytes) {
        return InputError{std::string(kField), "the presets file is larger than 16 MiB"};
    }
    QJsonParseError parse_error{};
    const QJsonDocument doc = QJsonDocument::fromJson(json.toByteArray(), &parse_error);
    if (parse_error.error != QJsonParseError::NoError) {
        return InputError{std::string(kField), "the presets file is not valid JSON: " +
                                                   parse_error.errorString().toStdString() + " at byte " +
                                                   std::to_string(parse_error.offset)};
    }
    const QJsonValue models = doc.object().value(QLatin1StringView("models"));
    if (!models.isArray()) return InputError{std::string(kField), "the presets file needs a \"models\" list"};

    PresetLibrary library;
    QSet<QString> seen;
    const QJsonArray array = models.toArray();
    for (qsizetype i = 0; i < array.size(); ++i) {
        const QJsonObject entry = array.at(i).toObject();
        Preset preset{stringField(entry, QLatin1StringView("name")), stringField(entry, QLatin1StringView("family")),
                      stringField(entry, QLatin1StringView("source")),
                      entry.value(QLatin1StringView("config")).toObject(), std::nullopt, QString()};
        const std::string where = "preset " + std::to_string(i);
        if (preset.name.trimmed().isEmpty()) return InputError{std::string(kField), where + " has no name"};
        if (preset.source.trimmed().isEmpty()) {
            return InputError{std::string(kField), where + " (" + preset.name.toStdString() + ") names no source"};
        }
        if (preset.config.isEmpty()) {
            return InputError{std::string(kField), where + " (" + preset.name.toStdString() + ") has no config"};
        }
        const QJsonValue parameters = entry.value(QLatin1StringView("parameters"));
        if (!parameters.isUndefined()) {
            const double d = parameters.toDouble(-1);
            // Up to 2^53, the largest whole number a JSON double holds exactly.
            if (!parameters.isDouble() || !(d >= 1) || d > 9007199254740992.0 || d != std::trunc(d)) {
                return InputError{std::string(kField), where + " (" + preset.name.toStdString() +
                                                           ") has a parameters entry that is not a positive whole "
                                                           "number"};
            }
            preset.parameters = static_cast<std::uint64_t>(d);
            preset.parameters_source = stringField(entry, QLatin1StringView("parameters_source"));
            if (preset.parameters_source.trimmed().isEmpty()) {
                return InputError{std::string(kField), where + " (" + preset.name.toStdString() +
                                                           ") gives parameters without a parameters_source"};
            }
        }
        if (!seen.contains(preset.name.toCaseFolded())) {
            seen.insert(preset.name.toCaseFolded());
        } else {
            return InputError{std::string(kField), "two presets are named " + preset.name.toStdString()};
        }
        library.m_presets.append(std::move(preset));
    }
    return library;
}

QStringList PresetLibrary::names() const {
    QStringList list;
    list.reserve(m_presets.size());
    for (const Preset &p : m_presets) list.append(p.name);
    return list;
}

const Preset *PresetLibrary::find(const QString &name) const {
    for (const Preset &p : m_presets) {
        if (p.name.compare(name.trimmed(), Qt::CaseInsensitive) == 0) return &p;
    }
    return nullptr;
}

QStringList PresetLibrary::search(const QString &text) const {
    const QString needle = text.trimmed();
    QStringList found;
    for (const Preset &p : m_presets) {
        if (p.name.contains(needle, Qt::CaseInsensitive) || p.family.contains(needle, Qt::CaseInsensitive)) {
            found.append(p.name);
        }
    }
    return found;
}

kvscope::Result<ImportedModel> PresetLibrary::load(const QString &name) const {
    const Preset *preset = find(name);
    if (!preset) {
        std::string message = "no built-in model is named \"" + name.left(80).toStdString() + "\"";
        const QStringList close = search(name);
        if (!close.isEmpty() && close.size() <= 10) message += "; did you mean: " + close.join(u", ").toStdString();
        else message += "; list them with --list-models";
        return InputError{"model", message};
    }
    auto model = ConfigImporter::fromObject(preset->config);
    if (!model) {
        InputError error = model.error();
        error.message = preset->name.toStdString() + ": " + error.message;
        return error;
    }
    if (preset->parameters) {
        // The published count wins; the provenance says what the config alone gives.
        ImportedModel imported = std::move(model).value();
        std::string source = "the preset's published count: " + preset->parameters_source.toStdString();
        if (!imported.parameters) {
            source += "; the config alone does not give it";
        } else if (*imported.parameters == *preset->parameters) {
            source += "; the count computed from the config agrees";
        } else {
            source += "; the config alone gives " + kvscope::formatThousands(*imported.parameters);
        }
        imported.parameters = preset->parameters;
        Provenance entry{"parameters", kvscope::formatThousands(*preset->parameters), source};
        auto it = std::find_if(imported.provenance.begin(), imported.provenance.end(),
                               [](const Provenance &p) { return p.field == "parameters"; });
        if (it != imported.provenance.end()) *it = std::move(entry);
        else imported.provenance.push_back(std::move(entry));
        return imported;
    }
    return model;
}
