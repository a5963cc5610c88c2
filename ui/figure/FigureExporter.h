#pragma once

#include <QSizeF>
#include <QString>
#include <optional>

#include "ChartKind.h"
#include "Figure.h"
#include "FigureSize.h"
#include "FigureStyle.h"

class ConfigModel;
class FileBatch;

enum class ExportFormat { Pdf, Svg, Png, Eps, Csv };

struct ExportOptions {
    double pngScale = 2.0;  // PNG pixels per point (144 dpi); also turns px sizes into points
    figure::FigureSize size;  // the figure: PDF page, SVG and EPS size, PNG size / pngScale
    figure::FigureStyle style;

    QSizeF chartSize() const { return size.points(pngScale); }
    static constexpr double kMinPngScale = 0.5;
    static constexpr double kMaxPngScale = 16.0;
};

// The charts of the model's current configuration as files: PDF, SVG, PNG
// and EPS drawn by FigureRenderer through cairo (fonts embedded), and CSV.
// QtCore only, so kvscope-cli writes them without Qt's GUI libraries. Every
// write is atomic: on failure the previous file is untouched and the
// returned message says why (naming the path); success returns nothing.
class FigureExporter {
public:
    explicit FigureExporter(const ConfigModel *model);

    static std::optional<ExportFormat> formatForPath(const QString &path);
    static QString allowedExtensions();  // ".pdf, .svg, .png, .eps or .csv"

    figure::Figure figure(ChartKind kind) const;
    // The chart's title and configuration on one line, as in the file metadata.
    QString documentTitle(ChartKind kind) const { return figure(kind).documentTitle(); }
    // The series data as CSV text (what a .csv export writes), or nothing
    // when the configuration cannot be computed.
    std::optional<QString> csv(ChartKind kind) const;

    // The chart as a PDF, SVG, PNG or EPS file's bytes (the clipboard, a
    // preview), or why not.
    std::optional<QString> render(ChartKind kind, ExportFormat format, const ExportOptions &options,
                                  QByteArray *bytes) const;
    std::optional<QString> exportChart(ChartKind kind, const QString &path, const ExportOptions &options = {}) const;
    // The same checks, then the chart joins `batch`, drawn and written by
    // its commit() (this exporter must still exist then).
    std::optional<QString> exportChart(ChartKind kind, const QString &path, const ExportOptions &options,
                                       FileBatch &batch) const;
    // Why `options` cannot make a figure in `format` (a size, scale or font
    // size out of range, px for a vector file), naming the allowed range.
    static std::optional<QString> checkOptions(const ExportOptions &options, ExportFormat format);

    // Why the configuration cannot be exported, if it cannot.
    std::optional<QString> configError() const;
    // "Cannot export to "<path>": <why>" for a path that is not exportable, or nothing.
    std::optional<QString> checkPath(const QString &path) const;
    static QString creator();  // "KV Scope 0.1.0"

private:
    const ConfigModel *m_model;
};
