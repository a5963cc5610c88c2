// llama.cpp's cache, each expected figure worked by hand from the pinned
// source (engineVersion(Engine::LlamaCpp)): src/llama-context.cpp for n_ctx,
// src/llama-kv-cache.cpp and src/llama-kv-cache-iswa.cpp for the attention
// cells, src/llama-memory-recurrent.cpp for the states.
#include <gtest/gtest.h>

#include "kvscope/engine.h"
#include "kvscope/llamacpp_cache.h"
#include "model_layouts.h"

using namespace kvscope;
using namespace kvscope::test;

namespace {

LlamaCppCache cacheOf(const ModelLayout &layout, std::uint64_t n_ctx, std::uint32_t n_seq, DType type_k = DType::fp16,
                      LlamaCppOptions options = {}) {
    EngineSetup setup;
    setup.engine = Engine::LlamaCpp;
    const auto cache = llamaCppCache(engineLayout(layout, setup), type_k, options, n_ctx, n_seq);
    EXPECT_TRUE(cache.ok()) << cache.error().message;
    return cache.ok() ? *cache : LlamaCppCache{};
}

ModelLayout llama31_8b() {
    ModelLayout layout;
    appendLayers(layout, fullLayer(32, 8, 128, 128), 32);
    return layout;
}

}  // namespace

