#include <gtest/gtest.h>

#include <vector>

#include "kvscope/compare.h"
#include "kvscope/layout.h"

using namespace kvscope;

namespace {

constexpr std::uint64_t kGiB = std::uint64_t{1} << 30;

CompareModel uniform(const std::string &name, std::uint32_t layers, std::uint32_t heads, std::uint32_t kv_heads,
                     std::uint32_t head_dim) {
    CompareModel model;
    model.name = name;
    appendLayers(model.layout, fullLayer(heads, kv_heads, head_dim, head_dim), layers);
    return model;
}

// Llama 3.1 8B: 32 layers, 8 K/V heads of 128. Qwen3 8B: 36 layers, 8 K/V heads of 128.
CompareModel llama31_8b() { return uniform("Llama 3.1 8B", 32, 32, 8, 128); }
CompareModel qwen3_8b() { return uniform("Qwen3 8B", 36, 32, 8, 128); }

}  // namespace

// 2 (K and V) x layers x K/V heads x head_dim x context x batch x bytes per element.
TEST(Compare, EveryModelAtTheSameWorkload) {
    CompareBase base;
    base.workload = Workload{32768, 2, DType::bf16};
    const std::vector<CompareModel> models{llama31_8b(), qwen3_8b()};
    const auto rows = compareModels(base, models);
    ASSERT_TRUE(rows.ok()) << rows.error().message;
    ASSERT_EQ(rows->size(), 2u);
    EXPECT_EQ((*rows)[0].name, "Llama 3.1 8B");
    EXPECT_EQ((*rows)[0].layers, "32 full");
    EXPECT_EQ((*rows)[0].kv_bytes, 2ull * 32 * 8 * 128 * 32768 * 2 * 2);  // 8,589,934,592
    EXPECT_EQ((*rows)[0].kv_bytes_per_token, 2ull * 32 * 8 * 128 * 2);   // 131,072
    EXPECT_EQ((*rows)[1].name, "Qwen3 8B");
    EXPECT_EQ((*rows)[1].kv_bytes, 2ull * 36 * 8 * 128 * 32768 * 2 * 2);  // 9,663,676,416
    EXPECT_EQ((*rows)[1].kv_bytes_per_token, 2ull * 36 * 8 * 128 * 2);   // 147,456
    // Without a deployment there is nothing to fit.
    EXPECT_FALSE((*rows)[0].max_context_length);
    EXPECT_FALSE((*rows)[0].kv_bytes_per_gpu);
    EXPECT_TRUE((*rows)[0].plan_error.empty());
}

// One budget of 1 GiB per GPU for both: Llama's 16-token block is 16 x
// 131,072 = 2 MiB, 512 blocks, 511 to hand out (vLLM's null block): 8,176
// tokens, and at 1,024 tokens (64 blocks) floor(511 / 64) = 7 sequences.
// Qwen3's block is 16 x 147,456 = 2,359,296 bytes: floor(2^30 / 2,359,296)
// = 455 blocks, 454 to hand out: 7,264 tokens, floor(454 / 64) = 7.
TEST(Compare, LargestContextAndBatchOnTheSameBudget) {
    CompareBase base;
    base.workload = Workload{1024, 1, DType::bf16};
    Deployment d;
    d.kv_budget_bytes = kGiB;
    base.deployment = d;
    const std::vector<CompareModel> models{llama31_8b(), qwen3_8b()};
    const auto rows = compareModels(base, models);
    ASSERT_TRUE(rows.ok()) << rows.error().message;
    ASSERT_TRUE((*rows)[0].max_context_length && (*rows)[0].max_batch_size);
    EXPECT_EQ((*rows)[0].max_context_length->value, 511u * 16);
    EXPECT_EQ((*rows)[0].max_batch_size->value, 7u);
    ASSERT_TRUE((*rows)[1].max_context_length && (*rows)[1].max_batch_size);
    EXPECT_EQ((*rows)[1].max_context_length->value, 454u * 16);
    EXPECT_EQ((*rows)[1].max_batch_size->value, 7u);
    EXPECT_FALSE((*rows)[0].kv_bytes_per_gpu);  // one GPU
}

