#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ImportedModel.h"
#include "kvscope/engine.h"
#include "kvscope/estimator.h"
#include "kvscope/layout_bytes.h"
#include "kvscope/result.h"
#include "kvscope/shape.h"

// Everything kvscope-cli reports about a real model (from --config or
// --model) at one workload: its exact total, growth per token, bytes per
// layer kind, the book's MHA/GQA view where it is exact, and what-if
// variants, with linear states in the dtypes the chosen engine keeps them in
// (kvscope::engineLayout). The report and --json print the same numbers from
// here.
struct ModelEstimate {
    // A what-if version of the model; bytes is empty when its total would not
    // fit 64 bits although the model's own does.
    struct Variant {
        std::string key;    // "mha", "mqa", "no_sliding_window", "mla": the JSON key
        std::string label;  // "as MHA (32 K/V heads per layer)": the report's line
        std::optional<std::uint64_t> bytes;
    };

    kvscope::LayoutBytes bytes;          // the model's real layout
    std::uint64_t bytes_per_token = 0;   // growth per extra token, one sequence
    std::array<std::uint64_t, kvscope::kLayerKindCount> layers{};  // count per kind
    // The total at the model's context limit (max_model_len, else
    // max_position_embeddings), when the config gives one.
    std::optional<std::uint64_t> max_context_bytes;
    // The book's MHA/GQA numbers, only when its shape gives the model's exact
    // bytes (uniform full-attention layers).
    std::optional<kvscope::KvEstimate> book;
    std::vector<Variant> variants;

    // A what-if version as a layout, so the window can sweep it over context
    // lengths: the same keys, labels and order as `variants`.
    struct VariantLayout {
        std::string key;
        std::string label;
        kvscope::Result<kvscope::ModelLayout> layout;
    };
    // Empty for a model without attention layers (what-ifs change only those).
    static std::vector<VariantLayout> variantLayouts(const kvscope::ModelLayout &layout);

    // Fails only when the model's own total does not fit 64 bits.
    static kvscope::Result<ModelEstimate> compute(const ImportedModel &model, const kvscope::Workload &workload,
                                                  const kvscope::EngineSetup &setup = {});

    // The latent size of the "with MLA" what-if: DeepSeek-V3's.
    static constexpr std::uint32_t kWhatIfLatent = 512;
    static constexpr std::uint32_t kWhatIfRope = 64;
};
