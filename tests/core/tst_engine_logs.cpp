// Figures that real vLLM and llama.cpp runs logged, quoted in public issue
// threads, reproduced from each model's config and the run's flags. Each test
// names its thread; the config values are the model's published config.json.
#include <gtest/gtest.h>

#include <string>

#include "kvscope/format.h"
#include "kvscope/llamacpp_cache.h"
#include "kvscope/plan.h"
#include "kvscope/units.h"
#include "model_layouts.h"

using namespace kvscope;

namespace {

constexpr std::uint64_t kMiB = std::uint64_t{1} << 20;

ModelLayout uniform(std::uint32_t layers, std::uint32_t heads, std::uint32_t kv_heads, std::uint32_t head_dim) {
    ModelLayout layout;
    appendLayers(layout, fullLayer(heads, kv_heads, head_dim, head_dim), layers);
    return layout;
}

LlamaCppCache llamaCpp(const ModelLayout &layout, DType type, std::uint64_t n_ctx) {
    const auto cache = llamaCppCache(layout, type, LlamaCppOptions{}, n_ctx, 1);
    EXPECT_TRUE(cache.ok()) << cache.error().message;
    return cache.ok() ? *cache : LlamaCppCache{};
}

// The vLLM plan of a model on a pool of exactly `blocks` blocks.
Plan vllmOnBlocks(const ModelLayout &layout, std::uint64_t blocks, std::uint64_t block_bytes, std::uint64_t context) {
    Deployment d;
    d.kv_budget_bytes = blocks * block_bytes;
    const auto p = plan(layout, Workload{context, 1, DType::bf16}, d);
    EXPECT_TRUE(p.ok()) << p.error().message;
    if (!p.ok()) return {};
    EXPECT_EQ(p->num_blocks, blocks);
    EXPECT_EQ(p->block_bytes, block_bytes);
    return *p;
}

bool contains(const std::string &text, const std::string &part) { return text.find(part) != std::string::npos; }

}  // namespace

// ggml-org/llama.cpp#11200 (build 4462): Qwen2.5-Coder-32B-Instruct with
// -c 32768 --cache-type-k q8_0 --cache-type-v q8_0 logged
//   "KV self size  = 4352.00 MiB, K (q8_0): 2176.00 MiB, V (q8_0): 2176.00 MiB"
// and 68 MiB a layer (CUDA0 41 layers: 2788.00 MiB). Config: 64 layers, 8 K/V
// heads of 5120 / 40 = 128: 32,768 x 64 x 1,024 x 34 / 32 bytes for K.
TEST(EngineLogs, LlamaCppQwen25Coder32BQ8_0) {
    const LlamaCppCache cache = llamaCpp(uniform(64, 40, 8, 128), DType::q8_0, 32768);
    EXPECT_EQ(llamaCppMib(cache.k_bytes), "2176.00");
    EXPECT_EQ(llamaCppMib(cache.v_bytes), "2176.00");
    EXPECT_EQ(llamaCppMib(cache.total_bytes), "4352.00");
    EXPECT_EQ(llamaCppMib(cache.total_bytes / 64 * 41), "2788.00");
}

// fedora-copr/logdetective#106: Mistral-7B-Instruct-v0.2 (32 layers, 8 K/V
// heads of 128, no sliding window) in f16 logged
//   "KV self size  =  256.00 MiB, K (f16):  128.00 MiB, V (f16):  128.00 MiB" at n_ctx 2048
//   "KV self size  = 4096.00 MiB, K (f16): 2048.00 MiB, V (f16): 2048.00 MiB" at n_ctx 32768.
TEST(EngineLogs, LlamaCppMistral7Bv02) {
    const ModelLayout mistral = uniform(32, 32, 8, 128);
    const LlamaCppCache small = llamaCpp(mistral, DType::fp16, 2048);
    EXPECT_EQ(llamaCppMib(small.total_bytes), "256.00");
    EXPECT_EQ(llamaCppMib(small.k_bytes), "128.00");
    const LlamaCppCache large = llamaCpp(mistral, DType::fp16, 32768);
    EXPECT_EQ(llamaCppMib(large.total_bytes), "4096.00");
    EXPECT_EQ(llamaCppMib(large.v_bytes), "2048.00");
}

