#include "HubModelLoader.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QEventLoop>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLatin1StringView>
#include <QNetworkAccessManager>
#include <QNetworkProxyFactory>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QRegularExpression>
#include <QTimer>
#include <QUrl>
#include <utility>
#include <vector>

#include "ConfigImporter.h"
#include "SafetensorsHeader.h"
#include "SafetensorsWeights.h"

using kvscope::InputError;
using namespace Qt::StringLiterals;

namespace {

constexpr auto kConfigFile = "config.json";

QString configName() {
    return QString::fromLatin1(kConfigFile);
}

// The Hub's file URL (huggingface_hub's HUGGINGFACE_CO_URL_TEMPLATE): the
// revision quoted whole, so a branch "a/b" is one path segment.
QUrl fileUrl(const QString &endpoint, const QString &repo, const QString &revision, const QString &file) {
    QByteArray path = repo.toUtf8() + "/resolve/" + QUrl::toPercentEncoding(revision) + '/';
    path += QUrl::toPercentEncoding(file, "/");
    return QUrl::fromEncoded(endpoint.toUtf8() + '/' + path);
}

// A blob's name: the etag when it is a plain name, else the bytes' hash, so
// a hostile server cannot name a path outside the blobs folder.
QString blobName(const QString &etag, const QByteArray &bytes) {
    static const QRegularExpression kPlain(u"^[A-Za-z0-9._-]{1,128}$"_s);
    if (kPlain.match(etag).hasMatch() && etag != u"."_s && etag != u".."_s) return etag;
    return QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());
}

}  // namespace

HubModelLoader::HubModelLoader(QObject *parent) : QObject(parent), m_network(new QNetworkAccessManager(this)) {
    // http_proxy, https_proxy and no_proxy (and the desktop's settings).
    QNetworkProxyFactory::setUseSystemConfiguration(true);
}

HubModelLoader::~HubModelLoader() {
    m_cancelled = true;  // the aborted reply reports nothing
    if (m_reply) m_reply->abort();
}

void HubModelLoader::start(const QString &modelId) {
    start(modelId, HubEnvironment::fromEnvironment());
}

void HubModelLoader::start(const QString &modelId, const HubEnvironment &environment) {
    // A load still running is dropped without a word: this start() reports instead.
    m_cancelled = true;
    if (m_reply) m_reply->abort();
    ++m_generation;
    m_env = environment;
    m_cache.emplace(m_env.hubCache, m_env.headerCache);
    m_running = true;
    m_cancelled = false;
    m_pending.clear();
    m_commit.clear();
    m_done = 0;
    m_total = 0;

    auto id = HubModelId::parse(modelId);
    if (!id) {
        m_id = HubModelId{modelId, {}};
        fail(id.error().message);
        return;
    }
    m_id = *id;

    // The cache first: a snapshot it holds whole needs no network.
    if (const auto commit = m_cache->commitFor(m_id)) {
        if (auto cached = fromCache(*commit, m_env.offline)) {
            cached->fromCache = true;
            finishWith(std::move(*cached));
            return;
        }
    }
    if (m_env.offline) {
        fail("offline (HF_HUB_OFFLINE is set) and not in the Hugging Face cache " + m_env.hubCache.toStdString());
        return;
    }
    m_total = 2;  // config.json and the index, then two per safetensors file
    emit progress(m_done, m_total);
    request(Step::Config, configName());
}

void HubModelLoader::cancel() {
    if (!m_running) return;
    m_cancelled = true;
    if (m_reply) m_reply->abort();
    HubResult result;
    result.id = m_id;
    result.commit = m_commit;
    result.cancelled = true;
    result.error = InputError{"model", m_id.display().toStdString() + ": cancelled"};
    finishWith(std::move(result));
}

