#include "ModelFile.h"

#include <QFileInfo>

#include "ConfigImporter.h"
#include "GgufImporter.h"
#include "GgufReader.h"
#include "ModelFolder.h"

ModelFile::Kind ModelFile::kind(const QString &path) {
    if (QFileInfo(path).isDir()) return Kind::Folder;
    // A .gguf name without the magic is still read as GGUF, so its error says what is wrong with it.
    if (GgufReader::hasMagic(path) || path.endsWith(QLatin1StringView(".gguf"), Qt::CaseInsensitive)) {
        return Kind::Gguf;
    }
    return Kind::Config;
}

kvscope::Result<ImportedModel> ModelFile::read(const QString &path) {
    switch (kind(path)) {
    case Kind::Folder:
        return ModelFolder::read(path);
    case Kind::Gguf:
        return GgufImporter::fromFile(path);
    case Kind::Config:
        break;
    }
    return ConfigImporter::fromFile(path);
}
