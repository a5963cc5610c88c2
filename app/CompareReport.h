#pragma once

#include <string>
#include <vector>

#include "CliOptions.h"
#include "JsonReport.h"
#include "kvscope/compare.h"
#include "kvscope/result.h"

// kvscope-cli's --compare: this run's model (or the book's shape) and each
// compared model at the same context, batch, KV dtype, engine and
// deployment, as rows of kvscope::compareModels().

// The models given to --compare, as the comparison takes them (each with
// --weights-dtype when given, else its own torch_dtype's weights).
std::vector<kvscope::CompareModel> comparedModels(const CliOptions &options);

// This run's model first ("main"), then the compared ones in order. Fails
// only when a total does not fit 64 bits, naming the model.
kvscope::Result<std::vector<kvscope::CompareRow>> compareRows(const CliOptions &options);

// A blank line, then "==== Comparison ====": one line saying what every
// model shares, a table (model, layers, KV per token, KV at the context,
// KV per GPU with tensor parallelism, largest context, largest batch) and a
// line for each model the deployment cannot hold.
std::string compareSection(const CliOptions &options, const std::vector<kvscope::CompareRow> &rows);

// The "compare" --json key: an array of one object per row, the main model
// first with "main": true.
JsonFields compareJsonFields(const CliOptions &options, const std::vector<kvscope::CompareRow> &rows);
