#include "HubEnvironment.h"

#include <QDir>
#include <QFile>
#include <QLatin1StringView>

using namespace Qt::StringLiterals;

namespace {

QString env(const char *name) {
    return qEnvironmentVariable(name);
}

// huggingface_hub's _is_true: 1, ON, YES or TRUE in any case.
bool isTrue(const QString &value) {
    const QString upper = value.toUpper();
    return upper == "1"_L1 || upper == "ON"_L1 || upper == "YES"_L1 || upper == "TRUE"_L1;
}

QString expandHome(const QString &path) {
    if (path == u'~' || path.startsWith(u"~/"_s)) return QDir::homePath() + path.mid(1);
    return path;
}

}  // namespace

HubEnvironment HubEnvironment::fromEnvironment() {
    HubEnvironment e;
    e.endpoint = env("HF_ENDPOINT");
    if (e.endpoint.isEmpty()) e.endpoint = u"https://huggingface.co"_s;
    while (e.endpoint.endsWith(u'/')) e.endpoint.chop(1);

    const QString xdgCache = env("XDG_CACHE_HOME").isEmpty() ? QDir::homePath() + u"/.cache"_s : env("XDG_CACHE_HOME");
    const QString home = env("HF_HOME").isEmpty() ? xdgCache + u"/huggingface"_s : expandHome(env("HF_HOME"));
    e.hubCache = !env("HF_HUB_CACHE").isEmpty()            ? expandHome(env("HF_HUB_CACHE"))
                 : !env("HUGGINGFACE_HUB_CACHE").isEmpty() ? expandHome(env("HUGGINGFACE_HUB_CACHE"))
                                                           : home + u"/hub"_s;

    e.token = env("HF_TOKEN").trimmed();
    e.tokenSource = u"HF_TOKEN"_s;
    if (e.token.isEmpty()) {
        const QString tokenPath = env("HF_TOKEN_PATH").isEmpty() ? home + u"/token"_s : expandHome(env("HF_TOKEN_PATH"));
        QFile file(tokenPath);
        // A token is a few dozen characters; read no more than a line's worth.
        if (file.open(QIODevice::ReadOnly)) e.token = QString::fromUtf8(file.read(4096)).trimmed();
        e.tokenSource = tokenPath;
    }
    if (e.token.isEmpty()) e.tokenSource.clear();

    e.offline = isTrue(env("HF_HUB_OFFLINE")) || isTrue(env("TRANSFORMERS_OFFLINE"));
    bool ok = false;
    const int timeout = env("HF_HUB_DOWNLOAD_TIMEOUT").toInt(&ok);
    if (ok && timeout > 0) e.timeoutSeconds = timeout;

    e.headerCache = xdgCache + u"/kvscope/safetensors-headers"_s;
    return e;
}
