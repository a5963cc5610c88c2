#pragma once

// Writes small GGUF files for the tests, byte by byte as docs/gguf.md in
// llama.cpp lays them out: header, metadata, tensor infos, padding to the
// alignment, then the data, which is left sparse (the file is resized, not
// written), so a model of many gigabytes costs a few KiB on disk. Every size
// comes from the test: each tensor's bytes are given by hand, not computed
// from a table the reader shares.

#include <QByteArray>
#include <QFile>
#include <QString>
#include <QtEndian>
#include <cstdint>
#include <algorithm>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

class GgufFixture {
public:
    // GGUF value types (gguf.cpp gguf_type).
    enum Type : std::uint32_t { U8 = 0, I8, U16, I16, U32, I32, F32, Bool, String, Array, U64, I64, F64 };

    explicit GgufFixture(std::uint32_t version = 3, std::uint64_t alignment = 32)
        : m_version(version), m_alignment(alignment) {}

    GgufFixture &u32(const std::string &key, std::uint32_t v) { return scalar(key, U32, v); }
    GgufFixture &i32(const std::string &key, std::int32_t v) { return scalar(key, I32, static_cast<std::uint32_t>(v)); }
    GgufFixture &u64(const std::string &key, std::uint64_t v) { return scalar(key, U64, v); }
    GgufFixture &f32(const std::string &key, float v) {
        std::uint32_t bits = 0;
        std::memcpy(&bits, &v, sizeof bits);
        return scalar(key, F32, bits);
    }
    GgufFixture &boolean(const std::string &key, bool v) { return scalar(key, Bool, v ? 1 : 0); }
    GgufFixture &string(const std::string &key, const std::string &v) {
        keyHead(key, String);
        str(m_kv, v);
        return *this;
    }
    // An array of i32 (llama.cpp writes per-layer counts as i32 or u32).
    GgufFixture &arrayI32(const std::string &key, const std::vector<std::int32_t> &values) {
        keyHead(key, Array);
        put<std::uint32_t>(m_kv, I32);
        put<std::uint64_t>(m_kv, values.size());
        for (std::int32_t v : values) put<std::int32_t>(m_kv, v);
        return *this;
    }
    GgufFixture &arrayBool(const std::string &key, const std::vector<bool> &values) {
        keyHead(key, Array);
        put<std::uint32_t>(m_kv, Bool);
        put<std::uint64_t>(m_kv, values.size());
        for (bool v : values) put<std::uint8_t>(m_kv, v ? 1 : 0);
        return *this;
    }
    GgufFixture &arrayStrings(const std::string &key, const std::vector<std::string> &values) {
        keyHead(key, Array);
        put<std::uint32_t>(m_kv, String);
        put<std::uint64_t>(m_kv, values.size());
        for (const std::string &v : values) str(m_kv, v);
        return *this;
    }
    // An array of arrays of u8, as the GGUF spec allows.
    GgufFixture &nestedArray(const std::string &key, std::uint64_t outer, std::uint64_t inner) {
        keyHead(key, Array);
        put<std::uint32_t>(m_kv, Array);
        put<std::uint64_t>(m_kv, outer);
        for (std::uint64_t i = 0; i < outer; ++i) {
            put<std::uint32_t>(m_kv, U8);
            put<std::uint64_t>(m_kv, inner);
            for (std::uint64_t j = 0; j < inner; ++j) put<std::uint8_t>(m_kv, static_cast<std::uint8_t>(j));
        }
        return *this;
    }
    // Raw bytes appended to the metadata, for hostile headers; `entries` is
    // how many metadata entries they count as.
    GgufFixture &rawMetadata(const QByteArray &bytes, std::uint64_t entries) {
        m_kv += bytes;
        m_kvCount += entries;
        return *this;
    }

    // A tensor of `bytes` bytes (worked out by the test), placed after the
    // previous one at the next multiple of the alignment.
    GgufFixture &tensor(const std::string &name, const std::vector<std::uint64_t> &dims, std::uint32_t ggmlType,
                        std::uint64_t bytes) {
        return tensorAt(name, dims, ggmlType, m_dataEnd, bytes);
    }
    // A tensor at an explicit offset, for overlapping or out-of-range ones.
    GgufFixture &tensorAt(const std::string &name, const std::vector<std::uint64_t> &dims, std::uint32_t ggmlType,
                          std::uint64_t offset, std::uint64_t bytes) {
        str(m_infos, name);
        put<std::uint32_t>(m_infos, static_cast<std::uint32_t>(dims.size()));
        for (std::uint64_t d : dims) put<std::uint64_t>(m_infos, d);
        put<std::uint32_t>(m_infos, ggmlType);
        put<std::uint64_t>(m_infos, offset);
        ++m_tensorCount;
        m_dataEnd = std::max(m_dataEnd, padded(offset + bytes));
        return *this;
    }

    // Overrides the counts the header states (for hostile headers).
    GgufFixture &claimTensors(std::uint64_t n) { m_claimedTensors = n; return *this; }
    GgufFixture &claimMetadata(std::uint64_t n) { m_claimedKv = n; return *this; }

    QByteArray header() const {
        QByteArray out("GGUF", 4);
        put<std::uint32_t>(out, m_version);
        put<std::uint64_t>(out, m_claimedTensors ? *m_claimedTensors : m_tensorCount);
        put<std::uint64_t>(out, m_claimedKv ? *m_claimedKv : m_kvCount);
        out += m_kv;
        out += m_infos;
        if (m_tensorCount > 0) out.append(static_cast<qsizetype>(padded(out.size()) - out.size()), '\0');
        return out;
    }
    std::uint64_t fileSize() const { return static_cast<std::uint64_t>(header().size()) + m_dataEnd; }

    // The header, then the data section as a hole: sparse on disk.
    bool write(const QString &path) const {
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate)) return false;
        const QByteArray head = header();
        return file.write(head) == head.size() && file.resize(static_cast<qint64>(fileSize()));
    }

private:
    template <typename T>
    static void put(QByteArray &out, T v) {
        char raw[sizeof(T)];
        qToLittleEndian<T>(v, raw);
        out.append(raw, sizeof(T));
    }
    static void str(QByteArray &out, const std::string &s) {
        put<std::uint64_t>(out, s.size());
        out.append(s.data(), static_cast<qsizetype>(s.size()));
    }
    void keyHead(const std::string &key, Type type) {
        str(m_kv, key);
        put<std::uint32_t>(m_kv, type);
        ++m_kvCount;
    }
    GgufFixture &scalar(const std::string &key, Type type, std::uint64_t bits) {
        keyHead(key, type);
        switch (type) {
        case U8: case I8: case Bool: put<std::uint8_t>(m_kv, static_cast<std::uint8_t>(bits)); break;
        case U16: case I16: put<std::uint16_t>(m_kv, static_cast<std::uint16_t>(bits)); break;
        case U32: case I32: case F32: put<std::uint32_t>(m_kv, static_cast<std::uint32_t>(bits)); break;
        default: put<std::uint64_t>(m_kv, bits); break;
        }
        return *this;
    }
    std::uint64_t padded(std::uint64_t n) const { return (n + m_alignment - 1) / m_alignment * m_alignment; }

    std::uint32_t m_version;
    std::uint64_t m_alignment;
    QByteArray m_kv;
    QByteArray m_infos;
    std::uint64_t m_kvCount = 0;
    std::uint64_t m_tensorCount = 0;
    std::uint64_t m_dataEnd = 0;
    std::optional<std::uint64_t> m_claimedTensors;
    std::optional<std::uint64_t> m_claimedKv;
};
