#include <gtest/gtest.h>

#include "kvscope/estimator.h"
#include "kvscope/layout_bytes.h"
#include "kvscope/sweep.h"
#include "kvscope/variants.h"

using namespace kvscope;

namespace {

Workload at(std::uint64_t context) { return Workload{context, 1, DType::bf16}; }

// Gemma 3 27B: 62 layers, every 6th full, the rest sliding over 1024 tokens;
// 32 query heads, 16 K/V heads of 128.
ModelLayout gemma3_27b() {
    ModelLayout layout;
    for (int i = 0; i < 62; ++i) {
        if ((i + 1) % 6 == 0) {
            appendLayers(layout, fullLayer(32, 16, 128, 128));
        } else {
            appendLayers(layout, slidingLayer(32, 16, 128, 128, 1024));
        }
    }
    return layout;
}

ModelLayout deepseekV3() {
    ModelLayout layout;
    appendLayers(layout, mlaLayer(128, 512, 64, 192, 128), 61);
    return layout;
}

}  // namespace

TEST(Variants, BookShapeAsMhaAndGqaMatchEstimator) {
    for (std::uint32_t heads : {1u, 12u, 24u, 32u, 71u, 128u}) {
        for (std::uint32_t g : validGroupCounts(heads)) {
            const ModelShape shape{4096, heads, g, 32, std::nullopt};
            const Workload w{32768, 2, DType::fp16};
            auto book = estimate(shape, w);
            ASSERT_TRUE(book.ok());
            const ModelLayout layout = layoutFromShape(shape);
            EXPECT_EQ(layoutTotalBytes(asMha(layout), w).value(), book->mha_bytes);
            // Any regrouping of the layout gives the book's GQA number for that group count.
            for (std::uint32_t other : validGroupCounts(heads)) {
                ModelShape regrouped = shape;
                regrouped.n_kv_groups = other;
                auto variant = asGqa(layout, other);
                ASSERT_TRUE(variant.ok());
                EXPECT_EQ(layoutTotalBytes(*variant, w).value(), estimate(regrouped, w)->gqa_bytes);
            }
            ModelShape mqa = shape;
            mqa.n_kv_groups = heads;
            EXPECT_EQ(layoutTotalBytes(asMqa(layout), w).value(), estimate(mqa, w)->gqa_bytes);
        }
    }
}

TEST(Variants, GroupCountMustDivideHeads) {
    const ModelLayout layout = layoutFromShape(ModelShape{});  // 24 heads
    auto bad = asGqa(layout, 5);
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error().field, "n_kv_groups");
    EXPECT_FALSE(asGqa(layout, 0).ok());
    EXPECT_FALSE(asGqa(layout, 48).ok());
    EXPECT_EQ(validLayoutGroupCounts(layout), validGroupCounts(24));
}

TEST(Variants, WithoutSlidingWindowCountsEveryLayerFully) {
    const ModelLayout real = gemma3_27b();
    const ModelLayout all_full = withoutSlidingWindow(real);
    ASSERT_EQ(all_full.groups.size(), 1u);  // the runs merge into one
    EXPECT_EQ(all_full.groups[0].count, 62u);
    // Per token per layer: 16 * 256 * 2 B = 8192 B.
    // Real at 131072: 52 sliding * 1024 + 10 full * 131072 tokens.
    EXPECT_EQ(layoutTotalBytes(real, at(131072)).value(), (52ull * 1024 + 10ull * 131072) * 8192);
    EXPECT_EQ(layoutTotalBytes(all_full, at(131072)).value(), 62ull * 131072 * 8192);
    // Below the window they agree.
    EXPECT_EQ(layoutTotalBytes(real, at(1024)).value(), layoutTotalBytes(all_full, at(1024)).value());
}

TEST(Variants, MlaModelAsMhaIsTheNaiveNumber) {
    const ModelLayout mla = deepseekV3();
    const ModelLayout mha = asMha(mla);
    ASSERT_EQ(mha.groups.size(), 1u);
    EXPECT_EQ(mha.groups[0].spec.kind, LayerKind::Full);
    // MHA: 128 heads * (192 + 128) * 2 B * 61 = 4,997,120 B per token, vs 70,272 for MLA.
    EXPECT_EQ(layoutBytesPerToken(mha, at(1)).value(), 4997120u);
    EXPECT_EQ(layoutBytesPerToken(mla, at(1)).value(), 70272u);
    auto gqa8 = asGqa(mla, 16);  // 8 K/V heads
    ASSERT_TRUE(gqa8.ok());
    EXPECT_EQ(layoutBytesPerToken(*gqa8, at(1)).value(), 8u * 320 * 2 * 61);
}

TEST(Variants, WithMlaAtChosenLatent) {
    const ModelLayout gqa = layoutFromShape(ModelShape{4096, 32, 4, 32, std::nullopt});
    auto mla = withMla(gqa, 512, 64);
    ASSERT_TRUE(mla.ok());
    EXPECT_EQ(layoutBytesPerToken(*mla, at(1)).value(), 576u * 2 * 32);
    auto small = withMla(gqa, 256, 0);
    ASSERT_TRUE(small.ok());
    EXPECT_EQ(layoutBytesPerToken(*small, at(1)).value(), 256u * 2 * 32);
    EXPECT_EQ(withMla(gqa, 0).error().field, "kv_lora_rank");
    // Back to MHA from the MLA variant: the original heads and widths.
    EXPECT_EQ(asMha(*mla), asMha(gqa));

    // A sliding layer keeps its window as an MLA layer.
    auto gemma = withMla(gemma3_27b(), 512);
    ASSERT_TRUE(gemma.ok());
    EXPECT_EQ(layoutTotalBytes(*gemma, at(131072)).value(), (52ull * 1024 + 10ull * 131072) * 576 * 2);
    EXPECT_EQ(layoutTotalBytes(withoutSlidingWindow(*gemma), at(131072)).value(), 62ull * 131072 * 576 * 2);
}

TEST(Variants, LinearAndSharedLayersAreKept) {
    ModelLayout layout;
    appendLayers(layout, linearLayer(1000, DType::fp32, 10, std::nullopt), 3);
    appendLayers(layout, fullLayer(16, 2, 256, 256));
    appendLayers(layout, sharedLayer(), 2);
    const ModelLayout mha = asMha(layout);
    ASSERT_EQ(mha.groups.size(), 3u);
    EXPECT_EQ(mha.groups[0], layout.groups[0]);
    EXPECT_EQ(mha.groups[1].spec.n_kv_heads, 16u);
    EXPECT_EQ(mha.groups[2], layout.groups[2]);
    EXPECT_EQ(asMqa(layout).groups[1].spec.n_kv_heads, 1u);
    EXPECT_EQ(validLayoutGroupCounts(layout), validGroupCounts(16));
}

TEST(Variants, SlidingLayersStaySlidingWhenRegrouped) {
    const ModelLayout mqa = asMqa(gemma3_27b());
    EXPECT_EQ(layerCountsByKind(mqa)[static_cast<std::size_t>(LayerKind::Sliding)], 52u);
    EXPECT_EQ(layoutTotalBytes(mqa, at(131072)).value(), (52ull * 1024 + 10ull * 131072) * 512);
}
