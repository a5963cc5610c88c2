#include "FigureSize.h"

using namespace Qt::StringLiterals;

namespace figure {

QSizeF FigureSize::points(double pixelsPerPoint) const {
    if (unit == Unit::Px) return QSizeF(width, height) / pixelsPerPoint;
    return QSizeF(width, height) * pointsPerUnit(unit);
}

const QList<FigureSizePreset> &FigureSize::presets() {
    // Column widths as IEEE and ACM templates set them; slides at 16:9.
    static const QList<FigureSizePreset> list{
        {u"default"_s, u"Default (560 × 400 pt)"_s, {560.0, 400.0, Unit::Pt}},
        {u"single"_s, u"Single column (3.5 × 2.625 in)"_s, {3.5, 2.625, Unit::In}},
        {u"double"_s, u"Double column (7.16 × 3.58 in)"_s, {7.16, 3.58, Unit::In}},
        {u"slide"_s, u"Slide, 16:9 (10 × 5.625 in)"_s, {10.0, 5.625, Unit::In}},
    };
    return list;
}

std::optional<FigureSize> FigureSize::preset(QStringView name) {
    for (const FigureSizePreset &p : presets()) {
        if (p.name == name) return p.size;
    }
    return std::nullopt;
}

QStringList FigureSize::unitNames() { return {u"in"_s, u"cm"_s, u"mm"_s, u"pt"_s, u"px"_s}; }

QString FigureSize::name(Unit unit) { return unitNames().at(static_cast<int>(unit)); }

std::optional<FigureSize::Unit> FigureSize::unitFromName(QStringView name) {
    const qsizetype index = unitNames().indexOf(name.toString());
    if (index < 0) return std::nullopt;
    return static_cast<Unit>(index);
}

double FigureSize::pointsPerUnit(Unit unit) {
    switch (unit) {
        case Unit::In:
            return 72.0;
        case Unit::Cm:
            return 72.0 / 2.54;
        case Unit::Mm:
            return 72.0 / 25.4;
        case Unit::Pt:
            return 1.0;
        case Unit::Px:
            return 0.0;
    }
    return 0.0;
}

}  // namespace figure
