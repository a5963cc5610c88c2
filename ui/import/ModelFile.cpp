#include "ModelFile.h"

#include "ConfigImporter.h"
#include "GgufImporter.h"
#include "GgufReader.h"

ModelFile::Kind ModelFile::kind(const QString &path) {
    // A .gguf name without the magic is still read as GGUF, so its error says what is wrong with it.
    if (GgufReader::hasMagic(path) || path.endsWith(QLatin1StringView(".gguf"), Qt::CaseInsensitive)) {
        return Kind::Gguf;
    }
    return Kind::Config;
}

kvscope::Result<ImportedModel> ModelFile::read(const QString &path) {
    if (kind(path) == Kind::Gguf) return GgufImporter::fromFile(path);
    return ConfigImporter::fromFile(path);
}
