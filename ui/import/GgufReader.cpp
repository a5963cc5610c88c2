#include "GgufReader.h"

#include <QFile>
#include <QFileInfo>
#include <QIODevice>
#include <QtEndian>
#include <algorithm>
#include <array>
#include <cstring>
#include <limits>
#include <set>
#include <string>

#include "kvscope/format.h"

using kvscope::InputError;
using Type = GgufValue::Type;

namespace {

constexpr char kMagic[4] = {'G', 'G', 'U', 'F'};  // gguf.cpp GGUF_MAGIC
constexpr std::uint32_t kMaxDims = 4;              // ggml.h GGML_MAX_DIMS
constexpr std::uint64_t kMaxTensorName = 63;       // gguf.cpp: name.length() >= GGML_MAX_NAME (64) fails
constexpr std::uint64_t kMaxKey = 65535;           // docs/gguf.md: keys are at most 65535 bytes
constexpr std::uint64_t kDefaultAlignment = 32;    // gguf.h GGUF_DEFAULT_ALIGNMENT
constexpr int kMaxArrayDepth = 8;                  // gguf.cpp refuses nested arrays; the spec allows them

std::string thousands(std::uint64_t v) { return kvscope::formatThousands(v); }

// The fewest bytes an element of `type` takes in the file.
std::uint64_t minimumBytes(Type type) {
    switch (type) {
    case Type::UInt8: case Type::Int8: case Type::Bool: return 1;
    case Type::UInt16: case Type::Int16: return 2;
    case Type::UInt32: case Type::Int32: case Type::Float32: return 4;
    case Type::UInt64: case Type::Int64: case Type::Float64: return 8;
    case Type::String: return 8;   // its length
    case Type::Array: return 12;   // element type and count
    }
    return 1;
}

bool knownType(std::uint32_t t) { return t <= static_cast<std::uint32_t>(Type::Float64); }

// Reads the header front to back through bounded reads, remembering the first problem.
class Cursor {
public:
    Cursor(QIODevice &device, std::uint64_t size, std::string name)
        : m_device(device), m_size(size), m_name(std::move(name)) {}

    std::uint64_t pos() const { return m_pos; }
    std::uint64_t left() const { return m_size - m_pos; }
    bool failed() const { return m_error.has_value(); }
    InputError error() const { return *m_error; }

    bool fail(const std::string &problem) {
        if (!m_error) m_error = InputError{"gguf", m_name + ": " + problem};
        return false;
    }

    // Strings and arrays inside metadata arrays, counted over the whole
    // header: a sparse file can claim billions of empty ones in no disk space
    // at all, and walking them would take hours. Real vocabularies hold about
    // a million (tokens and merges).
    static constexpr std::uint64_t kMaxWalkedElements = std::uint64_t{1} << 24;
    bool walk(const std::string &what) {
        if (++m_walked <= kMaxWalkedElements) return true;
        return fail(what + ": the metadata holds more than " + thousands(kMaxWalkedElements) +
                    " strings and arrays in arrays, more than any model's vocabulary");
    }

    // `n` bytes for `what`, or an error when the file ends first.
    bool need(std::uint64_t n, const std::string &what) {
        if (failed()) return false;
        if (n > left()) {
            return fail(what + " needs " + thousands(n) + " bytes at byte " + thousands(m_pos) + " but the file has " +
                        thousands(left()) + " left (the header is larger than the file; truncated or damaged)");
        }
        return true;
    }

    bool bytes(char *out, std::uint64_t n, const std::string &what) {
        if (!need(n, what)) return false;
        if (m_device.read(out, static_cast<qint64>(n)) != static_cast<qint64>(n)) {
            return fail("cannot read " + what + " at byte " + thousands(m_pos) + ": " +
                        m_device.errorString().toStdString());
        }
        m_pos += n;
        return true;
    }

    template <typename T>
    bool value(T &out, const std::string &what) {
        std::array<char, sizeof(T)> raw{};
        if (!bytes(raw.data(), sizeof(T), what)) return false;
        out = qFromLittleEndian<T>(raw.data());  // GGUF is little-endian
        return true;
    }

    bool skip(std::uint64_t n, const std::string &what) {
        if (!need(n, what)) return false;
        if (!m_device.seek(static_cast<qint64>(m_pos + n))) {
            return fail("cannot seek past " + what + " at byte " + thousands(m_pos));
        }
        m_pos += n;
        return true;
    }

