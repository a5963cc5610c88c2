#include "ModelReport.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "kvscope/dtype.h"
#include "kvscope/engine.h"
#include "kvscope/format.h"

using kvscope::LayerKind;

namespace {

// Shown on one line of a terminal: no control characters.
std::string printable(std::string text) {
    for (char &c : text) {
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
    }
    return text;
}

std::string padded(const std::string &key, std::size_t width) {
    return key.size() >= width ? key : key + std::string(width - key.size(), ' ');
}

std::string section(const std::string &title, const std::vector<std::pair<std::string, std::string>> &rows,
                    std::size_t minWidth = 17) {
    return reportSection(title, rows, minWidth);
}

std::string ratioText(std::uint64_t bytes, std::uint64_t base) {
    if (base == 0) return {};
    return " (" + kvscope::formatFixed2(kvscope::divideExact(bytes, base)) + "x the model)";
}

// The first run of layers of a kind: imported models use one spec per kind.
const kvscope::LayerSpec *firstOfKind(const kvscope::ModelLayout &layout, LayerKind kind) {
    for (const kvscope::LayerGroup &group : layout.groups) {
        if (group.spec.kind == kind) return &group.spec;
    }
    return nullptr;
}

std::string kindDetail(const kvscope::LayerSpec &spec) {
    const auto n = [](std::uint64_t v) { return kvscope::formatThousands(v); };
    const std::string heads =
        n(spec.n_kv_heads) + " K/V heads of " +
        (spec.k_head_dim == spec.v_head_dim ? n(spec.k_head_dim) : n(spec.k_head_dim) + " + " + n(spec.v_head_dim));
    switch (spec.kind) {
    case LayerKind::Full: return heads;
    case LayerKind::Sliding: return heads + ", window " + n(spec.window) + " tokens";
    case LayerKind::Mla:
        return "latent " + n(spec.kv_lora_rank) + " + rope " + n(spec.qk_rope_head_dim) + " per token";
    case LayerKind::Chunked: return heads + ", chunks of " + n(spec.window) + " tokens";
    case LayerKind::Linear: {
        std::string state = std::string(kvscope::stateFamilyName(spec.state_family)) + " state of " +
                            n(spec.recurrent_state_elems) + " + " + n(spec.conv_state_elems) + " conv values";
        if (spec.recurrent_state_dtype && spec.conv_state_dtype) {
            state += " in " + std::string(kvscope::dtypeName(*spec.recurrent_state_dtype)) +
                     (spec.conv_state_dtype != spec.recurrent_state_dtype
                          ? " and " + std::string(kvscope::dtypeName(*spec.conv_state_dtype))
                          : std::string());
        }
        return state + ", does not grow with context";
    }
    case LayerKind::Shared: return "reuse earlier layers' K/V";
    case LayerKind::Mlp: return "an MLP block only: no cache";
    }
    return {};
}

}  // namespace

std::string reportSection(const std::string &title, const std::vector<std::pair<std::string, std::string>> &rows,
                          std::size_t minWidth) {
    std::size_t width = minWidth;
    for (const auto &row : rows) {
        if (row.first.size() > minWidth) width = std::max(width, row.first.size() + 1);
    }
    std::string out = "==== " + title + " ====\n";
    for (const auto &[key, value] : rows) out += padded(key, width) + ": " + printable(value) + "\n";
    return out;
}

