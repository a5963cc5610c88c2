#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "GgmlType.h"

// One metadata value of a GGUF file, as far as KV Scope keeps it: numbers,
// short strings and short arrays of numbers (per-layer hyperparameters).
// Longer strings and arrays (the tokenizer's) are skipped over, keeping only
// their type and length.
struct GgufValue {
    // gguf_type, ggml/src/gguf.cpp (and docs/gguf.md in llama.cpp).
    enum class Type : std::uint32_t {
        UInt8 = 0, Int8 = 1, UInt16 = 2, Int16 = 3, UInt32 = 4, Int32 = 5, Float32 = 6,
        Bool = 7, String = 8, Array = 9, UInt64 = 10, Int64 = 11, Float64 = 12,
    };
    // Arrays of more elements than this keep only their length.
    static constexpr std::uint64_t kMaxKeptElements = 4096;
    // Strings longer than this keep only their length.
    static constexpr std::uint64_t kMaxKeptString = 4096;

    Type type = Type::UInt8;
    Type elementType = Type::UInt8;  // for an array
    std::uint64_t count = 0;         // an array's elements, a string's bytes

    std::optional<std::uint64_t> whole;  // a non-negative integer or a bool
    std::optional<double> real;          // any number
    bool negative = false;               // a negative integer (scalar, or any element)
    std::optional<std::string> text;     // a string that was kept
    // An array of integers or bools with at most kMaxKeptElements elements,
    // none negative.
    std::optional<std::vector<std::uint64_t>> wholes;

    bool isInteger() const;
    // "u32", "array of 32 i32", "string": for messages.
    std::string describe() const;
};

// A tensor as its info in the header describes it.
struct GgufTensor {
    std::string name;
    std::vector<std::uint64_t> dims;  // at most 4
    GgmlType type;
    std::uint64_t offset = 0;    // from the start of the data section
    std::uint64_t elements = 0;  // the product of dims
    std::uint64_t bytes = 0;     // elements / blockSize * typeSize
};

// A name from the file (a key, a tensor, an architecture) as a message shows
// it: control bytes as '?', at most 80 bytes, so an error stays one short line.
std::string shownName(const std::string &name);

// Everything the header of a GGUF file says, checked against the file.
struct GgufFile {
    std::uint32_t version = 0;
    std::uint64_t fileSize = 0;
    std::uint64_t alignment = 32;
    std::uint64_t dataStart = 0;  // where the tensor data begins
    std::map<std::string, GgufValue> metadata;
    std::vector<GgufTensor> tensors;

    const GgufValue *find(const std::string &key) const {
        const auto it = metadata.find(key);
        return it == metadata.end() ? nullptr : &it->second;
    }
};
