#include "JsonReport.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

#include "kvscope/dtype.h"
#include "kvscope/gpu.h"
#include "kvscope/layout.h"

namespace {

using Fields = std::vector<std::pair<std::string_view, std::string>>;

std::string bytesPerElem(kvscope::DType dtype) {
    const kvscope::DTypeInfo &info = kvscope::dtypeInfo(dtype);
    if (info.block_bytes % info.block_elems == 0) return std::to_string(info.block_bytes / info.block_elems);
    return jsonDouble(static_cast<double>(info.block_bytes) / info.block_elems);
}

std::string optionalNumber(const std::optional<std::uint64_t> &value) {
    return value ? std::to_string(*value) : "null";
}

Fields workloadFields(const kvscope::Workload &workload) {
    return {
        {"context_length", std::to_string(workload.context_length)},
        {"batch_size", std::to_string(workload.batch_size)},
        {"dtype", '"' + std::string(kvscope::dtypeName(workload.dtype)) + '"'},
        {"bytes_per_elem", bytesPerElem(workload.dtype)},
    };
}

// The book's keys but the workload's.
Fields shapeFields(const kvscope::ModelShape &shape, const kvscope::KvEstimate &e) {
    return {
        {"emb_dim", std::to_string(shape.emb_dim)},
        {"n_heads", std::to_string(shape.n_heads)},
        {"n_layers", std::to_string(shape.n_layers)},
        {"n_kv_groups", std::to_string(shape.n_kv_groups)},
        {"head_dim", std::to_string(e.head_dim)},
        {"head_dim_explicit", shape.head_dim ? "true" : "false"},
        {"n_kv_heads_mha", std::to_string(e.n_kv_heads_mha)},
        {"n_kv_heads_gqa", std::to_string(e.n_kv_heads_gqa)},
        {"mha_bytes", std::to_string(e.mha_bytes)},
        {"gqa_bytes", std::to_string(e.gqa_bytes)},
        {"mha_bytes_per_token", std::to_string(e.mha_bytes_per_token)},
        {"gqa_bytes_per_token", std::to_string(e.gqa_bytes_per_token)},
        {"ratio", jsonDouble(e.ratio)},
        {"savings_percent", jsonDouble(e.savings_percent)},
    };
}

std::string object(const Fields &fields) {
    std::string out = "{\n";
    for (std::size_t i = 0; i < fields.size(); ++i) {
        out += "  \"";
        out += fields[i].first;
        out += "\": ";
        out += fields[i].second;
        out += i + 1 < fields.size() ? ",\n" : "\n";
    }
    out += "}\n";
    return out;
}

}  // namespace

std::string jsonObjectLine(const JsonFields &fields) {
    std::string out = "{";
    for (std::size_t i = 0; i < fields.size(); ++i) {
        if (i != 0) out += ", ";
        out += jsonString(fields[i].first) + ": " + fields[i].second;
    }
    return out + "}";
}

// One element per line, indented inside the top-level object.
std::string jsonArray(const std::vector<std::string> &items) {
    if (items.empty()) return "[]";
    std::string out = "[\n";
    for (std::size_t i = 0; i < items.size(); ++i) {
        out += "    " + items[i] + (i + 1 < items.size() ? ",\n" : "\n");
    }
    return out + "  ]";
}

namespace {

std::string array(const std::vector<std::string> &items) { return jsonArray(items); }

}  // namespace

// Shortest text that reads back as the same double; a whole value keeps a
// ".0" so readers see a real number, as Python's json module writes it.
std::string jsonDouble(double value) {
    if (!std::isfinite(value)) return "null";  // JSON has no inf or nan
    char buffer[64];
    const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
    std::string text(buffer, ec == std::errc{} ? end : buffer);
    if (text.find_first_of(".en") == std::string::npos) text += ".0";
    return text;
}

std::string jsonString(std::string_view text) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out = "\"";
    for (char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '\t') {
            out += "\\t";
        } else if (u < 0x20) {
            out += "\\u00";
            out += kHex[u >> 4];
            out += kHex[u & 0xf];
        } else {
            out += c;  // UTF-8 passes through
        }
    }
    return out + "\"";
}

