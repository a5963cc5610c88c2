#pragma once

#include <QByteArray>
#include <QHostAddress>
#include <QList>
#include <QMap>
#include <QObject>
#include <QString>
#include <QTcpServer>
#include <cstdint>

class QTcpSocket;

// A stand-in for the Hugging Face Hub on 127.0.0.1, pointed at through
// HF_ENDPOINT: GET /ORG/NAME/resolve/REVISION/FILE with the Hub's headers
// (X-Repo-Commit, ETag, X-Error-Code), .safetensors files redirected (302)
// to a storage path on "localhost", as the Hub sends large files to its
// storage, Range requests answered with 206 and
// Content-Range, gated repositories that want "Authorization: Bearer TOKEN"
// (401 otherwise), 404 for missing repositories and files. A safetensors
// file is served from its header alone, the rest read as zeros, so a
// multi-gigabyte model costs its header. Every request is recorded.
class TestHub : public QObject {
    Q_OBJECT

public:
    struct File {
        QByteArray prefix;       // the file's first bytes
        std::uint64_t size = 0;  // its whole size; past the prefix, zeros
    };
    struct Repo {
        QString commit;
        QString token;  // non-empty: gated, this token opens it
        QMap<QString, File> files;
    };
    struct Request {
        QString path;
        QByteArray range;
        QByteArray authorization;
        qint64 bytesSent = 0;
    };

    explicit TestHub(QObject *parent = nullptr);

    // Listens on a free port of 127.0.0.1; `silent` accepts connections and never answers.
    bool listen(bool silent = false);
    void close();
    QString endpoint() const;

    void addRepo(const QString &id, const Repo &repo) { m_repos.insert(id, repo); }
    // Answers Range requests with the whole file (200), as a careless mirror might.
    void setIgnoreRange(bool ignore) { m_ignoreRange = ignore; }
    const QList<Request> &requests() const { return m_requests; }
    // Requests that came as a proxy's, naming the whole URL.
    int proxiedRequests() const { return m_proxied; }
    void clearRequests() { m_requests.clear(); }

private:
    void onReadyRead(QTcpSocket *socket);
    void answer(QTcpSocket *socket, const QByteArray &head);

    QTcpServer m_server;
    bool m_silent = false;
    bool m_ignoreRange = false;
    QMap<QString, Repo> m_repos;
    QList<Request> m_requests;
    int m_proxied = 0;
};