std::optional<HubResult> HubModelLoader::fromCache(const QString &commit, bool allowPartial) const {
    const QString repo = m_id.repo;
    const QString configPath = m_cache->cachedFile(repo, commit, configName());
    if (configPath.isEmpty()) return std::nullopt;
    HubResult result;
    result.id = m_id;
    result.commit = commit;
    result.snapshotFolder = m_cache->snapshotFolder(repo, commit);
    const std::string model = m_id.display().toStdString();
    auto failed = [&](const kvscope::InputError &error) {
        result.error = InputError{error.field, model + ": " + error.message};
        return result;
    };
    auto imported = ConfigImporter::fromFile(configPath);
    if (!imported) return failed(imported.error());
    result.model = std::move(imported).value();

    // Which safetensors files hold the weights, as far as the cache knows.
    QStringList files;
    const QString single = QString::fromLatin1(SafetensorsWeights::kSingleFile);
    const QString indexName = QString::fromLatin1(SafetensorsWeights::kIndexFile);
    const QString indexPath = m_cache->cachedFile(repo, commit, indexName);
    bool known = true;
    if (!indexPath.isEmpty()) {
        QFile index(indexPath);
        if (!index.open(QIODevice::ReadOnly)) return failed(InputError{"safetensors", "cannot read " + indexPath.toStdString()});
        auto shards = SafetensorsWeights::shardsFromIndex(index.read(SafetensorsWeights::kMaxIndexBytes + 1), indexName);
        if (!shards) return failed(shards.error());
        files = *shards;
    } else if (m_cache->knownMissing(repo, commit, indexName)) {
        if (!m_cache->knownMissing(repo, commit, single)) files = {single};
    } else if (!m_cache->cachedFile(repo, commit, single).isEmpty() || m_cache->cachedHeader(repo, commit, single)) {
        files = {single};  // huggingface_hub fetched the one file and never asked for an index
    } else {
        known = false;
    }

    std::vector<std::pair<QString, SafetensorsHeader>> headers;
    for (const QString &file : files) {
        const QString full = m_cache->cachedFile(repo, commit, file);
        if (!full.isEmpty()) {
            auto header = SafetensorsHeader::fromFile(full);
            if (!header) return failed(header.error());
            headers.emplace_back(file, std::move(header).value());
        } else if (auto header = m_cache->cachedHeader(repo, commit, file)) {
            if (!*header) return failed(header->error());
            headers.emplace_back(file, std::move(*header).value());
        } else {
            known = false;
        }
    }
    if (!known) {
        if (!allowPartial) return std::nullopt;
        result.model.warnings.push_back("the safetensors headers of " + model +
                                        " are not in the Hugging Face cache: the weights are not known exactly");
        return result;
    }
    if (!headers.empty()) {
        QFile config(configPath);
        QJsonObject object;
        if (config.open(QIODevice::ReadOnly)) {
            object = QJsonDocument::fromJson(config.read(ConfigImporter::kMaxConfigBytes)).object();
        }
        SafetensorsWeights::apply(result.model, headers, object, m_id.repo + u'@' + commit.left(12) + u" on the Hugging Face Hub"_s);
    }
    return result;
}

void HubModelLoader::request(Step step, const QString &file, std::optional<std::pair<std::uint64_t, std::uint64_t>> range) {
    m_range = range;
    m_redirects = 0;
    m_hubHeaders.clear();
    send(step, file, fileUrl(m_env.endpoint, m_id.repo, m_commit.isEmpty() ? m_id.revision : m_commit, file));
}

