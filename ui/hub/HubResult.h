#pragma once

#include <QMetaType>
#include <QString>
#include <optional>

#include "HubModelId.h"
#include "ImportedModel.h"
#include "kvscope/result.h"

// What loading a model by its Hub id gave: the model, or the error that
// names the model id and the reason.
struct HubResult {
    HubModelId id;
    QString commit;            // the snapshot the model was read from
    QString snapshotFolder;    // its folder in the Hugging Face cache
    bool fromCache = false;    // no request reached the Hub
    bool cancelled = false;    // the user stopped it (error says so too)
    std::optional<kvscope::InputError> error;
    ImportedModel model;
};

Q_DECLARE_METATYPE(HubResult)
