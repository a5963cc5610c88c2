#pragma once

#include <QString>

#include "ImportedModel.h"
#include "kvscope/result.h"

// Reads a model from a path, whatever holds it: a config.json file, or a
// model folder (config.json with safetensors headers). The CLI's --config and
// --compare and the window's reload from a saved origin all come here.
class ModelFile {
public:
    static kvscope::Result<ImportedModel> read(const QString &path);
};