void HubModelLoader::send(Step step, const QString &file, const QUrl &url) {
    QNetworkRequest req(url);
    req.setTransferTimeout(m_env.timeoutSeconds * 1000);
    // Redirects are followed by hand (onReply): the token goes to the Hub
    // only, never to the storage a large file is redirected to.
    req.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    req.setHeader(QNetworkRequest::UserAgentHeader, QByteArray("kvscope/" KVSCOPE_VERSION));
    const QUrl hub(m_env.endpoint);
    if (!m_env.token.isEmpty() && url.host() == hub.host() && url.port() == hub.port()) {
        req.setRawHeader("Authorization", "Bearer " + m_env.token.toUtf8());
    }
    m_limit = step == Step::Config ? ConfigImporter::kMaxConfigBytes
              : step == Step::Index ? SafetensorsWeights::kMaxIndexBytes
                                    : 0;
    if (m_range) {
        // The bytes as stored, not a compressed form with other offsets.
        req.setRawHeader("Accept-Encoding", "identity");
        req.setRawHeader("Range", "bytes=" + QByteArray::number(m_range->first) + '-' + QByteArray::number(m_range->second));
        m_limit = static_cast<qint64>(m_range->second - m_range->first + 1);
    }
    m_tooLarge = false;
    QNetworkReply *reply = m_network->get(req);
    m_reply = reply;
    // Never more than the step needs: a server that ignores Range or sends a
    // huge "config" is cut off.
    connect(reply, &QNetworkReply::downloadProgress, this, [this, reply](qint64 received, qint64) {
        if (received > m_limit) {
            m_tooLarge = true;
            reply->abort();
        }
    });
    connect(reply, &QNetworkReply::finished, this, [this, reply, step, file] { onReply(reply, step, file); });
}

std::string HubModelLoader::failureReason(QNetworkReply *reply, const QString &file) const {
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QByteArray code = reply->rawHeader("X-Error-Code");
    const std::string where = " at " + m_env.endpoint.toStdString();
    if (status == 401 || status == 403) {
        if (m_env.token.isEmpty()) {
            return "the Hub refused access (HTTP " + std::to_string(status) +
                   "): the model is gated or private, or does not exist; set HF_TOKEN or run huggingface-cli login";
        }
        return "the Hub refused the token from " + m_env.tokenSource.toStdString() + " (HTTP " + std::to_string(status) +
               "): request access on the model's page, or use a token that has it";
    }
    if (status == 404) {
        if (code == "RevisionNotFound") return "no revision \"" + m_id.revision.toStdString() + "\" on the Hub" + where;
        if (code == "EntryNotFound") return "the repository has no " + file.toStdString() + where;
        return "not found on the Hub (HTTP 404" + where + ")";
    }
    if (m_tooLarge && m_range) {
        return "the Hub at " + m_env.endpoint.toStdString() + " ignored the Range request for " + file.toStdString() +
               " and sent the whole file; only its header is wanted";
    }
    if (m_tooLarge) {
        return file.toStdString() + " from the Hub is larger than expected; it is not a model's " + file.toStdString();
    }
    if (status >= 300) return "the Hub answered HTTP " + std::to_string(status) + " for " + file.toStdString() + where;
    if (reply->error() == QNetworkReply::OperationCanceledError) {
        return "no answer from " + m_env.endpoint.toStdString() + " within " + std::to_string(m_env.timeoutSeconds) +
               " s (HF_HUB_DOWNLOAD_TIMEOUT sets the limit)";
    }
    return "network error reaching " + m_env.endpoint.toStdString() + ": " + reply->errorString().toStdString();
}

