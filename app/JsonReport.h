#pragma once

#include <QList>
#include <string>

#include "CliOptions.h"
#include "ModelEstimate.h"
#include "Preset.h"
#include "kvscope/estimator.h"
#include "kvscope/shape.h"

// The estimate as one JSON object, written as text rather than through
// QJsonDocument: that stores numbers as doubles, and byte totals above 2^53
// would lose their last digits. Integers here are always exact.
std::string jsonReport(const kvscope::ModelShape &shape, const kvscope::Workload &workload,
                       const kvscope::KvEstimate &estimate);

// A real model's estimate (--config or --model): kv_bytes and the other
// model keys, the book's keys when its shape is exact, provenance, warnings.
std::string jsonModelReport(const CliOptions &options, const ModelEstimate &estimate);

// --list-models --json: [{"name", "family", "source"}, ...].
std::string jsonModelList(const QList<Preset> &presets);

// A JSON string literal, quotes included.
std::string jsonString(std::string_view text);
