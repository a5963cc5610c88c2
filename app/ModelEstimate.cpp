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

bool isAttention(LayerKind kind) {
    return kind == LayerKind::Full || kind == LayerKind::Sliding || kind == LayerKind::Mla;
}

// The query heads of the first attention layer, for the variants' labels.
std::uint32_t queryHeads(const kvscope::ModelLayout &layout) {
    for (const kvscope::LayerGroup &group : layout.groups) {
        if (isAttention(group.spec.kind)) return group.spec.n_heads;
    }
    return 0;
}

}  // namespace

kvscope::Result<ModelEstimate> ModelEstimate::compute(const ImportedModel &model, const kvscope::Workload &workload) {
    auto bytes = kvscope::layoutBytes(model.layout, workload);
    if (!bytes) return bytes.error();
    auto perToken = kvscope::layoutBytesPerToken(model.layout, workload);
    if (!perToken) return perToken.error();

    ModelEstimate e;
    e.bytes = std::move(bytes).value();
    e.bytes_per_token = *perToken;
    e.layers = kvscope::layerCountsByKind(model.layout);
    if (model.max_position_embeddings) {
        kvscope::Workload atMax = workload;
        atMax.context_length = *model.max_position_embeddings;
        if (auto b = kvscope::layoutTotalBytes(model.layout, atMax)) e.max_context_bytes = *b;
    }
    if (model.shape_is_exact) {
        if (auto book = kvscope::estimate(model.shape, workload)) e.book = *book;
    }

    const auto count = [&e](LayerKind kind) { return e.layers[static_cast<std::size_t>(kind)]; };
    const bool attention = count(LayerKind::Full) + count(LayerKind::Sliding) + count(LayerKind::Mla) > 0;
    if (!attention) return e;  // what-ifs change attention layers only

    const std::uint32_t heads = queryHeads(model.layout);
    const std::string perLayer = heads ? " (" + std::to_string(heads) + " K/V heads per layer)" : "";
    e.variants.push_back({"mha", "as MHA" + perLayer, total(kvscope::asMha(model.layout), workload)});
    e.variants.push_back({"mqa", "as MQA (1 K/V head per layer)", total(kvscope::asMqa(model.layout), workload)});
    if (count(LayerKind::Sliding) > 0) {
        e.variants.push_back({"no_sliding_window", "without sliding window",
                              total(kvscope::withoutSlidingWindow(model.layout), workload)});
    }
    if (count(LayerKind::Full) + count(LayerKind::Sliding) > 0) {
        e.variants.push_back({"mla",
                              "with MLA (" + std::to_string(kWhatIfLatent) + " + " + std::to_string(kWhatIfRope) +
                                  " latent)",
                              total(kvscope::withMla(model.layout, kWhatIfLatent, kWhatIfRope), workload)});
    }
    return e;
}
