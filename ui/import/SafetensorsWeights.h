#pragma once

#include <QByteArrayView>
#include <QString>
#include <QStringList>
#include <utility>
#include <vector>

#include "ImportedModel.h"
#include "SafetensorsHeader.h"
#include "kvscope/result.h"

class QJsonObject;

// A model's weights as its safetensors headers describe them: which files
// hold them (one model.safetensors, or the shards a
// model.safetensors.index.json lists), and what they add up to. Shared by
// model folders and the Hub client, which fetches the same files.
class SafetensorsWeights {
public:
    static constexpr auto kSingleFile = "model.safetensors";
    static constexpr auto kIndexFile = "model.safetensors.index.json";
    // Real indexes are a few hundred KiB.
    static constexpr qsizetype kMaxIndexBytes = 64 * 1024 * 1024;

    // The shard files an index's weight_map names, each once, sorted by
    // name. Names are relative paths inside the repository: no
    // absolute path, no "..", nothing a download could write outside it.
    static kvscope::Result<QStringList> shardsFromIndex(QByteArrayView json, const QString &indexName);

    // Fills weights_bytes, weights_format and (when the element count is the
    // parameter count) parameters from the headers, with provenance naming
    // `where` and the files. `config` is the model's config.json object: a
    // quantization_config means packed or scaled weights, whose element count
    // is not the parameter count.
    static void apply(ImportedModel &model, const std::vector<std::pair<QString, SafetensorsHeader>> &files,
                      const QJsonObject &config, const QString &where);
};
