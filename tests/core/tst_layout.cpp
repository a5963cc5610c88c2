#include <gtest/gtest.h>

#include "kvscope/estimator.h"
#include "kvscope/layout.h"
#include "kvscope/layout_bytes.h"
#include "kvscope/sweep.h"
#include "kvscope/sweep.h"
#include "kvscope/variants.h"

using namespace kvscope;

namespace {

Workload at(std::uint64_t context, std::uint32_t batch = 1, DType dtype = DType::bf16) {
    return Workload{context, batch, dtype};
}

// gpt-oss-20b as layers: 24, alternating sliding (window 128) and full, from
// sliding; 8 K/V heads of 64.
ModelLayout gptOss20b() {
    ModelLayout layout;
    for (int i = 0; i < 12; ++i) {
        appendLayers(layout, slidingLayer(64, 8, 64, 64, 128));
        appendLayers(layout, fullLayer(64, 8, 64, 64));
    }
    return layout;
}

}  // namespace

TEST(Layout, BlockFormatTotalsPast2To64ElementsAreExact) {
    // One full layer, 1 K/V head of 1,048,576 (K and V: 2^21 elements per
    // token), 2^20 sequences of 2^23 tokens: 2^64 elements, 2^56 int4 blocks
    // of 133 bytes = 9,583,660,007,044,415,488 bytes.
    ModelLayout layout;
    appendLayers(layout, fullLayer(1, 1, 1u << 20, 1u << 20));
    const Workload w = at(std::uint64_t{1} << 23, 1u << 20, DType::int4);
    EXPECT_EQ(layoutTotalBytes(layout, w).value(), 9'583'660'007'044'415'488u);
    // A linear layer's state counts the same way: 16 layers x 2^20 sequences
    // x 2^40 state elements = 2^64, in q4_0 (18 bytes per 32) = 2^59 x 18
    // = 10,376,293,541,461,622,784 bytes.
    ModelLayout linear;
    appendLayers(linear, linearLayer(std::uint64_t{1} << 40, DType::q4_0, 0, std::nullopt), 16);
    EXPECT_EQ(layoutTotalBytes(linear, at(1, 1u << 20)).value(), 10'376'293'541'461'622'784u);
}

TEST(Layout, ShapeLayoutMatchesBookEstimatorForManyShapes) {
    const std::uint32_t emb_dims[] = {1, 64, 768, 2048, 4096, 4544, 8192, 1u << 20};
    const std::uint32_t heads[] = {1, 7, 12, 24, 32, 71, 128, 1024};
    const std::uint32_t layers[] = {1, 12, 48, 1024};
    const std::uint64_t contexts[] = {1, 1000, 8192, 131072, Limits::max_context_length};
    const std::uint32_t batches[] = {1, 3, 64};
    int compared = 0;
    for (std::uint32_t emb : emb_dims) {
        for (std::uint32_t h : heads) {
            for (std::uint32_t g : validGroupCounts(h)) {
                for (std::uint32_t n : layers) {
                    for (std::uint64_t c : contexts) {
                        for (std::uint32_t b : batches) {
                            for (const DTypeInfo &d : allDTypes()) {
                                const ModelShape shape{emb, h, g, n, std::nullopt};
                                const Workload w{c, b, d.id};
                                // estimate() also fails when only its MHA total
                                // overflows, so compare with kvBytes() directly.
                                auto book = kvBytes(shape, w, gqaKvHeads(shape));
                                auto gqa = layoutTotalBytes(layoutFromShape(shape), w);
                                ASSERT_EQ(book.ok(), gqa.ok()) << emb << " " << h << " " << g << " " << n;
                                if (!book.ok()) {
                                    EXPECT_EQ(gqa.error().field, "context_length");
                                    continue;
                                }
                                ASSERT_EQ(*gqa, *book);
                                auto full = estimate(shape, w);
                                if (full.ok()) {
                                    EXPECT_EQ(*gqa, full->gqa_bytes);
                                    EXPECT_EQ(layoutBytesPerToken(layoutFromShape(shape), w).value(),
                                              full->gqa_bytes_per_token);
                                    EXPECT_EQ(layoutTotalBytes(asMha(layoutFromShape(shape)), w).value(),
                                              full->mha_bytes);
                                }
                                ++compared;
                            }
                        }
                    }
                }
            }
        }
    }
    EXPECT_GT(compared, 10000);
}

