#include <gtest/gtest.h>

#include <limits>

#include "kvscope/weights.h"

using namespace kvscope;

namespace {

// Llama-style: gated MLP, RMSNorm, no biases, untied output head.
DenseShape llama(std::uint64_t hidden, std::uint64_t layers, std::uint64_t heads, std::uint64_t kv_heads,
                 std::uint64_t intermediate, std::uint64_t vocab) {
    DenseShape s;
    s.hidden_size = hidden;
    s.n_layers = layers;
    s.n_heads = heads;
    s.n_kv_heads = kv_heads;
    s.head_dim = hidden / heads;
    s.intermediate_size = intermediate;
    s.vocab_size = vocab;
    return s;
}

DenseShape gpt2(std::uint64_t hidden, std::uint64_t layers, std::uint64_t heads) {
    DenseShape s = llama(hidden, layers, heads, heads, 4 * hidden, 50257);
    s.gated_mlp = false;
    s.tied_embeddings = true;
    s.qkv_bias = true;
    s.o_bias = true;
    s.mlp_bias = true;
    s.norm_bias = true;
    s.learned_positions = 1024;
    return s;
}

std::uint64_t count(const DenseShape &s) {
    auto n = denseParameterCount(s);
    EXPECT_TRUE(n.ok()) << (n.ok() ? "" : n.error().message);
    return n.ok() ? *n : 0;
}

}  // namespace

