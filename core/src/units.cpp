#include "kvscope/units.h"

#include <array>

#include "kvscope/format.h"

namespace kvscope {

namespace {

constexpr std::array<std::string_view, 6> kDecimal{"B", "KB", "MB", "GB", "TB", "PB"};
constexpr std::array<std::string_view, 6> kBinary{"B", "KiB", "MiB", "GiB", "TiB", "PiB"};

}  // namespace

ScaledUnit unitFor(std::uint64_t bytes, ByteUnit unit) {
    const double base = unit == ByteUnit::Decimal ? 1000.0 : 1024.0;
    const auto &names = unit == ByteUnit::Decimal ? kDecimal : kBinary;
    std::size_t index = 0;
    double divisor = 1.0;
    while (index + 1 < names.size() && static_cast<double>(bytes) >= divisor * base) {
        divisor *= base;
        ++index;
    }
    return {names[index], divisor};
}

ScaledUnit gigaUnit(ByteUnit unit) {
    return unit == ByteUnit::Decimal ? ScaledUnit{"GB", 1e9} : ScaledUnit{"GiB", 1073741824.0};
}

std::string formatBytes(std::uint64_t bytes, ByteUnit unit) {
    const ScaledUnit scaled = unitFor(bytes, unit);
    if (scaled.divisor == 1.0) return formatThousands(bytes) + " B";
    // Divisors are exact powers of 1000 or 1024 below 2^53, so divideExact
    // gives the correctly rounded value.
    return formatFixed2(divideExact(bytes, static_cast<std::uint64_t>(scaled.divisor))) + " " +
           std::string(scaled.suffix);
}

}  // namespace kvscope
