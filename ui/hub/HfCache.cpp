#include "HfCache.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLatin1StringView>
#include <QRegularExpression>
#include <QSaveFile>
#include <utility>

using kvscope::InputError;
using namespace Qt::StringLiterals;

namespace {

bool writeAtomically(const QString &path, const QByteArray &bytes) {
    if (!QDir().mkpath(QFileInfo(path).absolutePath())) return false;
    QSaveFile out(path);
    if (!out.open(QIODevice::WriteOnly)) return false;
    out.write(bytes);
    return out.commit();
}

}  // namespace

HfCache::HfCache(QString hubCache, QString headerCache)
    : m_hubCache(std::move(hubCache)), m_headerCache(std::move(headerCache)) {}

QString HfCache::repoFolder(const QString &repo) const {
    // repo_folder_name: "models--" + the id's parts joined by "--".
    return m_hubCache + u"/models--"_s + QString(repo).replace(u'/', u"--"_s);
}

QString HfCache::snapshotFolder(const QString &repo, const QString &commit) const {
    return repoFolder(repo) + u"/snapshots/"_s + commit;
}

std::optional<QString> HfCache::commitFor(const HubModelId &id) const {
    if (id.revisionIsCommit()) return id.revision;
    QFile ref(repoFolder(id.repo) + u"/refs/"_s + id.revision);
    if (!ref.open(QIODevice::ReadOnly)) return std::nullopt;
    const QString commit = QString::fromLatin1(ref.read(128)).trimmed();
    static const QRegularExpression kCommit(u"^[0-9a-f]{40}$"_s);
    if (!kCommit.match(commit).hasMatch()) return std::nullopt;
    return commit;
}

QString HfCache::cachedFile(const QString &repo, const QString &commit, const QString &file) const {
    const QString path = snapshotFolder(repo, commit) + u'/' + file;
    return QFileInfo(path).isFile() ? path : QString();
}

bool HfCache::knownMissing(const QString &repo, const QString &commit, const QString &file) const {
    return QFileInfo::exists(repoFolder(repo) + u"/.no_exist/"_s + commit + u'/' + file);
}

kvscope::Result<QString> HfCache::storeFile(const QString &repo, const QString &commit, const QString &file,
                                            const QString &etag, const QByteArray &bytes) const {
    const QString blob = repoFolder(repo) + u"/blobs/"_s + etag;
    const QString link = snapshotFolder(repo, commit) + u'/' + file;
    if (!writeAtomically(blob, bytes) || !QDir().mkpath(QFileInfo(link).absolutePath())) {
        return InputError{"model", "cannot write to the Hugging Face cache " + repoFolder(repo).toStdString()};
    }
    // A relative link, as huggingface_hub makes: ../../blobs/<etag>, one more
    // ../ per folder in the file's name.
    const QString target = u"../"_s.repeated(2 + file.count(u'/')) + u"blobs/"_s + etag;
    QFile::remove(link);
    if (!QFile::link(target, link)) {
        return InputError{"model", "cannot link " + link.toStdString() + " in the Hugging Face cache"};
    }
    return link;
}

void HfCache::storeMissing(const QString &repo, const QString &commit, const QString &file) const {
    writeAtomically(repoFolder(repo) + u"/.no_exist/"_s + commit + u'/' + file, QByteArray());
}

void HfCache::storeRef(const QString &repo, const QString &revision, const QString &commit) const {
    if (revision == commit) return;
    writeAtomically(repoFolder(repo) + u"/refs/"_s + revision, commit.toLatin1());
}

QString HfCache::headerRecord(const QString &repo, const QString &commit, const QString &file) const {
    return m_headerCache + u"/models--"_s + QString(repo).replace(u'/', u"--"_s) + u'/' + commit + u'/' + file +
           u".json"_s;
}

bool HfCache::storeHeader(const QString &repo, const QString &commit, const QString &file, std::uint64_t fileSize,
                          const QByteArray &headerJson) const {
    const QJsonObject record{{u"file_size"_s, static_cast<double>(fileSize)},
                             {u"header"_s, QString::fromUtf8(headerJson)}};
    return writeAtomically(headerRecord(repo, commit, file), QJsonDocument(record).toJson(QJsonDocument::Compact));
}

std::optional<kvscope::Result<SafetensorsHeader>> HfCache::cachedHeader(const QString &repo, const QString &commit,
                                                                        const QString &file) const {
    const QString path = headerRecord(repo, commit, file);
    QFile in(path);
    if (!in.open(QIODevice::ReadOnly)) return std::nullopt;
    // A header is at most 100,000,000 bytes; its record a little more.
    const QJsonObject record =
        QJsonDocument::fromJson(in.read(2 * static_cast<qint64>(SafetensorsHeader::kMaxHeaderBytes))).object();
    const double size = record.value(u"file_size"_s).toDouble(-1);
    if (!record.value(u"header"_s).isString() || !(size >= 0 && size <= 9007199254740992.0)) {
        return kvscope::Result<SafetensorsHeader>(InputError{"safetensors", path.toStdString() + ": a damaged header record; delete it to fetch the header again"});
    }
    return SafetensorsHeader::parse(record.value(u"header"_s).toString().toUtf8(), static_cast<std::uint64_t>(size),
                                    repo + u'/' + file);
}

QString HfCache::normalizeEtag(QString etag) {
    if (etag.startsWith(u"W/"_s)) etag = etag.mid(2);
    etag.remove(u'"');
    return etag;
}
