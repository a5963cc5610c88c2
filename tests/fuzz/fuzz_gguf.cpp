// Arbitrary bytes as a GGUF file: the reader gives a header or one line
// naming the problem, in bounded memory, and an imported layout's totals
// are values, never a crash. Seeds: make_gguf_seeds.py.
#include <QBuffer>
#include <QByteArray>
#include <cstddef>
#include <cstdint>

#include "GgufImporter.h"
#include "GgufReader.h"
#include "kvscope/layout_bytes.h"

namespace {

void check(bool condition) {
    if (!condition) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    QByteArray bytes = QByteArray::fromRawData(reinterpret_cast<const char *>(data), static_cast<qsizetype>(size));
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::ReadOnly);
    const QString name = QStringLiteral("fuzz.gguf");
    const auto gguf = GgufReader::read(buffer, static_cast<std::int64_t>(size), name);
    if (!gguf) {
        const std::string &message = gguf.error().message;
        check(message.rfind("fuzz.gguf: ", 0) == 0 && message.find('\n') == std::string::npos);
        return 0;
    }
    for (const GgufTensor &t : gguf->tensors) {
        check(t.dims.size() <= 4);
        check(gguf->dataStart + t.offset + t.bytes <= gguf->fileSize);
    }
    const auto imported = GgufImporter::fromGguf(*gguf, name);
    if (!imported) {
        check(imported.error().message.rfind("fuzz.gguf: ", 0) == 0);
        return 0;
    }
    check(imported->weights_bytes.value_or(0) <= gguf->fileSize);
    kvscope::Workload workload;
    for (std::uint64_t context : {std::uint64_t{1}, std::uint64_t{4096}, std::uint64_t{1} << 31}) {
        workload.context_length = context;
        (void)kvscope::layoutBytes(imported->layout, workload);
        (void)kvscope::layoutBytesPerToken(imported->layout, workload);
    }
    return 0;
}
