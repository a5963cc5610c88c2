// Arbitrary bytes as a config.json: the importer gives a model or an error
// naming a key, and an imported layout's totals are values, never a crash.
#include <QByteArrayView>
#include <cstddef>
#include <cstdint>

#include "ConfigImporter.h"
#include "kvscope/layout_bytes.h"
#include "kvscope/sweep.h"

namespace {

void check(bool condition) {
    if (!condition) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    const auto imported =
        ConfigImporter::fromJson(QByteArrayView(reinterpret_cast<const char *>(data), static_cast<qsizetype>(size)));
    if (!imported) {
        check(!imported.error().message.empty());
        return 0;
    }
    kvscope::Workload workload;
    for (std::uint64_t context : {std::uint64_t{1}, std::uint64_t{4096}, std::uint64_t{1} << 31}) {
        workload.context_length = context;
        (void)kvscope::layoutBytes(imported->layout, workload);
        (void)kvscope::layoutBytesPerToken(imported->layout, workload);
    }
    const auto lengths = kvscope::seedContextLengths();
    (void)kvscope::layoutContextSweep(imported->layout, workload, lengths);
    return 0;
}
