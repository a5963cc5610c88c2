#include "SettingsFormat.h"

#include <QCoreApplication>
#include <QDataStream>
#include <QDir>
#include <QFile>
#include <QFileDevice>
#include <QFileInfo>
#include <QIODevice>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonValue>
#include <QLockFile>
#include <QMap>
#include <QStringList>
#include <atomic>
#include <cmath>
#include <limits>

#include "kvscope/format.h"

using namespace Qt::StringLiterals;

namespace {

// Why the last write on this thread failed; empty when it did not.
thread_local QString t_writeError;

QJsonValue encode(const QVariant &value) {
    switch (value.typeId()) {
    case QMetaType::UnknownType:
        return QJsonValue(QJsonValue::Null);
    case QMetaType::QString:
        return value.toString();
    case QMetaType::Bool:
        return value.toBool();
    case QMetaType::Int:
        return value.toInt();
    case QMetaType::QStringList:
        return QJsonArray::fromStringList(value.toStringList());
    case QMetaType::Double: {
        const double d = value.toDouble();
        if (std::isfinite(d)) return QJsonObject{{u"double"_s, d}};
        // JSON has no infinity or NaN.
        return QJsonObject{{u"double"_s, std::isnan(d) ? u"nan"_s : d > 0 ? u"inf"_s : u"-inf"_s}};
    }
    case QMetaType::UInt:
        return QJsonObject{{u"uint"_s, static_cast<qint64>(value.toUInt())}};
    // As text: a JSON number is a double, exact only up to 2^53.
    case QMetaType::LongLong:
        return QJsonObject{{u"qlonglong"_s, QString::number(value.toLongLong())}};
    case QMetaType::ULongLong:
        return QJsonObject{{u"qulonglong"_s, QString::number(value.toULongLong())}};
    case QMetaType::QByteArray:
        return QJsonObject{{u"bytes"_s, QString::fromLatin1(value.toByteArray().toBase64())}};
    case QMetaType::QVariantList: {
        QJsonArray list;
        for (const QVariant &item : value.toList()) list.append(encode(item));
        return QJsonObject{{u"list"_s, list}};
    }
    default: {
        QByteArray bytes;
        QDataStream stream(&bytes, QIODevice::WriteOnly);
        stream.setVersion(QDataStream::Qt_6_0);
        stream << value;
        return QJsonObject{{u"variant"_s, QString::fromLatin1(bytes.toBase64())}};
    }
    }
}

std::optional<QVariant> decode(const QJsonValue &json) {
    switch (json.type()) {
    case QJsonValue::Null:
        return QVariant();
    case QJsonValue::Bool:
        return QVariant(json.toBool());
    case QJsonValue::String:
        return QVariant(json.toString());
    case QJsonValue::Double: {
        // Written for ints; a hand-edited 1.5 stays a double.
        const double d = json.toDouble();
        if (d == std::trunc(d) && d >= std::numeric_limits<int>::min() && d <= std::numeric_limits<int>::max())
            return QVariant(static_cast<int>(d));
        return QVariant(d);
    }
    case QJsonValue::Array: {
        QStringList strings;
        for (const QJsonValue &item : json.toArray()) {
            if (!item.isString()) return std::nullopt;
            strings.append(item.toString());
        }
        return QVariant(strings);
    }
    case QJsonValue::Object:
        break;
    case QJsonValue::Undefined:
        return std::nullopt;
    }
    const QJsonObject object = json.toObject();
    if (object.size() != 1) return std::nullopt;
    const QString tag = object.begin().key();
    const QJsonValue inner = object.begin().value();
    if (tag == u"double"_s) {
        if (inner.isDouble()) return QVariant(inner.toDouble());
        const QString text = inner.toString();
        if (text == u"inf"_s) return QVariant(std::numeric_limits<double>::infinity());
        if (text == u"-inf"_s) return QVariant(-std::numeric_limits<double>::infinity());
        if (text == u"nan"_s) return QVariant(std::numeric_limits<double>::quiet_NaN());
        return std::nullopt;
    }
    if (tag == u"uint"_s) {
        const double d = inner.toDouble(-1);
        if (d < 0 || d > std::numeric_limits<uint>::max() || d != std::trunc(d)) return std::nullopt;
        return QVariant(static_cast<uint>(d));
    }
    bool ok = false;
    if (tag == u"qlonglong"_s) {
        const qlonglong n = inner.toString().toLongLong(&ok);
        return ok ? std::optional<QVariant>(QVariant(n)) : std::nullopt;
    }
    if (tag == u"qulonglong"_s) {
        const qulonglong n = inner.toString().toULongLong(&ok);
        return ok ? std::optional<QVariant>(QVariant(n)) : std::nullopt;
    }
    if (tag == u"bytes"_s) {
        if (!inner.isString()) return std::nullopt;
        const auto bytes = QByteArray::fromBase64Encoding(inner.toString().toLatin1());
        return bytes ? std::optional<QVariant>(QVariant(*bytes)) : std::nullopt;
    }
    if (tag == u"list"_s) {
        if (!inner.isArray()) return std::nullopt;
        QVariantList list;
        for (const QJsonValue &item : inner.toArray()) {
            const auto decoded = decode(item);
            if (!decoded) return std::nullopt;
            list.append(*decoded);
        }
        return QVariant(list);
    }
    if (tag == u"variant"_s) {
        if (!inner.isString()) return std::nullopt;
        const auto bytes = QByteArray::fromBase64Encoding(inner.toString().toLatin1());
        if (!bytes) return std::nullopt;
        QDataStream stream(*bytes);
        stream.setVersion(QDataStream::Qt_6_0);
        QVariant value;
        stream >> value;
        if (stream.status() != QDataStream::Ok) return std::nullopt;
        return value;
    }
    return std::nullopt;
}

bool readSettings(QIODevice &device, QSettings::SettingsMap &map) {
    // Past the cap a file is not even read: every QSettings on it (made
    // before the file is moved aside) would parse it whole otherwise.
    if (device.size() > SettingsFormat::kMaxFileBytes) return false;
    auto parsed = SettingsFormat::parse(device.readAll());
    if (!parsed) return false;
    map = std::move(*parsed);
    return true;
}

// Everything is written and flushed here, so a failure is seen before
// QSettings commits (and QSaveFile renames) the file.
// A short write (the disk filled up partway) fails without a reason; each
// step tries the rest once more, which fails with the system's reason ("No
// space left on device").
bool writeSettings(QIODevice &device, const QSettings::SettingsMap &map) {
    const QByteArray bytes = SettingsFormat::serialize(map);
    qint64 written = 0;
    while (written < bytes.size()) {
        const qint64 n = device.write(bytes.constData() + written, bytes.size() - written);
        if (n <= 0) break;
        written += n;
    }
    bool ok = written == bytes.size();
    if (ok) {
        if (auto *file = qobject_cast<QFileDevice *>(&device)) ok = file->flush() || file->flush();
    }
    if (!ok) {
        t_writeError = device.errorString();
        if (t_writeError.isEmpty()) t_writeError = QCoreApplication::translate("SettingsFormat", "Write failed");
    }
    return ok;
}

// Why QSettings could not even start writing `path`.
QString accessProblem(const QString &path) {
    const QFileInfo file(path);
    if (file.isDir()) return QCoreApplication::translate("SettingsFormat", "A folder is in the way");
    const QFileInfo folder(file.absolutePath());
    if (folder.exists() && !folder.isWritable())
        return QCoreApplication::translate("SettingsFormat", "The folder is not writable");
    if (file.exists() && !file.isWritable())
        return QCoreApplication::translate("SettingsFormat", "The file is not writable");
    return QCoreApplication::translate("SettingsFormat", "Cannot write the file");
}

void migrateIniSettings(QSettings::Format format) {
    QSettings current(format, QSettings::UserScope, QCoreApplication::organizationName(),
                      QCoreApplication::applicationName());
    if (QFileInfo::exists(current.fileName())) return;
    // What `QSettings settings;` wrote before: on Linux, INI in kvscope.conf.
    const QSettings old(QSettings::NativeFormat, QSettings::UserScope, QCoreApplication::organizationName(),
                        QCoreApplication::applicationName());
    if (!QFileInfo::exists(old.fileName())) return;
    const QStringList keys = old.allKeys();
    for (const QString &key : keys) current.setValue(key, old.value(key));
    // A failure leaves the old file to try again next time; the window
    // reports failed saves itself.
    SettingsFormat::sync(current);
}

// A damaged file would be read as empty and overwritten by the next save:
// move it aside first, so nothing the user had is lost, and say where. A
// file past the size cap is moved aside the same way, unread.
std::optional<QString> keepDamagedFile(QSettings::Format format) {
    const QSettings current(format, QSettings::UserScope, QCoreApplication::organizationName(),
                            QCoreApplication::applicationName());
    QFile file(current.fileName());
    if (!file.exists() || !file.open(QIODevice::ReadOnly)) return std::nullopt;
    const qint64 size = file.size();
    const bool oversized = size > SettingsFormat::kMaxFileBytes;
    if (!oversized && SettingsFormat::parse(file.readAll())) return std::nullopt;
    file.close();
    const QString kept = SettingsFormat::keptAsidePath(file.fileName());
    if (!QFile::rename(file.fileName(), kept)) return std::nullopt;
    const QString shown = QDir::toNativeSeparators(file.fileName());
    if (oversized) {
        return u"Settings file %1 is %2 bytes, over the %3 MiB a settings file may have; kept as %4 unread, "
               u"starting from the defaults"_s.arg(shown, QString::fromStdString(kvscope::formatThousands(static_cast<std::uint64_t>(size))),
                                                  QString::number(SettingsFormat::kMaxFileBytes >> 20),
                                                  QDir::toNativeSeparators(kept));
    }
    return u"Settings file %1 could not be read; kept as %2, starting from the defaults"_s.arg(
        shown, QDir::toNativeSeparators(kept));
}

// Keys outside the window's groups would be read and written again by every
// save: the file is copied aside whole, then written once without them.
std::optional<QString> dropUnknownKeys(QSettings::Format format) {
    QSettings current(format, QSettings::UserScope, QCoreApplication::organizationName(),
                      QCoreApplication::applicationName());
    if (!QFileInfo::exists(current.fileName())) return std::nullopt;
    QStringList unknown;
    const QStringList &groups = SettingsFormat::knownGroups();
    for (const QString &key : current.allKeys()) {
        if (!groups.contains(key.section(u'/', 0, 0))) unknown.append(key);
    }
    if (unknown.isEmpty()) return std::nullopt;
    const QString what = unknown.size() == 1
                             ? u"key %1 is not one KV Scope uses and was left out"_s.arg(unknown.front())
                             : u"%1 keys KV Scope does not use were left out (%2, ...)"_s.arg(
                                   QString::fromStdString(kvscope::formatThousands(static_cast<std::uint64_t>(unknown.size()))), unknown.front());
    const QString notice = SettingsFormat::keepAside(current.fileName(), {what});
    for (const QString &key : unknown) current.remove(key);
    if (const auto error = SettingsFormat::sync(current)) return notice + u"; "_s + *error;
    return notice;
}

std::optional<QString> t_startupNotice;
std::atomic<quint64> s_keysWritten{0};

// Each top-level key of a JSON object, as written (escapes and all), in
// order. `json` is a valid document: only strings and nesting are tracked.
QList<QByteArray> topLevelKeys(const QByteArray &json) {
    QList<QByteArray> keys;
    int depth = 0;
    bool expectKey = false;
    for (qsizetype i = 0; i < json.size(); ++i) {
        const char c = json.at(i);
        if (c == '"') {
            qsizetype end = i + 1;
            while (end < json.size() && json.at(end) != '"') end += json.at(end) == '\\' ? 2 : 1;
            if (depth == 1 && expectKey) keys.append(json.mid(i, end - i + 1));
            expectKey = false;
            i = end;
        } else if (c == '{' || c == '[') {
            ++depth;
            expectKey = depth == 1;
        } else if (c == '}' || c == ']') {
            --depth;
        } else if (c == ',' && depth == 1) {
            expectKey = true;
        }
    }
    return keys;
}

}  // namespace

