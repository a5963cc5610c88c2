#include "SafetensorsHeader.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QJsonValue>
#include <algorithm>
#include <cmath>
#include <utility>

#include "kvscope/format.h"

using kvscope::InputError;

namespace {

struct DtypeBits {
    std::string_view name;
    unsigned bits;
};

// Every dtype of safetensors' Dtype enum with its Dtype::bitsize.
constexpr DtypeBits kDtypes[] = {
    {"BOOL", 8},    {"F4", 4},       {"F6_E2M3", 6},  {"F6_E3M2", 6}, {"U8", 8},   {"I8", 8},   {"F8_E5M2", 8},
    {"F8_E4M3", 8}, {"F8_E8M0", 8},  {"I16", 16},     {"U16", 16},    {"F16", 16}, {"BF16", 16}, {"I32", 32},
    {"U32", 32},    {"F32", 32},     {"C64", 64},     {"F64", 64},    {"I64", 64}, {"U64", 64},
};

// JSON numbers are doubles: above 2^53 a value is no longer exact, and no
// real shape or offset comes near it.
constexpr double kMaxExact = 9007199254740992.0;

std::string bytesText(std::uint64_t n) {
    return kvscope::formatThousands(n) + (n == 1 ? " byte" : " bytes");
}

struct Tensor {
    std::string name;
    std::string dtype;
    std::uint64_t begin = 0;
    std::uint64_t end = 0;
    std::uint64_t elements = 0;
};

class HeaderParser {
public:
    HeaderParser(const QString &name, std::uint64_t dataBytes) : m_name(name.toStdString()), m_dataBytes(dataBytes) {}

    InputError error(const std::string &problem) const { return InputError{"safetensors", m_name + ": " + problem}; }

    std::optional<std::uint64_t> whole(const QJsonValue &v) const {
        if (!v.isDouble()) return std::nullopt;
        const double d = v.toDouble();
        if (!(d >= 0 && d <= kMaxExact) || std::floor(d) != d) return std::nullopt;
        return static_cast<std::uint64_t>(d);
    }

    std::optional<InputError> readTensor(const QString &key, const QJsonValue &value, Tensor &out) const {
        const std::string name = key.toStdString();
        const std::string where = "tensor \"" + name + "\"";
        if (!value.isObject()) return error(where + " is not an object");
        const QJsonObject info = value.toObject();

        const QJsonValue dtype = info.value(QLatin1StringView("dtype"));
        const std::string dtypeName = dtype.toString().toStdString();
        const auto bits = SafetensorsHeader::dtypeBits(dtypeName);
        if (!dtype.isString() || !bits) {
            return error(where + " has dtype " + (dtype.isString() ? "\"" + dtypeName + "\"" : std::string("that is not a string")) +
                         ", not one the format defines");
        }

        const QJsonValue shape = info.value(QLatin1StringView("shape"));
        if (!shape.isArray()) return error(where + " has no shape list");
        std::uint64_t elements = 1;
        bool overflow = false;
        for (const QJsonValue &dim : shape.toArray()) {
            const auto n = whole(dim);
            if (!n) return error(where + " has a shape entry that is not a whole number from 0 to 2^53");
            if (__builtin_mul_overflow(elements, *n, &elements)) overflow = true;
        }
        // A zero dimension after an overflowing product still makes zero elements.
        for (const QJsonValue &dim : shape.toArray()) {
            if (dim.toDouble() == 0) {
                overflow = false;
                elements = 0;
            }
        }
        std::uint64_t bitsTotal = 0;
        if (overflow || __builtin_mul_overflow(elements, std::uint64_t{*bits}, &bitsTotal)) {
            return error(where + "'s shape has more elements than 64 bits count");
        }
        if (bitsTotal % 8 != 0) {
            return error(where + " has " + kvscope::formatThousands(elements) + " elements of " + dtypeName +
                         ", which is not a whole number of bytes");
        }

        const QJsonValue offsets = info.value(QLatin1StringView("data_offsets"));
        const QJsonArray pair = offsets.toArray();
        if (!offsets.isArray() || pair.size() != 2) return error(where + " has no data_offsets [begin, end]");
        const auto begin = whole(pair.at(0));
        const auto end = whole(pair.at(1));
        if (!begin || !end) return error(where + " has data_offsets that are not whole numbers from 0 to 2^53");
        if (*end < *begin) {
            return error(where + " ends (" + kvscope::formatThousands(*end) + ") before it begins (" +
                         kvscope::formatThousands(*begin) + ")");
        }
        if (*end > m_dataBytes) {
            return error(where + " ends at byte " + kvscope::formatThousands(*end) + " of the data, past its end (" +
                         bytesText(m_dataBytes) + ")");
        }
        const std::uint64_t needed = bitsTotal / 8;
        if (*end - *begin != needed) {
            return error(where + " takes " + bytesText(*end - *begin) + " but " + kvscope::formatThousands(elements) +
                         " elements of " + dtypeName + " take " + bytesText(needed));
        }
        out = Tensor{name, dtypeName, *begin, *end, elements};
        return std::nullopt;
    }

