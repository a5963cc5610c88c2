#include "kvscope/sweep.h"

#include <bit>

#include "kvscope/estimator.h"
#include "kvscope/validation.h"

namespace kvscope {

std::vector<std::uint64_t> seedContextLengths() { return powerOfTwoContexts(256, 131072); }

std::vector<std::uint64_t> powerOfTwoContexts(std::uint64_t from, std::uint64_t to) {
    std::vector<std::uint64_t> lengths;
    if (from == 0) from = 1;
    if (from > (std::uint64_t{1} << 63)) return lengths;
    for (std::uint64_t length = std::bit_ceil(from); length <= to; length *= 2) {
        lengths.push_back(length);
        if (length == (std::uint64_t{1} << 63)) break;
    }
    return lengths;
}

std::vector<std::uint64_t> chartContextLengths(std::uint64_t current_context) {
    std::uint64_t top = 131072;
    while (top < Limits::max_context_length && top < current_context * 2) top *= 2;
    return powerOfTwoContexts(256, top);
}

std::vector<std::uint32_t> validGroupCounts(std::uint32_t n_heads) {
    std::vector<std::uint32_t> small;
    std::vector<std::uint32_t> large;
    for (std::uint32_t d = 1; std::uint64_t{d} * d <= n_heads; ++d) {
        if (n_heads % d != 0) continue;
        small.push_back(d);
        if (d != n_heads / d) large.push_back(n_heads / d);
    }
    small.insert(small.end(), large.rbegin(), large.rend());
    return small;
}

std::uint32_t nearestValidGroupCount(std::uint32_t n_heads, std::uint32_t wanted) {
    std::uint32_t best = 1;
    std::uint64_t best_distance = UINT64_MAX;
    for (std::uint32_t g : validGroupCounts(n_heads)) {
        const std::uint64_t distance = g > wanted ? g - wanted : wanted - g;
        if (distance < best_distance) {
            best = g;
            best_distance = distance;
        }
    }
    return best;
}

Result<std::vector<ContextPoint>> contextSweep(const ModelShape &shape, const Workload &workload,
                                               std::span<const std::uint64_t> context_lengths,
                                               std::span<const std::uint32_t> extra_groups) {
    Workload first = workload;
    first.context_length = context_lengths.empty() ? 1 : context_lengths.front();
    if (auto error = validate(shape, first)) return *error;
    for (std::uint32_t g : extra_groups) {
        ModelShape extra = shape;
        extra.n_kv_groups = g;
        if (auto error = validate(extra, first)) return *error;
    }

    std::vector<ContextPoint> points;
    points.reserve(context_lengths.size());
    for (std::uint64_t length : context_lengths) {
        Workload at = workload;
        at.context_length = length;
        auto e = estimate(shape, at);
        if (!e) {
            // Past the 64-bit range (or the largest context): the curve ends
            // here rather than the whole chart failing.
            if (points.empty()) return e.error();
            break;
        }

        ContextPoint point{length, e->mha_bytes, e->gqa_bytes, {}};
        point.extra_gqa_bytes.reserve(extra_groups.size());
        for (std::uint32_t g : extra_groups) {
            auto bytes = kvBytes(shape, at, shape.n_heads / g);
            if (!bytes) return bytes.error();
            point.extra_gqa_bytes.push_back(*bytes);
        }
        points.push_back(std::move(point));
    }
    return points;
}

Result<std::vector<GroupPoint>> groupSweep(const ModelShape &shape, const Workload &workload) {
    auto base = estimate(shape, workload);
    if (!base) return base.error();

    std::vector<GroupPoint> points;
    for (std::uint32_t g : validGroupCounts(shape.n_heads)) {
        const std::uint32_t heads = shape.n_heads / g;
        auto bytes = kvBytes(shape, workload, heads);
        if (!bytes) return bytes.error();
        points.push_back({g, heads, *bytes, savingsPercent(base->mha_bytes, *bytes)});
    }
    return points;
}

}  // namespace kvscope
