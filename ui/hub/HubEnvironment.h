#pragma once

#include <QString>

// Where the Hub and its cache are, as huggingface_hub reads them from the
// environment (huggingface_hub/constants.py): HF_ENDPOINT, HF_HOME
// ($XDG_CACHE_HOME/huggingface, else ~/.cache/huggingface), HF_HUB_CACHE
// (else the legacy HUGGINGFACE_HUB_CACHE, else HF_HOME/hub), HF_TOKEN or the
// token file `huggingface-cli login` writes (HF_TOKEN_PATH, else
// HF_HOME/token), HF_HUB_OFFLINE (or TRANSFORMERS_OFFLINE) and
// HF_HUB_DOWNLOAD_TIMEOUT. Read once, when a load starts.
struct HubEnvironment {
    QString endpoint;    // "https://huggingface.co", without a trailing '/'
    QString hubCache;    // the folder of models--ORG--NAME folders
    QString token;       // empty without one
    QString tokenSource; // "HF_TOKEN" or the token file's path
    bool offline = false;
    int timeoutSeconds = 10;
    // Where KV Scope keeps the safetensors headers it fetched (see HfCache).
    QString headerCache;

    static HubEnvironment fromEnvironment();
};
