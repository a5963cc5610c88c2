#pragma once

#include <QString>

#include "kvscope/result.h"

// A model on the Hugging Face Hub as a user names it: ORG/NAME, optionally
// @REVISION (a branch, a tag or a commit hash; main when absent).
struct HubModelId {
    QString repo;      // "meta-llama/Llama-3.1-8B"
    QString revision;  // "main"

    static constexpr auto kDefaultRevision = "main";

    // Whether a --model value names a Hub model rather than a preset: only
    // Hub ids hold a '/', preset names never do.
    static bool looksLikeHubId(const QString &value);
    static kvscope::Result<HubModelId> parse(const QString &value);
    // The revision is a full commit hash, used as is (huggingface_hub's
    // REGEX_COMMIT_HASH: 40 lowercase hex digits).
    bool revisionIsCommit() const;
    // "ORG/NAME", or "ORG/NAME@REVISION" when the revision is not main.
    QString display() const;
};
