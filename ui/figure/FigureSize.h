#pragma once

#include <QList>
#include <QSizeF>
#include <QString>
#include <QStringList>
#include <QStringView>
#include <optional>

// A figure's size as a document asks for it: a width and height in a unit
// (in, cm, mm, pt, or px for a PNG), or a preset for a journal column or a
// slide. Figures are laid out in points; pixels become points through the
// PNG's pixels per point.
namespace figure {

struct FigureSizePreset;

struct FigureSize {
    enum class Unit { In, Cm, Mm, Pt, Px };

    double width = 560.0;
    double height = 400.0;
    Unit unit = Unit::Pt;

    // The size in points; `pixelsPerPoint` converts px.
    QSizeF points(double pixelsPerPoint = 2.0) const;

    // default (560 x 400 pt), single (3.5 in wide), double (7.16 in), slide (16:9).
    static const QList<FigureSizePreset> &presets();
    static std::optional<FigureSize> preset(QStringView name);
    static QStringList unitNames();  // in, cm, mm, pt, px
    static QString name(Unit unit);
    static std::optional<Unit> unitFromName(QStringView name);
    static double pointsPerUnit(Unit unit);  // 0 for px

    // Each side of a figure, in points: 1.5 in to 50 in.
    static constexpr double kMinPoints = 108.0;
    static constexpr double kMaxPoints = 3600.0;

    friend bool operator==(const FigureSize &, const FigureSize &) = default;
};

struct FigureSizePreset {
    QString name;   // "single", as --figure-size takes it
    QString label;  // "Single column (3.5 × 2.625 in)"
    FigureSize size;
};

}  // namespace figure
