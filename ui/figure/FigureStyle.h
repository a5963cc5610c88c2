#pragma once

#include <QString>
#include <QStringList>
#include <QStringView>
#include <optional>

// How a figure is drawn, apart from what it shows: the choices a document
// needs (matplotlib's font.size, legend.loc, a style sheet), the same in the
// window's export dialog and on kvscope-cli's command line.
namespace figure {

// auto: inside the plot where it covers no curve, marker or label, else
// outside; inside: in the plot's emptiest corner; outside: right of the plot,
// or below it in columns; none: no legend.
enum class LegendPlacement { Auto, Inside, Outside, None };

// light: white paper; dark: for slides on a dark background; print:
// grayscale-safe, curves told apart by line style and marker too.
enum class Theme { Light, Dark, Print };

struct FigureStyle {
    // The axis titles' size in points; the title is 1.1 times it, the tick
    // labels, subtitle and legend 0.9 times.
    double fontSize = 10.0;
    bool title = true;
    LegendPlacement legend = LegendPlacement::Auto;
    Theme theme = Theme::Light;

    static constexpr double kMinFontSize = 5.0;
    static constexpr double kMaxFontSize = 30.0;

    static QStringList legendNames();  // auto, inside, outside, none
    static QStringList themeNames();   // light, dark, print
    static QString name(LegendPlacement legend);
    static QString name(Theme theme);
    static std::optional<LegendPlacement> legendFromName(QStringView name);
    static std::optional<Theme> themeFromName(QStringView name);

    friend bool operator==(const FigureStyle &, const FigureStyle &) = default;
};

}  // namespace figure
