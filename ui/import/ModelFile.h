#pragma once

#include <QString>

#include "ImportedModel.h"
#include "kvscope/result.h"

// The one way to read a model from a path: a GGUF file (known by its magic,
// whatever its name), else a Hugging Face config.json. Errors name the file.
class ModelFile {
public:
    enum class Kind { Config, Gguf };

    static kvscope::Result<ImportedModel> read(const QString &path);
    // What read() takes the path for: GGUF by its magic or a .gguf name.
    static Kind kind(const QString &path);
};
