#pragma once

#include <QString>
#include <QStringView>

#include "kvscope/result.h"

// Ollama's local model store, laid out as Ollama writes it (ollama
// fb307609: envconfig/config.go Models, types/model/name.go Filepath,
// manifest/paths.go PathForName and BlobsPath, manifest/layer.go):
// $OLLAMA_MODELS or ~/.ollama/models, manifests/<host>/<namespace>/<model>/<tag>
// (registry.ollama.ai, library and latest by default), a manifest whose layer
// of mediaType application/vnd.ollama.image.model is the GGUF, stored as
// blobs/sha256-<hex>.
class OllamaStore {
public:
    static constexpr QStringView kPrefix = u"ollama:";

    // "ollama:NAME[:TAG]", NAME optionally "namespace/name" or "host/namespace/name".
    static bool isReference(QStringView value) { return value.startsWith(kPrefix); }
    // The store's folder: $OLLAMA_MODELS, else ~/.ollama/models.
    static QString root();
    // The GGUF blob a reference names; errors name the tag and the reason
    // (no store, no such tag, a damaged manifest, a missing blob).
    static kvscope::Result<QString> resolve(const QString &reference);
};
