#pragma once

#include <cstdint>
#include <string>

#include "kvscope/dtype.h"
#include "kvscope/result.h"

namespace kvscope {

// A dense decoder's weight shapes, enough to count its parameters exactly:
// token embeddings, per layer Q/K/V/O projections and the MLP, the norms, and
// an output head unless it is tied to the embeddings. Llama 3.1 8B gives
// 8,030,261,248, its published count.
struct DenseShape {
    std::uint64_t hidden_size = 0;
    std::uint64_t n_layers = 0;
    std::uint64_t n_heads = 0;
    std::uint64_t n_kv_heads = 0;
    std::uint64_t head_dim = 0;
    std::uint64_t intermediate_size = 0;
    std::uint64_t vocab_size = 0;
    bool gated_mlp = true;          // SwiGLU/GeGLU: gate, up, down; GPT-2: up, down
    bool tied_embeddings = false;   // the output head reuses the token embeddings
    bool qkv_bias = false;          // Qwen2 style biases on Q, K and V
    std::uint64_t norms_per_layer = 2;  // RMSNorm/LayerNorm weight vectors of hidden_size
    // GPT-2 and other older decoders: all off for Llama-style models.
    std::uint64_t learned_positions = 0;  // rows of a learned position embedding (GPT-2: n_positions)
    bool o_bias = false;     // a bias on the attention output projection
    bool mlp_bias = false;   // a bias on every MLP matrix
    bool norm_bias = false;  // LayerNorm: a shift vector beside every scale vector, the final norm's too
    bool qk_norm = false;    // Qwen3 and Gemma 3: RMSNorm weights of head_dim on Q and on K
};

Result<std::uint64_t> denseParameterCount(const DenseShape &shape);

// The book's model has no vocabulary or MLP width of its own; the book's
// GPTModel uses GPT-2's vocabulary (50,257), an MLP four times emb_dim (two
// matrices, with biases), LayerNorm (scale and shift), a bias on the attention
// output (none on Q, K, V) and an untied output head. This is that model's
// DenseShape, without the learned position embeddings: their rows are the
// training context length, which the book's KV example does not fix.
DenseShape bookDenseShape(std::uint32_t emb_dim, std::uint32_t n_heads, std::uint32_t n_kv_heads,
                          std::uint32_t head_dim, std::uint32_t n_layers);

// Bytes of `parameters` weights stored as `format`, in whole storage blocks:
// q8_0 is 34 bytes per 32 weights, q4_0 18 per 32, int4 133 per 256 (groups
// of 128 with an fp16 scale and a 4-bit zero point each, the GPTQ/AWQ layout).
// fp8 and int8 per-tensor or per-channel scales are a rounding error and not
// counted.
Result<std::uint64_t> weightsBytes(std::uint64_t parameters, DType format);

}  // namespace kvscope