// Llama 3.1 8B, f16: 8 K/V heads x 128 = 1,024 values, 2,048 bytes each for
// K and V, 4,096 a cell per layer. -c 8192: 32 x 8,192 x 4,096 = 1 GiB.
// -c 5000 -np 3: n_ctx pads to 5,120, each of 3 streams gets
// GGML_PAD(5,120 / 3, 256) = 1,792 cells: 32 x 1,792 x 3 x 4,096 = 704,643,072.
TEST(LlamaCppCache, PaddingAndStreams) {
    const LlamaCppCache one = cacheOf(llama31_8b(), 8192, 1);
    EXPECT_EQ(one.total_bytes, 1'073'741'824u);
    EXPECT_EQ(one.cells, 8192u);
    const LlamaCppCache three = cacheOf(llama31_8b(), 5000, 3);
    EXPECT_EQ(three.cells, 1792u);
    EXPECT_EQ(three.streams, 3u);
    EXPECT_EQ(three.n_ctx, 5376u);
    EXPECT_EQ(three.total_bytes, 704'643'072u);
    // -c 8000 pads to 8,192.
    EXPECT_EQ(cacheOf(llama31_8b(), 8000, 1).total_bytes, 1'073'741'824u);
    EXPECT_EQ(llamaCppCacheText(three), "llama.cpp: -c 5,376 -np 3; 32 layers x 1,792 cells x 3 streams");
}

// Gemma 3 27B, f16, 8,192 bytes a cell per layer; 10 full layers, 52 sliding
// over n_swa = 1,024 tokens, -ub 512:
//   -np 1:                 10 x 32,768 + 52 x GGML_PAD(min(32,768, 1,024 + 512), 256) = 1,536 cells
//                          2,684,354,560 + 654,311,424 = 3,338,665,984
//   --swa-full:            10 x 32,768 + 52 x 32,768 = 16,642,998,272
//   -np 4 --kv-unified:    sliding GGML_PAD(min(32,768, 4 x 1,024 + 512), 256) = 4,608 cells,
//                          2,684,354,560 + 1,962,934,272 = 4,647,288,832
//   -np 4:                 4 streams of 8,192 and of 1,536 cells: 2,684,354,560 + 2,617,245,696
TEST(LlamaCppCache, Gemma3SlidingWindowCache) {
    const LlamaCppCache one = cacheOf(gemma3_27b(), 32768, 1);
    EXPECT_EQ(one.swa_cells, 1536u);
    EXPECT_EQ(one.total_bytes, 3'338'665'984u);
    LlamaCppOptions full;
    full.swa_full = true;
    EXPECT_EQ(cacheOf(gemma3_27b(), 32768, 1, DType::fp16, full).total_bytes, 16'642'998'272u);
    LlamaCppOptions unified;
    unified.kv_unified = true;
    const LlamaCppCache shared = cacheOf(gemma3_27b(), 32768, 4, DType::fp16, unified);
    EXPECT_EQ(shared.swa_cells, 4608u);
    EXPECT_EQ(shared.total_bytes, 4'647'288'832u);
    EXPECT_EQ(cacheOf(gemma3_27b(), 32768, 4).total_bytes, 5'301'600'256u);
    const auto lines = llamaCppLogLines(one);
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_EQ(lines[0], "llama_kv_cache: size = 2560.00 MiB ( 32768 cells,  10 layers,  1/1 seqs), K (f16): 1280.00 "
                        "MiB, V (f16): 1280.00 MiB");
    EXPECT_EQ(lines[1], "llama_kv_cache: size =  624.00 MiB (  1536 cells,  52 layers,  1/1 seqs), K (f16):  312.00 "
                        "MiB, V (f16):  312.00 MiB");
    // -ub 1024: GGML_PAD(1,024 + 1,024, 256) = 2,048 cells.
    LlamaCppOptions ub;
    ub.n_ubatch = 1024;
    EXPECT_EQ(cacheOf(gemma3_27b(), 32768, 1, DType::fp16, ub).swa_cells, 2048u);
}

// gpt-oss-120b, f16: 8 x 64 = 512 values, 2,048 bytes a cell per layer.
// -c 131072: 18 x 131,072 x 2,048 = 4,831,838,208 and 18 x GGML_PAD(128 + 512,
// 256) = 768 cells x 2,048 = 28,311,552.
TEST(LlamaCppCache, GptOss) {
    EXPECT_EQ(cacheOf(gptOss120b(), 131072, 1).total_bytes, 4'860'149'760u);
    LlamaCppOptions unified;
    unified.kv_unified = true;
    // Four sequences in one stream: GGML_PAD(4 x 128 + 512, 256) = 1,024 cells.
    EXPECT_EQ(cacheOf(gptOss120b(), 131072, 4, DType::fp16, unified).total_bytes, 4'869'586'944u);
}

// Qwen3-Next, f16: 12 attention layers x 32,768 x (512 + 512) x 2 =
// 805,306,368; 36 DeltaNet layers, each 24,576 conv and 524,288 SSM values in
// f32 for each of max(1, n_seq) cells: 36 x 2,195,456 = 79,036,416.
TEST(LlamaCppCache, Qwen3NextKeepsItsStatesInF32) {
    const LlamaCppCache cache = cacheOf(qwen3Next80b(), 32768, 1);
    EXPECT_EQ(cache.k_bytes + cache.v_bytes, 805'306'368u);
    EXPECT_EQ(cache.r_bytes, 3'538'944u);
    EXPECT_EQ(cache.s_bytes, 75'497'472u);
    EXPECT_EQ(cache.total_bytes, 884'342'784u);
    const auto lines = llamaCppLogLines(cache);
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_EQ(lines[0], "llama_kv_cache: size =  768.00 MiB ( 32768 cells,  12 layers,  1/1 seqs), K (f16):  384.00 "
                        "MiB, V (f16):  384.00 MiB");
    // 75.375 and 3.375 MiB are exact ties: printf rounds them to even.
    EXPECT_EQ(lines[1], "llama_memory_recurrent: size =   75.38 MiB (     1 cells,  48 layers,  1 seqs  0 rs_seq), R "
                        "(f32):    3.38 MiB, S (f32):   72.00 MiB");
    // Four sequences: the states four times, the attention cache the same.
    LlamaCppOptions unified;
    unified.kv_unified = true;
    EXPECT_EQ(cacheOf(qwen3Next80b(), 32768, 4, DType::fp16, unified).total_bytes, 805'306'368u + 4 * 79'036'416u);
}

// Jamba-v0.1 at -c 8192: 4 attention layers x 8,192 x 4,096 = 134,217,728;
// 28 Mamba layers of 3 x 8,192 conv and 16 x 8,192 SSM values in f32,
// 28 x 622,592 = 17,432,576.
TEST(LlamaCppCache, Jamba) {
    EXPECT_EQ(cacheOf(jambaV01(), 8192, 1).total_bytes, 151'650'304u);
}

// Nemotron-H: create_memory's filters keep the MLP blocks (n_ff != 0) out
// of both caches, yet the recurrent log line counts every trunk layer. Two
// attention layers, two Mamba-2 layers (d_inner 128 x 64 = 8,192, 8 groups of
// 128, kernel 4: conv 3 x (8,192 + 2 x 8 x 128) = 30,720, SSM 128 x 64 x 128 =
// 1,048,576 values, f32) and two MLP layers, -c 256, f16, 8 K/V heads of 128:
// attention 2 x 256 x 4,096 = 2,097,152; states 2 x 4 x 1,079,296 = 8,634,368.
TEST(LlamaCppCache, MlpLayersAllocateNothing) {
    ModelLayout layout;
    appendLayers(layout, mamba2Layer(8192, 8, 128, 64, 128, 4));
    appendLayers(layout, mlpLayer());
    appendLayers(layout, fullLayer(32, 8, 128, 128));
    appendLayers(layout, mamba2Layer(8192, 8, 128, 64, 128, 4));
    appendLayers(layout, mlpLayer());
    appendLayers(layout, fullLayer(32, 8, 128, 128));
    const LlamaCppCache cache = cacheOf(layout, 256, 1);
    EXPECT_EQ(cache.layers, 2u);
    EXPECT_EQ(cache.recurrent_layers, 2u);
    EXPECT_EQ(cache.n_layer, 6u);
    EXPECT_EQ(cache.k_bytes + cache.v_bytes, 2'097'152u);
    EXPECT_EQ(cache.r_bytes + cache.s_bytes, 8'634'368u);
    EXPECT_EQ(cache.total_bytes, 2'097'152u + 8'634'368u);
}

// Llama 4: chunked layers get the window formula with a chunk of 8,192
// hard-coded (src/models/llama4.cpp): GGML_PAD(8,192 + 512, 256) = 8,704
// cells. -c 131072, f16, 8 x 128 values: 12 x 131,072 x 4,096 +
// 36 x 8,704 x 4,096 = 6,442,450,944 + 1,283,457,024.
TEST(LlamaCppCache, Llama4ChunkedAttention) {
    const LlamaCppCache cache = cacheOf(llama4Scout(), 131072, 1);
    EXPECT_EQ(cache.swa_cells, 8704u);
    EXPECT_EQ(cache.total_bytes, 7'725'907'968u);
}

// Where llama.cpp reads no window (Mistral 7B v0.1 runs as "llama"), the
// windowed layers are held whole: 32 x 32,768 x 4,096 = 4 GiB.
TEST(LlamaCppCache, ArchitecturesWithoutWindows) {
    ModelLayout mistral;
    appendLayers(mistral, slidingLayer(32, 8, 128, 128, 4096), 32);
    // With its window it would be 32 x GGML_PAD(4,096 + 512, 256) = 4,608 cells.
    EXPECT_EQ(cacheOf(mistral, 32768, 1).total_bytes, 32u * 4608 * 4096);
    mistral.hints.llamacpp_windows = false;
    EXPECT_EQ(cacheOf(mistral, 32768, 1).total_bytes, 4'294'967'296u);
}

// DeepSeek-V3, -ctk q8_0 -ctv q8_0: 576 values a row, 576 / 32 x 34 = 612
// bytes, no V: 61 x 32,768 x 612 = 1,223,294,976.
TEST(LlamaCppCache, MlaHasNoV) {
    const LlamaCppCache cache = cacheOf(deepseekV3Layers(), 32768, 1, DType::q8_0);
    EXPECT_EQ(cache.total_bytes, 1'223'294'976u);
    EXPECT_EQ(llamaCppLogLines(cache)[0], "llama_kv_cache: size = 1166.62 MiB ( 32768 cells,  61 layers,  1/1 seqs), K "
                                          "(q8_0): 1166.62 MiB, V (q8_0):    0.00 MiB");
    LlamaCppOptions f16_v;
    f16_v.type_v = DType::fp16;
    const auto refused = llamaCppCache(deepseekV3Layers(), DType::q8_0, f16_v, 32768, 1);
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().field, "cache_type_v");
}

TEST(LlamaCppCache, RefusesWhatLlamaCppRefuses) {
    const auto many = llamaCppCache(llama31_8b(), DType::fp16, LlamaCppOptions{}, 8192 * 257, 257);
    ASSERT_FALSE(many.ok());
    EXPECT_EQ(many.error().field, "batch_size");
    EXPECT_NE(many.error().message.find("at most 256 sequences"), std::string::npos);
    ModelLayout odd;  // 3 x 100 = 300 values: not whole q8_0 blocks of 32
    appendLayers(odd, fullLayer(3, 3, 100, 100), 2);
    const auto rows = llamaCppCache(odd, DType::q8_0, LlamaCppOptions{}, 1024, 1);
    ASSERT_FALSE(rows.ok());
    EXPECT_NE(rows.error().message.find("whole blocks of 32"), std::string::npos) << rows.error().message;
    ModelLayout minimax;
    appendLayers(minimax, fullLayer(8, 8, 64, 64));
    minimax.hints.llamacpp_unsupported = "no support here";
    EXPECT_EQ(llamaCppCache(minimax, DType::fp16, LlamaCppOptions{}, 1024, 1).error().field, "engine");
}
