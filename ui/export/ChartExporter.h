#pragma once

#include <QSizeF>
#include <QString>
#include <optional>

#include <vector>

#include "ChartKind.h"
#include "FigureExporter.h"
#include "kvscope/compare.h"

class ConfigModel;
class FileBatch;
class QRectF;
namespace figure {
class Canvas;
}

// Writes the charts and the report for the model's current configuration.
// The same code serves the window's File > Export and kvscope-cli, in one
// process and through one drawing path: charts are FigureExporter's figures,
// the report's pages are drawn here on the same cairo canvas. Every write
// is atomic: on failure the previous file is untouched and the returned
// message says why (naming the path); success returns nothing. QtCore only.
class ChartExporter {
public:
    explicit ChartExporter(const ConfigModel *model);

    static std::optional<ExportFormat> formatForPath(const QString &path);
    static QString allowedExtensions();  // ".pdf, .svg, .png, .eps or .csv"

    std::optional<QString> exportChart(ChartKind kind, const QString &path, const ExportOptions &options = {}) const;
    // The same checks, then the chart joins `batch`, drawn and written by
    // its commit() (this exporter must still exist then).
    std::optional<QString> exportChart(ChartKind kind, const QString &path, const ExportOptions &options,
                                       FileBatch &batch) const;
    // The chart's file as bytes (the clipboard, a preview), or why not.
    std::optional<QString> render(ChartKind kind, ExportFormat format, const ExportOptions &options,
                                  QByteArray *bytes) const;
    // An A4 PDF with both charts, each filling the page width, and tables
    // of the configuration and the book's numbers. The charts take `style`
    // (a dark theme draws as light: the report is for white paper).
    std::optional<QString> exportReport(const QString &path, const figure::FigureStyle &style = {}) const;
    // The report joining `batch`, as exportChart() above.
    std::optional<QString> exportReport(const QString &path, const figure::FigureStyle &style, FileBatch &batch) const;

    // The series data as CSV text (what exportChart writes for .csv), or
    // nothing when the configuration cannot be computed.
    std::optional<QString> csv(ChartKind kind) const;
    // The chart's title and configuration on one line, as in the file metadata.
    QString documentTitle(ChartKind kind) const;
    // Models the report compares with the configuration's own on a page of
    // their own (ModelComparison::rows); none: the configuration's pins, and
    // without pins no such page.
    void setComparedModels(std::vector<kvscope::CompareModel> models);

private:
    std::vector<kvscope::CompareModel> comparedModels() const;
    std::optional<QString> writeReport(QByteArray *bytes, const figure::FigureStyle &chartStyle) const;
    // The report's deployment tables (inputs, what fits); returns their height.
    qreal drawDeployment(figure::Canvas &canvas, const QRectF &box) const;
    // The comparison page's heading, table and notes.
    void drawComparison(figure::Canvas &canvas, const QRectF &page) const;

    FigureExporter m_figures;
    const ConfigModel *m_model;
    std::vector<kvscope::CompareModel> m_compared;
};
