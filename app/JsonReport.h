#pragma once

#include <QList>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "CliOptions.h"
#include "ModelEstimate.h"
#include "Preset.h"
#include "kvscope/estimator.h"
#include "kvscope/shape.h"

// The estimate as one JSON object, written as text rather than through
// QJsonDocument: that stores numbers as doubles, and byte totals above 2^53
// would lose their last digits. Integers here are always exact.
// Keys and their values, already written as JSON, in order.
using JsonFields = std::vector<std::pair<std::string, std::string>>;

// `extra` (the deployment plan's keys) follows the estimate's keys.
std::string jsonReport(const kvscope::ModelShape &shape, const kvscope::Workload &workload,
                       const kvscope::KvEstimate &estimate, const JsonFields &extra = {});

// A real model's estimate (--config or --model): kv_bytes and the other
// model keys, the book's keys when its shape is exact, provenance, warnings.
std::string jsonModelReport(const CliOptions &options, const ModelEstimate &estimate, const JsonFields &extra = {});

// --list-models --json: [{"name", "family", "source"}, ...].
std::string jsonModelList(const QList<Preset> &presets);

// --list-gpus --json: [{"name", "label", "memory_bytes"}, ...].
std::string jsonGpuList();

// A JSON string literal, quotes included.
std::string jsonString(std::string_view text);

// {"a": 1, "b": 2} on one line: keys and values already written as JSON.
std::string jsonObjectLine(const JsonFields &fields);

// Items already written as JSON, one per line, indented inside the top-level
// object ("[]" when empty).
std::string jsonArray(const std::vector<std::string> &items);

// The shortest text that reads back as the same double, "null" for inf or
// nan; a whole value keeps ".0" (11.115234375, 80.0).
std::string jsonDouble(double value);
