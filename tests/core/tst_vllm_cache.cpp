// vLLM's cache layout, each expected figure worked by hand from the pinned
// source (engineVersion(Engine::Vllm)): vllm/v1/kv_cache_interface.py for
// page sizes and per-request blocks, vllm/v1/core/kv_cache_utils.py for the
// groups and num_blocks, vllm/platforms/interface.py for the Mamba block size.
#include <gtest/gtest.h>

#include "kvscope/engine.h"
#include "kvscope/layout_bytes.h"
#include "kvscope/plan.h"
#include "kvscope/vllm_cache.h"
#include "model_layouts.h"

using namespace kvscope;
using namespace kvscope::test;

namespace {

constexpr std::uint64_t kGiB = std::uint64_t{1} << 30;

EngineSetup onH100() {
    EngineSetup setup;
    setup.gpu_arch = GpuArch::Hopper;
    setup.gpu_memory_bytes = 80 * kGiB;
    return setup;
}

VllmCache cacheOf(const ModelLayout &layout, DType kv = DType::bf16, const EngineSetup &setup = {},
                  std::uint32_t block_size = 0) {
    const auto cache = vllmCache(engineLayout(layout, setup), kv, setup, block_size);
    EXPECT_TRUE(cache.ok()) << cache.error().message;
    return cache.ok() ? *cache : VllmCache{};
}

std::uint64_t blocksOn(const VllmCache &cache, std::uint64_t budget) { return budget / cache.block_bytes; }

}  // namespace

