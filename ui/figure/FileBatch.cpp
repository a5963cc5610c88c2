#include "FileBatch.h"

#include <QBuffer>
#include <QByteArray>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>
#include <memory>

using namespace Qt::StringLiterals;

namespace {

QString quoted(const QString &path) { return u"\""_s + QDir::toNativeSeparators(path) + u"\""_s; }

QString cannotWrite(const QString &path, const QString &why) { return u"Cannot write %1: %2."_s.arg(quoted(path), why); }

// Writes all of `bytes`, or says why not: after a short write the next one
// fails and sets the reason (errno: no space left, file too large).
std::optional<QString> writeAll(QFileDevice &file, const QByteArray &bytes) {
    for (qint64 done = 0; done < bytes.size();) {
        const qint64 written = file.write(bytes.constData() + done, bytes.size() - done);
        if (written <= 0) return file.errorString();
        done += written;
    }
    return std::nullopt;
}

}  // namespace

void FileBatch::add(const QString &path, Writer write) { m_entries.push_back({path, std::move(write)}); }

std::optional<QString> FileBatch::commit() {
    // Every file in memory first: a file that cannot be made stops the batch
    // before anything touches the disk.
    std::vector<QByteArray> contents;
    contents.reserve(m_entries.size());
    for (const Entry &entry : m_entries) {
        const QFileInfo info(entry.path);
        if (info.isDir()) return u"Cannot write %1: it is a folder."_s.arg(quoted(entry.path));
        if (!info.absoluteDir().exists()) {
            return u"Cannot write %1: the folder %2 does not exist."_s.arg(quoted(entry.path),
                                                                          quoted(info.absolutePath()));
        }
        QBuffer buffer;
        buffer.open(QIODevice::WriteOnly);
        if (const auto error = entry.write(&buffer)) return cannotWrite(entry.path, *error);
        contents.push_back(buffer.data());
    }

    // The temporary files, written unbuffered: QSaveFile misses a write that
    // fails when commit() flushes its buffer (a full disk, a file size limit)
    // and would rename the cut-short file over the old one. Until commit(),
    // destroying a QSaveFile removes its temporary file.
    std::vector<std::unique_ptr<QSaveFile>> staged;
    std::vector<std::size_t> direct;  // FIFOs and devices, also behind a symlink
    for (std::size_t i = 0; i < m_entries.size(); ++i) {
        const QString &path = m_entries[i].path;
        const QFileInfo info(path);
        if (info.exists() && !info.isFile()) {
            direct.push_back(i);
            continue;
        }
        auto file = std::make_unique<QSaveFile>(path);
        if (!file->open(QIODevice::WriteOnly | QIODevice::Unbuffered)) return cannotWrite(path, file->errorString());
        if (const auto reason = writeAll(*file, contents[i])) return cannotWrite(path, *reason);
        staged.push_back(std::move(file));
    }
    for (const std::size_t i : direct) {
        QFile target(m_entries[i].path);
        if (!target.open(QIODevice::WriteOnly | QIODevice::Unbuffered))
            return cannotWrite(m_entries[i].path, target.errorString());
        if (const auto reason = writeAll(target, contents[i])) return cannotWrite(m_entries[i].path, *reason);
    }
    // Renames within each file's own folder: with every byte on disk, only a
    // folder changed meanwhile can still make one fail.
    for (const auto &file : staged) {
        if (!file->commit()) return cannotWrite(file->fileName(), file->errorString());
    }
    return std::nullopt;
}
