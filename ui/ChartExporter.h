#pragma once

#include <QString>
#include <optional>

#include "ChartKind.h"

class ConfigModel;

enum class ExportFormat { Pdf, Svg, Png, Csv };

struct ExportOptions {
    double pngScale = 2.0;  // device pixels per point for PNG
};

// Writes the charts and the report for the model's current configuration.
// The same code serves the window's File > Export and kvscope-cli. Every
// write is atomic: on failure the previous file is untouched and the
// returned message says why (naming the path); success returns nothing.
class ChartExporter {
public:
    explicit ChartExporter(const ConfigModel *model);

    static std::optional<ExportFormat> formatForPath(const QString &path);

    std::optional<QString> exportChart(ChartKind kind, const QString &path, const ExportOptions &options = {}) const;
    // A PDF with both charts, each filling the page width, and a table of
    // the configuration and the book's numbers.
    std::optional<QString> exportReport(const QString &path) const;

private:
    const ConfigModel *m_model;
};
