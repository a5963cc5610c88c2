#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "kvscope/result.h"
#include "kvscope/shape.h"

namespace kvscope {

// 256, 512, ..., 131072: the seed figure's context lengths.
std::vector<std::uint64_t> seedContextLengths();

// Every power of two from the first at or above `from` to the last at or below `to`.
std::vector<std::uint64_t> powerOfTwoContexts(std::uint64_t from, std::uint64_t to);

// Context lengths for the context chart: powers of two from 256 to at least
// 131072 (the seed figure) and at least twice the current context, capped at
// the largest context accepted.
std::vector<std::uint64_t> chartContextLengths(std::uint64_t current_context);

// The divisors of n_heads in ascending order: every group count that can
// exist, from MHA (1) to MQA (n_heads).
std::vector<std::uint32_t> validGroupCounts(std::uint32_t n_heads);

// The valid group count nearest to `wanted` (ties go to the smaller count).
std::uint32_t nearestValidGroupCount(std::uint32_t n_heads, std::uint32_t wanted);

struct ContextPoint {
    std::uint64_t context_length = 0;
    std::uint64_t mha_bytes = 0;
    std::uint64_t gqa_bytes = 0;
    std::vector<std::uint64_t> extra_gqa_bytes;  // one per requested extra group count
};

// Totals over context lengths for MHA, the shape's GQA setting and any extra
// group counts (each must divide n_heads). workload.context_length is ignored.
// Lengths must ascend; the sweep stops before the first one whose total does
// not fit 64 bits, and is an error only when not even the first one fits.
Result<std::vector<ContextPoint>> contextSweep(const ModelShape &shape, const Workload &workload,
                                               std::span<const std::uint64_t> context_lengths,
                                               std::span<const std::uint32_t> extra_groups = {});

struct GroupPoint {
    std::uint32_t n_kv_groups = 0;
    std::uint32_t n_kv_heads = 0;
    std::uint64_t gqa_bytes = 0;
    double savings_percent = 0.0;
};

// Savings over MHA for every valid group count at the workload's context.
Result<std::vector<GroupPoint>> groupSweep(const ModelShape &shape, const Workload &workload);

}  // namespace kvscope
