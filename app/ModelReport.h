#pragma once

#include <string>

#include "CliOptions.h"
#include "ModelEstimate.h"

// The report kvscope-cli prints for a real model (--config or --model), in
// the book's style: keys in a 17-character field, GB with two decimals and
// thousands separators. The book's own report stays bookReport(); this one
// adds the model, where each number came from, bytes per layer kind, the
// book's MHA/GQA lines where they are exact, and what-if variants.
std::string modelReport(const CliOptions &options, const ModelEstimate &estimate);