QString SettingsFormat::keptAsidePath(const QString &file) {
    QString kept = file + u".damaged"_s;
    for (int n = 1; QFileInfo::exists(kept) || QFileInfo(kept).isSymLink(); ++n)
        kept = u"%1.damaged.%2"_s.arg(file).arg(n);
    return kept;
}

QStringList SettingsFormat::repeatedKeys(const QString &file) {
    QFile in(file);
    if (!in.open(QIODevice::ReadOnly)) return {};
    const QByteArray json = in.readAll();
    if (!parse(json)) return {};
    QMap<QString, int> seen;
    QStringList order;
    for (const QByteArray &raw : topLevelKeys(json)) {
        // The key as JSON reads it: "a\u002fb" and "a/b" are one key.
        const QString key = QJsonDocument::fromJson("[" + raw + "]").array().at(0).toString();
        if (seen[key]++ == 1) order.append(key);
    }
    QStringList lines;
    for (const QString &key : order) {
        lines.append(QCoreApplication::translate("SettingsFormat", "%1 is given %2 times; only the last value is read")
                         .arg(key, QString::number(seen.value(key))));
    }
    return lines;
}

QString SettingsFormat::keepAside(const QString &file, const QStringList &dropped) {
    const QString shown = QDir::toNativeSeparators(file);
    const QString what = dropped.join(u"; "_s);
    const QString kept = keptAsidePath(file);
    if (!QFile::copy(file, kept)) {
        return QCoreApplication::translate("SettingsFormat", "Settings file %1: %2; it could not be copied aside")
            .arg(shown, what);
    }
    return QCoreApplication::translate("SettingsFormat", "Settings file %1: %2; the file as it was is kept as %3")
        .arg(shown, what, QDir::toNativeSeparators(kept));
}

