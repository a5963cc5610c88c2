#include "OllamaStore.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QRegularExpression>
#include <QStringList>

using kvscope::InputError;
using namespace Qt::StringLiterals;

namespace {

constexpr qint64 kMaxManifestBytes = 1024 * 1024;  // real manifests are under 2 KiB
constexpr QLatin1StringView kModelMediaType("application/vnd.ollama.image.model");  // server/images.go

// types/model/name.go isValidPart: a letter, digit or underscore first, then
// those and - _ (and . except in a namespace). Keeps ".." and "/" out of paths.
bool validPart(const QString &part, bool namespacePart) {
    static const QRegularExpression plain(QStringLiteral("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,349}$"));
    static const QRegularExpression space(QStringLiteral("^[A-Za-z0-9_][A-Za-z0-9_-]{0,79}$"));
    return (namespacePart ? space : plain).match(part).hasMatch();
}

}  // namespace

QString OllamaStore::root() {
    const QString env = qEnvironmentVariable("OLLAMA_MODELS");
    if (!env.isEmpty()) return env;
    return QDir::home().filePath(QStringLiteral(".ollama/models"));
}

kvscope::Result<QString> OllamaStore::resolve(const QString &reference) {
    const QString spec = reference.mid(kPrefix.size());
    // The tag follows the last ':' after the last '/' (types/model/name.go ParseName).
    const qsizetype slash = spec.lastIndexOf(u'/');
    const qsizetype colon = spec.lastIndexOf(u':');
    QString name = spec;
    QString tag = QStringLiteral("latest");
    if (colon > slash) {
        name = spec.left(colon);
        tag = spec.mid(colon + 1);
    }
    QStringList parts = name.split(u'/');
    if (parts.size() == 1) parts.prepend(QStringLiteral("library"));
    if (parts.size() == 2) parts.prepend(QStringLiteral("registry.ollama.ai"));
    const QString shown = kPrefix.toString() + name + u':' + tag;
    const auto fail = [&](const QString &why) { return InputError{"ollama", QString(shown + u": "_s + why).toStdString()}; };
    bool valid = parts.size() == 3 && validPart(tag, false);
    for (qsizetype i = 0; valid && i < parts.size(); ++i) valid = validPart(parts[i], i == 1);
    if (!valid) {
        return fail(QStringLiteral("not an Ollama model name (NAME[:TAG], NAME as name, namespace/name or "
                                   "host/namespace/name, each part letters, digits, '_', '-' and '.')"));
    }

    const QString store = root();
    if (!QFileInfo(store).isDir()) {
        return fail(u"no Ollama store at "_s + store +
                    (qEnvironmentVariableIsEmpty("OLLAMA_MODELS") ? u" (set OLLAMA_MODELS to its folder)"_s : QString()));
    }
    const QString manifestPath = QDir(store).filePath(u"manifests/"_s + parts.join(u'/') + u'/' + tag);
    const QFileInfo manifestInfo(manifestPath);
    if (!manifestInfo.isFile()) return fail(u"no such tag in the Ollama store (no manifest "_s + manifestPath + u')');
    if (manifestInfo.size() > kMaxManifestBytes) {
        return fail(u"the manifest "_s + manifestPath + u" is damaged: "_s + QString::number(manifestInfo.size()) +
                    u" bytes, more than a manifest holds"_s);
    }
    QFile file(manifestPath);
    if (!file.open(QIODevice::ReadOnly)) {
        return fail(u"cannot read the manifest "_s + manifestPath + u": "_s + file.errorString());
    }
    QJsonParseError parseError{};
    const QJsonDocument doc = QJsonDocument::fromJson(file.read(kMaxManifestBytes + 1), &parseError);
    if (parseError.error != QJsonParseError::NoError || !doc.isObject()) {
        return fail(u"the manifest "_s + manifestPath + u" is damaged: "_s +
                    (parseError.error != QJsonParseError::NoError ? parseError.errorString() : u"not a JSON object"_s));
    }
    const QJsonValue layers = doc.object().value(QLatin1StringView("layers"));
    if (!layers.isArray()) return fail(u"the manifest "_s + manifestPath + u" is damaged: it has no list of layers"_s);
    for (const QJsonValue &layer : layers.toArray()) {
        const QJsonObject object = layer.toObject();
        if (object.value(QLatin1StringView("mediaType")).toString() != kModelMediaType) continue;
        // manifest/paths.go BlobsPath: only sha256 digests, ':' written as '-'.
        static const QRegularExpression digestPattern(QStringLiteral("^sha256[:-]([0-9a-fA-F]{64})$"));
        const QString digest = object.value(QLatin1StringView("digest")).toString();
        const auto match = digestPattern.match(digest);
        if (!match.hasMatch()) {
            return fail(u"the manifest "_s + manifestPath + u" is damaged: its model layer's digest \""_s +
                        digest.left(80) + u"\" is not sha256:<64 hex digits>"_s);
        }
        const QString blob = QDir(store).filePath(u"blobs/sha256-"_s + match.captured(1));
        if (!QFileInfo(blob).isFile()) return fail(u"the model blob "_s + blob + u" is missing from the store"_s);
        return blob;
    }
    return fail(u"the manifest "_s + manifestPath + u" has no layer of type "_s + kModelMediaType +
                u" (not a GGUF model)"_s);
}
