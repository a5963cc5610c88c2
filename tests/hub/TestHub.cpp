#include "TestHub.h"

#include <QCryptographicHash>
#include <QTcpSocket>
#include <QUrl>
#include <algorithm>

using namespace Qt::StringLiterals;

TestHub::TestHub(QObject *parent) : QObject(parent) {
    connect(&m_server, &QTcpServer::newConnection, this, [this] {
        while (QTcpSocket *socket = m_server.nextPendingConnection()) {
            socket->setParent(this);
            connect(socket, &QTcpSocket::readyRead, this, [this, socket] { onReadyRead(socket); });
            connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        }
    });
}

bool TestHub::listen(bool silent) {
    m_silent = silent;
    return m_server.listen(QHostAddress::LocalHost);
}

void TestHub::close() {
    m_server.close();
    for (QTcpSocket *socket : findChildren<QTcpSocket *>()) socket->abort();
}

QString TestHub::endpoint() const {
    return u"http://127.0.0.1:"_s + QString::number(m_server.serverPort());
}

void TestHub::onReadyRead(QTcpSocket *socket) {
    QByteArray buffered = socket->property("buffered").toByteArray() + socket->readAll();
    socket->setProperty("buffered", buffered);
    const qsizetype end = buffered.indexOf("\r\n\r\n");
    if (end < 0 || m_silent) return;
    answer(socket, buffered.left(end));
}

void TestHub::answer(QTcpSocket *socket, const QByteArray &head) {
    const QList<QByteArray> lines = head.split('\n');
    const QList<QByteArray> requestLine = lines.value(0).trimmed().split(' ');
    Request request;
    QByteArray target = requestLine.value(1);
    // A request through a proxy names the whole URL ("GET http://host/path"):
    // served the same, and counted, so the stand-in is a proxy as well.
    if (target.startsWith("http://")) {
        ++m_proxied;
        const qsizetype slash = target.indexOf('/', 7);
        target = slash < 0 ? QByteArray("/") : target.mid(slash);
    }
    request.path = QUrl::fromPercentEncoding(target);
    for (const QByteArray &line : lines.mid(1)) {
        const qsizetype colon = line.indexOf(':');
        const QByteArray name = line.left(colon).trimmed().toLower();
        const QByteArray value = line.mid(colon + 1).trimmed();
        if (name == "range" && !m_ignoreRange) request.range = value;
        if (name == "authorization") request.authorization = value;
    }

    QByteArray status = "200 OK";
    QList<QByteArray> headers;
    QByteArray body;
    // /ORG/NAME/resolve/REVISION/FILE; the revision is one segment (quoted by the client).
    QStringList parts = request.path.split(u'/');
    // The storage: /cdn/ORG/NAME/FILE on "localhost", another host than the Hub's 127.0.0.1.
    const bool fromStorage = parts.value(1) == u"cdn"_s;
    if (fromStorage) {
        parts.removeAt(1);
        parts.insert(3, u"resolve"_s);
        parts.insert(4, u"main"_s);
    }
    const QString repoId = parts.value(1) + u'/' + parts.value(2);
    const QString revision = parts.value(4);
    const QString file = parts.mid(5).join(u'/');
    auto error = [&](const char *code, const char *errorCode) {
        status = code;
        headers.append("X-Error-Code: " + QByteArray(errorCode));
        body = "{\"error\": \"" + QByteArray(errorCode) + "\"}";
    };
    if (parts.value(3) != u"resolve"_s || !m_repos.contains(repoId)) {
        error("404 Not Found", "RepoNotFound");
    } else {
        const Repo &repo = m_repos[repoId];
        if (!fromStorage && !repo.token.isEmpty() && request.authorization != "Bearer " + repo.token.toUtf8()) {
            error("401 Unauthorized", "GatedRepo");
        } else if (revision != u"main"_s && revision != repo.commit) {
            error("404 Not Found", "RevisionNotFound");
        } else if (!repo.files.contains(file)) {
            headers.append("X-Repo-Commit: " + repo.commit.toUtf8());
            error("404 Not Found", "EntryNotFound");
        } else {
            const File &f = repo.files[file];
            headers.append("X-Repo-Commit: " + repo.commit.toUtf8());
            if (!fromStorage && file.endsWith(u".safetensors"_s)) {
                // Large files live elsewhere: the Hub redirects, with their etag.
                request.bytesSent = 0;
                m_requests.append(request);
                const QByteArray location = "http://localhost:" + QByteArray::number(m_server.serverPort()) + "/cdn/" +
                                            repoId.toUtf8() + '/' + file.toUtf8();
                socket->write("HTTP/1.1 302 Found\r\nLocation: " + location + "\r\nX-Repo-Commit: " +
                              repo.commit.toUtf8() + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
                socket->disconnectFromHost();
                return;
            }
            const QByteArray etag =
                QCryptographicHash::hash(QByteArray(f.prefix + QByteArray::number(f.size)), QCryptographicHash::Sha256).toHex();
            headers.append("ETag: \"" + etag + '"');
            if (!request.range.startsWith("bytes=") && f.size > 64 * 1024 * 1024) {
                // A client that downloads whole weights is what this hub exists to catch.
                status = "500 Internal Server Error";
                request.bytesSent = -1;
                m_requests.append(request);
                socket->write("HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
                socket->disconnectFromHost();
                return;
            }
            std::uint64_t first = 0;
            std::uint64_t last = f.size ? f.size - 1 : 0;
            if (request.range.startsWith("bytes=")) {
                const QList<QByteArray> bounds = request.range.mid(6).split('-');
                first = bounds.value(0).toULongLong();
                last = std::min<std::uint64_t>(bounds.value(1).toULongLong(), f.size - 1);
                status = "206 Partial Content";
                headers.append("Content-Range: bytes " + QByteArray::number(first) + '-' + QByteArray::number(last) +
                               '/' + QByteArray::number(f.size));
            }
            const auto count = static_cast<qsizetype>(last - first + 1);
            body = f.prefix.mid(static_cast<qsizetype>(first), count);
            body.append(QByteArray(count - body.size(), '\0'));
        }
    }
    request.bytesSent = body.size();
    m_requests.append(request);
    QByteArray response = "HTTP/1.1 " + status + "\r\nContent-Length: " + QByteArray::number(body.size()) +
                          "\r\nConnection: close\r\n";
    for (const QByteArray &h : headers) response += h + "\r\n";
    socket->write(response + "\r\n" + body);
    socket->disconnectFromHost();
}
