#include "SafetensorsWeights.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QJsonValue>
#include <QLatin1StringView>
#include <algorithm>
#include <string>

#include "kvscope/format.h"

using kvscope::InputError;
using namespace Qt::StringLiterals;

namespace {

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

void setProvenance(ImportedModel &model, const std::string &field, std::string value, std::string source) {
    for (Provenance &p : model.provenance) {
        if (p.field == field) {
            p.value = std::move(value);
            p.source = std::move(source);
            return;
        }
    }
    model.provenance.push_back(Provenance{field, std::move(value), std::move(source)});
}

bool safeRelativePath(const QString &name) {
    if (name.isEmpty() || name.startsWith(u'/') || name.contains(u'\\') || name.contains(u'\0')) return false;
    const QStringList parts = name.split(u'/');
    return std::none_of(parts.begin(), parts.end(), [](const QString &part) {
        return part.isEmpty() || part == QLatin1StringView(".") || part == QLatin1StringView("..");
    });
}

}  // namespace

kvscope::Result<QStringList> SafetensorsWeights::shardsFromIndex(QByteArrayView json, const QString &indexName) {
    const std::string name = indexName.toStdString();
    if (json.size() > kMaxIndexBytes) {
        return InputError{"safetensors", name + ": larger than " + kvscope::formatThousands(kMaxIndexBytes) +
                                             " bytes, not a safetensors index"};
    }
    QJsonParseError jsonError;
    const QJsonDocument doc = QJsonDocument::fromJson(json.toByteArray(), &jsonError);
    if (jsonError.error != QJsonParseError::NoError || !doc.isObject()) {
        return InputError{"safetensors", name + ": not a JSON object" +
                                             (jsonError.error != QJsonParseError::NoError
                                                  ? " (" + jsonError.errorString().toStdString() + ")"
                                                  : std::string())};
    }
    const QJsonValue map = doc.object().value(QLatin1StringView("weight_map"));
    if (!map.isObject() || map.toObject().isEmpty()) {
        return InputError{"safetensors", name + ": has no weight_map of tensor names to shard files"};
    }
    QStringList shards;
    const QJsonObject weightMap = map.toObject();
    for (auto it = weightMap.begin(); it != weightMap.end(); ++it) {
        const QString file = it.value().toString();
        if (!it.value().isString() || !safeRelativePath(file)) {
            return InputError{"safetensors", name + ": weight_map[\"" + it.key().toStdString() +
                                                 "\"] is not a file name inside the model"};
        }
        if (!shards.contains(file)) shards.append(file);
    }
    // By name, which orders model-00001-of-00004... as written.
    shards.sort();
    return shards;
}

void SafetensorsWeights::apply(ImportedModel &model, const std::vector<std::pair<QString, SafetensorsHeader>> &files,
                               const QJsonObject &config, const QString &where) {
    std::vector<SafetensorsHeader::DtypeTotal> totals;
    std::uint64_t bytes = 0;
    std::uint64_t elements = 0;
    std::uint64_t tensors = 0;
    QStringList names;
    for (const auto &[file, header] : files) {
        names.append(file);
        // A hostile Hub's Content-Range sizes could wrap a plain sum to a small, plausible weight.
        if (__builtin_add_overflow(bytes, header.dataBytes(), &bytes) ||
            __builtin_add_overflow(elements, header.elements(), &elements)) {
            model.warnings.push_back("the safetensors files in " + where.toStdString() +
                                     " hold more bytes than 2^64 together: their weights are not used");
            return;
        }
        tensors += header.tensorCount();
        for (const auto &d : header.dtypes()) {
            auto it = std::find_if(totals.begin(), totals.end(), [&](const auto &t) { return t.dtype == d.dtype; });
            if (it == totals.end()) {
                totals.push_back(d);
            } else {
                it->tensors += d.tensors;
                it->elements += d.elements;
                it->bytes += d.bytes;
            }
        }
    }
    std::stable_sort(totals.begin(), totals.end(), [](const auto &a, const auto &b) { return a.bytes > b.bytes; });

    std::string format = totals.empty() ? std::string("no tensors") : lower(totals.front().dtype);
    for (std::size_t i = 1; i < totals.size(); ++i) {
        format += " + " + totals[i].dtype + " for " + kvscope::formatThousands(totals[i].tensors) +
                  (totals[i].tensors == 1 ? " tensor" : " tensors");
    }
    const std::string fileList = names.size() <= 3 ? names.join(u", "_s).toStdString()
                                                   : QString(names.first() + u", ..., "_s + names.last()).toStdString() +
                                                         " (" + std::to_string(names.size()) + " files)";
    const std::string source = "safetensors headers of " + fileList + " in " + where.toStdString() + ": " +
                               kvscope::formatThousands(tensors) + " tensors";
    if (tensors == 0) {
        // No weights to count is not weights that cost nothing: the plan asks for a count instead.
        model.warnings.push_back("the safetensors files in " + where.toStdString() +
                                 " hold no tensors: the weights are not known from them");
        return;
    }
    model.weights_bytes = bytes;
    model.weights_format = format;
    setProvenance(model, "weights_bytes", kvscope::formatThousands(bytes), source + ", their data bytes summed");
    setProvenance(model, "weights_format", format, source);

    // transformers keeps a quantized model's method in quantization_config
    // (top level, or the text model's): its tensors hold packed integers
    // (GPTQ, AWQ int4 in I32), scales and zero points, so their element
    // count is not the parameter count.
    const bool quantized = config.contains(QLatin1StringView("quantization_config")) ||
                           config.value(QLatin1StringView("text_config"))
                               .toObject()
                               .contains(QLatin1StringView("quantization_config"));
    if (quantized) {
        const Provenance *known = model.find("parameters");
        setProvenance(model, "parameters", known ? known->value : std::string("unknown"),
                      (known ? known->source + "; " : std::string()) +
                          "not the safetensors element count (" + kvscope::formatThousands(elements) +
                          "): the config's quantization_config stores packed or scaled weights");
        return;
    }
    model.parameters = elements;
    setProvenance(model, "parameters", kvscope::formatThousands(elements),
                  "element count of the " + kvscope::formatThousands(tensors) + " tensors in " + fileList);
}
