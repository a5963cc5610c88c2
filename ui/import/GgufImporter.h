#pragma once

#include <QString>

#include "GgufFile.h"
#include "ImportedModel.h"
#include "kvscope/result.h"

// A GGUF file as a model: general.architecture and its `{arch}.*`
// hyperparameters, read as llama.cpp reads them (src/llama-model.cpp
// load_hparams and src/models/<arch>.cpp load_arch_hparams, llama.cpp
// d32676d7), are restated as the Hugging Face config keys they stand for and
// interpreted by ConfigImporter, so the family rules live in one place; every
// provenance source then names the GGUF key it came from. The weights are the
// tensors' exact bytes and element count. An architecture KV Scope has no
// mapping for is refused by name rather than guessed at.
class GgufImporter {
public:
    static kvscope::Result<ImportedModel> fromFile(const QString &path);
    // `name` is what messages call the file.
    static kvscope::Result<ImportedModel> fromGguf(const GgufFile &gguf, const QString &name);
};
