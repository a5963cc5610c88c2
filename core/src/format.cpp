#include "kvscope/format.h"

#include <bit>
#include <charconv>
#include <cmath>
#include <limits>

namespace kvscope {

double divideExact(std::uint64_t a, std::uint64_t b) {
    if (b == 0) return a == 0 ? std::numeric_limits<double>::quiet_NaN() : std::numeric_limits<double>::infinity();
    if (a == 0) return 0.0;
    constexpr std::uint64_t exact_limit = std::uint64_t{1} << 53;
    if (a <= exact_limit && b <= exact_limit) {
        return static_cast<double>(a) / static_cast<double>(b);  // exact operands, one rounding
    }
    // Wider operands: form the quotient with at least 64 significant bits in
    // 128-bit integers, then round it to 53 bits once, half to even.
    __extension__ typedef unsigned __int128 u128;  // GCC and Clang both have it
    const int shift_in = 128 - std::bit_width(a);
    const u128 numerator = u128{a} << shift_in;
    const u128 quotient = numerator / b;
    const bool sticky = numerator % b != 0;

    const auto high = static_cast<std::uint64_t>(quotient >> 64);
    const int width = high != 0 ? 64 + std::bit_width(high) : std::bit_width(static_cast<std::uint64_t>(quotient));
    const int drop = width - 53;
    std::uint64_t mantissa = static_cast<std::uint64_t>(quotient >> drop);
    const u128 rest = quotient & ((u128{1} << drop) - 1);
    const u128 half = u128{1} << (drop - 1);
    if (rest > half || (rest == half && (sticky || (mantissa & 1)))) ++mantissa;
    return std::ldexp(static_cast<double>(mantissa), drop - shift_in);
}

namespace {

std::string groupThousands(std::string_view digits) {
    std::string grouped;
    grouped.reserve(digits.size() + digits.size() / 3);
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i != 0 && (digits.size() - i) % 3 == 0) grouped += ',';
        grouped += digits[i];
    }
    return grouped;
}

}  // namespace

std::string formatThousands(std::uint64_t value) { return groupThousands(std::to_string(value)); }

std::string formatFixed2(double value) {
    if (std::isnan(value)) return "nan";
    if (std::isinf(value)) return value < 0 ? "-inf" : "inf";
    // to_chars is exact and ignores the C locale (Qt sets it from the environment).
    char buffer[400];
    const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::fixed, 2);
    std::string text(buffer, ec == std::errc{} ? end : buffer);
    const bool negative = !text.empty() && text.front() == '-';
    if (negative) text.erase(0, 1);
    const std::size_t dot = text.find('.');
    return (negative ? "-" : "") + groupThousands(std::string_view(text).substr(0, dot)) + text.substr(dot);
}

std::string formatGB(std::uint64_t bytes) { return formatFixed2(divideExact(bytes, 1'000'000'000)) + " GB"; }

std::string bookReport(const ModelShape &shape, const Workload &workload, const KvEstimate &e) {
    auto line = [](std::string_view key, const std::string &value) {
        std::string padded(key);
        if (padded.size() < 17) padded.resize(17, ' ');
        return padded + ": " + value + "\n";
    };
    std::string out = "==== Config ====\n";
    out += line("context_length", std::to_string(workload.context_length));
    out += line("emb_dim", std::to_string(shape.emb_dim));
    out += line("n_heads", std::to_string(shape.n_heads));
    out += line("n_layers", std::to_string(shape.n_layers));
    out += line("n_kv_groups", std::to_string(shape.n_kv_groups));
    out += line("batch_size", std::to_string(workload.batch_size));
    out += line("dtype", std::string(dtypeName(workload.dtype)) + " (" + bytesPerElemText(workload.dtype) +
                             " Bytes/elem)");
    out += line("head_dim", std::to_string(e.head_dim));
    out += line("GQA n_kv_heads", std::to_string(e.n_kv_heads_gqa));
    out += "\n==== KV-cache totals across all layers ====\n";
    out += "MHA total KV cache  : " + formatGB(e.mha_bytes) + "\n";
    out += "GQA total KV cache  : " + formatGB(e.gqa_bytes) + "\n";
    out += "Ratio (MHA / GQA)   : " + formatFixed2(e.ratio) + "x\n";
    out += "Savings (GQA vs MHA): " + formatFixed2(e.savings_percent) + "%\n";
    return out;
}

}  // namespace kvscope
