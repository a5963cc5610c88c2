#pragma once

#include "Figure.h"
#include "FigureStyle.h"

// The colours of a theme, and its series: light keeps the window's colours,
// dark turns black and white around for a dark slide, print draws in grays
// with a line style and a marker per curve, so curves stay apart on a
// grayscale printer.
namespace figure {

struct FigureTheme {
    Rgb background = 0xffffff;
    Rgb text = 0x000000;
    Rgb grid = 0xd0d0d0;
    Rgb legendFill = 0xffffff;
    Rgb legendBorder = 0xcccccc;
    Rgb error = 0xb00020;
    Theme theme = Theme::Light;

    static FigureTheme of(Theme theme);
    // `series` as this theme draws it; `curveIndex` counts the figure's curves.
    Series styled(const Series &series, int curveIndex) const;
};

}  // namespace figure
