#pragma once

#include <QList>
#include <QPointF>
#include <QString>
#include <optional>
#include <vector>

#include "FigureCanvas.h"

// A chart as a print figure: what to draw, in data coordinates, without
// saying how. ContextFigure and GroupsFigure build one from the config model;
// FigureRenderer lays it out on any canvas (PDF, SVG, PNG, EPS, the report),
// so the window's exports and the CLI's are the same figure.
namespace figure {

enum class Marker { None, Circle, Diamond, Square, TriangleUp, TriangleDown };

// matplotlib's default colour cycle: the seed's figure colours.
// A pinned curve's colour, by its slot (ConfigModel::Snapshot::Pin::slot), for
// life: Okabe and Ito's colour-blind-safe set, less the yellow that vanishes
// on white and the vermillion too close to the budget line's red, with a
// purple in their place.
constexpr Rgb pinColor(int slot) {
    constexpr Rgb kPins[] = {0x009e73, 0xcc79a7, 0x56b4e9, 0xe69f00, 0x0072b2, 0x6a3d9a};
    return kPins[static_cast<unsigned>(slot) % 6u];
}

// The slot of a pinned curve's key ("pin3": 2); -1 for any other curve.
inline int pinSlot(const QString &key) {
    if (!key.startsWith(QLatin1String("pin"))) return -1;
    bool ok = false;
    const int number = key.mid(3).toInt(&ok);
    return ok && number >= 1 ? number - 1 : -1;
}

constexpr Rgb cycleColor(int index) {
    constexpr Rgb kCycle[] = {0x1f77b4, 0xff7f0e, 0x2ca02c, 0xd62728, 0x9467bd,
                              0x8c564b, 0xe377c2, 0x7f7f7f, 0xbcbd22, 0x17becf};
    return kCycle[static_cast<unsigned>(index) % 10u];
}

struct Series {
    QString name;                 // the legend entry; empty: not in the legend
    QList<QPointF> points;        // data coordinates
    std::optional<Pen> line;      // none: markers only
    Marker marker = Marker::None;
    double markerSize = 0.0;      // diameter in points
    std::optional<Rgb> markerFill;
    std::optional<Pen> markerOutline;
    QString pointLabel;           // drawn beside every point ("MHA", "MQA")
    // Where the point label sits: above the point, or left of it (for a
    // point the curve leaves upwards to the right, so the label never
    // crosses the line).
    enum class LabelSide { Above, Left };
    LabelSide pointLabelSide = LabelSide::Above;
    // A data curve (the print theme tells curves apart by line style and
    // marker), or a reference drawn the same in every theme: the budget,
    // the current context, rings and highlights.
    bool curve = false;
};

struct Tick {
    double value = 0.0;
    QString label;
};

struct Axis {
    QString title;
    double min = 0.0;
    double max = 1.0;
    bool log2 = false;  // positions by log2(value)
    // The ticks to draw. A log2 axis may leave this empty: the renderer then
    // labels every power of two that fits, or every 2nd, 5th, ... Given on
    // a log2 axis (the groups chart's divisors), a label that would touch
    // its neighbour is left out.
    QList<Tick> ticks;
};

enum class Corner { TopLeft, BottomRight };

struct Figure {
    QString headline;       // "KV-cache vs Context Length"
    QString configLine;     // "(n_heads=24, emb_dim=2048, ...)"
    QString note;           // a third title line, when the figure needs one said ("shape only: ...")
    Axis x;
    Axis y;
    std::vector<Series> series;  // drawn in order, later on top; legend in the same order
    Corner legendCorner = Corner::TopLeft;
    QString error;          // when set, drawn instead of the data

    QString documentTitle() const { return headline + u' ' + configLine; }
    // Every text a reader finds on the figure.
    QStringList texts() const;
};

}  // namespace figure
