#include <gtest/gtest.h>

#include <clocale>
#include <cstdint>
#include <limits>

#include "kvscope/format.h"

using namespace kvscope;

TEST(Format, FixedTwoDecimalsWithThousands) {
    EXPECT_EQ(formatFixed2(0.0), "0.00");
    EXPECT_EQ(formatFixed2(4.0), "4.00");
    EXPECT_EQ(formatFixed2(1234.5678), "1,234.57");
    EXPECT_EQ(formatFixed2(999.999), "1,000.00");
    EXPECT_EQ(formatFixed2(1234567.891), "1,234,567.89");
    EXPECT_EQ(formatFixed2(-1234.5), "-1,234.50");
}

TEST(Format, RoundsHalfToEvenOnTheBinaryValueLikePython) {
    EXPECT_EQ(formatFixed2(0.125), "0.12");  // exact tie: to even
    EXPECT_EQ(formatFixed2(0.375), "0.38");
    EXPECT_EQ(formatFixed2(2.675), "2.67");  // 2.67499999... in binary
    EXPECT_EQ(formatFixed2(1.005), "1.00");
}

TEST(Format, IgnoresTheCLocale) {
    const char *old = std::setlocale(LC_NUMERIC, nullptr);
    const std::string saved = old ? old : "C";
    if (std::setlocale(LC_NUMERIC, "de_DE.UTF-8") == nullptr) GTEST_SKIP() << "no German locale here";
    EXPECT_EQ(formatFixed2(1234.5), "1,234.50");
    std::setlocale(LC_NUMERIC, saved.c_str());
}

TEST(Format, Thousands) {
    EXPECT_EQ(formatThousands(0), "0");
    EXPECT_EQ(formatThousands(999), "999");
    EXPECT_EQ(formatThousands(1000), "1,000");
    EXPECT_EQ(formatThousands(1048576), "1,048,576");
    EXPECT_EQ(formatThousands(std::numeric_limits<std::uint64_t>::max()), "18,446,744,073,709,551,615");
}

TEST(Format, GigabytesAreDecimal) {
    EXPECT_EQ(formatGB(17'179'869'184u), "17.18 GB");
    EXPECT_EQ(formatGB(0), "0.00 GB");
    EXPECT_EQ(formatGB(5'000'000), "0.01 GB");  // 0.005 is just above the tie in binary
    EXPECT_EQ(formatGB(1'234'567'890'123u), "1,234.57 GB");
}

TEST(Format, DivideExactMatchesIeeeForSmallOperands) {
    EXPECT_EQ(divideExact(1, 3), 1.0 / 3.0);
    EXPECT_EQ(divideExact(17'179'869'184u, 1'000'000'000u), 17.179869184);
    EXPECT_EQ(divideExact(10, 4), 2.5);
}

TEST(Format, DivideExactRoundsOnceForWideOperands) {
    // 2^64 - 1 over 1: the nearest double is 2^64.
    EXPECT_EQ(divideExact(std::numeric_limits<std::uint64_t>::max(), 1), 18446744073709551616.0);
    // 2^53 + 1 is a tie between 2^53 and 2^53 + 2: to even gives 2^53.
    EXPECT_EQ(divideExact((std::uint64_t{1} << 53) + 1, 1), 9007199254740992.0);
    // 2^53 + 3 ties between 2^53 + 2 and 2^53 + 4: to even gives 2^53 + 4.
    EXPECT_EQ(divideExact((std::uint64_t{1} << 53) + 3, 1), 9007199254740996.0);
    // Wide numerator and denominator: the exact quotient 3 comes out exactly.
    const std::uint64_t b = (std::uint64_t{1} << 60) + 12345;
    EXPECT_EQ(divideExact(3 * b, b), 3.0);
    // Python: (2**64 - 1) / 10**9 == 18446744073.709553
    EXPECT_EQ(divideExact(std::numeric_limits<std::uint64_t>::max(), 1'000'000'000), 18446744073.709553);
}
