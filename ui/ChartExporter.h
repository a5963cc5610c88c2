#pragma once

#include <QSizeF>
#include <QtGlobal>
#include <QString>
#include <functional>
#include <optional>

#include "ChartKind.h"

class ConfigModel;
class KvChart;
class QGraphicsScene;
class QIODevice;
class QPainter;
class QRectF;

enum class ExportFormat { Pdf, Svg, Png, Csv };

struct ExportOptions {
    double pngScale = 2.0;  // device pixels per point for PNG
    // The figure in points (PDF page, SVG size; PNG is this times pngScale).
    QSizeF chartSize{560.0, 400.0};
};

// Writes the charts and the report for the model's current configuration.
// The same code serves the window's File > Export and kvscope-cli. Every
// write is atomic: on failure the previous file is untouched and the
// returned message says why (naming the path); success returns nothing.
// Needs a QApplication (the offscreen platform is enough).
class ChartExporter {
public:
    explicit ChartExporter(const ConfigModel *model);

    static std::optional<ExportFormat> formatForPath(const QString &path);
    static QString allowedExtensions();  // ".pdf, .svg, .png or .csv"

    std::optional<QString> exportChart(ChartKind kind, const QString &path, const ExportOptions &options = {}) const;
    // A PDF with both charts, each filling the page width, and a table of
    // the configuration and the book's numbers.
    std::optional<QString> exportReport(const QString &path) const;

    // The series data as CSV text (what exportChart writes for .csv), or
    // nothing when the configuration cannot be computed.
    std::optional<QString> csv(ChartKind kind) const;
    // The chart's title and configuration on one line, as in the file metadata.
    QString documentTitle(ChartKind kind) const;

private:
    using Writer = std::function<std::optional<QString>(QIODevice *device)>;
    static std::optional<QString> writeAtomically(const QString &path, const Writer &write);
    // The chart built for print and laid out at `size` points, in `scene`
    // (which owns it). Build it once per file: it gives the title and the drawing.
    KvChart *printChart(ChartKind kind, QGraphicsScene *scene, const QSizeF &size) const;
    // Draws the scene of printChart() into `target` (painter units are points).
    static void renderChart(QGraphicsScene *scene, QPainter *painter, const QRectF &target);
    std::optional<QString> writePdf(ChartKind kind, QIODevice *device, const QSizeF &size) const;
    std::optional<QString> writeSvg(ChartKind kind, QIODevice *device, const QSizeF &size) const;
    std::optional<QString> writePng(ChartKind kind, QIODevice *device, const QSizeF &size, double scale) const;
    std::optional<QString> writeReport(QIODevice *device) const;
    // The report's deployment tables (inputs, what fits); returns their height.
    qreal drawDeployment(QPainter *painter, const QRectF &box) const;
    std::optional<QString> configError() const;

    const ConfigModel *m_model;
};
