#pragma once

#include <QString>

// Round axis ticks, as a plotting library picks them: a 1-2-5 step that
// gives a handful of ticks, and a range that ends on a tick.
struct ChartTicks {
    double max = 1.0;
    double step = 0.2;
    QString labelFormat;  // printf format with just enough decimals for the step

    static ChartTicks forMaximum(double maximum, int wantedTicks = 6);
    // 256, 512, 1K, ..., 512K, 1M, ..., 1G: compact labels for 2^exponent.
    static QString powerOfTwoLabel(int exponent);
};
