#pragma once

#include <cstdint>
#include <string>

#include "kvscope/estimator.h"
#include "kvscope/shape.h"

namespace kvscope {

// a / b rounded once to the nearest double, exactly as Python's int / int:
// the report's digits must match the book's script for every input.
double divideExact(std::uint64_t a, std::uint64_t b);

// Python's f"{x:,.2f}": two decimals, round half to even on the exact binary
// value, comma thousands separators, independent of the C locale.
std::string formatFixed2(double value);

// Python's f"{n:,}".
std::string formatThousands(std::uint64_t value);

// The book's bytes_convert: "17.18 GB" with GB = 1000^3 bytes.
std::string formatGB(std::uint64_t bytes);

// The book's report, byte for byte (ends with a newline).
std::string bookReport(const ModelShape &shape, const Workload &workload, const KvEstimate &estimate);

}  // namespace kvscope
