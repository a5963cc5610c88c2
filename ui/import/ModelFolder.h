#pragma once

#include <QString>

#include "ImportedModel.h"
#include "kvscope/result.h"

// A model folder as Hugging Face repositories lay them out (a download, or a
// snapshot folder in the Hugging Face cache): config.json, and the weights in
// model.safetensors or in the shards model.safetensors.index.json lists.
// The config gives the layers; the safetensors headers (every shard read
// and checked) give the exact weights. Without safetensors the config's own
// sources stay.
class ModelFolder {
public:
    static kvscope::Result<ImportedModel> read(const QString &folder);
};