// Published counts (Hugging Face's safetensors totals), each also derived by
// hand from its config.json.
TEST(Weights, Llama31_8B) {
    // 128,256 x 4,096 embeddings and head; per layer Q 4096x4096, K and V
    // 4096x1024, O 4096x4096, MLP 3 x 4096 x 14,336, two norms; final norm.
    EXPECT_EQ(count(llama(4096, 32, 32, 8, 14336, 128256)), 8'030'261'248u);
}

TEST(Weights, Llama31_70B) { EXPECT_EQ(count(llama(8192, 80, 64, 8, 28672, 128256)), 70'553'706'496u); }

TEST(Weights, Llama31_405B) { EXPECT_EQ(count(llama(16384, 126, 128, 8, 53248, 128256)), 405'853'388'800u); }

TEST(Weights, Llama2_7B) { EXPECT_EQ(count(llama(4096, 32, 32, 32, 11008, 32000)), 6'738'415'616u); }

TEST(Weights, Llama32_1B_TiesItsOutputHead) {
    DenseShape s = llama(2048, 16, 32, 8, 8192, 128256);
    s.tied_embeddings = true;
    EXPECT_EQ(count(s), 1'235'814'400u);
    s.tied_embeddings = false;
    EXPECT_EQ(count(s), 1'235'814'400u + 128256u * 2048u);
}

TEST(Weights, Mistral7B_v01) { EXPECT_EQ(count(llama(4096, 32, 32, 8, 14336, 32000)), 7'241'732'096u); }

TEST(Weights, Qwen25_7B_BiasesOnQKV) {
    DenseShape s = llama(3584, 28, 28, 4, 18944, 152064);
    s.qkv_bias = true;
    EXPECT_EQ(count(s), 7'615'616'512u);
    s.qkv_bias = false;  // 28 layers x (3,584 + 2 x 512) biases fewer
    EXPECT_EQ(count(s), 7'615'616'512u - 28u * (3584u + 2u * 512u));
}

TEST(Weights, Qwen3_8B_NormsOnQAndK) {
    DenseShape s = llama(4096, 36, 32, 8, 12288, 151936);
    s.head_dim = 128;
    s.qk_norm = true;
    EXPECT_EQ(count(s), 8'190'735'360u);
}

TEST(Weights, Gemma3_1B_FourNormsTied) {
    DenseShape s = llama(1152, 26, 4, 1, 6912, 262144);
    s.head_dim = 256;  // not hidden / heads
    s.tied_embeddings = true;
    s.norms_per_layer = 4;
    s.qk_norm = true;
    EXPECT_EQ(count(s), 999'885'952u);
}

TEST(Weights, Gpt2_124M) {
    // wte 50,257 x 768 + wpe 1,024 x 768 + 12 x 7,087,872 + ln_f 2 x 768; lm_head tied.
    EXPECT_EQ(count(gpt2(768, 12, 12)), 124'439'808u);
    EXPECT_EQ(count(gpt2(1600, 48, 25)), 1'557'611'200u);  // GPT-2 XL
}

TEST(Weights, Falcon7B_ParallelAttentionOneLayerNorm) {
    DenseShape s = llama(4544, 32, 71, 1, 4 * 4544, 65024);
    s.gated_mlp = false;
    s.tied_embeddings = true;
    s.norms_per_layer = 1;
    s.norm_bias = true;
    EXPECT_EQ(count(s), 6'921'720'704u);
}

TEST(Weights, BookShape) {
    const DenseShape s = bookDenseShape(2048, 24, 6, 2048 / 24, 48);
    EXPECT_EQ(s.vocab_size, 50257u);
    EXPECT_EQ(s.intermediate_size, 8192u);
    EXPECT_FALSE(s.gated_mlp);
    EXPECT_FALSE(s.tied_embeddings);
    EXPECT_FALSE(s.qkv_bias);
    EXPECT_EQ(s.learned_positions, 0u);
    // The window's default (emb_dim 2048, 24 heads of ceil(2048 / 24) = 86, 6 K/V
    // heads, 48 layers), by hand: 2 x 50,257 x 2048 embeddings and head, per
    // layer Q and O 2 x 2048 x 2064, K and V 2 x 2048 x 516, O bias 2048, MLP
    // 2 x 2048 x 8192 + 8192 + 2048, two LayerNorms 4 x 2048; final LayerNorm.
    EXPECT_EQ(count(bookDenseShape(2048, 24, 6, 86, 48)), 2'324'701'184u);
    // The book's 124M GPT (emb_dim 768, 12 heads, 12 layers, qkv_bias off) has
    // 163,009,536 parameters with its 1,024 position rows and untied head.
    DenseShape book124 = bookDenseShape(768, 12, 12, 64, 12);
    book124.learned_positions = 1024;
    EXPECT_EQ(count(book124), 163'009'536u);
}

TEST(Weights, EmptyShapeIsZero) { EXPECT_EQ(count(DenseShape{}), 0u); }

TEST(Weights, OverflowIsAnError) {
    DenseShape s = llama(1u << 20, 1u << 20, 1u << 10, 1u << 10, 1u << 30, 1u << 30);
    auto n = denseParameterCount(s);
    ASSERT_FALSE(n.ok());
    EXPECT_EQ(n.error().field, "parameters");
    s = llama(4096, 32, 32, 8, 14336, 128256);
    s.n_layers = std::numeric_limits<std::uint64_t>::max() / 1000;
    EXPECT_FALSE(denseParameterCount(s).ok());
    s = llama(4096, 32, 32, 8, 14336, 128256);
    s.head_dim = std::numeric_limits<std::uint64_t>::max() / 4;  // n_heads * head_dim wraps
    EXPECT_FALSE(denseParameterCount(s).ok());
}

TEST(Weights, BytesPerFormat) {
    const std::uint64_t p = 8'030'261'248;  // Llama 3.1 8B: a multiple of 256
    EXPECT_EQ(*weightsBytes(p, DType::fp32), 4 * p);
    EXPECT_EQ(*weightsBytes(p, DType::bf16), 2 * p);
    EXPECT_EQ(*weightsBytes(p, DType::fp16), 2 * p);
    EXPECT_EQ(*weightsBytes(p, DType::fp8), p);
    EXPECT_EQ(*weightsBytes(p, DType::int8), p);
    EXPECT_EQ(*weightsBytes(p, DType::int4), p / 256 * 133);  // 4,171,971,664
    EXPECT_EQ(*weightsBytes(p, DType::q8_0), p / 32 * 34);    // 8,532,152,576
    EXPECT_EQ(*weightsBytes(p, DType::q4_0), p / 32 * 18);    // 4,517,021,952
    EXPECT_EQ(*weightsBytes(p, DType::int4), 4'171'971'664u);
    EXPECT_EQ(*weightsBytes(p, DType::q8_0), 8'532'152'576u);
    EXPECT_EQ(*weightsBytes(p, DType::q4_0), 4'517'021'952u);
    EXPECT_EQ(*weightsBytes(0, DType::q4_0), 0u);
}

TEST(Weights, PartialBlocksRoundUp) {
    EXPECT_EQ(*weightsBytes(1, DType::int4), 133u);
    EXPECT_EQ(*weightsBytes(256, DType::int4), 133u);
    EXPECT_EQ(*weightsBytes(257, DType::int4), 266u);
    EXPECT_EQ(*weightsBytes(1, DType::q8_0), 34u);
    EXPECT_EQ(*weightsBytes(33, DType::q8_0), 68u);
    EXPECT_EQ(*weightsBytes(31, DType::q4_0), 18u);
    EXPECT_EQ(*weightsBytes(65, DType::q4_0), 54u);
    // GPT-2's 124,439,808 = 486,093 x 256 exactly; one more weight opens a block.
    EXPECT_EQ(*weightsBytes(124'439'808, DType::int4), 486'093u * 133);
    EXPECT_EQ(*weightsBytes(124'439'809, DType::int4), 486'094u * 133);
}

TEST(Weights, BytesOverflowIsAnError) {
    const std::uint64_t max = std::numeric_limits<std::uint64_t>::max();
    for (DType d : {DType::fp32, DType::bf16, DType::fp16, DType::q8_0}) {
        auto b = weightsBytes(max, d);
        ASSERT_FALSE(b.ok());
        EXPECT_EQ(b.error().field, "parameters");
    }
    EXPECT_FALSE(weightsBytes(max / 2 + 1, DType::bf16).ok());
    EXPECT_EQ(*weightsBytes(max / 2, DType::bf16), max - 1);
    EXPECT_EQ(*weightsBytes(max, DType::int8), max);
    // int4 and q4_0 take under a byte per weight: even the largest count fits.
    EXPECT_EQ(*weightsBytes(max, DType::int4), (max / 256 + 1) * 133);
    EXPECT_EQ(*weightsBytes(max, DType::q4_0), (max / 32 + 1) * 18);
}
