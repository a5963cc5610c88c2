#include "GgmlType.h"

#include <array>
#include <limits>

namespace {

constexpr std::uint32_t QK_K = 256;  // ggml/src/ggml-common.h QK_K

// ggml/src/ggml.c type_traits {blck_size, type_size}, indexed by enum ggml_type
// (ggml/include/ggml.h); sizes as gguf-py/gguf/constants.py GGML_QUANT_SIZES spells them.
constexpr std::array<GgmlType, 43> kTypes = {{
    {0, "F32", 1, 4},
    {1, "F16", 1, 2},
    {2, "Q4_0", 32, 2 + 16},
    {3, "Q4_1", 32, 2 + 2 + 16},
    {4, "Q4_2", 0, 0, true},  // ggml.h: "support has been removed"
    {5, "Q4_3", 0, 0, true},  // ggml.h: "support has been removed"
    {6, "Q5_0", 32, 2 + 4 + 16},
    {7, "Q5_1", 32, 2 + 2 + 4 + 16},
    {8, "Q8_0", 32, 2 + 32},
    {9, "Q8_1", 32, 4 + 4 + 32},
    {10, "Q2_K", 256, 2 + 2 + QK_K / 16 + QK_K / 4},
    {11, "Q3_K", 256, 2 + QK_K / 4 + QK_K / 8 + 12},
    {12, "Q4_K", 256, 2 + 2 + QK_K / 2 + 12},
    {13, "Q5_K", 256, 2 + 2 + QK_K / 2 + QK_K / 8 + 12},
    {14, "Q6_K", 256, 2 + QK_K / 2 + QK_K / 4 + QK_K / 16},
    {15, "Q8_K", 256, 4 + QK_K + QK_K / 8},
    {16, "IQ2_XXS", 256, 2 + QK_K / 4},
    {17, "IQ2_XS", 256, 2 + QK_K / 4 + QK_K / 32},
    {18, "IQ3_XXS", 256, 2 + QK_K / 4 + QK_K / 8},
    {19, "IQ1_S", 256, 2 + QK_K / 8 + QK_K / 16},
    {20, "IQ4_NL", 32, 2 + 16},
    {21, "IQ3_S", 256, 2 + QK_K / 4 + QK_K / 8 + QK_K / 32 + 4},
    {22, "IQ2_S", 256, 2 + QK_K / 4 + QK_K / 16},
    {23, "IQ4_XS", 256, 2 + 2 + QK_K / 2 + QK_K / 64},
    {24, "I8", 1, 1},
    {25, "I16", 1, 2},
    {26, "I32", 1, 4},
    {27, "I64", 1, 8},
    {28, "F64", 1, 8},
    {29, "IQ1_M", 256, QK_K / 8 + QK_K / 16 + QK_K / 32},
    {30, "BF16", 1, 2},
    {31, "Q4_0_4_4", 0, 0, true},  // ggml.h: "support has been removed from gguf files"
    {32, "Q4_0_4_8", 0, 0, true},
    {33, "Q4_0_8_8", 0, 0, true},
    {34, "TQ1_0", 256, 2 + 4 * 13},
    {35, "TQ2_0", 256, 2 + 64},
    {36, "IQ4_NL_4_4", 0, 0, true},  // ggml.h: removed with the Q4_0_4_4 family
    {37, "IQ4_NL_4_8", 0, 0, true},
    {38, "IQ4_NL_8_8", 0, 0, true},
    {39, "MXFP4", 32, 1 + 16},
    {40, "NVFP4", 64, 4 + 32},
    {41, "Q1_0", 128, 2 + 16},
    {42, "Q2_0", 64, 2 + 16},
}};

// gguf-py/gguf/constants.py LlamaFileType without its ALL_ / MOSTLY_ prefix;
// "" for the ids it comments out.
constexpr std::array<std::string_view, 42> kFileTypes = {
    "F32", "F16",     "Q4_0",    "Q4_1",   "",       "",       "",       "Q8_0",    "Q5_0",   "Q5_1",
    "Q2_K",    "Q3_K_S",  "Q3_K_M",  "Q3_K_L", "Q4_K_S", "Q4_K_M", "Q5_K_S", "Q5_K_M",  "Q6_K",   "IQ2_XXS",
    "IQ2_XS",  "Q2_K_S",  "IQ3_XS",  "IQ3_XXS", "IQ1_S", "IQ4_NL", "IQ3_S",  "IQ3_M",   "IQ2_S",  "IQ2_M",
    "IQ4_XS",  "IQ1_M",   "BF16",    "",       "",       "",       "TQ1_0",  "TQ2_0",   "MXFP4_MOE", "NVFP4",
    "Q1_0",    "Q2_0",
};

}  // namespace

std::optional<GgmlType> GgmlType::byId(std::uint32_t id) {
    if (id >= kTypes.size()) return std::nullopt;
    return kTypes[id];
}

std::optional<std::uint64_t> GgmlType::bytesFor(std::uint64_t elements) const {
    if (removed || blockSize == 0 || elements % blockSize != 0) return std::nullopt;
    const std::uint64_t blocks = elements / blockSize;
    if (blocks > std::numeric_limits<std::uint64_t>::max() / typeSize) return std::nullopt;
    return blocks * typeSize;
}

std::optional<std::string> llamaFileTypeName(std::uint32_t id) {
    if (id >= kFileTypes.size() || kFileTypes[id].empty()) return std::nullopt;
    return std::string(kFileTypes[id]);
}
