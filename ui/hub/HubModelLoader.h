#pragma once

#include <QByteArray>
#include <QMap>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QStringList>
#include <cstdint>
#include <optional>

#include "HfCache.h"
#include "HubEnvironment.h"
#include "HubResult.h"

class QNetworkAccessManager;
class QNetworkReply;
class QUrl;

// Loads a model by its Hugging Face id, ORG/NAME[@REVISION]: from the local
// Hugging Face cache when it holds the snapshot, else from the Hub over
// HTTPS: config.json, model.safetensors.index.json, and only the headers of
// the safetensors files (HTTP Range requests; the weights themselves are
// never downloaded). What it fetched goes into the cache (HfCache), so the
// next run works offline.
//
// A window drives it asynchronously: start(), a progress bar on progress(),
// a Cancel button on cancel(), the result on finished(), which is emitted
// exactly once per start(), never from within start() itself. The CLI calls
// load(), which runs the same steps in a local event loop.
class HubModelLoader : public QObject {
    Q_OBJECT

public:
    explicit HubModelLoader(QObject *parent = nullptr);
    ~HubModelLoader() override;

    // Reads the environment (HubEnvironment::fromEnvironment) and starts;
    // a load still running is dropped (its finished() never comes).
    void start(const QString &modelId);
    void start(const QString &modelId, const HubEnvironment &environment);
    // Stops the transfer; finished() then reports "cancelled".
    void cancel();
    bool isRunning() const { return m_running; }

    // The blocking form, for the command line (needs a QCoreApplication).
    static HubResult load(const QString &modelId);
    static HubResult load(const QString &modelId, const HubEnvironment &environment);

signals:
    // Requests done out of those known so far (the total grows once the
    // index names the shards).
    void progress(qint64 done, qint64 total);
    void finished(const HubResult &result);

private:
    enum class Step { Config, Index, SingleFile, HeaderLength, Header };

    // The model from the cache alone: nothing when the cache does not hold
    // all of it (with `allowPartial`, the config alone is enough).
    std::optional<HubResult> fromCache(const QString &commit, bool allowPartial) const;
    void request(Step step, const QString &file, std::optional<std::pair<std::uint64_t, std::uint64_t>> range = {});
    void send(Step step, const QString &file, const QUrl &url);
    void onReply(QNetworkReply *reply, Step step, const QString &file);
    void nextHeader();
    // Writes a fetched file into the Hugging Face cache; false (and failed) when it cannot.
    bool store(QNetworkReply *reply, const QString &file, const QByteArray &body);
    // A header of the Hub's answer, or of the redirect that led to it.
    QByteArray hubHeader(QNetworkReply *reply, const QByteArray &name) const;
    void finishWith(HubResult result);
    void fail(const std::string &reason);
    std::string failureReason(QNetworkReply *reply, const QString &file) const;

    QNetworkAccessManager *m_network = nullptr;
    QPointer<QNetworkReply> m_reply;
    HubEnvironment m_env;
    std::optional<HfCache> m_cache;
    HubModelId m_id;
    QString m_commit;
    QStringList m_pending;      // safetensors files whose header is still to fetch
    std::uint64_t m_generation = 0;  // counts start()s: a queued answer to an older one is dropped
    QString m_currentFile;
    std::uint64_t m_currentFileSize = 0;
    qint64 m_done = 0;
    qint64 m_total = 0;
    qint64 m_limit = 0;         // most bytes the current reply may bring
    std::optional<std::pair<std::uint64_t, std::uint64_t>> m_range;  // the current step's byte range
    int m_redirects = 0;
    QMap<QByteArray, QByteArray> m_hubHeaders;  // X-Repo-Commit, X-Linked-Etag seen on redirects
    static constexpr int kMaxRedirects = 10;
    bool m_tooLarge = false;
    bool m_running = false;
    bool m_cancelled = false;
};