std::unique_ptr<QLockFile> SettingsFormat::lockForSaving(const QString &file) {
    auto lock = std::make_unique<QLockFile>(file + u".saving"_s);
    // A save takes milliseconds; a lock left by a process that ended is
    // taken over at once (QLockFile checks its process).
    lock->tryLock(5000);
    return lock;
}

QSettings::Format SettingsFormat::format() {
    static const QSettings::Format registered = QSettings::registerFormat(u"json"_s, readSettings, writeSettings);
    return registered;
}

QSettings::Format SettingsFormat::install() {
    const QSettings::Format json = format();
    QSettings::setDefaultFormat(json);
    t_startupNotice = keepDamagedFile(json);
    if (!t_startupNotice) t_startupNotice = dropUnknownKeys(json);
    migrateIniSettings(json);
    return json;
}

std::optional<QString> SettingsFormat::startupNotice() { return t_startupNotice; }

const QStringList &SettingsFormat::knownGroups() {
    // config: ConfigModel; window, export, open: MainWindow; figure: the export dialog.
    static const QStringList groups{u"config"_s, u"window"_s, u"export"_s, u"open"_s, u"figure"_s};
    return groups;
}

quint64 SettingsFormat::keysWritten() { return s_keysWritten.load(std::memory_order_relaxed); }

