#include "ModelFile.h"

#include <QFileInfo>

#include "ConfigImporter.h"
#include "ModelFolder.h"

kvscope::Result<ImportedModel> ModelFile::read(const QString &path) {
    if (QFileInfo(path).isDir()) return ModelFolder::read(path);
    return ConfigImporter::fromFile(path);
}
