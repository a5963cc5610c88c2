#include "ModelFolder.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <utility>
#include <vector>

#include "ConfigImporter.h"
#include "SafetensorsHeader.h"
#include "SafetensorsWeights.h"

using kvscope::InputError;
using namespace Qt::StringLiterals;

kvscope::Result<ImportedModel> ModelFolder::read(const QString &folder) {
    const QDir dir(folder);
    const QString configPath = dir.filePath(u"config.json"_s);
    if (!QFileInfo(configPath).isFile()) {
        return InputError{"config.json", folder.toStdString() + " is a folder without a config.json"};
    }
    auto imported = ConfigImporter::fromFile(configPath);
    if (!imported) {
        return InputError{imported.error().field, configPath.toStdString() + ": " + imported.error().message};
    }
    ImportedModel model = std::move(imported).value();

    QStringList files;
    const QString indexPath = dir.filePath(QLatin1StringView(SafetensorsWeights::kIndexFile));
    if (QFileInfo(indexPath).isFile()) {
        QFile index(indexPath);
        if (!index.open(QIODevice::ReadOnly)) {
            return InputError{"safetensors", "cannot read " + indexPath.toStdString() + ": " +
                                                 index.errorString().toStdString()};
        }
        auto shards = SafetensorsWeights::shardsFromIndex(index.read(SafetensorsWeights::kMaxIndexBytes + 1), indexPath);
        if (!shards) return shards.error();
        files = *shards;
    } else if (QFileInfo(dir.filePath(QLatin1StringView(SafetensorsWeights::kSingleFile))).isFile()) {
        files = {QLatin1StringView(SafetensorsWeights::kSingleFile)};
    } else {
        return model;
    }

    std::vector<std::pair<QString, SafetensorsHeader>> headers;
    for (const QString &file : files) {
        auto header = SafetensorsHeader::fromFile(dir.filePath(file));
        if (!header) return header.error();
        headers.emplace_back(file, std::move(header).value());
    }
    // config.json was read and parsed above; it is small and still there.
    QFile config(configPath);
    QJsonObject configObject;
    if (config.open(QIODevice::ReadOnly)) {
        configObject = QJsonDocument::fromJson(config.read(ConfigImporter::kMaxConfigBytes)).object();
    }
    SafetensorsWeights::apply(model, headers, configObject, folder);
    return model;
}
