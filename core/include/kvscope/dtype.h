#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace kvscope {

// The book's five, then quantized formats whose scales are counted exactly:
// int4 in groups of 128 with an fp16 scale and a 4-bit zero point per group
// (the GPTQ/AWQ layout, 133 bytes per 256 elements), and llama.cpp's q8_0 (32
// int8 values and an fp16 scale: 34 bytes per 32) and q4_0 (32 4-bit values
// and an fp16 scale: 18 bytes per 32).
enum class DType : std::uint8_t { fp32, bf16, fp16, fp8, int8, int4, q8_0, q4_0 };

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

// "fp32, bf16, fp16, fp8, int8, int4, q8_0, q4_0": for help texts and error messages.
std::string dtypeNameList();

// The book prints "(2 Bytes/elem)"; this is that number, as text: a whole
// number, or the exact reduced fraction for block formats ("17/16" for q8_0).
std::string bytesPerElemText(DType dtype);

}  // namespace kvscope
