#pragma once

#include <QByteArray>
#include <QString>
#include <cstdint>
#include <optional>

#include "HubModelId.h"
#include "SafetensorsHeader.h"
#include "kvscope/result.h"

// The Hugging Face cache, read and written as huggingface_hub lays it out
// (huggingface_hub/file_download.py: repo_folder_name, _cache_commit_hash_for_specific_revision,
// _create_symlink, try_to_load_from_cache):
//
//   <hub cache>/models--ORG--NAME/refs/<revision>            a commit hash
//   <hub cache>/models--ORG--NAME/blobs/<etag>               a file's bytes
//   <hub cache>/models--ORG--NAME/snapshots/<commit>/<file>  -> ../../blobs/<etag>
//   <hub cache>/models--ORG--NAME/.no_exist/<commit>/<file>  the file is not in the repository
//
// so a model KV Scope fetched is there for transformers and vLLM, and one they
// fetched is found here. The safetensors headers fetched through Range requests
// are kept apart (headerCache): a header without its tensors is not the file,
// and huggingface_hub would take a truncated model.safetensors in snapshots/
// for the real one and hand it to a loader. Kept per commit, they give an
// offline run the same exact weights.
class HfCache {
public:
    HfCache(QString hubCache, QString headerCache);

    const QString &hubCache() const { return m_hubCache; }
    QString repoFolder(const QString &repo) const;
    QString snapshotFolder(const QString &repo, const QString &commit) const;
    // The commit a revision stands for: the revision itself when it is a
    // commit hash, else the hash stored in refs/<revision>.
    std::optional<QString> commitFor(const HubModelId &id) const;
    // The file's path in the snapshot when the cache holds it, else empty.
    QString cachedFile(const QString &repo, const QString &commit, const QString &file) const;
    // The repository is known not to hold the file at that commit.
    bool knownMissing(const QString &repo, const QString &commit, const QString &file) const;

    // Writes the file as a blob named by its etag and links it from the
    // snapshot; returns the snapshot path or an error naming the folder.
    kvscope::Result<QString> storeFile(const QString &repo, const QString &commit, const QString &file,
                                       const QString &etag, const QByteArray &bytes) const;
    void storeMissing(const QString &repo, const QString &commit, const QString &file) const;
    void storeRef(const QString &repo, const QString &revision, const QString &commit) const;

    // A safetensors file's header (the JSON after its 8-byte length) and its
    // whole size, as fetched; and reading it back, checked again.
    bool storeHeader(const QString &repo, const QString &commit, const QString &file, std::uint64_t fileSize,
                     const QByteArray &headerJson) const;
    std::optional<kvscope::Result<SafetensorsHeader>> cachedHeader(const QString &repo, const QString &commit,
                                                                    const QString &file) const;

    // huggingface_hub's _normalize_etag: no weak prefix, no quotes.
    static QString normalizeEtag(QString etag);

private:
    QString headerRecord(const QString &repo, const QString &commit, const QString &file) const;

    QString m_hubCache;
    QString m_headerCache;
};
