#include "JsonReport.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <string_view>
#include <vector>

#include "kvscope/dtype.h"

namespace {

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

std::string bytesPerElem(kvscope::DType dtype) {
    const kvscope::DTypeInfo &info = kvscope::dtypeInfo(dtype);
    if (info.block_bytes % info.block_elems == 0) return std::to_string(info.block_bytes / info.block_elems);
    return jsonDouble(static_cast<double>(info.block_bytes) / info.block_elems);
}

}  // namespace

std::string jsonReport(const kvscope::ModelShape &shape, const kvscope::Workload &workload,
                       const kvscope::KvEstimate &e) {
    // Keys and values are all numbers or fixed dtype names: nothing to escape.
    const std::vector<std::pair<std::string_view, std::string>> fields{
        {"context_length", std::to_string(workload.context_length)},
        {"emb_dim", std::to_string(shape.emb_dim)},
        {"n_heads", std::to_string(shape.n_heads)},
        {"n_layers", std::to_string(shape.n_layers)},
        {"n_kv_groups", std::to_string(shape.n_kv_groups)},
        {"batch_size", std::to_string(workload.batch_size)},
        {"dtype", '"' + std::string(kvscope::dtypeName(workload.dtype)) + '"'},
        {"bytes_per_elem", bytesPerElem(workload.dtype)},
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
