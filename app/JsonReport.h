#pragma once

#include <string>

#include "kvscope/estimator.h"
#include "kvscope/shape.h"

// The estimate as one JSON object, written as text rather than through
// QJsonDocument: that stores numbers as doubles, and byte totals above 2^53
// would lose their last digits. Integers here are always exact.
std::string jsonReport(const kvscope::ModelShape &shape, const kvscope::Workload &workload,
                       const kvscope::KvEstimate &estimate);
