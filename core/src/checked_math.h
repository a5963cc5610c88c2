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

// Element counts are 128 bits wide: a count past 2^64 can still be under
// 2^64 bytes in a block format (int4 keeps 256 elements in 133 bytes).
__extension__ using WideCount = unsigned __int128;

inline std::optional<WideCount> checkedWideProduct(std::initializer_list<std::uint64_t> factors) {
    WideCount product = 1;
    for (std::uint64_t f : factors) {
        if (__builtin_mul_overflow(product, WideCount{f}, &product)) return std::nullopt;
    }
    return product;
}

// Whole storage blocks of `elems` elements, so block formats stay exact; the
// bytes, not the elements, must fit 64 bits.
inline std::optional<std::uint64_t> elemsToBytes(WideCount elems, DType dtype) {
    const DTypeInfo &info = dtypeInfo(dtype);
    const WideCount blocks = elems / info.block_elems + (elems % info.block_elems != 0 ? 1 : 0);
    WideCount bytes = 0;
    if (__builtin_mul_overflow(blocks, WideCount{info.block_bytes}, &bytes) || bytes > UINT64_MAX) return std::nullopt;
    return static_cast<std::uint64_t>(bytes);
}

}  // namespace kvscope::detail
