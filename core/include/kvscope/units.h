#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace kvscope {

// The book's GB is 1000^3 bytes; GPU memory is sold in GiB (1024^3). The
// window and its exports follow one switch between the two.
enum class ByteUnit : std::uint8_t { Decimal, Binary };

struct ScaledUnit {
    std::string_view suffix;  // "MB", "GiB", ...
    double divisor = 1.0;     // bytes per one of this unit
};

// The largest unit (B, KB/KiB ... PB/PiB) in which `bytes` is at least 1, so
// that a chart's largest value reads as 1 to 999.
ScaledUnit unitFor(std::uint64_t bytes, ByteUnit unit);

// A fixed unit by name for a caller that wants GB everywhere, like the book.
ScaledUnit gigaUnit(ByteUnit unit);

// "12.99 GB", "12.09 GiB", "512.00 MB": value in its own best unit, with the
// book's number style (two decimals, comma thousands).
std::string formatBytes(std::uint64_t bytes, ByteUnit unit);

}  // namespace kvscope
