#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kvscope/dtype.h"
#include "kvscope/layout.h"
#include "kvscope/shape.h"

// Where one number of an imported model came from: the config key that named
// it ("text_config.num_key_value_heads") or how it was derived
// ("derived as hidden_size / num_attention_heads = 4096 / 32").
struct Provenance {
    std::string field;   // our name: n_layers, n_heads, head_dim, n_kv_heads, sliding_window, ...
    std::string value;   // as shown to a user: "128", "bf16", "52 sliding + 10 full"
    std::string source;

    friend bool operator==(const Provenance &, const Provenance &) = default;
};

// A model read from a Hugging Face config.json (or a preset, which holds the
// same keys): its layers, the defaults it suggests, and how each was found.
struct ImportedModel {
    kvscope::ModelLayout layout;
    std::string model_type;  // config's model_type, or "" when it names none
    // The config's torch_dtype when it is one the estimator knows (float32,
    // bfloat16, float16): the natural default for the KV dtype.
    std::optional<kvscope::DType> torch_dtype;
    std::optional<std::uint64_t> max_position_embeddings;
    // The longest context the model takes, as vLLM derives max_model_len
    // from the config (vllm/config/model.py _get_and_verify_max_len: the
    // smallest length key, times a RoPE scaling factor); no plan goes past it.
    std::optional<std::uint64_t> max_model_len;
    // Every weight of the model, for the memory its weights take: counted from
    // the shapes for a dense decoder, or a preset's published count; empty for
    // MoE, MLA, linear-attention and multimodal configs, whose extra modules
    // the keys do not fully describe (the user enters the count by hand).
    std::optional<std::uint64_t> parameters;
    // The bytes the weights take as stored, summed exactly over the tensors a
    // GGUF file or safetensors headers describe (block sizes and dtypes
    // included). When set, `parameters` is the same tensors' element count
    // and a plan uses these bytes rather than parameters times a format.
    std::optional<std::uint64_t> weights_bytes;
    // What the stored weights are, for a person: "Q4_K_M (Q4_K 4,352 tensors,
    // Q6_K 1,024, F32 ...)", "bf16"; empty when weights_bytes is.
    std::string weights_format;
    // The book's view of the model (hidden size, heads, groups, layers,
    // head_dim), for the sliders. shape_is_exact says whether it gives the
    // same bytes as `layout` (only for models of identical full layers).
    kvscope::ModelShape shape;
    bool shape_is_exact = false;

    std::vector<Provenance> provenance;  // in the order the fields were read
    std::vector<std::string> warnings;   // what was assumed for an unknown architecture

    const Provenance *find(std::string_view field) const {
        for (const Provenance &p : provenance) {
            if (p.field == field) return &p;
        }
        return nullptr;
    }
};