    // A string: its length (u64), checked against the file, then its bytes;
    // kept only when at most `keep` bytes (else skipped, `out` left empty).
    bool string(std::string &out, std::uint64_t keep, const std::string &what, std::uint64_t *length = nullptr) {
        std::uint64_t n = 0;
        if (!value(n, "the length of " + what)) return false;
        if (length) *length = n;
        if (n > left()) {
            return fail(what + " is " + thousands(n) + " bytes long at byte " + thousands(m_pos) +
                        ", past the end of the file (" + thousands(left()) + " bytes left)");
        }
        if (n > keep) {
            out.clear();
            return skip(n, what);
        }
        out.assign(static_cast<std::size_t>(n), '\0');
        return bytes(out.data(), n, what);
    }

private:
    std::uint64_t m_walked = 0;
    QIODevice &m_device;
    std::uint64_t m_size;
    std::uint64_t m_pos = 0;
    std::string m_name;
    std::optional<InputError> m_error;
};

// One scalar of `type`, into v (whole/real/negative).
bool readScalar(Cursor &c, Type type, GgufValue &v, const std::string &what) {
    const auto setSigned = [&v](std::int64_t x) {
        v.real = static_cast<double>(x);
        if (x < 0) v.negative = true; else v.whole = static_cast<std::uint64_t>(x);
    };
    const auto setUnsigned = [&v](std::uint64_t x) {
        v.real = static_cast<double>(x);
        v.whole = x;
    };
    switch (type) {
    case Type::UInt8: { quint8 x = 0; if (!c.value(x, what)) return false; setUnsigned(x); return true; }
    case Type::Int8: { qint8 x = 0; if (!c.value(x, what)) return false; setSigned(x); return true; }
    case Type::UInt16: { quint16 x = 0; if (!c.value(x, what)) return false; setUnsigned(x); return true; }
    case Type::Int16: { qint16 x = 0; if (!c.value(x, what)) return false; setSigned(x); return true; }
    case Type::UInt32: { quint32 x = 0; if (!c.value(x, what)) return false; setUnsigned(x); return true; }
    case Type::Int32: { qint32 x = 0; if (!c.value(x, what)) return false; setSigned(x); return true; }
    case Type::UInt64: { quint64 x = 0; if (!c.value(x, what)) return false; setUnsigned(x); return true; }
    case Type::Int64: { qint64 x = 0; if (!c.value(x, what)) return false; setSigned(x); return true; }
    case Type::Bool: {
        quint8 x = 0;
        if (!c.value(x, what)) return false;
        if (x > 1) return c.fail(what + " is a bool holding " + std::to_string(x) + ", not 0 or 1");
        setUnsigned(x);
        return true;
    }
    case Type::Float32: {
        quint32 bits = 0;
        if (!c.value(bits, what)) return false;
        float f = 0;
        std::memcpy(&f, &bits, sizeof f);
        v.real = f;
        return true;
    }
    case Type::Float64: {
        quint64 bits = 0;
        if (!c.value(bits, what)) return false;
        double d = 0;
        std::memcpy(&d, &bits, sizeof d);
        v.real = d;
        return true;
    }
    case Type::String:
    case Type::Array: break;
    }
    return c.fail(what + " has no scalar type");
}

bool readValue(Cursor &c, Type type, GgufValue &v, const std::string &what, int depth);

bool readArray(Cursor &c, GgufValue &v, const std::string &what, int depth) {
    if (depth >= kMaxArrayDepth) {
        return c.fail(what + " nests arrays more than " + std::to_string(kMaxArrayDepth) + " deep");
    }
    std::uint32_t element = 0;
    if (!c.value(element, "the element type of " + what)) return false;
    if (!knownType(element)) {
        return c.fail(what + " is an array of GGUF type " + std::to_string(element) + ", which is not one (0 to 12)");
    }
    v.elementType = static_cast<Type>(element);
    if (!c.value(v.count, "the length of " + what)) return false;
    // Bound the count by the bytes left before looping or allocating.
    const std::uint64_t each = minimumBytes(v.elementType);
    if (v.count > c.left() / each) {
        return c.fail(what + " claims " + thousands(v.count) + " elements of at least " + std::to_string(each) +
                      " bytes, more than the " + thousands(c.left()) + " bytes left in the file");
    }
    const bool integral = v.elementType != Type::Float32 && v.elementType != Type::Float64 &&
                          v.elementType != Type::String && v.elementType != Type::Array;
    if (v.elementType == Type::String || v.elementType == Type::Array) {
        for (std::uint64_t i = 0; i < v.count; ++i) {
            GgufValue item;
            if (!c.walk(what)) return false;
            if (!readValue(c, v.elementType, item, what, depth + 1)) {
                return c.fail(what + ": element " + std::to_string(i) + " is damaged");
            }
        }
        return true;
    }
    if (!integral || v.count > GgufValue::kMaxKeptElements) return c.skip(v.count * each, what);
    std::vector<std::uint64_t> kept;
    kept.reserve(static_cast<std::size_t>(v.count));  // at most kMaxKeptElements
    for (std::uint64_t i = 0; i < v.count; ++i) {
        GgufValue item;
        if (!readScalar(c, v.elementType, item, what)) return false;
        if (item.negative) v.negative = true;
        kept.push_back(item.whole.value_or(0));
    }
    if (!v.negative) v.wholes = std::move(kept);
    return true;
}

bool readValue(Cursor &c, Type type, GgufValue &v, const std::string &what, int depth) {
    v.type = type;
    if (type == Type::String) {
        std::string text;
        if (!c.string(text, GgufValue::kMaxKeptString, what, &v.count)) return false;
        if (v.count <= GgufValue::kMaxKeptString) v.text = std::move(text);
        return true;
    }
    if (type == Type::Array) return readArray(c, v, what, depth);
    return readScalar(c, type, v, what);
}

}  // namespace