std::string jsonReport(const kvscope::ModelShape &shape, const kvscope::Workload &workload,
                       const kvscope::KvEstimate &e, const JsonFields &extra) {
    // The book's order: context_length first, then the shape, then the workload.
    const Fields workloadKeys = workloadFields(workload);
    const Fields shapeKeys = shapeFields(shape, e);
    Fields fields{workloadKeys[0]};
    fields.insert(fields.end(), shapeKeys.begin(), shapeKeys.begin() + 4);  // emb_dim .. n_kv_groups
    fields.insert(fields.end(), workloadKeys.begin() + 1, workloadKeys.end());
    fields.insert(fields.end(), shapeKeys.begin() + 4, shapeKeys.end());
    for (const auto &[key, value] : extra) fields.emplace_back(key, value);
    return object(fields);
}

std::string jsonModelReport(const CliOptions &options, const ModelEstimate &e, const JsonFields &extra) {
    const CliOptions::Model &model = *options.model;
    const ImportedModel &imported = model.imported;

    std::vector<std::pair<std::string, std::string>> layers;
    std::vector<std::pair<std::string, std::string>> byKind;
    for (kvscope::LayerKind kind : kvscope::kAllLayerKinds) {
        const std::string name(kvscope::layerKindName(kind));
        layers.emplace_back(name, std::to_string(e.layers[static_cast<std::size_t>(kind)]));
        byKind.emplace_back(name, std::to_string(e.bytes.of(kind).bytes));
    }
    std::vector<std::pair<std::string, std::string>> whatIf;
    for (const ModelEstimate::Variant &v : e.variants) whatIf.emplace_back(v.key, optionalNumber(v.bytes));

    std::vector<std::string> provenance;
    const auto entry = [](const std::string &field, const std::string &value, const std::string &source) {
        return "{\"field\": " + jsonString(field) + ", \"value\": " + jsonString(value) +
               ", \"source\": " + jsonString(source) + "}";
    };
    for (const Provenance &p : imported.provenance) provenance.push_back(entry(p.field, p.value, p.source));
    provenance.push_back(entry("dtype", std::string(kvscope::dtypeName(options.workload.dtype)),
                               model.dtypeSource.toStdString()));
    std::vector<std::string> warnings;
    for (const std::string &w : imported.warnings) warnings.push_back(jsonString(w));
    for (const std::string &w : options.engineWarnings()) warnings.push_back(jsonString(w));

    Fields fields{
        {"model", jsonString(model.label.toStdString())},
        {"model_source", model.isPreset           ? "\"preset\""
                          : model.source.isEmpty() ? "\"config\""
                                                   : jsonString(model.source.toStdString())},
        {"model_type", jsonString(imported.model_type)},
    };
    const Fields workloadKeys = workloadFields(options.workload);
    fields.insert(fields.end(), workloadKeys.begin(), workloadKeys.end());
    fields.insert(fields.end(), {
                                    {"kv_bytes", std::to_string(e.bytes.total)},
                                    {"kv_bytes_per_token", std::to_string(e.bytes_per_token)},
                                    {"layers", jsonObjectLine(layers)},
                                    {"kv_bytes_by_kind", jsonObjectLine(byKind)},
                                    {"max_position_embeddings", optionalNumber(imported.max_position_embeddings)},
                                    {"kv_bytes_at_max_context", optionalNumber(e.max_context_bytes)},
                                    {"what_if", jsonObjectLine(whatIf)},
                                });
    if (e.book) {
        const Fields shapeKeys = shapeFields(imported.shape, *e.book);
        fields.insert(fields.end(), shapeKeys.begin(), shapeKeys.end());
    }
    fields.emplace_back("provenance", array(provenance));
    fields.emplace_back("warnings", array(warnings));
    for (const auto &[key, value] : extra) fields.emplace_back(key, value);
    return object(fields);
}

std::string jsonModelList(const QList<Preset> &presets) {
    std::string out = "[\n";
    for (qsizetype i = 0; i < presets.size(); ++i) {
        const Preset &p = presets.at(i);
        out += "  {\"name\": " + jsonString(p.name.toStdString()) + ", \"family\": " +
               jsonString(p.family.toStdString()) + ", \"source\": " + jsonString(p.source.toStdString()) + "}";
        out += i + 1 < presets.size() ? ",\n" : "\n";
    }
    return out + "]\n";
}

std::string jsonGpuList() {
    const auto gpus = kvscope::allGpus();
    std::string out = "[\n";
    for (std::size_t i = 0; i < gpus.size(); ++i) {
        out += "  {\"name\": " + jsonString(gpus[i].name) + ", \"label\": " + jsonString(gpus[i].label) +
               ", \"memory_bytes\": " + std::to_string(gpus[i].memory_bytes) + "}";
        out += i + 1 < gpus.size() ? ",\n" : "\n";
    }
    return out + "]\n";
}
