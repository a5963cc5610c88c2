#include "ModelEstimate.h"

#include <algorithm>

#include "kvscope/variants.h"

using kvscope::LayerKind;

namespace {

std::optional<std::uint64_t> total(const kvscope::Result<kvscope::ModelLayout> &layout,
                                   const kvscope::Workload &workload) {
    if (!layout) return std::nullopt;
    const auto bytes = kvscope::layoutTotalBytes(*layout, workload);
    return bytes ? std::optional<std::uint64_t>(*bytes) : std::nullopt;
}

// The query heads of the first attention layer, for the variants' labels.
std::uint32_t queryHeads(const kvscope::ModelLayout &layout) {
    for (const kvscope::LayerGroup &group : layout.groups) {
        if (kvscope::isAttention(group.spec.kind)) return group.spec.n_heads;
    }
    return 0;
}

}  // namespace

kvscope::Result<ModelEstimate> ModelEstimate::compute(const ImportedModel &model, const kvscope::Workload &workload,
                                                      const kvscope::EngineSetup &setup) {
    const kvscope::ModelLayout stored = kvscope::engineLayout(model.layout, setup);
    auto bytes = kvscope::layoutBytes(stored, workload);
    if (!bytes) return bytes.error();
    auto perToken = kvscope::layoutBytesPerToken(stored, workload);
    if (!perToken) return perToken.error();

    ModelEstimate e;
    e.bytes = std::move(bytes).value();
    e.bytes_per_token = *perToken;
    e.layers = kvscope::layerCountsByKind(stored);
    if (const auto limit = model.max_model_len ? model.max_model_len : model.max_position_embeddings) {
        kvscope::Workload atMax = workload;
        atMax.context_length = *limit;
        if (auto b = kvscope::layoutTotalBytes(stored, atMax)) e.max_context_bytes = *b;
    }
    if (model.shape_is_exact) {
        if (auto book = kvscope::estimate(model.shape, workload)) e.book = *book;
    }

    for (VariantLayout &v : variantLayouts(stored))
        e.variants.push_back({std::move(v.key), std::move(v.label), total(v.layout, workload)});
    return e;
}

std::vector<ModelEstimate::VariantLayout> ModelEstimate::variantLayouts(const kvscope::ModelLayout &layout) {
    const auto layers = kvscope::layerCountsByKind(layout);
    const auto count = [&layers](LayerKind kind) { return layers[static_cast<std::size_t>(kind)]; };
    std::vector<VariantLayout> variants;
    const std::uint64_t windowed = count(LayerKind::Sliding) + count(LayerKind::Chunked);
    const bool attention = count(LayerKind::Full) + windowed + count(LayerKind::Mla) > 0;
    if (!attention) return variants;  // what-ifs change attention layers only

    const std::uint32_t heads = queryHeads(layout);
    const std::string perLayer = heads ? " (" + std::to_string(heads) + " K/V heads per layer)" : "";
    variants.push_back({"mha", "as MHA" + perLayer, kvscope::asMha(layout)});
    variants.push_back({"mqa", "as MQA (1 K/V head per layer)", kvscope::asMqa(layout)});
    // withoutSlidingWindow() holds chunked layers (Llama 4) whole too.
    if (windowed > 0)
        variants.push_back({"no_sliding_window", "without sliding window", kvscope::withoutSlidingWindow(layout)});
    if (count(LayerKind::Full) + windowed > 0) {
        variants.push_back({"mla",
                            "with MLA (" + std::to_string(kWhatIfLatent) + " + " + std::to_string(kWhatIfRope) +
                                " latent)",
                            kvscope::withMla(layout, kWhatIfLatent, kWhatIfRope)});
    }
    return variants;
}
