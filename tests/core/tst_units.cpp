#include <gtest/gtest.h>

#include "kvscope/units.h"

using namespace kvscope;

TEST(Units, PicksTheLargestUnitAtLeastOne) {
    EXPECT_EQ(unitFor(999, ByteUnit::Decimal).suffix, "B");
    EXPECT_EQ(unitFor(1000, ByteUnit::Decimal).suffix, "KB");
    EXPECT_EQ(unitFor(51'942'260'736u, ByteUnit::Decimal).suffix, "GB");
    EXPECT_EQ(unitFor(51'942'260'736u, ByteUnit::Binary).suffix, "GiB");
    EXPECT_EQ(unitFor(1023, ByteUnit::Binary).suffix, "B");
    EXPECT_EQ(unitFor(1024, ByteUnit::Binary).suffix, "KiB");
    EXPECT_EQ(unitFor(std::uint64_t{1} << 62, ByteUnit::Binary).suffix, "PiB");  // largest unit caps
}

TEST(Units, FormatsLikeTheBook) {
    EXPECT_EQ(formatBytes(51'942'260'736u, ByteUnit::Decimal), "51.94 GB");
    EXPECT_EQ(formatBytes(12'985'565'184u, ByteUnit::Decimal), "12.99 GB");
    EXPECT_EQ(formatBytes(12'985'565'184u, ByteUnit::Binary), "12.09 GiB");
    EXPECT_EQ(formatBytes(512, ByteUnit::Decimal), "512 B");
    EXPECT_EQ(formatBytes(396'288, ByteUnit::Decimal), "396.29 KB");
    EXPECT_EQ(formatBytes(std::uint64_t{1} << 62, ByteUnit::Binary), "4,096.00 PiB");
}
