#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

// The GGML tensor types a GGUF file may name, with the bytes each stores:
// a type packs blockSize weights into typeSize bytes. Read from llama.cpp
// d32676d77426540327835040d5d3279728f0b4c8 (b10472): ggml/include/ggml.h
// enum ggml_type, ggml/src/ggml.c type_traits, gguf-py/gguf/constants.py
// GGML_QUANT_SIZES.
struct GgmlType {
    std::uint32_t id = 0;
    std::string_view name;     // "Q4_K", as llama.cpp prints it
    std::uint32_t blockSize = 0;  // weights per block
    std::uint32_t typeSize = 0;   // bytes per block
    // Ids llama.cpp keeps reserved for types it no longer reads (Q4_2, the
    // Q4_0_4_4 family): a file using one cannot be loaded, so it is refused.
    bool removed = false;

    // The type with this id, or nothing when llama.cpp defines none.
    static std::optional<GgmlType> byId(std::uint32_t id);

    // The bytes `elements` weights take, or nothing when they are not a whole
    // number of blocks or the bytes pass 64 bits.
    std::optional<std::uint64_t> bytesFor(std::uint64_t elements) const;
};

// general.file_type as llama.cpp names it, without "ALL_" or "MOSTLY_" ("Q4_K_M",
// "F16"): gguf-py/gguf/constants.py LlamaFileType. Nothing for an id it does
// not define (or has removed).
std::optional<std::string> llamaFileTypeName(std::uint32_t id);