TEST(Layout, ExplicitHeadDimCarriesIntoLayout) {
    const ModelShape qwen3_4b{2560, 32, 4, 36, 128u};  // 2560 / 32 = 80, but head_dim is 128
    const ModelLayout layout = layoutFromShape(qwen3_4b);
    ASSERT_EQ(layout.groups.size(), 1u);
    EXPECT_EQ(layout.groups[0].count, 36u);
    EXPECT_EQ(layout.groups[0].spec.k_head_dim, 128u);
    EXPECT_EQ(layout.groups[0].spec.n_kv_heads, 8u);
    // 1 * 4096 * 8 * (128 + 128) * 2 B * 36
    EXPECT_EQ(layoutTotalBytes(layout, at(4096)).value(), 4096ull * 8 * 256 * 2 * 36);
}

TEST(Layout, AppendMergesIdenticalRuns) {
    ModelLayout layout;
    appendLayers(layout, fullLayer(32, 8, 128, 128), 1000);
    appendLayers(layout, fullLayer(32, 8, 128, 128), 24);
    appendLayers(layout, fullLayer(32, 8, 128, 128), 0);
    EXPECT_EQ(layout.groups.size(), 1u);
    EXPECT_EQ(layerCount(layout), 1024u);
    EXPECT_TRUE(layoutTotalBytes(layout, at(8192)).ok());
    appendLayers(layout, fullLayer(32, 8, 128, 128));
    auto too_deep = layoutTotalBytes(layout, at(8192));
    ASSERT_FALSE(too_deep.ok());
    EXPECT_EQ(too_deep.error().field, "n_layers");
}

TEST(Layout, DifferentKAndVWidths) {
    ModelLayout layout;
    appendLayers(layout, fullLayer(128, 128, 192, 128), 2);  // DeepSeek-V3 expanded to MHA
    // 10 tokens * 128 heads * (192 + 128) * 2 B * 2 layers
    EXPECT_EQ(layoutTotalBytes(layout, at(10)).value(), 10ull * 128 * 320 * 2 * 2);
}

TEST(Layout, SlidingLayerStopsGrowingAtItsWindow) {
    const ModelLayout layout = gptOss20b();
    EXPECT_EQ(layout.groups.size(), 24u);
    // Per token per layer: 8 heads * (64 + 64) * 2 B = 2048 B.
    const std::uint64_t per_layer_token = 8 * 128 * 2;
    // Below the window every layer holds every token.
    EXPECT_EQ(layoutTotalBytes(layout, at(100)).value(), 100 * per_layer_token * 24);
    EXPECT_EQ(layoutTotalBytes(layout, at(128)).value(), 128 * per_layer_token * 24);
    // Above it the 12 sliding layers hold 128 tokens, the 12 full ones all.
    EXPECT_EQ(layoutTotalBytes(layout, at(131072)).value(),
              (128 + 131072) * per_layer_token * 12);

    EXPECT_EQ(layoutBytesPerToken(layout, at(127)).value(), per_layer_token * 24);
    EXPECT_EQ(layoutBytesPerToken(layout, at(128)).value(), per_layer_token * 12);
    EXPECT_EQ(layoutBytesPerToken(layout, at(100000, 8)).value(), per_layer_token * 12);  // batch ignored
}

TEST(Layout, BreakdownPerRunAndPerKind) {
    const auto bytes = layoutBytes(gptOss20b(), at(1024, 2));
    ASSERT_TRUE(bytes.ok());
    ASSERT_EQ(bytes->groups.size(), 24u);
    EXPECT_EQ(bytes->groups[0].kind, LayerKind::Sliding);
    EXPECT_EQ(bytes->groups[0].first_layer, 0u);
    EXPECT_EQ(bytes->groups[0].bytes_per_layer, 2ull * 128 * 2048);
    EXPECT_EQ(bytes->groups[1].kind, LayerKind::Full);
    EXPECT_EQ(bytes->groups[1].first_layer, 1u);
    EXPECT_EQ(bytes->groups[1].bytes, 2ull * 1024 * 2048);
    EXPECT_EQ(bytes->of(LayerKind::Sliding).layers, 12u);
    EXPECT_EQ(bytes->of(LayerKind::Full).layers, 12u);
    EXPECT_EQ(bytes->of(LayerKind::Sliding).bytes, 12ull * 2 * 128 * 2048);
    EXPECT_EQ(bytes->of(LayerKind::Full).bytes, 12ull * 2 * 1024 * 2048);
    EXPECT_EQ(bytes->of(LayerKind::Mla).layers, 0u);
    EXPECT_EQ(bytes->total, bytes->of(LayerKind::Sliding).bytes + bytes->of(LayerKind::Full).bytes);
}

