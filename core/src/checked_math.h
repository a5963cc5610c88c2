#pragma once

// Exact 64-bit arithmetic for byte totals: a result that does not fit is
// "nothing", never a wrapped number. Shared by the book's estimator and the
// layer-by-layer one so both round storage blocks the same way.

#include <cstdint>
#include <initializer_list>
#include <optional>

#include "kvscope/dtype.h"

namespace kvscope::detail {

inline std::optional<std::uint64_t> checkedProduct(std::initializer_list<std::uint64_t> factors) {
    std::uint64_t product = 1;
    for (std::uint64_t f : factors) {
        if (__builtin_mul_overflow(product, f, &product)) return std::nullopt;
    }
    return product;
}

inline std::optional<std::uint64_t> checkedSum(std::uint64_t a, std::uint64_t b) {
    std::uint64_t sum = 0;
    if (__builtin_add_overflow(a, b, &sum)) return std::nullopt;
    return sum;
}

// Whole storage blocks of `elems` elements, so block formats stay exact.
inline std::optional<std::uint64_t> elemsToBytes(std::uint64_t elems, DType dtype) {
    const DTypeInfo &info = dtypeInfo(dtype);
    const std::uint64_t blocks =
        info.block_elems == 1 ? elems : elems / info.block_elems + (elems % info.block_elems != 0 ? 1 : 0);
    return checkedProduct({blocks, info.block_bytes});
}

}  // namespace kvscope::detail