std::string shownName(const std::string &name) {
    constexpr std::size_t kShown = 80;
    std::string shown = name.substr(0, kShown);
    for (char &ch : shown) {
        if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f) ch = '?';
    }
    return name.size() > kShown ? shown + "..." : shown;
}

bool GgufValue::isInteger() const {
    switch (type) {
    case Type::UInt8: case Type::Int8: case Type::UInt16: case Type::Int16: case Type::UInt32:
    case Type::Int32: case Type::UInt64: case Type::Int64: return true;
    default: return false;
    }
}

std::string GgufValue::describe() const {
    static constexpr const char *kNames[] = {"u8",   "i8",     "u16",   "i16", "u32", "i32", "f32",
                                             "bool", "string", "array", "u64", "i64", "f64"};
    const auto name = [](Type t) { return std::string(kNames[static_cast<std::uint32_t>(t)]); };
    if (type == Type::Array) return "an array of " + thousands(count) + " " + name(elementType);
    return "a " + name(type);
}

bool GgufReader::hasMagic(const QString &path) {
    QFile file(path);
    if (!QFileInfo(path).isFile() || !file.open(QIODevice::ReadOnly)) return false;
    char head[4] = {};
    return file.read(head, 4) == 4 && std::memcmp(head, kMagic, 4) == 0;
}

kvscope::Result<GgufFile> GgufReader::read(const QString &path) {
    const QFileInfo info(path);
    // Only regular files: a FIFO or a device could block or never end.
    if (!info.exists()) return InputError{"gguf", "no such file: " + path.toStdString()};
    if (!info.isFile()) return InputError{"gguf", path.toStdString() + " is not a regular file"};
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        return InputError{"gguf", "cannot read " + path.toStdString() + ": " + file.errorString().toStdString()};
    }
    return read(file, file.size(), path);
}