TEST(Layout, MlaCachesOneLatentPerToken) {
    ModelLayout layout;
    appendLayers(layout, mlaLayer(128, 512, 64, 192, 128), 61);  // DeepSeek-V3
    // (512 + 64) * 2 B * 61 = 70,272 B per token
    EXPECT_EQ(layoutBytesPerToken(layout, at(1)).value(), 70272u);
    EXPECT_EQ(layoutTotalBytes(layout, at(163840)).value(), 70272ull * 163840);
    EXPECT_EQ(layoutTotalBytes(layout, at(4096, 1, DType::fp8)).value(), 35136ull * 4096);
}

TEST(Layout, LinearStateNeverGrowsAndUsesItsOwnDtype) {
    ModelLayout layout;
    appendLayers(layout, linearLayer(524288, DType::fp32, 24576, std::nullopt), 3);
    appendLayers(layout, fullLayer(16, 2, 256, 256));
    // Linear: 524288 * 4 B + 24576 * 2 B = 2,146,304 B per layer, per sequence.
    const std::uint64_t linear = 3ull * 2146304;
    EXPECT_EQ(layoutTotalBytes(layout, at(1)).value(), linear + 2 * 512 * 2);
    EXPECT_EQ(layoutTotalBytes(layout, at(262144)).value(), linear + 262144ull * 2 * 512 * 2);
    // fp8 KV: the conv state follows the KV dtype, the recurrent state stays fp32.
    EXPECT_EQ(layoutTotalBytes(layout, at(1, 1, DType::fp8)).value(), 3ull * (524288 * 4 + 24576) + 1024);
    EXPECT_EQ(layoutTotalBytes(layout, at(1, 4)).value(), 4 * (linear + 2048));
    EXPECT_EQ(layoutBytesPerToken(layout, at(1)).value(), 2048u);
    EXPECT_EQ(layoutBytes(layout, at(5)).value().of(LayerKind::Linear).bytes, linear);
}

TEST(Layout, SharedLayersCostNothing) {
    ModelLayout layout;
    appendLayers(layout, fullLayer(8, 2, 256, 256), 20);
    appendLayers(layout, sharedLayer(), 10);
    const auto bytes = layoutBytes(layout, at(1000));
    ASSERT_TRUE(bytes.ok());
    EXPECT_EQ(bytes->of(LayerKind::Shared).layers, 10u);
    EXPECT_EQ(bytes->of(LayerKind::Shared).bytes, 0u);
    EXPECT_EQ(bytes->total, 20ull * 1000 * 2 * 512 * 2);

    ModelLayout only_shared;
    appendLayers(only_shared, sharedLayer(), 4);
    EXPECT_FALSE(layoutTotalBytes(only_shared, at(1)).ok());
}

// Nemotron-H's MLP-only blocks ('-' and 'E' in hybrid_override_pattern) are
// layers of the model that hold nothing: 2 attention layers of 8 K/V heads of
// 128 and 3 MLP layers at 1,000 tokens, bf16: 2 x 1,000 x 8 x 256 x 2 bytes.
TEST(Layout, MlpLayersCountButHoldNothing) {
    ModelLayout layout;
    appendLayers(layout, fullLayer(32, 8, 128, 128), 2);
    appendLayers(layout, mlpLayer(), 3);
    EXPECT_EQ(layerCount(layout), 5u);
    EXPECT_EQ(layerCountsByKind(layout)[static_cast<std::size_t>(LayerKind::Mlp)], 3u);
    const auto bytes = layoutBytes(layout, at(1000));
    ASSERT_TRUE(bytes.ok());
    EXPECT_EQ(bytes->of(LayerKind::Mlp).layers, 3u);
    EXPECT_EQ(bytes->of(LayerKind::Mlp).bytes, 0u);
    EXPECT_EQ(bytes->total, 2ull * 1000 * 8 * 256 * 2);
    EXPECT_EQ(layoutBytesPerToken(layout, at(1000)).value(), 2ull * 8 * 256 * 2);
    EXPECT_FALSE(isAttention(LayerKind::Mlp));

    // MLP blocks alone are no model: nothing holds a cache.
    ModelLayout only_mlp;
    appendLayers(only_mlp, mlpLayer(), 4);
    const auto error = validateLayout(only_mlp);
    ASSERT_TRUE(error.has_value());
    EXPECT_EQ(error->field, "n_layers");
}

