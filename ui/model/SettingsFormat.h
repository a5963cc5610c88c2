#pragma once

#include <QByteArray>
#include <QSettings>
#include <QString>
#include <QStringList>
#include <memory>
#include <optional>

class QLockFile;

// The window's settings file, ~/.config/KVScope/kvscope.json: a QSettings
// custom format that never leaves a cut file behind.
//
// Why not QSettings' own INI format: it writes through a QSaveFile whose
// commit() ignores a failure of the final flush (QTBUG-75077). Writes under
// 16 KiB wait in the buffer and fail only in close(), which does not mark the
// save as failed, so on a full disk the cut temporary file is renamed over the
// good one. A custom format's write function flushes itself and returns false
// on failure; QSettings then never commits, and the previous file stays.
//
// The file is a flat JSON object, one entry per key ("config/n_layers"),
// human-readable and an exact round trip of every QVariant it holds:
//   strings, bools, ints and string lists as themselves;
//   {"double": 0.9}, {"qlonglong": "8192"}, {"qulonglong": "..."},
//   {"uint": 7}, {"bytes": "<base64>"}, {"list": [...]} (a QVariantList);
//   {"variant": "<base64 of QDataStream>"} for any other type.
class SettingsFormat {
public:
    // Registers the format (once per process) and makes it the default, so
    // `QSettings settings;` uses it. When no settings file exists yet but an
    // INI kvscope.conf from an older version does, copies its keys over once.
    // A settings file that cannot be read, or is over kMaxFileBytes, is moved
    // aside (keptAsidePath()); one with keys outside knownGroups() is copied
    // aside and written again without them.
    static QSettings::Format install();

    // A settings file is a few KiB (64 pins of hundreds of keys stay far
    // below this); a larger one is kept aside unread, so opening the window
    // never parses hundreds of MB.
    static constexpr qint64 kMaxFileBytes = qint64{4} << 20;
    // The key groups the window writes; keys outside them are left out at
    // install() (the file kept aside first), so no save carries them again.
    static const QStringList &knownGroups();
    // Keys serialize() has written in this process: the work saves do.
    static quint64 keysWritten();

    // What the last install() has to tell the user: a damaged, oversized or
    // partly unknown file kept aside.
    static std::optional<QString> startupNotice();

    // The registered format (registering it on first use).
    static QSettings::Format format();

    // The file's text for these keys, and back; nullopt when `json` is not a
    // settings file.
    static QByteArray serialize(const QSettings::SettingsMap &map);
    static std::optional<QSettings::SettingsMap> parse(const QByteArray &json);

    // Where a damaged or partly dropped `file` is kept: "<file>.damaged", or
    // when that exists "<file>.damaged.1", ".2", ... so no earlier backup is
    // ever replaced.
    static QString keptAsidePath(const QString &file);

    // Keys a settings file gives more than once ("config/pins/size is given
    // 2 times; only the last value is read"), one line each: reading it keeps
    // only the last value of each.
    static QStringList repeatedKeys(const QString &file);

    // `dropped` names what was left out of `file` while reading it (see
    // ConfigModel::loadSettings()). The whole file, as it is, is copied to
    // keptAsidePath() before the next save can drop it for good; returns the
    // line for the status bar and stderr: "Settings file <file>: <dropped>;
    // the file as it was is kept as <copy>".
    static QString keepAside(const QString &file, const QStringList &dropped);

    // Held while a window reads, merges and writes the file, so two windows
    // saving at once do not drop each other's pins (QSettings' own lock only
    // covers its write). Unlocked when destroyed.
    static std::unique_ptr<QLockFile> lockForSaving(const QString &file);

    // Writes `settings` to disk now. nullopt when it was saved; otherwise
    // "<file>: <reason>" ("... kvscope.json: No space left on device"), and
    // the previous file is untouched.
    static std::optional<QString> sync(QSettings &settings);
};