    const std::string m_name;
    const std::uint64_t m_dataBytes;
};

}  // namespace

std::optional<unsigned> SafetensorsHeader::dtypeBits(std::string_view dtype) {
    for (const DtypeBits &d : kDtypes) {
        if (d.name == dtype) return d.bits;
    }
    return std::nullopt;
}

kvscope::Result<std::uint64_t> SafetensorsHeader::headerLength(QByteArrayView first8, std::uint64_t fileSize,
                                                               const QString &name) {
    const std::string file = name.toStdString();
    if (first8.size() < static_cast<qsizetype>(kLengthBytes) || fileSize < kLengthBytes) {
        return InputError{"safetensors", file + ": " + bytesText(fileSize) +
                                             ", shorter than the 8-byte header length of a safetensors file"};
    }
    std::uint64_t n = 0;
    for (int i = 7; i >= 0; --i) n = (n << 8) | static_cast<std::uint8_t>(first8[i]);
    if (n > kMaxHeaderBytes) {
        return InputError{"safetensors", file + ": the header length is " + kvscope::formatThousands(n) +
                                             " bytes; the format allows at most " +
                                             kvscope::formatThousands(kMaxHeaderBytes)};
    }
    if (n > fileSize - kLengthBytes) {
        return InputError{"safetensors", file + ": the header length is " + kvscope::formatThousands(n) +
                                             " bytes, larger than the file (" + bytesText(fileSize) + ")"};
    }
    return n;
}

