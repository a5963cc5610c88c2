#include "kvscope/estimator.h"

#include <initializer_list>
#include <optional>

#include "checked_math.h"
#include "kvscope/format.h"
#include "kvscope/validation.h"

namespace kvscope {

using detail::checkedProduct;
using detail::checkedWideProduct;
using detail::elemsToBytes;
using detail::WideCount;

namespace {

InputError tooLarge() {
    return InputError{"context_length",
                      "the KV cache total does not fit in 64 bits (over 18.4 EB); "
                      "lower context_length, batch_size or n_layers"};
}

}  // namespace

std::uint32_t headDim(const ModelShape &shape) {
    if (shape.head_dim) return *shape.head_dim;
    if (shape.n_heads == 0) return 0;
    return (shape.emb_dim + shape.n_heads - 1) / shape.n_heads;
}

std::uint32_t gqaKvHeads(const ModelShape &shape) {
    return shape.n_kv_groups == 0 ? 0 : shape.n_heads / shape.n_kv_groups;
}

Result<std::uint64_t> kvBytes(const ModelShape &shape, const Workload &workload, std::uint32_t n_kv_heads) {
    // Elements first, then bytes per storage block, so block formats stay exact.
    auto elems = checkedWideProduct({workload.batch_size, workload.context_length, headDim(shape), n_kv_heads, 2,
                                     shape.n_layers});
    if (!elems) return tooLarge();
    auto bytes = elemsToBytes(*elems, workload.dtype);
    if (!bytes) return tooLarge();
    return *bytes;
}

double savingsPercent(std::uint64_t mha_bytes, std::uint64_t gqa_bytes) {
    // The book: savings = 1 - (total_gqa / total_mha); printed as savings*100.
    const double savings = 1.0 - divideExact(gqa_bytes, mha_bytes);
    return savings * 100.0;
}

Result<KvEstimate> estimate(const ModelShape &shape, const Workload &workload) {
    if (auto error = validate(shape, workload)) return *error;

    KvEstimate e;
    e.head_dim = headDim(shape);
    e.n_kv_heads_mha = shape.n_heads;
    e.n_kv_heads_gqa = gqaKvHeads(shape);

    // kvBytes() four times over, with the shared factors multiplied once.
    // After validate() every factor is at least 1, so a product overflows 64
    // bits in any order exactly when it does in kvBytes()'s order, and the
    // GQA cache (n_heads / n_kv_groups heads) never exceeds the MHA one.
    const auto toBytes = [dtype = workload.dtype](WideCount elems) { return elemsToBytes(elems, dtype); };
    // Elements of one token of one sequence per K/V head, across every layer.
    const auto per_head = checkedProduct({e.head_dim, 2, shape.n_layers});
    const auto tokens = checkedProduct({workload.batch_size, workload.context_length});
    if (!per_head || !tokens) return tooLarge();
    const auto mha_token_elems = checkedProduct({*per_head, e.n_kv_heads_mha});
    const auto gqa_token_elems = checkedProduct({*per_head, e.n_kv_heads_gqa});
    if (!mha_token_elems || !gqa_token_elems) return tooLarge();
    // The whole cache's elements may pass 2^64 where its bytes do not (a
    // block format); two 64-bit factors always fit 128 bits.
    const auto mha = toBytes(WideCount{*tokens} * *mha_token_elems);
    if (!mha) return tooLarge();
    // Each of these is at most the MHA total, which fits.
    e.mha_bytes = *mha;
    e.gqa_bytes = *toBytes(WideCount{*tokens} * *gqa_token_elems);
    e.mha_bytes_per_token = *toBytes(*mha_token_elems);
    e.gqa_bytes_per_token = *toBytes(*gqa_token_elems);

    e.ratio = divideExact(e.mha_bytes, e.gqa_bytes);
    e.savings_percent = savingsPercent(e.mha_bytes, e.gqa_bytes);
    return e;
}

}  // namespace kvscope
