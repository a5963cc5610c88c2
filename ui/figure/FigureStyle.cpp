#include "FigureStyle.h"

using namespace Qt::StringLiterals;

namespace figure {

QStringList FigureStyle::legendNames() { return {u"auto"_s, u"inside"_s, u"outside"_s, u"none"_s}; }

QStringList FigureStyle::themeNames() { return {u"light"_s, u"dark"_s, u"print"_s}; }

QString FigureStyle::name(LegendPlacement legend) { return legendNames().at(static_cast<int>(legend)); }

QString FigureStyle::name(Theme theme) { return themeNames().at(static_cast<int>(theme)); }

std::optional<LegendPlacement> FigureStyle::legendFromName(QStringView name) {
    const qsizetype index = legendNames().indexOf(name.toString());
    if (index < 0) return std::nullopt;
    return static_cast<LegendPlacement>(index);
}

std::optional<Theme> FigureStyle::themeFromName(QStringView name) {
    const qsizetype index = themeNames().indexOf(name.toString());
    if (index < 0) return std::nullopt;
    return static_cast<Theme>(index);
}

}  // namespace figure
