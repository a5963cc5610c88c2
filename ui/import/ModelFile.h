#pragma once

#include <QString>

#include "ImportedModel.h"
#include "kvscope/result.h"

// The one way to read a model from a path: a model folder (config.json with
// safetensors headers), a GGUF file (known by its magic, whatever its name),
// else a Hugging Face config.json. Errors name the file. The CLI's --config
// and --compare and the window's reload from a saved origin all come here.
class ModelFile {
public:
    enum class Kind { Config, Gguf, Folder };

    static kvscope::Result<ImportedModel> read(const QString &path);
    // What read() takes the path for: a folder, GGUF by its magic or a .gguf name, else config.json.
    static Kind kind(const QString &path);
};
