#pragma once

#include <QString>
#include <cstdint>

#include "GgufFile.h"
#include "kvscope/result.h"

class QIODevice;

// Reads the header of a GGUF file (versions 2 and 3) as llama.cpp's
// gguf_init_from_file_impl does (ggml/src/gguf.cpp, llama.cpp d32676d7):
// metadata, tensor infos and where the data starts, never the tensor data.
// The file is untrusted: every count, length and offset is checked against
// the bytes left before it is used, nothing is allocated from a count, and
// reads are bounded, so a hostile header fails fast in little memory. Every
// error message names the file and the problem.
class GgufReader {
public:
    // "GGUF" as the first four bytes (gguf.cpp GGUF_MAGIC).
    static bool hasMagic(const QString &path);

    static kvscope::Result<GgufFile> read(const QString &path);
    // The header from an open device of `size` bytes; `name` is what messages call it.
    static kvscope::Result<GgufFile> read(QIODevice &device, std::int64_t size, const QString &name);
};