void HubModelLoader::onReply(QNetworkReply *reply, Step step, const QString &file) {
    reply->deleteLater();
    if (m_cancelled || reply != m_reply) return;
    m_reply.clear();
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (status == 301 || status == 302 || status == 303 || status == 307 || status == 308) {
        const QUrl target = reply->url().resolved(reply->header(QNetworkRequest::LocationHeader).toUrl());
        if (++m_redirects > kMaxRedirects || !target.isValid() ||
            (target.scheme() != u"https"_s && target.scheme() != reply->url().scheme())) {
            fail("the Hub at " + m_env.endpoint.toStdString() + " redirected " + file.toStdString() +
                 " too often or to an insecure address");
            return;
        }
        // The Hub's own headers come with its redirect, not with the storage's answer.
        for (const char *name : {"X-Repo-Commit", "X-Linked-Etag"}) {
            if (reply->hasRawHeader(name) && !m_hubHeaders.contains(name)) m_hubHeaders.insert(name, reply->rawHeader(name));
        }
        send(step, file, target);  // the same step, elsewhere
        return;
    }
    ++m_done;
    emit progress(m_done, m_total);
    // A progress dialog may run the event loop in there, and a Cancel click with it.
    if (m_cancelled || !m_running) return;
    const bool missing = status == 404 && reply->rawHeader("X-Error-Code") != "RepoNotFound" &&
                         reply->rawHeader("X-Error-Code") != "RevisionNotFound";

    if (reply->error() != QNetworkReply::NoError || m_tooLarge) {
        // A file the repository does not have is an answer, not a failure.
        if (missing && step == Step::Index) {
            m_cache->storeMissing(m_id.repo, m_commit, file);
            m_pending = {QString::fromLatin1(SafetensorsWeights::kSingleFile)};
            m_total += 2;
            nextHeader();
            return;
        }
        if (missing && step == Step::HeaderLength && m_currentFile == QLatin1StringView(SafetensorsWeights::kSingleFile) &&
            m_cache->knownMissing(m_id.repo, m_commit, QString::fromLatin1(SafetensorsWeights::kIndexFile))) {
            // No safetensors at all: the config's own sources stay.
            m_cache->storeMissing(m_id.repo, m_commit, file);
            m_pending.clear();
            nextHeader();
            return;
        }
        fail(failureReason(reply, file));
        return;
    }

    const QByteArray body = reply->readAll();
    switch (step) {
    case Step::Config: {
        m_commit = QString::fromLatin1(hubHeader(reply, "X-Repo-Commit")).trimmed();
        if (m_commit.isEmpty() && m_id.revisionIsCommit()) m_commit = m_id.revision;
        static const QRegularExpression kCommit(u"^[0-9a-f]{40}$"_s);
        if (!kCommit.match(m_commit).hasMatch()) {
            fail("the Hub at " + m_env.endpoint.toStdString() + " named no commit for revision \"" +
                 m_id.revision.toStdString() + "\" (X-Repo-Commit)");
            return;
        }
        if (!store(reply, file, body)) return;
        m_cache->storeRef(m_id.repo, m_id.revision, m_commit);
        // A snapshot the cache already holds whole needs nothing more.
        if (auto cached = fromCache(m_commit, false)) {
            finishWith(std::move(*cached));
            return;
        }
        request(Step::Index, QString::fromLatin1(SafetensorsWeights::kIndexFile));
        return;
    }
    case Step::Index: {
        auto shards = SafetensorsWeights::shardsFromIndex(body, file);
        if (!shards) {
            fail(shards.error().message);
            return;
        }
        if (!store(reply, file, body)) return;
        m_pending = *shards;
        m_total += 2 * m_pending.size();
        nextHeader();
        return;
    }
    case Step::HeaderLength: {
        // "Content-Range: bytes 0-7/<size>": the size of the whole file.
        const QByteArray range = reply->rawHeader("Content-Range");
        bool ok = false;
        const std::uint64_t size = range.mid(range.lastIndexOf('/') + 1).toULongLong(&ok);
        if (status != 206 || !ok) {
            fail("the Hub at " + m_env.endpoint.toStdString() + " did not answer the Range request for " +
                 file.toStdString() + " with a part of the file (HTTP " + std::to_string(status) + ")");
            return;
        }
        const QString name = m_id.repo + u'/' + file;
        auto length = SafetensorsHeader::headerLength(body, size, name);
        if (!length) {
            fail(length.error().message);
            return;
        }
        m_currentFileSize = size;
        if (*length == 0) {
            fail(name.toStdString() + ": an empty header is not a safetensors header");
            return;
        }
        request(Step::Header, file, std::pair{SafetensorsHeader::kLengthBytes, SafetensorsHeader::kLengthBytes + *length - 1});
        return;
    }
    case Step::Header: {
        const QString name = m_id.repo + u'/' + file;
        if (status != 206 || body.size() != m_limit) {
            fail(name.toStdString() + ": the Hub sent " + std::to_string(body.size()) + " bytes of a " +
                 std::to_string(m_limit) + "-byte header");
            return;
        }
        auto header = SafetensorsHeader::parse(body, m_currentFileSize, name);
        if (!header) {
            fail(header.error().message);
            return;
        }
        m_cache->storeHeader(m_id.repo, m_commit, file, m_currentFileSize, body);
        nextHeader();
        return;
    }
    case Step::SingleFile:
        break;
    }
}