QByteArray SettingsFormat::serialize(const QSettings::SettingsMap &map) {
    s_keysWritten.fetch_add(static_cast<quint64>(map.size()), std::memory_order_relaxed);
    QJsonObject object;
    for (auto it = map.cbegin(); it != map.cend(); ++it) object.insert(it.key(), encode(it.value()));
    return QJsonDocument(object).toJson(QJsonDocument::Indented);
}

std::optional<QSettings::SettingsMap> SettingsFormat::parse(const QByteArray &json) {
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError || !document.isObject()) return std::nullopt;
    const QJsonObject object = document.object();
    QSettings::SettingsMap map;
    for (auto it = object.begin(); it != object.end(); ++it) {
        auto value = decode(it.value());
        if (!value) return std::nullopt;
        map.insert(it.key(), *value);
    }
    return map;
}

std::optional<QString> SettingsFormat::sync(QSettings &settings) {
    t_writeError.clear();
    settings.sync();
    // A FormatError (a damaged file was read) does not stop the write; only
    // a refused or failed write loses the settings.
    if (settings.status() != QSettings::AccessError && t_writeError.isEmpty()) return std::nullopt;
    const QString reason = t_writeError.isEmpty() ? accessProblem(settings.fileName()) : t_writeError;
    t_writeError.clear();
    return u"%1: %2"_s.arg(QDir::toNativeSeparators(settings.fileName()), reason);
}