kvscope::Result<GgufFile> GgufReader::read(QIODevice &device, std::int64_t size, const QString &name) {
    Cursor c(device, static_cast<std::uint64_t>(std::max<std::int64_t>(size, 0)), name.toStdString());
    GgufFile gguf;
    gguf.fileSize = static_cast<std::uint64_t>(std::max<std::int64_t>(size, 0));

    char magic[4] = {};
    if (!c.bytes(magic, 4, "the magic \"GGUF\"")) return c.error();
    if (std::memcmp(magic, kMagic, 4) != 0) {
        c.fail("not a GGUF file (it starts with bytes " + QByteArray(magic, 4).toHex(' ').toStdString() +
               ", not \"GGUF\")");
        return c.error();
    }
    // gguf.cpp gguf_init_from_file_impl: version 1 is no longer read, 0 and above 3 are not GGUF.
    if (!c.value(gguf.version, "the version")) return c.error();
    if (gguf.version != 2 && gguf.version != 3) {
        c.fail("GGUF version " + std::to_string(gguf.version) +
               (gguf.version == 1 ? " is no longer read by llama.cpp; convert the model again"
                                  : " is not one KV Scope reads (2 or 3)") +
               ((gguf.version & 0xFFFF) == 0 ? " (a big-endian file?)" : ""));
        return c.error();
    }
    std::uint64_t n_tensors = 0;
    std::uint64_t n_kv = 0;
    if (!c.value(n_tensors, "the tensor count") || !c.value(n_kv, "the metadata count")) return c.error();
    // Each metadata entry takes at least a key length, one key byte, a type and one value byte.
    if (n_kv > c.left() / 14) {
        c.fail("the header claims " + thousands(n_kv) + " metadata entries, more than its " + thousands(c.left()) +
               " remaining bytes can hold");
        return c.error();
    }
    // Each tensor info takes at least a name length, a dimension count, a type and an offset.
    if (n_tensors > c.left() / 24) {
        c.fail("the header claims " + thousands(n_tensors) + " tensors, more than its " + thousands(c.left()) +
               " remaining bytes can hold");
        return c.error();
    }

    for (std::uint64_t i = 0; i < n_kv; ++i) {
        const std::string which = "metadata entry " + std::to_string(i);
        std::string key;
        std::uint64_t key_length = 0;
        if (!c.string(key, kMaxKey, "the key of " + which, &key_length)) return c.error();
        if (key_length == 0 || key_length > kMaxKey) {
            c.fail("the key of " + which + " is " + thousands(key_length) + " bytes long; keys are 1 to " +
                   thousands(kMaxKey) + " bytes");
            return c.error();
        }
        const std::string shown = shownName(key);
        if (gguf.metadata.count(key)) {
            c.fail("metadata key " + shown + " appears twice");
            return c.error();
        }
        std::uint32_t type = 0;
        if (!c.value(type, "the type of " + shown)) return c.error();
        if (!knownType(type)) {
            c.fail("metadata key " + shown + " has GGUF type " + std::to_string(type) + ", which is not one (0 to 12)");
            return c.error();
        }
        GgufValue v;
        if (!readValue(c, static_cast<Type>(type), v, "metadata key " + shown, 0)) return c.error();
        gguf.metadata.emplace(std::move(key), std::move(v));
    }

    // gguf.cpp: general.alignment is a u32 power of two, 32 when absent.
    gguf.alignment = kDefaultAlignment;
    if (const GgufValue *a = gguf.find("general.alignment")) {
        if (a->type != Type::UInt32 || !a->whole || *a->whole == 0 || (*a->whole & (*a->whole - 1)) != 0) {
            c.fail("general.alignment must be a u32 power of two (got " +
                   (a->whole ? thousands(*a->whole) : a->describe()) + ")");
            return c.error();
        }
        gguf.alignment = *a->whole;
    }

    std::set<std::string> names;
    for (std::uint64_t i = 0; i < n_tensors; ++i) {
        GgufTensor t;
        std::uint64_t name_length = 0;
        if (!c.string(t.name, kMaxTensorName, "the name of tensor " + std::to_string(i), &name_length)) {
            return c.error();
        }
        if (name_length > kMaxTensorName) {
            c.fail("the name of tensor " + std::to_string(i) + " is " + thousands(name_length) +
                   " bytes long; llama.cpp allows at most " + std::to_string(kMaxTensorName));
            return c.error();
        }
        const std::string tensor = "tensor " + shownName(t.name);
        if (!names.insert(t.name).second) {
            c.fail(tensor + " appears twice");
            return c.error();
        }
        std::uint32_t n_dims = 0;
        if (!c.value(n_dims, "the dimension count of " + tensor)) return c.error();
        if (n_dims > kMaxDims) {
            c.fail(tensor + " has " + std::to_string(n_dims) + " dimensions; GGML allows 0 to 4");
            return c.error();
        }
        // gguf.cpp: each dimension is a non-negative i64 and their product fits an i64.
        t.elements = 1;
        for (std::uint32_t d = 0; d < n_dims; ++d) {
            std::int64_t n = 0;
            if (!c.value(n, "dimension " + std::to_string(d) + " of " + tensor)) return c.error();
            if (n < 0) {
                c.fail(tensor + " has a negative dimension (" + std::to_string(n) + ")");
                return c.error();
            }
            const auto un = static_cast<std::uint64_t>(n);
            if (un != 0 && t.elements > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()) / un) {
                c.fail(tensor + " has more elements than 2^63");
                return c.error();
            }
            t.elements *= un;
            t.dims.push_back(un);
        }
        std::uint32_t type_id = 0;
        if (!c.value(type_id, "the type of " + tensor)) return c.error();
        const auto type = GgmlType::byId(type_id);
        if (!type) {
            c.fail(tensor + " has GGML type " + std::to_string(type_id) +
                   ", which llama.cpp does not define (0 to 42)");
            return c.error();
        }
        if (type->removed) {
            c.fail(tensor + " is " + std::string(type->name) + " (GGML type " + std::to_string(type_id) +
                   "), which llama.cpp no longer reads; convert the model again");
            return c.error();
        }
        t.type = *type;
        // gguf.cpp: a row (dimension 0) is a whole number of blocks.
        const std::uint64_t row = t.dims.empty() ? 1 : t.dims[0];
        const auto bytes = t.type.bytesFor(t.elements);
        if (row % t.type.blockSize != 0 || !bytes) {
            c.fail(tensor + " is " + std::string(t.type.name) + " with rows of " + thousands(row) +
                   " elements, not a multiple of its block of " + std::to_string(t.type.blockSize));
            return c.error();
        }
        t.bytes = *bytes;
        if (!c.value(t.offset, "the offset of " + tensor)) return c.error();
        if (t.offset % gguf.alignment != 0) {
            c.fail(tensor + " starts at offset " + thousands(t.offset) + ", not a multiple of the alignment " +
                   thousands(gguf.alignment));
            return c.error();
        }
        gguf.tensors.push_back(std::move(t));
    }

    // The data section starts at the next multiple of the alignment (gguf.cpp GGML_PAD).
    gguf.dataStart = c.pos();
    if (n_tensors > 0) gguf.dataStart = (c.pos() + gguf.alignment - 1) / gguf.alignment * gguf.alignment;
    if (gguf.dataStart > gguf.fileSize) {  // gguf.cpp: the seek to the padded start fails
        c.fail("the tensor data would start at byte " + thousands(gguf.dataStart) + ", past the end of the file (" +
               thousands(gguf.fileSize) + " bytes)");
        return c.error();
    }

    // Every tensor lies inside the file, and no two share bytes.
    std::vector<const GgufTensor *> by_offset;
    by_offset.reserve(gguf.tensors.size());
    for (const GgufTensor &t : gguf.tensors) by_offset.push_back(&t);
    std::stable_sort(by_offset.begin(), by_offset.end(),
                     [](const GgufTensor *a, const GgufTensor *b) { return a->offset < b->offset; });
    const std::uint64_t data_bytes = gguf.fileSize > gguf.dataStart ? gguf.fileSize - gguf.dataStart : 0;
    for (std::size_t i = 0; i < by_offset.size(); ++i) {
        const GgufTensor &t = *by_offset[i];
        const std::string shown = shownName(t.name);
        if (t.offset > data_bytes || t.bytes > data_bytes - t.offset) {
            c.fail("tensor " + shown + " (" + thousands(t.bytes) + " bytes at offset " + thousands(t.offset) +
                   " of the data section) runs past the end of the file (the data section holds " +
                   thousands(data_bytes) + " bytes)");
            return c.error();
        }
        if (i + 1 < by_offset.size() && t.offset + t.bytes > by_offset[i + 1]->offset && t.bytes > 0) {
            const std::string next = shownName(by_offset[i + 1]->name);
            c.fail("tensors " + shown + " and " + next + " overlap (" + shown + " ends at offset " +
                   thousands(t.offset + t.bytes) + ", " + next + " starts at " +
                   thousands(by_offset[i + 1]->offset) + ")");
            return c.error();
        }
    }
    return gguf;
}
