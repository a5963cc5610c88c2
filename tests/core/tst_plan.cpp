#include <gtest/gtest.h>

#include <algorithm>

#include "kvscope/dtype.h"
#include "kvscope/format.h"
#include "kvscope/gpu.h"
#include "kvscope/layout.h"
#include "kvscope/layout_bytes.h"
#include "kvscope/plan.h"

using namespace kvscope;

namespace {

constexpr std::uint64_t kMiB = std::uint64_t{1} << 20;
constexpr std::uint64_t kGiB = std::uint64_t{1} << 30;

ModelLayout uniform(std::uint32_t layers, std::uint32_t heads, std::uint32_t kv_heads, std::uint32_t head_dim) {
    ModelLayout layout;
    appendLayers(layout, fullLayer(heads, kv_heads, head_dim, head_dim), layers);
    return layout;
}

ModelLayout llama31_8b() { return uniform(32, 32, 8, 128); }
ModelLayout llama31_70b() { return uniform(80, 64, 8, 128); }
constexpr std::uint64_t kLlama70bParameters = 70'553'706'496;

ModelLayout deepseekV3() {
    ModelLayout layout;
    appendLayers(layout, mlaLayer(128, 512, 64, 192, 128), 61);
    return layout;
}

Deployment directBudget(std::uint64_t bytes, std::uint32_t block_size = 16) {
    Deployment d;
    d.kv_budget_bytes = bytes;
    d.block_size = block_size;
    return d;
}

Deployment onGpus(const char *gpu, std::uint32_t count, std::uint64_t parameters, DType weights = DType::bf16) {
    Deployment d;
    d.gpu_memory_bytes = findGpu(gpu)->memory_bytes;
    d.tensor_parallel = count;
    d.parameters = parameters;
    d.weights_dtype = weights;
    return d;
}

}  // namespace

// vLLM logs "# GPU blocks: 5691" and "Maximum concurrency for 8192 tokens per
// request: 11.12x" for Llama 3.1 8B in bf16 with a budget of that many blocks.
TEST(Plan, VllmParityLlama31_8B) {
    const auto p = plan(llama31_8b(), Workload{8192, 1, DType::bf16}, directBudget(5691 * 2 * kMiB));
    ASSERT_TRUE(p.ok()) << p.error().message;
    EXPECT_EQ(p->block_bytes, 2 * kMiB);
    EXPECT_EQ(p->num_blocks, 5691u);
    EXPECT_DOUBLE_EQ(p->max_concurrency, 11.115234375);
    EXPECT_EQ(formatFixed2(p->max_concurrency), "11.12");
    EXPECT_EQ(p->max_context_length.value, 5691u * 16);
    EXPECT_FALSE(p->max_context_length.at_limit);
    EXPECT_EQ(p->max_batch_size.value, 11u);  // whole sequences: floor(5691 / 512)
    EXPECT_TRUE(p->fits);
    EXPECT_EQ(p->kv_bytes, 8192u * 131072);
    EXPECT_EQ(p->kv_bytes_per_gpu, p->kv_bytes);
    EXPECT_FALSE(p->gpus_needed.has_value());  // a direct budget names no GPU
}

