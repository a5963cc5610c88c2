#include <gtest/gtest.h>

#include "kvscope/estimator.h"
#include "kvscope/format.h"
#include "kvscope/sweep.h"

using namespace kvscope;

TEST(Sweep, SeedContextLengths) {
    const std::vector<std::uint64_t> expected{256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536, 131072};
    EXPECT_EQ(seedContextLengths(), expected);
}

TEST(Sweep, PowerOfTwoRangeRoundsInward) {
    EXPECT_EQ(powerOfTwoContexts(300, 2000), (std::vector<std::uint64_t>{512, 1024}));
    EXPECT_EQ(powerOfTwoContexts(1, 4), (std::vector<std::uint64_t>{1, 2, 4}));
    EXPECT_TRUE(powerOfTwoContexts(5, 7).empty());
    EXPECT_EQ(powerOfTwoContexts(std::uint64_t{1} << 63, UINT64_MAX).size(), 1u);
}

TEST(Sweep, ValidGroupCountsAreTheDivisors) {
    EXPECT_EQ(validGroupCounts(24), (std::vector<std::uint32_t>{1, 2, 3, 4, 6, 8, 12, 24}));
    EXPECT_EQ(validGroupCounts(32), (std::vector<std::uint32_t>{1, 2, 4, 8, 16, 32}));
    EXPECT_EQ(validGroupCounts(1), (std::vector<std::uint32_t>{1}));
    EXPECT_EQ(validGroupCounts(7), (std::vector<std::uint32_t>{1, 7}));
    EXPECT_EQ(validGroupCounts(36), (std::vector<std::uint32_t>{1, 2, 3, 4, 6, 9, 12, 18, 36}));
    EXPECT_EQ(validGroupCounts(1024).size(), 11u);
}

TEST(Sweep, NearestValidGroupCount) {
    EXPECT_EQ(nearestValidGroupCount(24, 4), 4u);
    EXPECT_EQ(nearestValidGroupCount(24, 5), 4u);   // tie between 4 and 6: the smaller
    EXPECT_EQ(nearestValidGroupCount(24, 7), 6u);   // tie between 6 and 8: the smaller
    EXPECT_EQ(nearestValidGroupCount(7, 4), 1u);    // 1 and 7 are 3 away: the smaller
    EXPECT_EQ(nearestValidGroupCount(7, 5), 7u);
    EXPECT_EQ(nearestValidGroupCount(32, 100), 32u);
}

TEST(Sweep, ContextSweepMatchesTheSeedFigure) {
    const auto lengths = seedContextLengths();
    const std::uint32_t extra[] = {8, 12, 24};
    auto points = contextSweep(ModelShape{}, Workload{}, lengths, extra);
    ASSERT_TRUE(points.ok());
    ASSERT_EQ(points->size(), 10u);
    const ContextPoint &last = points->back();
    EXPECT_EQ(last.context_length, 131072u);
    EXPECT_EQ(formatGB(last.mha_bytes), "51.94 GB");
    EXPECT_EQ(formatGB(last.gqa_bytes), "12.99 GB");
    ASSERT_EQ(last.extra_gqa_bytes.size(), 3u);
    EXPECT_EQ(last.extra_gqa_bytes[0], last.mha_bytes / 8);
    EXPECT_EQ(last.extra_gqa_bytes[1], last.mha_bytes / 12);
    EXPECT_EQ(last.extra_gqa_bytes[2], last.mha_bytes / 24);  // MQA
    for (const ContextPoint &p : *points) {
        EXPECT_EQ(p.mha_bytes, p.context_length * 86 * 24 * 2 * 2 * 48);
        EXPECT_EQ(p.gqa_bytes * 4, p.mha_bytes);
    }
}

TEST(Sweep, ContextSweepRejectsAnExtraGroupThatDoesNotDivide) {
    const std::uint64_t lengths[] = {1024};
    const std::uint32_t extra[] = {5};
    auto points = contextSweep(ModelShape{}, Workload{}, lengths, extra);
    ASSERT_FALSE(points.ok());
    EXPECT_EQ(points.error().field, "n_kv_groups");
}

TEST(Sweep, GroupSweepSavings) {
    auto points = groupSweep(ModelShape{}, Workload{});
    ASSERT_TRUE(points.ok());
    ASSERT_EQ(points->size(), 8u);
    EXPECT_EQ(points->front().n_kv_groups, 1u);  // MHA
    EXPECT_EQ(points->front().n_kv_heads, 24u);
    EXPECT_EQ(points->front().savings_percent, 0.0);
    EXPECT_EQ(points->back().n_kv_groups, 24u);  // MQA
    EXPECT_EQ(points->back().n_kv_heads, 1u);
    EXPECT_EQ(formatFixed2(points->back().savings_percent), "95.83");
    EXPECT_EQ(formatFixed2((*points)[3].savings_percent), "75.00");  // g = 4
    EXPECT_EQ(formatFixed2((*points)[4].savings_percent), "83.33");  // g = 6
    for (const GroupPoint &p : *points) {
        EXPECT_EQ(p.gqa_bytes, std::uint64_t{8192} * 86 * p.n_kv_heads * 2 * 2 * 48);
    }
}

TEST(Sweep, ChartContextLengthsCoverTheSeedAndBeyondTheCurrentContext) {
    EXPECT_EQ(chartContextLengths(8192), seedContextLengths());
    auto lengths = chartContextLengths(131072);
    EXPECT_EQ(lengths.back(), 262144u);
    lengths = chartContextLengths(100000);
    EXPECT_EQ(lengths.back(), 262144u);  // at least twice the current context
    lengths = chartContextLengths(std::uint64_t{1} << 31);
    EXPECT_EQ(lengths.back(), std::uint64_t{1} << 31);  // never past the largest accepted
    EXPECT_EQ(lengths.front(), 256u);
}

TEST(Sweep, ContextSweepEndsWhereTotalsStopFittingSixtyFourBits) {
    // 2^20 sequences * 1024 layers * head_dim 1 * (K and V) * 1 byte = 2^31
    // bytes per token: every accepted context (up to 2^31) fits.
    ModelShape shape{1, 1, 1, 1024, std::nullopt};
    Workload workload{1, 1u << 20, DType::int8};
    auto lengths = chartContextLengths(std::uint64_t{1} << 31);
    auto points = contextSweep(shape, workload, lengths);
    ASSERT_TRUE(points.ok());
    EXPECT_EQ(points->size(), lengths.size());

    // With 4-byte elements the total reaches 2^64 at 2^31 tokens: the curve
    // stops one point earlier instead of failing.
    workload.dtype = DType::fp32;
    points = contextSweep(shape, workload, lengths);
    ASSERT_TRUE(points.ok());
    EXPECT_EQ(points->size(), lengths.size() - 1);
    EXPECT_EQ(points->back().context_length, std::uint64_t{1} << 30);

    // Not even the first length fits: an error naming the problem.
    const std::uint64_t longest[] = {std::uint64_t{1} << 31};
    points = contextSweep(shape, workload, longest);
    ASSERT_FALSE(points.ok());
    EXPECT_NE(points.error().message.find("64 bits"), std::string::npos);
}