TEST(Layout, OverflowIsAnErrorNeverAWrap) {
    ModelLayout layout;
    appendLayers(layout, fullLayer(1024, 1024, 65536, 65536), 1024);
    auto bytes = layoutTotalBytes(layout, Workload{Limits::max_context_length, Limits::max_batch_size, DType::fp32});
    ASSERT_FALSE(bytes.ok());
    EXPECT_EQ(bytes.error().field, "context_length");

    ModelLayout linear;
    appendLayers(linear, linearLayer(kMaxStateElems, DType::fp32, kMaxStateElems, DType::fp32), 1024);
    EXPECT_FALSE(layoutTotalBytes(linear, Workload{1, Limits::max_batch_size, DType::fp32}).ok());
    // One sequence: 1024 * 2^40 elements * 4 B, twice = 2^53 B: fits.
    EXPECT_EQ(layoutTotalBytes(linear, Workload{1, 1, DType::fp32}).value(), std::uint64_t{1} << 53);
}

TEST(Layout, InvalidLayersNameFieldAndLayer) {
    ModelLayout layout;
    appendLayers(layout, fullLayer(32, 8, 128, 128), 3);
    appendLayers(layout, slidingLayer(32, 8, 128, 128, 0));
    auto bytes = layoutTotalBytes(layout, at(10));
    ASSERT_FALSE(bytes.ok());
    EXPECT_EQ(bytes.error().field, "window");
    EXPECT_NE(bytes.error().message.find("layer 3"), std::string::npos) << bytes.error().message;

    ModelLayout heads;
    appendLayers(heads, fullLayer(8, 16, 128, 128));
    EXPECT_EQ(layoutTotalBytes(heads, at(10)).error().field, "n_kv_heads");

    EXPECT_EQ(layoutTotalBytes(ModelLayout{}, at(10)).error().field, "n_layers");
    EXPECT_EQ(layoutTotalBytes(gptOss20b(), at(0)).error().field, "context_length");
    EXPECT_EQ(layoutTotalBytes(gptOss20b(), Workload{1, 0, DType::bf16}).error().field, "batch_size");
}

TEST(Layout, ContextSweepForTheChart) {
    const auto lengths = seedContextLengths();
    auto points = layoutContextSweep(gptOss20b(), at(1), lengths);
    ASSERT_TRUE(points.ok());
    ASSERT_EQ(points->size(), lengths.size());
    for (std::size_t i = 0; i < lengths.size(); ++i) {
        EXPECT_EQ((*points)[i].context_length, lengths[i]);
        EXPECT_EQ((*points)[i].bytes, layoutTotalBytes(gptOss20b(), at(lengths[i])).value());
    }
    const std::uint64_t bad[] = {256, 0};
    EXPECT_FALSE(layoutContextSweep(gptOss20b(), at(1), bad).ok());
}

TEST(Layout, ContextSweepEndsWhereTotalsStopFittingSixtyFourBits) {
    // The book's shape as a layout: the same curve as contextSweep(), which
    // stops one point early when 4-byte elements reach 2^64 at 2^31 tokens.
    ModelShape shape{1, 1, 1, 1024, std::nullopt};
    Workload workload{1, 1u << 20, DType::fp32};
    const auto lengths = chartContextLengths(std::uint64_t{1} << 31);
    auto points = layoutContextSweep(layoutFromShape(shape), workload, lengths);
    ASSERT_TRUE(points.ok());
    EXPECT_EQ(points->size(), lengths.size() - 1);
    EXPECT_EQ(points->back().context_length, std::uint64_t{1} << 30);
    EXPECT_EQ(points->size(), contextSweep(shape, workload, lengths)->size());

    const std::uint64_t longest[] = {std::uint64_t{1} << 31};
    EXPECT_FALSE(layoutContextSweep(layoutFromShape(shape), workload, longest).ok());
}

TEST(Layout, KindNames) {
    EXPECT_EQ(layerKindName(LayerKind::Full), "full");
    EXPECT_EQ(layerKindName(LayerKind::Sliding), "sliding");
    EXPECT_EQ(layerKindName(LayerKind::Mla), "mla");
    EXPECT_EQ(layerKindName(LayerKind::Linear), "linear");
    EXPECT_EQ(layerKindName(LayerKind::Shared), "shared");
    EXPECT_EQ(layerKindName(LayerKind::Mlp), "mlp");
    EXPECT_EQ(parseLayerKind("mlp"), LayerKind::Mlp);
}