// Each model brings its own weights to the same GPU: 8,030,261,248 bf16
// parameters leave room on an 80 GiB GPU, 70,553,706,496 do not; without a
// parameter count the budget is unknown, and the row says so.
TEST(Compare, EachModelsOwnWeightsOnTheGpu) {
    CompareBase base;
    base.workload = Workload{8192, 1, DType::bf16};
    Deployment d;
    d.gpu_memory_bytes = 80 * kGiB;
    base.deployment = d;
    CompareModel small = llama31_8b();
    small.parameters = 8'030'261'248;
    CompareModel large = uniform("Llama 3.1 70B", 80, 64, 8, 128);
    large.parameters = 70'553'706'496;
    CompareModel unknown = qwen3_8b();
    const std::vector<CompareModel> models{small, large, unknown};
    const auto rows = compareModels(base, models);
    ASSERT_TRUE(rows.ok()) << rows.error().message;
    // floor(85,899,345,920 x 0.92) - 2 x 8,030,261,248 = 79,027,398,246 -
    // 16,060,522,496 = 62,966,875,750 bytes: 30,024 blocks of 2 MiB, 30,023
    // to hand out.
    ASSERT_TRUE((*rows)[0].max_context_length);
    EXPECT_EQ((*rows)[0].max_context_length->value, 30'023u * 16);
    EXPECT_FALSE((*rows)[1].max_context_length);
    EXPECT_EQ((*rows)[1].plan_error_field, "gpu_memory");
    EXPECT_NE((*rows)[1].plan_error.find("needs 2 GPUs"), std::string::npos) << (*rows)[1].plan_error;
    EXPECT_FALSE((*rows)[2].max_context_length);
    EXPECT_EQ((*rows)[2].plan_error_field, "parameters");
}

// Two GPUs: each holds 4 of the 8 K/V heads, half the cache; a model whose
// 5 K/V heads do not split over 2 names why.
TEST(Compare, PerGpuShareUnderTensorParallelism) {
    CompareBase base;
    base.workload = Workload{4096, 1, DType::fp16};
    Deployment d;
    d.tensor_parallel = 2;
    base.deployment = d;
    const std::vector<CompareModel> models{llama31_8b(), uniform("odd", 4, 10, 5, 64)};
    const auto rows = compareModels(base, models);
    ASSERT_TRUE(rows.ok()) << rows.error().message;
    ASSERT_TRUE((*rows)[0].kv_bytes_per_gpu);
    EXPECT_EQ(*(*rows)[0].kv_bytes_per_gpu, 2ull * 32 * 4 * 128 * 4096 * 2);
    EXPECT_FALSE((*rows)[0].max_context_length);  // no budget
    EXPECT_FALSE((*rows)[1].kv_bytes_per_gpu);
    EXPECT_EQ((*rows)[1].plan_error_field, "tensor_parallel");
}

TEST(Compare, LayerSummaryByKind) {
    ModelLayout layout;
    appendLayers(layout, slidingLayer(16, 8, 256, 256, 1024), 5);
    appendLayers(layout, fullLayer(16, 8, 256, 256), 1);
    appendLayers(layout, slidingLayer(16, 8, 256, 256, 1024), 5);
    EXPECT_EQ(layerSummary(layout), "1 full + 10 sliding");
}

// A total past 64 bits is an error naming the model, never a wrapped number.
TEST(Compare, TotalPast64BitsNamesTheModel) {
    CompareBase base;
    base.workload = Workload{Limits::max_context_length, Limits::max_batch_size, DType::fp32};
    const std::vector<CompareModel> models{uniform("huge", 1000, 128, 128, 1024)};
    const auto rows = compareModels(base, models);
    ASSERT_FALSE(rows.ok());
    EXPECT_EQ(rows.error().message.rfind("huge: ", 0), 0u) << rows.error().message;
}
