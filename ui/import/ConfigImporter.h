#pragma once

#include <QByteArrayView>
#include <QString>
#include <cstdint>

#include "ImportedModel.h"
#include "kvscope/result.h"

class QJsonObject;

// Reads a Hugging Face config.json into a layout with the provenance of every
// number. Errors are values (an InputError naming the config key); nothing
// throws, and hostile input (huge, truncated, deeply nested, wrong types) is
// rejected quickly. Pure functions: no state, safe from any thread.
class ConfigImporter {
public:
    // Real configs are a few KiB; anything this large is not one, and is
    // refused by its size before it is read or parsed.
    static constexpr std::int64_t kMaxConfigBytes = 16 * 1024 * 1024;

    static kvscope::Result<ImportedModel> fromJson(QByteArrayView json);
    static kvscope::Result<ImportedModel> fromFile(const QString &path);
    // An already parsed config object (a preset's "config").
    static kvscope::Result<ImportedModel> fromObject(const QJsonObject &config);

    // The name a model read from `path` goes by: the folder of a config.json
    // (as Hugging Face repositories lay them out), else the file's base name;
    // an ollama:NAME:TAG reference as given.
    static QString displayName(const QString &path);
};
