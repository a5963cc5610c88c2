#include "kvscope/dtype.h"

#include <array>
#include <numeric>

namespace kvscope {

namespace {

// The book's DTYPE_BYTES table, in its order, then the block formats.
constexpr std::array<DTypeInfo, 8> kDTypes{{
    {DType::fp32, "fp32", 4, 1},
    {DType::bf16, "bf16", 2, 1},
    {DType::fp16, "fp16", 2, 1},
    {DType::fp8, "fp8", 1, 1},
    {DType::int8, "int8", 1, 1},
    {DType::int4, "int4", 133, 256},  // 2 groups of 128: 64 B values + 2 B scale + 4-bit zero each
    {DType::q8_0, "q8_0", 34, 32},    // 32 B values + 2 B scale
    {DType::q4_0, "q4_0", 18, 32},    // 16 B values + 2 B scale
}};

}  // namespace

std::span<const DTypeInfo> allDTypes() { return kDTypes; }

const DTypeInfo &dtypeInfo(DType dtype) {
    for (const DTypeInfo &info : kDTypes) {
        if (info.id == dtype) return info;
    }
    return kDTypes.front();  // unreachable: every enumerator is in the table
}

std::optional<DType> parseDType(std::string_view name) {
    for (const DTypeInfo &info : kDTypes) {
        if (info.name == name) return info.id;
    }
    return std::nullopt;
}

std::string_view dtypeName(DType dtype) { return dtypeInfo(dtype).name; }

std::string dtypeNameList() {
    std::string list;
    for (const DTypeInfo &info : kDTypes) {
        if (!list.empty()) list += ", ";
        list += info.name;
    }
    return list;
}

std::string bytesPerElemText(DType dtype) {
    const DTypeInfo &info = dtypeInfo(dtype);
    if (info.block_bytes % info.block_elems == 0) return std::to_string(info.block_bytes / info.block_elems);
    // Not whole bytes: show the exact fraction rather than a rounded decimal.
    const std::uint32_t common = std::gcd(info.block_bytes, info.block_elems);
    return std::to_string(info.block_bytes / common) + "/" + std::to_string(info.block_elems / common);
}

}  // namespace kvscope