// Gemma 3 27B, bf16: 16 K/V heads x (128 + 128) x 2 bytes = 8,192 bytes a
// token per layer, a page of 16 tokens = 131,072 bytes. 10 full and 52
// sliding layers: group_size = 10 (52 >= 1.5 x 10), so 1 full group and
// cdiv(52, 10) = 6 sliding groups, 6 x 10 - 52 = 8 padding slots. A block id
// is one page in each of the 10 slots: 1,310,720 bytes; 20 GiB holds
// 21,474,836,480 / 1,310,720 = 16,384 of them.
TEST(VllmCache, Gemma3GroupsItsSlidingLayers) {
    const VllmCache cache = cacheOf(gemma3_27b());
    EXPECT_EQ(cache.grouping, VllmCache::Grouping::Hybrid);
    EXPECT_EQ(cache.block_size, 16u);
    EXPECT_EQ(cache.group_size, 10u);
    ASSERT_EQ(cache.groups.size(), 7u);
    EXPECT_EQ(cache.groups[0].kind, LayerKind::Sliding);  // vLLM meets a sliding layer first
    EXPECT_EQ(cache.groups[6].kind, LayerKind::Full);
    std::uint32_t padding = 0;
    for (const VllmGroup &g : cache.groups) {
        padding += g.padding;
        EXPECT_EQ(g.page_bytes, 131'072u);
    }
    EXPECT_EQ(padding, 8u);
    EXPECT_EQ(cache.block_bytes, 1'310'720u);
    EXPECT_EQ(blocksOn(cache, 20 * kGiB), 16'384u);
    EXPECT_EQ(vllmGroupingText(cache), "vLLM: 62 layers in 7 groups of 10, 8 padding; blocks of 16 tokens");
}

// A request of 32,768 tokens: the full group holds cdiv(32768, 16) = 2,048
// blocks; each sliding group cdiv(min(1024 - 1 + T, 32768), 16) + 1, where T
// = 2 x max_num_batched_tokens in flight (async scheduling). With no GPU
// known vllm serve defaults to 2,048 tokens a step: cdiv(5,119, 16) + 1 = 321;
// on an H100 (80 GiB >= 70 GiB) to 8,192: cdiv(17,407, 16) + 1 = 1,089.
TEST(VllmCache, SlidingGroupsReserveTheWindowAndTheTokensInFlight) {
    const VllmCache unknown_gpu = cacheOf(gemma3_27b());
    EXPECT_EQ(unknown_gpu.in_flight_tokens, 4096u);
    EXPECT_EQ(vllmBlocksPerRequest(unknown_gpu, 32768), 2048u + 6 * 321);
    const VllmCache h100 = cacheOf(gemma3_27b(), DType::bf16, onH100());
    EXPECT_EQ(h100.in_flight_tokens, 16384u);
    EXPECT_EQ(vllmBlocksPerRequest(h100, 32768), 2048u + 6 * 1089);
    // Without async scheduling one batch is in flight: cdiv(9,215, 16) + 1 = 577.
    EngineSetup sync = onH100();
    sync.vllm.async_scheduling = false;
    EXPECT_EQ(vllmBlocksPerRequest(cacheOf(gemma3_27b(), DType::bf16, sync), 32768), 2048u + 6 * 577);
    // A short request never reserves more than its own length: cdiv(100, 16) + 1 = 8.
    EXPECT_EQ(vllmBlocksPerRequest(h100, 100), 7u + 6 * 8);
}

// gpt-oss-120b: 8 K/V heads x (64 + 64) x 2 = 2,048 bytes a token per layer,
// pages of 32,768 bytes; 18 sliding and 18 full layers make two groups of 18:
// 589,824 bytes a block, 20 GiB / 589,824 = 36,408.9 -> 36,408 blocks.
TEST(VllmCache, GptOssMakesTwoGroupsOfEighteen) {
    const VllmCache cache = cacheOf(gptOss120b());
    EXPECT_EQ(cache.group_size, 18u);
    ASSERT_EQ(cache.groups.size(), 2u);
    EXPECT_EQ(cache.block_bytes, 589'824u);
    EXPECT_EQ(blocksOn(cache, 20 * kGiB), 36'408u);
    // 131,072 tokens: cdiv(131072, 16) = 8,192 full blocks, and
    // cdiv(min(127 + 4,096, 131,072), 16) + 1 = 265 sliding ones.
    EXPECT_EQ(vllmBlocksPerRequest(cache, 131072), 8192u + 265);
}

// Qwen3-Next in bf16: the attention page is 2 K/V heads x 512 x 2 = 2,048
// bytes a token; a Gated DeltaNet layer keeps (2 x 16 x 128 + 32 x 128) x 3 =
// 24,576 conv and 32 x 128 x 128 = 524,288 SSM values, 1,097,728 bytes in the
// model dtype (bf16). Attention blocks grow to 16 x cdiv(1,097,728, 16 x
// 2,048) = 16 x 34 = 544 tokens, a page of 1,114,112 bytes, and the state's
// page is padded to it. 12 attention and 36 DeltaNet layers: 4 groups of 12,
// 13,369,344 bytes a block; 40 GiB = 42,949,672,960 / 13,369,344 = 3,212.
TEST(VllmCache, Qwen3NextGrowsItsBlocksToHoldAState) {
    const VllmCache cache = cacheOf(qwen3Next80b());
    EXPECT_EQ(cache.mamba_state_bytes, 1'097'728u);
    EXPECT_EQ(cache.block_size, 544u);
    EXPECT_EQ(cache.group_size, 12u);
    ASSERT_EQ(cache.groups.size(), 4u);
    for (const VllmGroup &g : cache.groups) EXPECT_EQ(g.page_bytes, 1'114'112u);
    EXPECT_EQ(cache.block_bytes, 13'369'344u);
    EXPECT_EQ(blocksOn(cache, 40 * kGiB), 3'212u);
    // Prefix caching ("align" mode): 2 state blocks per DeltaNet group.
    EXPECT_TRUE(cache.mamba_align_mode);
    EXPECT_EQ(vllmBlocksPerRequest(cache, 32768), 61u + 3 * 2);  // cdiv(32768, 544) = 61
    EngineSetup no_prefix;
    no_prefix.vllm.prefix_caching = false;
    EXPECT_EQ(vllmBlocksPerRequest(cacheOf(qwen3Next80b(), DType::bf16, no_prefix), 32768), 61u + 3);
    EXPECT_EQ(vllmGroupingText(cache), "vLLM: 48 layers in 4 groups of 12, 0 padding; blocks of 544 tokens (grown so a "
                                       "page holds a 1,097,728-byte state)");
}

// The state dtype follows vLLM, not the KV cache: an fp8 cache leaves it in
// bf16; --mamba-ssm-cache-dtype float32 makes the SSM state 2,097,152 bytes,
// 2,146,304 with the conv state, so blocks of 16 x cdiv(2,146,304, 32,768) =
// 16 x 66 = 1,056 tokens.
TEST(VllmCache, StateDtypesAreVllmsNotTheKvCaches) {
    const ModelLayout stored = engineLayout(qwen3Next80b(), EngineSetup{});
    const LayerSpec &deltanet = stored.groups.front().spec;
    EXPECT_EQ(deltanet.conv_state_dtype, DType::bf16);
    EXPECT_EQ(deltanet.recurrent_state_dtype, DType::bf16);
    // fp8 attention: 1,024 bytes a token, so 16 x cdiv(1,097,728, 16,384) = 1,072.
    EXPECT_EQ(cacheOf(qwen3Next80b(), DType::fp8).block_size, 1072u);
    EngineSetup fp32_ssm;
    fp32_ssm.vllm.mamba_ssm_cache_dtype = DType::fp32;
    const VllmCache cache = cacheOf(qwen3Next80b(), DType::bf16, fp32_ssm);
    EXPECT_EQ(cache.mamba_state_bytes, 2'146'304u);
    EXPECT_EQ(cache.block_size, 1056u);
    // A model that fixes its SSM dtype (Nemotron-H's mamba_ssm_cache_dtype)
    // keeps it unless the flag says otherwise.
    ModelLayout fixed = qwen3Next80b();
    for (LayerGroup &g : fixed.groups) {
        if (g.spec.kind == LayerKind::Linear) g.spec.recurrent_state_dtype = DType::fp32;
    }
    EXPECT_EQ(cacheOf(fixed).mamba_state_bytes, 2'146'304u);
    EngineSetup bf16_ssm;
    bf16_ssm.vllm.mamba_ssm_cache_dtype = DType::bf16;
    EXPECT_EQ(cacheOf(fixed, DType::bf16, bf16_ssm).mamba_state_bytes, 1'097'728u);
}

// Under tensor parallel 2 every GPU holds 1 K/V head (1,024 bytes a token)
// and half of each state: 4,096 conv channels x 3 and 16 x 128 x 128, in bf16
// 548,864 bytes; 16 x cdiv(548,864, 16,384) = 544 tokens again.
TEST(VllmCache, Qwen3NextUnderTensorParallel) {
    const auto per_gpu = layoutPerGpu(qwen3Next80b(), 2);
    ASSERT_TRUE(per_gpu.ok()) << per_gpu.error().message;
    const VllmCache cache = cacheOf(*per_gpu);
    EXPECT_EQ(cache.mamba_state_bytes, 548'864u);
    EXPECT_EQ(cache.block_size, 544u);
    EXPECT_EQ(cache.groups.front().page_bytes, 544u * 1024);
}

// Jamba: 8 K/V heads x 256 x 2 = 4,096 attention bytes a token; a Mamba
// layer keeps 8,192 x 3 conv and 8,192 x 16 SSM values, 311,296 bytes in bf16:
// 16 x cdiv(311,296, 65,536) = 80-token blocks, pages of 327,680 bytes.
// 4 attention and 28 Mamba layers: 8 groups of 4.
TEST(VllmCache, JambaAlignsItsBlocksToMamba) {
    const VllmCache cache = cacheOf(jambaV01());
    EXPECT_EQ(cache.mamba_state_bytes, 311'296u);
    EXPECT_EQ(cache.block_size, 80u);
    EXPECT_EQ(cache.group_size, 4u);
    EXPECT_EQ(cache.groups.size(), 8u);
    EXPECT_EQ(cache.block_bytes, 4u * 327'680);
    EXPECT_EQ(vllmBlocksPerRequest(cache, 8192), 103u + 7 * 2);  // cdiv(8192, 80) = 103
}

// Llama 4's chunked attention turns the hybrid manager off
// (vllm/config/vllm.py), so its chunked layers are held as full attention:
// one group of 48 layers of 8 x 256 x 2 = 4,096 bytes a token.
TEST(VllmCache, ChunkedAttentionIsHeldWhole) {
    const VllmCache cache = cacheOf(llama4Scout());
    EXPECT_TRUE(cache.local_attention_as_full);
    EXPECT_EQ(cache.grouping, VllmCache::Grouping::UniformSpec);
    EXPECT_EQ(cache.block_bytes, 48u * 16 * 4096);
    EXPECT_EQ(vllmBlocksPerRequest(cache, 131072), 8192u);
    EXPECT_EQ(vllmGroupingText(cache),
              "vLLM: 48 layers in one group; blocks of 16 tokens; sliding and chunked layers held as full attention");
}

TEST(VllmCache, DisablingTheHybridManagerHoldsWindowsWhole) {
    EngineSetup off;
    off.vllm.disable_hybrid_kv_cache_manager = true;
    const VllmCache cache = cacheOf(gemma3_27b(), DType::bf16, off);
    EXPECT_EQ(cache.grouping, VllmCache::Grouping::UniformSpec);
    EXPECT_EQ(cache.block_bytes, 62u * 131'072);
    EXPECT_EQ(vllmBlocksPerRequest(cache, 32768), 2048u);
    // A Mamba hybrid cannot run so (_promote_local_kv_cache_specs fails).
    const auto jamba = vllmCache(engineLayout(jambaV01(), off), DType::bf16, off);
    ASSERT_FALSE(jamba.ok());
    EXPECT_EQ(jamba.error().field, "engine");
    EXPECT_NE(jamba.error().message.find("hybrid KV cache manager"), std::string::npos);
}

// A model of sliding layers only is one uniform group:
// cdiv(min(4,095 + 4,096, 32,768), 16) + 1 = 513 blocks at 32,768 tokens.
TEST(VllmCache, SlidingOnlyModelsAreOneGroup) {
    ModelLayout mistral;  // Mistral 7B v0.1: sliding_window 4096 on all 32 layers
    appendLayers(mistral, slidingLayer(32, 8, 128, 128, 4096), 32);
    const VllmCache cache = cacheOf(mistral);
    EXPECT_EQ(cache.grouping, VllmCache::Grouping::UniformSpec);
    EXPECT_EQ(vllmBlocksPerRequest(cache, 32768), 513u);
}

// MLA pages hold one latent a token, no factor 2: (512 + 64) x 2 = 1,152
// bytes, 18,432 a 16-token page, 61 layers = 1,124,352 bytes a block. The
// block size is the backend's: FLASH_ATTN_MLA (16) on Hopper for 16-bit
// caches, FLASHMLA (64) for fp8, FLASHINFER_MLA (32) on Blackwell, TRITON_MLA
// (16) elsewhere.
TEST(VllmCache, MlaUsesItsBackendsBlockSize) {
    const VllmCache cache = cacheOf(deepseekV3Layers());
    EXPECT_EQ(cache.block_size, 16u);
    EXPECT_EQ(cache.block_bytes, 61u * 18'432);
    EXPECT_EQ(cacheOf(deepseekV3Layers(), DType::fp8, onH100()).block_size, 64u);
    EXPECT_EQ(cacheOf(deepseekV3Layers(), DType::bf16, onH100()).block_size, 16u);
    EngineSetup b200;
    b200.gpu_arch = GpuArch::Blackwell;
    EXPECT_EQ(cacheOf(deepseekV3Layers(), DType::bf16, b200).block_size, 32u);
    EXPECT_EQ(cacheOf(deepseekV3Layers(), DType::bf16, b200, 128).block_size, 128u);  // --block-size
    EXPECT_EQ(vllmDefaultBlockSize(onH100(), false, DType::fp8), 16u);
}

// Layers of one kind with different page sizes share one group, each with
// its own page (UniformTypeKVCacheSpecs): 2 x (8 x 256 x 2 x 16) + 2 x (4 x
// 256 x 2 x 16) = 196,608 bytes a block.
TEST(VllmCache, OneKindWithDifferentPagesIsOneGroup) {
    ModelLayout layout;
    appendLayers(layout, fullLayer(32, 8, 128, 128), 2);
    appendLayers(layout, fullLayer(32, 4, 128, 128), 2);
    const VllmCache cache = cacheOf(layout);
    EXPECT_EQ(cache.grouping, VllmCache::Grouping::UniformType);
    EXPECT_EQ(cache.block_bytes, 196'608u);
    EXPECT_EQ(vllmBlocksPerRequest(cache, 1000), 63u);
}

// Different kinds with pages in a whole ratio: the smaller page's block
// grows (unify_kv_cache_spec_page_size). Full layers of 8 K/V heads (65,536-
// byte pages) and sliding ones of 4 (32,768): sliding blocks of 32 tokens.
// Pages of no whole ratio cannot be unified: vLLM refuses.
TEST(VllmCache, PagesAreUnifiedByBlockSizeOrRefused) {
    ModelLayout layout;
    appendLayers(layout, fullLayer(32, 8, 128, 128), 2);
    appendLayers(layout, slidingLayer(32, 4, 128, 128, 512), 2);
    const VllmCache cache = cacheOf(layout);
    ASSERT_EQ(cache.groups.size(), 2u);
    EXPECT_EQ(cache.groups[1].block_size, 32u);
    EXPECT_EQ(cache.groups[1].page_bytes, 65'536u);
    EXPECT_EQ(cache.block_bytes, 2u * 65'536);
    // cdiv(1000, 16) = 63 full blocks; cdiv(min(511 + 4,096, 1,000), 32) + 1 = 33.
    EXPECT_EQ(vllmBlocksPerRequest(cache, 1000), 63u + 33);

    ModelLayout odd;
    appendLayers(odd, fullLayer(32, 3, 128, 128), 2);
    appendLayers(odd, slidingLayer(32, 2, 128, 128, 512), 2);
    const auto refused = vllmCache(odd, DType::bf16, EngineSetup{});
    ASSERT_FALSE(refused.ok());
    EXPECT_NE(refused.error().message.find("cannot be unified"), std::string::npos) << refused.error().message;
}

// int8 is vLLM's int8_per_token_head: every token of every K/V head carries
// two fp32 scales, 8 bytes, beside its 1-byte values.
TEST(VllmCache, Int8CountsItsScales) {
    ModelLayout layout;
    appendLayers(layout, fullLayer(32, 8, 128, 128), 32);
    EXPECT_EQ(cacheOf(layout, DType::int8).block_bytes, 32u * 16 * (8 * 256 + 8 * 8));
}

// A model of Mamba layers only has no attention: no block alignment, no
// prefix caching (vllm/config/model.py is_prefix_caching_supported), one
// state block per request.
TEST(VllmCache, AttentionFreeModelsHoldOneStateBlock) {
    ModelLayout mamba;  // mamba-2.8b: d_model 2560, d_inner 5120, d_state 16, d_conv 4
    appendLayers(mamba, mamba1Layer(5120, 16, 4), 64);
    const VllmCache cache = cacheOf(mamba);
    EXPECT_FALSE(cache.mamba_align_mode);
    // (5,120 x 3 + 5,120 x 16) x 2 bytes = 194,560 a layer.
    EXPECT_EQ(cache.block_bytes, 64u * 194'560);
    EXPECT_EQ(vllmBlocksPerRequest(cache, 100'000), 1u);
}

// Layers that read another layer's K/V (Gemma 3n's kv_sharing_target_layer_name)
// get no spec and no page.
TEST(VllmCache, KvSharingLayersHaveNoPage) {
    ModelLayout layout;
    appendLayers(layout, fullLayer(8, 2, 256, 256), 20);
    appendLayers(layout, sharedLayer(), 10);
    const VllmCache cache = cacheOf(layout);
    EXPECT_EQ(cache.shared_layers, 10u);
    EXPECT_EQ(cache.block_bytes, 20u * 16 * 2 * 512 * 2);
}

// Nemotron-H's MLP blocks have no Attention or Mamba module: no spec, no
// page, and they are not KV-sharing layers either. 4 attention layers of 8
// K/V heads of 128 in bf16 (16-token blocks: 16 x 8 x 256 x 2 bytes a layer).
TEST(VllmCache, MlpLayersHaveNoPage) {
    ModelLayout layout;
    appendLayers(layout, fullLayer(32, 8, 128, 128), 4);
    appendLayers(layout, mlpLayer(), 6);
    const VllmCache cache = cacheOf(layout);
    EXPECT_EQ(cache.shared_layers, 0u);
    EXPECT_EQ(cache.block_bytes, 4u * 16 * 8 * 256 * 2);
}

TEST(VllmCache, UnsupportedArchitecturesAreRefused) {
    ModelLayout minimax;
    appendLayers(minimax, lightningAttentionLayer(64, 128), 7);
    appendLayers(minimax, fullLayer(64, 8, 128, 128));
    minimax.hints.vllm_unsupported = "MiniMaxText01ForCausalLM was last supported in vLLM 0.23.0";
    const auto a = kvAllocation(minimax, DType::bf16, EngineSetup{}, 1, kGiB);
    ASSERT_FALSE(a.ok());
    EXPECT_EQ(a.error().field, "engine");
    EXPECT_EQ(a.error().message, "vLLM: MiniMaxText01ForCausalLM was last supported in vLLM 0.23.0");
}

// The capacity line as vllm/v1/core/kv_cache_utils.py
// update_kv_cache_capacity logs it.
TEST(VllmCache, CapacityLogLine) {
    EXPECT_EQ(vllmCapacityLogLine(32768, 2666.0 / 2048),
              "GPU KV cache size: 42,656 tokens, Maximum concurrency for 32,768 tokens per request: 1.30x");
}

// A state that fits an attention page of the backend's block leaves the block
// as it was: LFM2-like, 2,048 conv channels x 2 kept values in bf16 = 8,192
// bytes under a 16-token page of 8 x 128 x 2 bytes = 32,768.
TEST(VllmCache, ABlockIsOnlyGrownWhenAStateNeedsIt) {
    ModelLayout layout;
    appendLayers(layout, fullLayer(8, 8, 64, 64), 2);
    appendLayers(layout, shortConvLayer(2048, 3), 4);
    const VllmCache cache = cacheOf(layout);
    EXPECT_FALSE(cache.block_grown);
    EXPECT_EQ(cache.block_size, 16u);
    EXPECT_EQ(cache.mamba_state_bytes, 8192u);
    EXPECT_EQ(cache.groups.back().page_bytes, 16u * 2048);  // the state's page padded to the attention page
    EXPECT_EQ(vllmGroupingText(cache), "vLLM: 6 layers in 3 groups of 2, 0 padding; blocks of 16 tokens");
}