std::string modelReport(const ReportSetup &options, const ModelEstimate &e) {
    const ReportSetup::Model &model = *options.model;
    const ImportedModel &imported = model.imported;
    const kvscope::Workload &workload = options.workload;
    const auto thousands = [](std::uint64_t v) { return kvscope::formatThousands(v); };

    std::string layers;
    for (LayerKind kind : kvscope::kAllLayerKinds) {
        const std::uint64_t count = e.layers[static_cast<std::size_t>(kind)];
        if (count == 0) continue;
        if (!layers.empty()) layers += " + ";
        layers += std::to_string(count) + " " + std::string(kvscope::layerKindName(kind));
    }
    std::string out = section(
        "Model", {
                     {"model", model.label.toStdString()},
                     {"source", model.origin.toStdString()},
                     {"context_length", std::to_string(workload.context_length)},
                     {"batch_size", std::to_string(workload.batch_size)},
                     {"dtype", std::string(kvscope::dtypeName(workload.dtype)) + " (" +
                                   kvscope::bytesPerElemText(workload.dtype) + " Bytes/elem), " +
                                   model.dtypeSource.toStdString()},
                     {"layers", layers},
                     {"engine", std::string(kvscope::engineLabel(options.engine.engine)) + " " +
                                    std::string(kvscope::engineVersion(options.engine.engine)) +
                                    ": its state dtypes and, with a GPU, its allocation"},
                 });

    std::vector<std::pair<std::string, std::string>> provenance;
    for (const Provenance &p : imported.provenance) provenance.emplace_back(p.field, p.value + " (" + p.source + ")");
    out += "\n" + section("Where the numbers come from", provenance);

    std::vector<std::pair<std::string, std::string>> kinds;
    for (LayerKind kind : kvscope::kAllLayerKinds) {
        const kvscope::KindBytes &k = e.bytes.of(kind);
        if (k.layers == 0) continue;
        const kvscope::ModelLayout stored = kvscope::engineLayout(imported.layout, options.engine);
        const kvscope::LayerSpec *spec = firstOfKind(stored, kind);
        kinds.emplace_back(std::string(kvscope::layerKindName(kind)),
                           kvscope::formatGB(k.bytes) + " in " + thousands(k.layers) +
                               (k.layers == 1 ? " layer" : " layers") + (spec ? " (" + kindDetail(*spec) + ")" : ""));
    }
    out += "\n" + section("KV cache by layer kind", kinds);

    std::vector<std::pair<std::string, std::string>> totals{
        {"Total KV cache", kvscope::formatGB(e.bytes.total) + " (" + thousands(e.bytes.total) + " bytes)"},
        {"Bytes per token", thousands(e.bytes_per_token) + " (one more token of one sequence)"},
    };
    if (e.max_context_bytes) {
        const std::uint64_t limit = imported.max_model_len.value_or(imported.max_position_embeddings.value_or(0));
        totals.emplace_back("At max context", kvscope::formatGB(*e.max_context_bytes) + " (" + thousands(limit) +
                                                  " tokens, the model's limit)");
    }
    if (e.book) {
        // The book's lines: exact here, since the model is the book's shape.
        totals.emplace_back("MHA total KV cache", kvscope::formatGB(e.book->mha_bytes));
        totals.emplace_back("GQA total KV cache", kvscope::formatGB(e.book->gqa_bytes));
        totals.emplace_back("Ratio (MHA / GQA)", kvscope::formatFixed2(e.book->ratio) + "x");
        totals.emplace_back("Savings (GQA vs MHA)", kvscope::formatFixed2(e.book->savings_percent) + "%");
    }
    out += "\n" + section("KV-cache totals across all layers", totals, 20);

    if (!e.variants.empty()) {
        std::vector<std::pair<std::string, std::string>> variants;
        for (const ModelEstimate::Variant &v : e.variants) {
            variants.emplace_back(v.label, v.bytes ? kvscope::formatGB(*v.bytes) + ratioText(*v.bytes, e.bytes.total)
                                                   : "does not fit in 64 bits");
        }
        out += "\n" + section("What-if variants (same context, batch and dtype)", variants, 20);
    }
    std::vector<std::string> warnings = imported.warnings;
    for (std::string &w : options.engineWarnings()) warnings.push_back(std::move(w));
    if (!warnings.empty()) {
        out += "\n==== Warnings ====\n";
        for (const std::string &w : warnings) out += printable(w) + "\n";
    }
    return out;
}
