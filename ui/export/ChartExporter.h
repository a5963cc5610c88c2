#pragma once

#include <QSizeF>
#include <QString>
#include <optional>

#include "ChartKind.h"
#include "FigureExporter.h"

class ConfigModel;
class QIODevice;
class QPainter;
class QRectF;

// Writes the charts and the report for the model's current configuration.
// The same code serves the window's File > Export and kvscope-cli. Charts
// are FigureExporter's figures: PDF, SVG and CSV through it, PNG (and PDF
// whose text needs embedded fonts) drawn through QPainter here. Every write
// is atomic: on failure the previous file is untouched and the returned
// message says why (naming the path); success returns nothing.
// Needs a QGuiApplication (the offscreen platform is enough).
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
    std::optional<QString> writePdf(ChartKind kind, QIODevice *device, const QSizeF &size) const;
    std::optional<QString> writePng(ChartKind kind, QIODevice *device, const QSizeF &size, double scale) const;
    std::optional<QString> writeReport(QIODevice *device) const;
    // The report's deployment tables (inputs, what fits); returns their height.
    qreal drawDeployment(QPainter *painter, const QRectF &box) const;

    FigureExporter m_figures;
    const ConfigModel *m_model;
};
