#include <gtest/gtest.h>

#include "kvscope/estimator.h"
#include "kvscope/format.h"

using namespace kvscope;

namespace {

// SPEC.md section 1: the book's example report.
ModelShape specShape() { return ModelShape{4096, 32, 4, 32, std::nullopt}; }
Workload specWorkload() { return Workload{32768, 1, DType::bf16}; }

}  // namespace

TEST(Estimator, SpecExampleTotals) {
    auto e = estimate(specShape(), specWorkload());
    ASSERT_TRUE(e.ok()) << e.error().message;
    EXPECT_EQ(e->head_dim, 128u);
    EXPECT_EQ(e->n_kv_heads_mha, 32u);
    EXPECT_EQ(e->n_kv_heads_gqa, 8u);
    // 1 * 32768 * 128 * 32 * 2 * 2 * 32
    EXPECT_EQ(e->mha_bytes, 17'179'869'184u);
    EXPECT_EQ(e->gqa_bytes, 4'294'967'296u);
    EXPECT_EQ(formatGB(e->mha_bytes), "17.18 GB");
    EXPECT_EQ(formatGB(e->gqa_bytes), "4.29 GB");
    EXPECT_EQ(formatFixed2(e->ratio), "4.00");
    EXPECT_EQ(formatFixed2(e->savings_percent), "75.00");
}

TEST(Estimator, SeedModelAtLongestContext) {
    Workload w;  // the embedded default is the seed model
    w.context_length = 131072;
    auto e = estimate(ModelShape{}, w);
    ASSERT_TRUE(e.ok());
    EXPECT_EQ(e->mha_bytes, 51'942'260'736u);  // 131072 * 86 * 24 * 2 * 2 * 48
    EXPECT_EQ(e->gqa_bytes, 12'985'565'184u);
    EXPECT_EQ(formatGB(e->mha_bytes), "51.94 GB");
    EXPECT_EQ(formatGB(e->gqa_bytes), "12.99 GB");
}

TEST(Estimator, CeilHeadDim) {
    EXPECT_EQ(headDim(ModelShape{2048, 24, 4, 48, std::nullopt}), 86u);  // 85.33 rounds up
    EXPECT_EQ(headDim(ModelShape{4096, 32, 4, 32, std::nullopt}), 128u);
    EXPECT_EQ(headDim(ModelShape{1, 1024, 1, 1, std::nullopt}), 1u);
}

TEST(Estimator, ExplicitHeadDimOverridesDerived) {
    ModelShape qwen3{4096, 32, 4, 36, 128u};
    qwen3.emb_dim = 2560;  // Qwen3-4B: head_dim 128 although 2560 / 32 = 80
    EXPECT_EQ(headDim(qwen3), 128u);
    auto e = estimate(qwen3, Workload{1, 1, DType::bf16});
    ASSERT_TRUE(e.ok());
    EXPECT_EQ(e->gqa_bytes, 128u * 8 * 2 * 2 * 36);
}

TEST(Estimator, BytesPerTokenAreOneTokenOfOneSequence) {
    auto e = estimate(ModelShape{}, Workload{8192, 3, DType::bf16});
    ASSERT_TRUE(e.ok());
    EXPECT_EQ(e->mha_bytes_per_token, 86u * 24 * 2 * 2 * 48);
    EXPECT_EQ(e->gqa_bytes_per_token, 86u * 6 * 2 * 2 * 48);
    EXPECT_EQ(e->mha_bytes, e->mha_bytes_per_token * 8192 * 3);
}

TEST(Estimator, SavingsIsConstantAcrossContextLengths) {
    for (std::uint64_t length = 256; length <= 131072; length *= 2) {
        auto e = estimate(ModelShape{}, Workload{length, 1, DType::bf16});
        ASSERT_TRUE(e.ok());
        EXPECT_EQ(formatFixed2(e->savings_percent), "75.00") << length;
        EXPECT_EQ(e->ratio, 4.0);
    }
}

TEST(Estimator, EveryDTypeScalesBytes) {
    const std::pair<DType, std::uint64_t> sizes[] = {
        {DType::fp32, 4}, {DType::bf16, 2}, {DType::fp16, 2}, {DType::fp8, 1}, {DType::int8, 1}};
    for (auto [dtype, bytes] : sizes) {
        auto e = estimate(ModelShape{}, Workload{1, 1, dtype});
        ASSERT_TRUE(e.ok());
        EXPECT_EQ(e->mha_bytes, 86u * 24 * 2 * 48 * bytes) << dtypeName(dtype);
    }
}

TEST(Estimator, OverflowIsAnErrorNotAWrappedNumber) {
    ModelShape huge{1u << 20, 1, 1, 1024, std::nullopt};
    Workload w{std::uint64_t{1} << 31, 1u << 20, DType::fp32};
    auto e = estimate(huge, w);
    ASSERT_FALSE(e.ok());
    EXPECT_NE(e.error().message.find("64 bits"), std::string::npos);
}

TEST(Estimator, BlockFormatTotalsPast2To64ElementsAreExact) {
    // 1,048,576 sequences x 8,388,608 tokens x head_dim 1,048,576 (emb_dim /
    // 1 head) x 1 K/V head x 2 (K and V) x 1 layer = 2^20 x 2^23 x 2^20 x 2
    // = 2^64 elements: one more than 64 bits hold. int4 keeps 256 elements in
    // 133 bytes: 2^64 / 2^8 = 2^56 blocks x 133 = 9,583,660,007,044,415,488 B.
    const ModelShape shape{1u << 20, 1, 1, 1, std::nullopt};
    const Workload w{std::uint64_t{1} << 23, 1u << 20, DType::int4};
    const std::uint64_t expected = 9'583'660'007'044'415'488u;
    EXPECT_EQ(expected, (std::uint64_t{1} << 56) * 133);
    auto e = estimate(shape, w);
    ASSERT_TRUE(e.ok()) << e.error().message;
    EXPECT_EQ(e->mha_bytes, expected);
    EXPECT_EQ(e->gqa_bytes, expected);
    EXPECT_EQ(kvBytes(shape, w, 1).value(), expected);
    // q4_0, 18 bytes per 32: 2^64 / 2^5 = 2^59 blocks x 18 = 10,376,293,541,461,622,784 B.
    EXPECT_EQ(estimate(shape, Workload{w.context_length, w.batch_size, DType::q4_0})->mha_bytes,
              10'376'293'541'461'622'784u);
    // Twice the tokens: 2^57 int4 blocks x 133 = 1.9 x 10^19 B, past 2^64 - 1.
    auto twice = estimate(shape, Workload{std::uint64_t{1} << 24, 1u << 20, DType::int4});
    ASSERT_FALSE(twice.ok());
    EXPECT_NE(twice.error().message.find("64 bits"), std::string::npos);
    // 8.5 bits per element (q8_0) never fits past 2^64 elements.
    EXPECT_FALSE(estimate(shape, Workload{w.context_length, w.batch_size, DType::q8_0}).ok());
}

TEST(Estimator, BlockFormatRoundsUpThePartialBlockPast2To64Elements) {
    // 2 x 1,048,575 sequences x 2,147,483,647 tokens x head_dim 4,097 x 1
    // head x 1 layer = 18,451,230,068,263,886,850 elements (2^64 is
    // 18,446,744,073,709,551,616): 72,075,117,454,155,808 whole blocks of 256
    // and 2 elements more, so 72,075,117,454,155,809 blocks x 133 bytes
    // = 9,585,990,621,402,722,597 bytes.
    const ModelShape shape{4097, 1, 1, 1, 4097};
    const Workload w{2'147'483'647, 1'048'575, DType::int4};
    auto e = estimate(shape, w);
    ASSERT_TRUE(e.ok()) << e.error().message;
    EXPECT_EQ(e->mha_bytes, 9'585'990'621'402'722'597u);
    EXPECT_EQ(e->mha_bytes, 72'075'117'454'155'809u * 133);
}

TEST(Estimator, LargestTotalThatFitsIsExact) {
    // 2^31 tokens * 2^20 batch * head_dim 1 * 1 head * 2 * 1 byte * 1024 layers = 2^62.
    ModelShape shape{1, 1, 1, 1024, std::nullopt};
    auto e = estimate(shape, Workload{std::uint64_t{1} << 31, 1u << 20, DType::int8});
    ASSERT_TRUE(e.ok()) << e.error().message;
    EXPECT_EQ(e->mha_bytes, std::uint64_t{1} << 62);
    // Doubling the element size reaches 2^63, still exact in 64 bits.
    e = estimate(shape, Workload{std::uint64_t{1} << 31, 1u << 20, DType::fp16});
    ASSERT_TRUE(e.ok());
    EXPECT_EQ(e->mha_bytes, std::uint64_t{1} << 63);
    // Four bytes per element would be 2^64: refused.
    EXPECT_FALSE(estimate(shape, Workload{std::uint64_t{1} << 31, 1u << 20, DType::fp32}).ok());
}
