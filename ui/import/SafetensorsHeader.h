#pragma once

#include <QByteArrayView>
#include <QString>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kvscope/result.h"

// The header of one .safetensors file, read and checked by the format's own
// rules (huggingface/safetensors, safetensors/src/tensor.rs: read_metadata,
// Metadata::validate, Dtype::bitsize): an 8-byte little-endian length N of at
// most 100,000,000, N bytes of JSON, then the data section, which the
// tensors' data_offsets cover exactly, in order, without gap or overlap, each
// tensor taking its element count times its dtype's bits.
//
// The file is untrusted: every length, count and offset is checked against
// the file's size before use, nothing is allocated from a number in the file,
// and each error names the file and the problem.
class SafetensorsHeader {
public:
    // safetensors' MAX_HEADER_SIZE.
    static constexpr std::uint64_t kMaxHeaderBytes = 100'000'000;
    static constexpr std::uint64_t kLengthBytes = 8;

    // Tensors of one dtype: how many, their elements, their bytes.
    struct DtypeTotal {
        std::string dtype;  // as the file spells it: "BF16", "F8_E4M3"
        std::uint64_t tensors = 0;
        std::uint64_t elements = 0;
        std::uint64_t bytes = 0;
    };

    // Bits per element of a dtype the format defines, or nothing.
    static std::optional<unsigned> dtypeBits(std::string_view dtype);

    // The header's length from the file's first 8 bytes, checked against the
    // format's limit and the file's size. `name` is the file as messages name it.
    static kvscope::Result<std::uint64_t> headerLength(QByteArrayView first8, std::uint64_t fileSize,
                                                       const QString &name);
    // The header JSON (the N bytes after the length) of a file of `fileSize`
    // bytes: the tensors must cover exactly the rest of the file.
    static kvscope::Result<SafetensorsHeader> parse(QByteArrayView json, std::uint64_t fileSize, const QString &name);
    // A whole file's first 8 + N bytes (or more) and its size: length, then header.
    static kvscope::Result<SafetensorsHeader> fromPrefix(QByteArrayView prefix, std::uint64_t fileSize,
                                                         const QString &name);
    // Reads only the header of the file at `path`.
    static kvscope::Result<SafetensorsHeader> fromFile(const QString &path);

    std::uint64_t tensorCount() const { return m_tensorCount; }
    std::uint64_t elements() const { return m_elements; }
    std::uint64_t dataBytes() const { return m_dataBytes; }
    // Largest share first.
    const std::vector<DtypeTotal> &dtypes() const { return m_dtypes; }

private:
    std::uint64_t m_tensorCount = 0;
    std::uint64_t m_elements = 0;
    std::uint64_t m_dataBytes = 0;
    std::vector<DtypeTotal> m_dtypes;
};