// llama.cpp prints the MLA cache of DeepSeek-V3 in q8_0 at 32,768 tokens as
// 1166.62 MiB: 61 layers x 576 x 32768 elements at 34 bytes per 32.
TEST(Plan, LlamaCppParityDeepSeekV3Q8_0) {
    const auto bytes = layoutTotalBytes(deepseekV3(), Workload{32768, 1, DType::q8_0});
    ASSERT_TRUE(bytes.ok());
    EXPECT_EQ(*bytes, 61u * 576 * 32768 / 32 * 34);
    EXPECT_EQ(*bytes, 1'223'294'976u);
    EXPECT_EQ(formatFixed2(divideExact(*bytes, kMiB)), "1,166.62");
}

TEST(Plan, BlockFormatsCountTheirScales) {
    EXPECT_EQ(parseDType("q8_0"), DType::q8_0);
    EXPECT_EQ(parseDType("q4_0"), DType::q4_0);
    EXPECT_EQ(parseDType("int4"), DType::int4);
    EXPECT_EQ(bytesPerElemText(DType::q8_0), "17/16");
    EXPECT_EQ(bytesPerElemText(DType::q4_0), "9/16");
    EXPECT_EQ(bytesPerElemText(DType::int4), "133/256");
    // One Llama 3.1 8B token: 32 layers x 8 heads x 128 x 2 = 65,536 elements.
    const ModelLayout model = llama31_8b();
    EXPECT_EQ(*layoutTotalBytes(model, Workload{1, 1, DType::q4_0}), 65536u / 32 * 18);
    EXPECT_EQ(*layoutTotalBytes(model, Workload{1, 1, DType::int4}), 65536u / 256 * 133);
    // A partial block is a whole block.
    EXPECT_EQ(*layoutTotalBytes(uniform(1, 1, 1, 1), Workload{1, 1, DType::q8_0}), 34u);
}

TEST(Plan, GpuPresetsCoverTheCommonCards) {
    for (const char *name : {"rtx-4090", "l40s", "a100-40gb", "a100-80gb", "h100-80gb", "h200", "b200", "mi300x"}) {
        EXPECT_NE(findGpu(name), nullptr) << name;
    }
    EXPECT_EQ(findGpu("H100")->memory_bytes, 80 * kGiB);
    EXPECT_EQ(findGpu("NVIDIA H200 141GB")->memory_bytes, 141 * kGiB);
    EXPECT_EQ(findGpu("4090")->memory_bytes, 24 * kGiB);
    EXPECT_EQ(findGpu("mi300x")->memory_bytes, 192 * kGiB);
    EXPECT_EQ(findGpu("h100-8ogb"), nullptr);
    std::uint64_t previous = 0;
    for (const GpuPreset &gpu : allGpus()) {
        EXPECT_GE(gpu.memory_bytes, previous) << gpu.name;
        previous = gpu.memory_bytes;
    }
    EXPECT_NE(gpuNameList().find("h100-80gb"), std::string::npos);
}

// The scenario: Llama 3.1 70B on 2 x H100 80GB, bf16 weights, fp8 KV.
TEST(Plan, Llama70BOnTwoH100WithFp8Kv) {
    const Deployment d = onGpus("h100-80gb", 2, kLlama70bParameters);
    const auto p = plan(llama31_70b(), Workload{8192, 1, DType::fp8}, d);
    ASSERT_TRUE(p.ok()) << p.error().message;
    const std::uint64_t usable = 80 * kGiB / 10 * 9;  // 0.9, exactly
    const std::uint64_t weights_per_gpu = kLlama70bParameters * 2 / 2;
    EXPECT_EQ(p->usable_bytes_per_gpu, usable);
    EXPECT_EQ(p->weights_bytes, kLlama70bParameters * 2);
    EXPECT_EQ(p->weights_bytes_per_gpu, weights_per_gpu);
    EXPECT_EQ(p->kv_budget_bytes, usable - weights_per_gpu);
    const std::uint64_t token_per_gpu = 80u * 4 * 128 * 2;  // 4 of 8 K/V heads, 1 byte each
    EXPECT_EQ(p->kv_heads_per_gpu, 4u);
    EXPECT_FALSE(p->kv_heads_replicated);
    EXPECT_EQ(p->block_bytes, 16 * token_per_gpu);
    EXPECT_EQ(p->num_blocks, (usable - weights_per_gpu) / (16 * token_per_gpu));
    EXPECT_EQ(p->max_context_length.value, p->num_blocks * 16);
    EXPECT_EQ(p->max_context_length.value, 82464u);
    EXPECT_EQ(p->kv_bytes_per_gpu, 8192 * token_per_gpu);
    EXPECT_EQ(p->kv_bytes, 2 * p->kv_bytes_per_gpu);
    EXPECT_EQ(p->max_batch_size.value, p->num_blocks / 512);
    EXPECT_EQ(p->gpus_needed, 2u);
}

TEST(Plan, WeightsThatLeaveNoRoomNameTheGpusNeeded) {
    const auto p = plan(llama31_70b(), Workload{8192, 1, DType::fp8}, onGpus("h100-80gb", 1, kLlama70bParameters));
    ASSERT_FALSE(p.ok());
    EXPECT_EQ(p.error().field, "gpu_memory");
    EXPECT_NE(p.error().message.find("131.42 GiB per GPU"), std::string::npos) << p.error().message;
    EXPECT_NE(p.error().message.find("72.00 GiB usable"), std::string::npos) << p.error().message;
    EXPECT_TRUE(p.error().message.ends_with("; needs 2 GPUs")) << p.error().message;
    EXPECT_EQ(gpusNeededClause(1), "; needs 1 GPU");
}

TEST(Plan, BudgetBelowOneBlockIsAClearError) {
    const auto p = plan(llama31_8b(), Workload{8192, 1, DType::bf16}, directBudget(2 * kMiB - 1));
    ASSERT_FALSE(p.ok());
    EXPECT_EQ(p.error().field, "kv_budget_bytes");
    EXPECT_NE(p.error().message.find("does not hold one block of 16 tokens"), std::string::npos);
    EXPECT_NE(p.error().message.find("2,097,152 bytes"), std::string::npos) << p.error().message;
    // Exactly one block: one sequence of up to 16 tokens.
    const auto one = plan(llama31_8b(), Workload{16, 1, DType::bf16}, directBudget(2 * kMiB));
    ASSERT_TRUE(one.ok());
    EXPECT_EQ(one->num_blocks, 1u);
    EXPECT_EQ(one->max_context_length.value, 16u);
    EXPECT_EQ(one->max_batch_size.value, 1u);
}

TEST(Plan, WorkloadBeyondTheBudgetDoesNotFitButSolversStillAnswer) {
    const auto p = plan(llama31_8b(), Workload{131072, 4, DType::bf16}, directBudget(1000 * 2 * kMiB));
    ASSERT_TRUE(p.ok());
    EXPECT_FALSE(p->fits);
    EXPECT_EQ(p->max_batch_size.value, 0u);  // not even one 131,072-token sequence
    EXPECT_EQ(p->max_context_length.value, 1000u / 4 * 16);
}

// Gemma 3 27B's shape: 52 sliding layers (window 1024) and 10 full ones, 16
// K/V heads of 128. One sequence of 32,768 tokens holds 52 x 1,024 + 10 x
// 32,768 = 380,928 layer-tokens of 8,192 bytes (bf16), not 62 x 32,768.
TEST(Plan, ConcurrencyCountsSlidingLayersAtTheirWindow) {
    ModelLayout gemma;
    for (int i = 0; i < 10; ++i) {
        appendLayers(gemma, slidingLayer(32, 16, 128, 128, 1024), 5);
        appendLayers(gemma, fullLayer(32, 16, 128, 128), 1);
    }
    appendLayers(gemma, slidingLayer(32, 16, 128, 128, 1024), 2);
    const std::uint64_t blockBytes = 62u * 16 * 8192;
    const auto p = plan(gemma, Workload{32768, 1, DType::bf16}, directBudget(1000 * blockBytes));
    ASSERT_TRUE(p.ok()) << p.error().message;
    EXPECT_EQ(p->block_bytes, blockBytes);
    EXPECT_EQ(p->num_blocks, 1000u);
    EXPECT_EQ(p->kv_bytes_per_gpu, 380'928u * 8192);
    // 1000 blocks of 62 x 16 layer-tokens over 380,928 layer-tokens: 2.604...
    EXPECT_DOUBLE_EQ(p->max_concurrency, 1000.0 * 62 * 16 / 380'928);
    // The exact solver agrees: two whole sequences fit, three do not.
    EXPECT_EQ(p->max_batch_size.value, 2u);
    // The plain formula would say 1000 x 16 / 32,768 = 0.49: not even one.
    EXPECT_GT(p->max_concurrency, 1000.0 * 16 / 32768 * 5);
    // A model without windows keeps vLLM's formula exactly, also when the
    // context is not a whole number of blocks.
    const auto llama = plan(llama31_8b(), Workload{8000, 1, DType::bf16}, directBudget(5691 * 2 * kMiB));
    ASSERT_TRUE(llama.ok());
    EXPECT_DOUBLE_EQ(llama->max_concurrency, 5691.0 * 16 / 8000);
}

TEST(Plan, UtilizationIsExact) {
    Deployment d = onGpus("h100-80gb", 1, 0);
    d.utilization_ppm = 925'000;
    const auto p = plan(llama31_8b(), Workload{8192, 1, DType::bf16}, d);
    ASSERT_TRUE(p.ok());
    EXPECT_EQ(p->usable_bytes_per_gpu, 80 * kGiB * 925 / 1000);
    d.gpu_memory_bytes = 999'999;  // below 10^6: only the remainder term
    d.utilization_ppm = 500'000;
    d.kv_budget_bytes.reset();
    const auto small = plan(uniform(1, 1, 1, 1), Workload{1, 1, DType::fp32}, d);
    ASSERT_TRUE(small.ok()) << small.error().message;
    EXPECT_EQ(small->usable_bytes_per_gpu, 499'999u);
}

TEST(Plan, TensorParallelSplitsHeadsAndReplicatesWhenFewer) {
    const ModelLayout model = llama31_70b();  // 64 query heads, 8 K/V heads
    EXPECT_FALSE(validateTensorParallel(model, 8).has_value());
    EXPECT_FALSE(validateTensorParallel(model, 16).has_value());
    const auto three = validateTensorParallel(model, 3);
    ASSERT_TRUE(three.has_value());
    EXPECT_EQ(three->field, "tensor_parallel");
    EXPECT_NE(three->message.find("valid counts: 1, 2, 4, 8, 16, 32, 64"), std::string::npos) << three->message;

    EXPECT_EQ(validTensorParallelCounts(model), (std::vector<std::uint32_t>{1, 2, 4, 8, 16, 32, 64}));
    EXPECT_EQ(validTensorParallelCounts(model, 10), (std::vector<std::uint32_t>{1, 2, 4, 8}));
    // The seed model: 24 query heads, 6 K/V heads.
    EXPECT_EQ(validTensorParallelCounts(uniform(48, 24, 6, 86)), (std::vector<std::uint32_t>{1, 2, 3, 6, 12, 24}));
    ModelLayout linear_only;
    appendLayers(linear_only, linearLayer(64, DType::fp32, 8, std::nullopt), 4);
    EXPECT_EQ(validTensorParallelCounts(linear_only, 5).size(), 5u);
    for (std::uint32_t n = 1; n <= PlanLimits::max_tensor_parallel; ++n) {
        const auto counts = validTensorParallelCounts(model);
        EXPECT_EQ(!validateTensorParallel(model, n).has_value(), std::ranges::count(counts, n) == 1) << n;
    }

    const auto sixteen = layoutPerGpu(model, 16);
    ASSERT_TRUE(sixteen.ok());
    EXPECT_EQ(sixteen->groups.front().spec.n_kv_heads, 1u);  // a replica of one head each
    EXPECT_EQ(sixteen->groups.front().spec.n_heads, 4u);
    const auto p = plan(model, Workload{8192, 1, DType::fp8}, onGpus("h100-80gb", 16, kLlama70bParameters));
    ASSERT_TRUE(p.ok());
    EXPECT_TRUE(p->kv_heads_replicated);
    EXPECT_EQ(p->kv_heads_per_gpu, 1u);
    EXPECT_EQ(p->kv_bytes_per_gpu, 8192u * 80 * 1 * 128 * 2);
    EXPECT_EQ(p->weights_bytes_per_gpu, kLlama70bParameters * 2 / 16);

    EXPECT_EQ(kvHeadsPerGpu(8, 2), 4u);
    EXPECT_EQ(kvHeadsPerGpu(8, 8), 1u);
    EXPECT_EQ(kvHeadsPerGpu(2, 8), 1u);
    EXPECT_EQ(kvHeadsPerGpu(1, 4), 1u);
}

TEST(Plan, MlaLatentIsNotSplitAndLinearStateIs) {
    const ModelLayout mla = deepseekV3();
    const auto per_gpu = layoutPerGpu(mla, 8);
    ASSERT_TRUE(per_gpu.ok());
    const Workload w{32768, 1, DType::bf16};
    EXPECT_EQ(*layoutTotalBytes(*per_gpu, w), *layoutTotalBytes(mla, w));
    EXPECT_TRUE(validateTensorParallel(mla, 3).has_value());  // 128 query heads

    ModelLayout hybrid;
    appendLayers(hybrid, linearLayer(1000, DType::fp32, 10, std::nullopt), 3);
    appendLayers(hybrid, fullLayer(16, 2, 256, 256));
    const auto split = layoutPerGpu(hybrid, 4);
    ASSERT_TRUE(split.ok());
    EXPECT_EQ(split->groups[0].spec.recurrent_state_elems, 250u);
    EXPECT_EQ(split->groups[0].spec.conv_state_elems, 3u);  // 10 / 4, rounded up
    EXPECT_EQ(split->groups[1].spec.n_kv_heads, 1u);
}

TEST(Plan, DeploymentValidationNamesFieldAndRange) {
    const ModelLayout model = llama31_8b();
    const Workload w{8192, 1, DType::bf16};
    auto errorOf = [&](const Deployment &d) {
        const auto p = plan(model, w, d);
        return p.ok() ? InputError{} : p.error();
    };
    Deployment d = directBudget(kGiB);
    d.block_size = 12;
    EXPECT_EQ(errorOf(d).field, "block_size");
    EXPECT_EQ(errorOf(d).message, "block_size must be a power of two from 1 to 1,024 (got 12)");
    d.block_size = 2048;
    EXPECT_EQ(errorOf(d).field, "block_size");
    d.block_size = 0;
    EXPECT_EQ(errorOf(d).field, "block_size");
    d = directBudget(kGiB);
    d.tensor_parallel = 0;
    EXPECT_EQ(errorOf(d).message, "tensor_parallel must be a whole number from 1 to 1,024 (got 0)");
    d = directBudget(0);
    EXPECT_EQ(errorOf(d).field, "kv_budget_bytes");
    d = onGpus("h100-80gb", 1, 0);
    d.utilization_ppm = 0;
    EXPECT_EQ(errorOf(d).message, "gpu_utilization must be above 0 and at most 1 (got 0)");
    d.utilization_ppm = 1'000'001;
    EXPECT_EQ(errorOf(d).message, "gpu_utilization must be above 0 and at most 1 (got 1.000001)");
    d = onGpus("h100-80gb", 1, 0);
    d.gpu_memory_bytes = 0;
    EXPECT_EQ(errorOf(d).field, "gpu_memory");
    d = onGpus("h100-80gb", 1, PlanLimits::max_parameters + 1);
    EXPECT_EQ(errorOf(d).field, "parameters");
}

// The solvers against brute force: every context and batch is tried.
TEST(Plan, SolversMatchBruteForce) {
    std::vector<ModelLayout> models;
    models.push_back(uniform(2, 4, 2, 8));
    models.push_back(uniform(3, 6, 6, 5));
    ModelLayout mixed;
    appendLayers(mixed, slidingLayer(4, 2, 8, 8, 40));
    appendLayers(mixed, fullLayer(4, 1, 8, 8), 2);
    appendLayers(mixed, linearLayer(64, DType::fp32, 8, std::nullopt));
    appendLayers(mixed, sharedLayer());
    models.push_back(mixed);
    ModelLayout sliding_only;
    appendLayers(sliding_only, slidingLayer(4, 2, 8, 8, 24), 2);
    models.push_back(sliding_only);
    ModelLayout mla;
    appendLayers(mla, mlaLayer(4, 12, 4, 8, 8), 2);
    models.push_back(mla);

    int checked = 0;
    for (const ModelLayout &model : models) {
        for (DType dtype : {DType::bf16, DType::q4_0, DType::int4}) {
            for (std::uint32_t block : {1u, 4u, 16u}) {
                for (std::uint64_t budget : {300u, 1024u, 5000u, 20000u}) {
                    const PagedCache cache{model, dtype, block, budget};
                    for (std::uint64_t batch : {1u, 2u, 5u}) {
                        // Brute force up to 4096 tokens: past that nothing grows
                        // for the sliding-only model, and the others stop far earlier.
                        std::uint64_t largest = 0;
                        for (std::uint64_t c = 1; c <= 4096; ++c) {
                            const auto bytes = pagedBytes(cache, c, batch);
                            ASSERT_TRUE(bytes.ok());
                            if (*bytes <= budget) largest = c;
                        }
                        const Solved solved = maxContextLength(cache, batch);
                        if (largest == 4096) {
                            EXPECT_TRUE(solved.at_limit);
                            EXPECT_EQ(solved.value, Limits::max_context_length);
                        } else {
                            EXPECT_EQ(solved.value, largest) << "budget " << budget << " block " << block;
                            EXPECT_FALSE(solved.at_limit);
                        }
                        ++checked;
                    }
                    for (std::uint64_t context : {1u, 17u, 100u}) {
                        std::uint64_t largest = 0;
                        for (std::uint64_t b = 1; b <= 4096; ++b) {
                            if (fits(cache, context, b)) largest = b;
                        }
                        const Solved solved = maxBatchSize(cache, context);
                        if (largest < 4096) {
                            EXPECT_EQ(solved.value, largest);
                        }
                        ++checked;
                    }
                }
            }
        }
    }
    EXPECT_GT(checked, 1000);
}

TEST(Plan, GpusNeededMatchesTryingEveryCount) {
    const ModelLayout model = llama31_70b();
    for (std::uint64_t context : {1024u, 32768u, 131072u}) {
        for (std::uint32_t batch : {1u, 8u, 64u}) {
            const Workload w{context, batch, DType::bf16};
            Deployment d = onGpus("a100-40gb", 1, kLlama70bParameters);
            std::optional<std::uint32_t> expected;
            for (std::uint32_t tp = 1; tp <= 64 && !expected; ++tp) {
                d.tensor_parallel = tp;
                const auto p = plan(model, w, d);
                if (p.ok() && p->fits) expected = tp;
            }
            d.tensor_parallel = 1;
            EXPECT_EQ(gpusNeeded(model, w, d), expected) << context << " x " << batch;
        }
    }
}
