// Arbitrary bytes as a whole .safetensors file: the header reader gives a
// header whose tensors cover the data exactly, or an error naming the file,
// never a crash, a hang or an allocation sized by the input's numbers.
#include <QByteArrayView>
#include <QString>
#include <cstddef>
#include <cstdint>

#include "SafetensorsHeader.h"
#include "SafetensorsWeights.h"

namespace {

void check(bool condition) {
    if (!condition) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    const QByteArrayView bytes(reinterpret_cast<const char *>(data), static_cast<qsizetype>(size));
    const QString name = QStringLiteral("fuzz.safetensors");
    const auto header = SafetensorsHeader::fromPrefix(bytes, size, name);
    if (!header) {
        check(header.error().message.rfind("fuzz.safetensors", 0) == 0);
    } else {
        check(header->dataBytes() <= size);
        std::uint64_t bytesByDtype = 0;
        for (const auto &d : header->dtypes()) bytesByDtype += d.bytes;
        check(bytesByDtype == header->dataBytes());
    }
    // The same bytes as a sharded model's index.
    const auto shards = SafetensorsWeights::shardsFromIndex(bytes, QStringLiteral("fuzz.index.json"));
    if (shards) {
        for (const QString &shard : *shards) check(!shard.isEmpty() && !shard.startsWith(u'/'));
    }
    return 0;
}
