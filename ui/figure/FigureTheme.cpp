#include "FigureTheme.h"

#include <array>
#include <cmath>

namespace figure {

namespace {

// Perceived brightness as a gray of the same lightness (Rec. 601 weights).
Rgb gray(Rgb color) {
    const double y = 0.299 * ((color >> 16) & 0xFF) + 0.587 * ((color >> 8) & 0xFF) + 0.114 * (color & 0xFF);
    const auto g = static_cast<Rgb>(std::lround(y));
    return (g << 16) | (g << 8) | g;
}

}  // namespace

FigureTheme FigureTheme::of(Theme theme) {
    FigureTheme t;
    t.theme = theme;
    if (theme == Theme::Dark) {
        t.background = 0x1f1f24;
        t.text = 0xe6e6e6;
        t.grid = 0x45454d;
        t.legendFill = 0x2a2a30;
        t.legendBorder = 0x5c5c66;
        t.error = 0xff6b6b;
    } else if (theme == Theme::Print) {
        t.grid = 0xdddddd;
        t.legendBorder = 0x999999;
        t.error = 0x000000;
    }
    return t;
}

Series FigureTheme::styled(const Series &series, int curveIndex) const {
    Series s = series;
    if (theme == Theme::Light) return s;
    if (theme == Theme::Dark) {
        // Black and white are the paper's: swap them; a budget red brightens.
        auto swap = [this](Rgb c) {
            if (c == 0x000000) return text;
            if (c == 0xffffff) return background;
            if (c == 0xb2182b) return Rgb{0xff6b6b};
            if (c == 0x7a7a7a) return Rgb{0x9a9a9a};
            return c;
        };
        if (s.line) s.line->color = swap(s.line->color);
        if (s.markerFill) s.markerFill = swap(*s.markerFill);
        if (s.markerOutline) s.markerOutline->color = swap(s.markerOutline->color);
        return s;
    }
    // Print: references in their own gray; curves in black and grays, each
    // with its own dash and marker, filled and hollow in turn.
    if (!s.curve) {
        if (s.line) s.line->color = gray(s.line->color);
        if (s.markerFill) s.markerFill = gray(*s.markerFill);
        if (s.markerOutline) s.markerOutline->color = gray(s.markerOutline->color);
        return s;
    }
    constexpr std::array<Rgb, 3> kGrays{0x000000, 0x555555, 0x2b2b2b};
    constexpr std::array<Dash, 4> kDashes{Dash::Solid, Dash::Dashed, Dash::DashDot, Dash::Dotted};
    constexpr std::array<Marker, 5> kMarkers{Marker::Circle, Marker::Square, Marker::TriangleUp, Marker::Diamond,
                                             Marker::TriangleDown};
    const auto i = static_cast<std::size_t>(curveIndex);
    const Rgb color = kGrays[i % kGrays.size()];
    const double width = s.line ? s.line->width : 1.2;
    s.line = Pen{color, std::max(width, 1.2), kDashes[i % kDashes.size()]};
    s.marker = kMarkers[i % kMarkers.size()];
    s.markerSize = std::max(s.markerSize, 5.6);
    const bool hollow = i % 2 == 1;
    s.markerFill = hollow ? Rgb{0xffffff} : color;
    s.markerOutline = Pen{color, 1.0, Dash::Solid};
    return s;
}

}  // namespace figure