QByteArray HubModelLoader::hubHeader(QNetworkReply *reply, const QByteArray &name) const {
    return reply->hasRawHeader(name) ? reply->rawHeader(name) : m_hubHeaders.value(name);
}

bool HubModelLoader::store(QNetworkReply *reply, const QString &file, const QByteArray &body) {
    // huggingface_hub names a blob by X-Linked-Etag (a large file's sha256), else the ETag.
    QString etag = QString::fromLatin1(hubHeader(reply, "X-Linked-Etag"));
    if (etag.isEmpty()) etag = QString::fromLatin1(reply->rawHeader("ETag"));
    auto stored = m_cache->storeFile(m_id.repo, m_commit, file, blobName(HfCache::normalizeEtag(etag), body), body);
    if (!stored) fail(stored.error().message);
    return stored.ok();
}

void HubModelLoader::nextHeader() {
    while (!m_pending.isEmpty()) {
        m_currentFile = m_pending.takeFirst();
        // Headers already cached (a shard shared with another revision, or
        // a file huggingface_hub downloaded whole) are not fetched again.
        if (!m_cache->cachedFile(m_id.repo, m_commit, m_currentFile).isEmpty() ||
            m_cache->cachedHeader(m_id.repo, m_commit, m_currentFile)) {
            m_done += 2;
            emit progress(m_done, m_total);
            continue;
        }
        request(Step::HeaderLength, m_currentFile, std::pair{std::uint64_t{0}, SafetensorsHeader::kLengthBytes - 1});
        return;
    }
    // Everything is in the cache now: the model comes from there, exactly as
    // an offline run will read it.
    auto result = fromCache(m_commit, true);
    if (!result) {
        fail("the Hugging Face cache " + m_env.hubCache.toStdString() + " lost what was just written to it");
        return;
    }
    finishWith(std::move(*result));
}

void HubModelLoader::fail(const std::string &reason) {
    HubResult result;
    result.id = m_id;
    result.commit = m_commit;
    result.error = InputError{"model", m_id.display().toStdString() + ": " + reason};
    finishWith(std::move(result));
}

void HubModelLoader::finishWith(HubResult result) {
    // One answer per start(): a load already answered (cancelled) stays so.
    if (!m_running) return;
    m_running = false;
    // Queued, so finished() never comes from inside start() or cancel(); an
    // answer to a start() since replaced by another is dropped.
    QTimer::singleShot(0, this, [this, generation = m_generation, result = std::move(result)] {
        if (generation == m_generation) emit finished(result);
    });
}

HubResult HubModelLoader::load(const QString &modelId) { return load(modelId, HubEnvironment::fromEnvironment()); }

HubResult HubModelLoader::load(const QString &modelId, const HubEnvironment &environment) {
    if (!QCoreApplication::instance()) {
        HubResult result;
        result.error = InputError{"model", modelId.toStdString() + ": reading a model by its Hub id needs a running application"};
        return result;
    }
    HubModelLoader loader;
    QEventLoop loop;
    HubResult result;
    connect(&loader, &HubModelLoader::finished, &loop, [&](const HubResult &r) {
        result = r;
        loop.quit();
    });
    loader.start(modelId, environment);
    loop.exec();
    return result;
}
