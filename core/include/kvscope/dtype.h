#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace kvscope {

enum class DType : std::uint8_t { fp32, bf16, fp16, fp8, int8 };

// Storage is described in whole blocks (block_bytes per block_elems elements)
// so that sub-byte and block-scaled formats (int4, q4_0, ...) fit the same
// table without floating point.
struct DTypeInfo {
    DType id;
    std::string_view name;
    std::uint32_t block_bytes;
    std::uint32_t block_elems;
};

std::span<const DTypeInfo> allDTypes();
const DTypeInfo &dtypeInfo(DType dtype);
std::optional<DType> parseDType(std::string_view name);
std::string_view dtypeName(DType dtype);

// "fp32, bf16, fp16, fp8, int8": for help texts and error messages.
std::string dtypeNameList();

// The book prints "(2 Bytes/elem)"; this is that number, as text so that a
// fractional size (0.5 for int4) can be shown exactly later.
std::string bytesPerElemText(DType dtype);

}  // namespace kvscope
