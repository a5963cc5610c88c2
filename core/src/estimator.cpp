#include "kvscope/estimator.h"

#include <initializer_list>

#include "kvscope/format.h"
#include "kvscope/validation.h"

namespace kvscope {

namespace {

InputError tooLarge() {
    return InputError{"context_length",
                      "the KV cache total does not fit in 64 bits (over 18.4 EB); "
                      "lower context_length, batch_size or n_layers"};
}

// Product of all factors, or nothing when it overflows 64 bits.
std::optional<std::uint64_t> checkedProduct(std::initializer_list<std::uint64_t> factors) {
    std::uint64_t product = 1;
    for (std::uint64_t f : factors) {
        if (__builtin_mul_overflow(product, f, &product)) return std::nullopt;
    }
    return product;
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
    const DTypeInfo &info = dtypeInfo(workload.dtype);
    // Elements first, then bytes per storage block, so block formats stay exact.
    auto elems = checkedProduct({workload.batch_size, workload.context_length, headDim(shape), n_kv_heads, 2,
                                 shape.n_layers});
    if (!elems) return tooLarge();
    const std::uint64_t blocks = *elems / info.block_elems + (*elems % info.block_elems != 0 ? 1 : 0);
    auto bytes = checkedProduct({blocks, info.block_bytes});
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

    auto mha = kvBytes(shape, workload, e.n_kv_heads_mha);
    if (!mha) return mha.error();
    auto gqa = kvBytes(shape, workload, e.n_kv_heads_gqa);
    if (!gqa) return gqa.error();
    e.mha_bytes = *mha;
    e.gqa_bytes = *gqa;

    Workload one_token = workload;
    one_token.context_length = 1;
    one_token.batch_size = 1;
    e.mha_bytes_per_token = kvBytes(shape, one_token, e.n_kv_heads_mha).value();
    e.gqa_bytes_per_token = kvBytes(shape, one_token, e.n_kv_heads_gqa).value();

    e.ratio = divideExact(e.mha_bytes, e.gqa_bytes);
    e.savings_percent = savingsPercent(e.mha_bytes, e.gqa_bytes);
    return e;
}

}  // namespace kvscope
