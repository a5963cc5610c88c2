#pragma once

#include <string>
#include <utility>
#include <vector>

#include "ReportSetup.h"
#include "ModelEstimate.h"

// The report kvscope-cli prints for a real model (--config or --model), and
// the window's Copy as text copies, in the book's style: keys in a
// 17-character field, GB with two decimals and thousands separators. The book's own report stays bookReport(); this one
// adds the model, where each number came from, bytes per layer kind, the
// book's MHA/GQA lines where they are exact, and what-if variants.
std::string modelReport(const ReportSetup &setup, const ModelEstimate &estimate);

// "==== title ====" and "key<pad>: value" lines in a field of minWidth
// characters, as the book pads its config keys to 17 and its totals to 20; a
// longer key widens the field so the colons still line up. Values lose any
// control characters.
std::string reportSection(const std::string &title, const std::vector<std::pair<std::string, std::string>> &rows,
                          std::size_t minWidth = 17);