kvscope::Result<SafetensorsHeader> SafetensorsHeader::parse(QByteArrayView json, std::uint64_t fileSize,
                                                            const QString &name) {
    const auto headerBytes = static_cast<std::uint64_t>(json.size());
    HeaderParser parser(name, fileSize >= kLengthBytes + headerBytes ? fileSize - kLengthBytes - headerBytes : 0);
    if (fileSize < kLengthBytes + headerBytes) return parser.error("the header is larger than the file");

    QJsonParseError jsonError;
    const QJsonDocument doc = QJsonDocument::fromJson(json.toByteArray(), &jsonError);
    if (jsonError.error != QJsonParseError::NoError) {
        return parser.error("the header is not valid JSON (" + jsonError.errorString().toStdString() + " at byte " +
                            kvscope::formatThousands(static_cast<std::uint64_t>(jsonError.offset)) + ")");
    }
    if (!doc.isObject()) return parser.error("the header is not a JSON object");
    const QJsonObject root = doc.object();

    std::vector<Tensor> tensors;
    tensors.reserve(static_cast<std::size_t>(root.size()));
    for (auto it = root.begin(); it != root.end(); ++it) {
        if (it.key() == QLatin1StringView("__metadata__")) {
            if (it.value().isNull()) continue;
            if (!it.value().isObject()) return parser.error("__metadata__ is not an object of strings");
            const QJsonObject metadata = it.value().toObject();
            for (auto m = metadata.begin(); m != metadata.end(); ++m) {
                if (!m.value().isString()) {
                    return parser.error("__metadata__ \"" + m.key().toStdString() + "\" is not a string");
                }
            }
            continue;
        }
        Tensor tensor;
        if (auto problem = parser.readTensor(it.key(), it.value(), tensor)) return *problem;
        tensors.push_back(std::move(tensor));
    }

    // In data order, each tensor must start where the one before ended.
    std::sort(tensors.begin(), tensors.end(), [](const Tensor &a, const Tensor &b) {
        return std::pair(a.begin, a.end) < std::pair(b.begin, b.end);
    });
    SafetensorsHeader header;
    std::uint64_t position = 0;
    const Tensor *previous = nullptr;
    for (const Tensor &t : tensors) {
        if (t.begin < position) {
            return parser.error("tensor \"" + t.name + "\" (bytes " + kvscope::formatThousands(t.begin) + " to " +
                                kvscope::formatThousands(t.end) + ") overlaps tensor \"" + previous->name + "\"");
        }
        if (t.begin > position) {
            return parser.error("a gap of " + bytesText(t.begin - position) + " lies before tensor \"" + t.name +
                                "\"; the format stores tensors back to back");
        }
        position = t.end;
        previous = &t;
        header.m_elements += t.elements;  // cannot overflow: each element takes at least 4 bits of the file
        auto total = std::find_if(header.m_dtypes.begin(), header.m_dtypes.end(),
                                  [&](const DtypeTotal &d) { return d.dtype == t.dtype; });
        if (total == header.m_dtypes.end()) {
            header.m_dtypes.push_back(DtypeTotal{t.dtype, 0, 0, 0});
            total = header.m_dtypes.end() - 1;
        }
        total->tensors += 1;
        total->elements += t.elements;
        total->bytes += t.end - t.begin;
    }
    if (position != parser.m_dataBytes) {
        return parser.error("the tensors cover " + bytesText(position) + " of the " + bytesText(parser.m_dataBytes) +
                            " of data after the header; the format wants them to cover it exactly");
    }
    header.m_tensorCount = tensors.size();
    header.m_dataBytes = position;
    std::stable_sort(header.m_dtypes.begin(), header.m_dtypes.end(),
                     [](const DtypeTotal &a, const DtypeTotal &b) { return a.bytes > b.bytes; });
    return header;
}

kvscope::Result<SafetensorsHeader> SafetensorsHeader::fromPrefix(QByteArrayView prefix, std::uint64_t fileSize,
                                                                 const QString &name) {
    const auto length = headerLength(prefix, fileSize, name);
    if (!length) return length.error();
    if (static_cast<std::uint64_t>(prefix.size()) < kLengthBytes + *length) {
        return InputError{"safetensors", name.toStdString() + ": the header ends early (" +
                                             bytesText(static_cast<std::uint64_t>(prefix.size())) + " of " +
                                             bytesText(kLengthBytes + *length) + ")"};
    }
    return parse(prefix.sliced(kLengthBytes, static_cast<qsizetype>(*length)), fileSize, name);
}

kvscope::Result<SafetensorsHeader> SafetensorsHeader::fromFile(const QString &path) {
    const std::string file = path.toStdString();
    const QFileInfo info(path);
    if (!info.exists()) return InputError{"safetensors", "no such file: " + file};
    // Only regular files: a FIFO or a device could block or never end.
    if (!info.isFile()) return InputError{"safetensors", file + " is not a regular file"};
    QFile in(path);
    if (!in.open(QIODevice::ReadOnly)) {
        return InputError{"safetensors", "cannot read " + file + ": " + in.errorString().toStdString()};
    }
    const auto fileSize = static_cast<std::uint64_t>(in.size());
    const QByteArray first8 = in.read(kLengthBytes);
    const auto length = headerLength(first8, fileSize, path);
    if (!length) return length.error();
    // The length is now at most the format's limit and within the file.
    const QByteArray json = in.read(static_cast<qint64>(*length));
    if (static_cast<std::uint64_t>(json.size()) != *length) {
        return InputError{"safetensors", file + ": the file ended while reading its header"};
    }
    return parse(json, fileSize, path);
}
