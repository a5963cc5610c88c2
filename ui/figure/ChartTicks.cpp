#include "ChartTicks.h"

#include <algorithm>
#include <cmath>

using namespace Qt::StringLiterals;

ChartTicks ChartTicks::forMaximum(double maximum, int wantedTicks) {
    ChartTicks ticks;
    if (!(maximum > 0.0) || !std::isfinite(maximum)) {
        ticks.labelFormat = u"%.1f"_s;
        return ticks;
    }
    const double raw = maximum / std::max(wantedTicks, 1);
    const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    double step = magnitude;
    for (double factor : {1.0, 2.0, 2.5, 5.0, 10.0}) {
        step = factor * magnitude;
        if (step >= raw) break;
    }
    ticks.step = step;
    // A little air above the highest point, then up to the next tick.
    ticks.max = std::ceil(maximum * 1.04 / step - 1e-9) * step;
    const int decimals = std::max(0, -static_cast<int>(std::floor(std::log10(step) + 1e-9)) +
                                         (std::abs(step / magnitude - 2.5) < 1e-9 ? 1 : 0));
    ticks.labelFormat = u"%."_s + QString::number(decimals) + u"f"_s;
    return ticks;
}

QString ChartTicks::powerOfTwoLabel(int exponent) {
    static const char16_t *const kSuffix[] = {u"", u"K", u"M", u"G", u"T"};
    const int group = std::clamp(exponent / 10, 0, 4);
    const qint64 mantissa = qint64{1} << (exponent - group * 10);
    return QString::number(mantissa) + QString::fromUtf16(kSuffix[group]);
}