// ikawrakow/ik_llama.cpp#259 (a llama.cpp fork) logged DeepSeek-R1's latent
// cache in q8_0 at 32,768 tokens as "KV self size  = 1166.62 MiB, c^KV
// (q8_0): 1166.62 MiB": 61 layers x (512 + 64) values, what mainline stores
// as its K (no V). 1166.625 is a tie that printf rounds to even.
TEST(EngineLogs, LlamaCppDeepSeekR1LatentQ8_0) {
    const LlamaCppCache cache = llamaCpp(test::deepseekV3Layers(), DType::q8_0, 32768);
    EXPECT_EQ(cache.total_bytes, 1'223'294'976u);
    EXPECT_EQ(llamaCppMib(cache.total_bytes), "1166.62");
    EXPECT_EQ(llamaCppMib(cache.k_bytes), "1166.62");
}

// vllm-project/vllm#10517: Llama-3.1-8B-Instruct on an RTX 3090 logged
// "# GPU blocks: 1952" then "Maximum concurrency for 20000 tokens per
// request: 1.56x", and with --max-model-len 29000 "# GPU blocks: 1478" and
// "0.82x". 131,072 bytes a token, 2 MiB a 16-token block:
// 1952 / cdiv(20000, 16) = 1952 / 1250 = 1.5616; 1478 / 1813 = 0.8152.
TEST(EngineLogs, VllmLlama31_8BOnRtx3090) {
    const ModelLayout llama = uniform(32, 32, 8, 128);
    const Plan at20k = vllmOnBlocks(llama, 1952, 2 * kMiB, 20000);
    EXPECT_EQ(formatFixed2(at20k.max_concurrency), "1.56");
    EXPECT_TRUE(contains(at20k.engine_log.at(0), "Maximum concurrency for 20,000 tokens per request: 1.56x"));
    const Plan at29k = vllmOnBlocks(llama, 1478, 2 * kMiB, 29000);
    EXPECT_EQ(formatFixed2(at29k.max_concurrency), "0.82");
    EXPECT_FALSE(at29k.fits);  // "The model's max seq len (29000) is larger than ..."
}

// LMCache/LMCache#1739 (vLLM V1): Qwen3-14B (40 layers, 8 K/V heads of 128:
// 163,840 bytes a token, 2.5 MiB a block) with 6.51 GiB for the cache logged
//   "GPU KV cache size: 42,656 tokens"
//   "Maximum concurrency for 32,768 tokens per request: 1.30x".
// 2,666 blocks: 2666 / 2048 = 1.3017578125, int(1.3017578125 x 32768) = 42,656.
// 6.51 GiB brackets it: floor(6.505 GiB / 2.5 MiB) = 2,664, floor(6.515 GiB / 2.5 MiB) = 2,668.
TEST(EngineLogs, VllmQwen3_14B) {
    const Plan p = vllmOnBlocks(uniform(40, 40, 8, 128), 2666, 2 * kMiB + kMiB / 2, 32768);
    EXPECT_EQ(p.kv_cache_tokens, 42'656u);
    EXPECT_EQ(p.engine_log.at(0),
              "GPU KV cache size: 42,656 tokens, Maximum concurrency for 32,768 tokens per request: 1.30x");
    const double gib = 1024.0 * 1024 * 1024;
    EXPECT_LE(static_cast<std::uint64_t>(6.505 * gib) / (2 * kMiB + kMiB / 2), 2666u);
    EXPECT_GE(static_cast<std::uint64_t>(6.515 * gib) / (2 * kMiB + kMiB / 2), 2666u);
}

// vllm-project/vllm#12569: Meta-Llama-3.1-70B-Instruct-quantized.w8a8 with
// --max-model-len 2048 logged "# GPU blocks: 1381" and "Maximum concurrency
// for 2048 tokens per request: 10.79x": 80 layers x 8 K/V heads x 256 x 2
// bytes = 327,680 a token; 1381 / cdiv(2048, 16) = 10.7890625.
TEST(EngineLogs, VllmLlama31_70B) {
    const Plan p = vllmOnBlocks(uniform(80, 64, 8, 128), 1381, 16 * 327'680, 2048);
    EXPECT_DOUBLE_EQ(p.max_concurrency, 10.7890625);
    EXPECT_TRUE(contains(p.engine_log.at(0), "Maximum concurrency for 2,048 tokens per request: 10.79x"));
}
