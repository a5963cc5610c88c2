#pragma once

#include <QSizeF>
#include <QString>
#include <functional>
#include <optional>

#include "ChartKind.h"
#include "Figure.h"

class ConfigModel;
class QIODevice;

enum class ExportFormat { Pdf, Svg, Png, Csv };

struct ExportOptions {
    double pngScale = 2.0;  // device pixels per point for PNG
    // The figure in points (PDF page, SVG size; PNG is this times pngScale).
    QSizeF chartSize{560.0, 400.0};
};

// The charts of the model's current configuration as files, without a GUI
// (QtCore only): PDF with the core fonts, SVG and CSV. kvscope-cli writes
// these in a process that never loads Qt's GUI libraries; ChartExporter adds
// PNG, the report and PDFs whose text needs embedded fonts. Every write is
// atomic: on failure the previous file is untouched and the returned message
// says why (naming the path); success returns nothing.
class FigureExporter {
public:
    explicit FigureExporter(const ConfigModel *model);

    static std::optional<ExportFormat> formatForPath(const QString &path);
    static QString allowedExtensions();  // ".pdf, .svg, .png or .csv"

    figure::Figure figure(ChartKind kind) const;
    // The chart's title and configuration on one line, as in the file metadata.
    QString documentTitle(ChartKind kind) const { return figure(kind).documentTitle(); }
    // The series data as CSV text (what a .csv export writes), or nothing
    // when the configuration cannot be computed.
    std::optional<QString> csv(ChartKind kind) const;

    // True when writing `path` needs Qt's GUI (ChartExporter): a PNG, or a
    // PDF whose text the core fonts cannot show.
    bool needsGui(ChartKind kind, const QString &path) const;
    // Writes PDF, SVG or CSV; a path needsGui() is refused with a message.
    std::optional<QString> exportChart(ChartKind kind, const QString &path, const ExportOptions &options = {}) const;

    // Why the configuration cannot be exported, if it cannot.
    std::optional<QString> configError() const;
    // "Cannot export to "<path>": <why>" for a path that is not exportable, or nothing.
    std::optional<QString> checkPath(const QString &path) const;
    static QSizeF figureSize(const ExportOptions &options);
    static QString creator();  // "KV Scope 0.1.0"

    using Writer = std::function<std::optional<QString>(QIODevice *device)>;
    static std::optional<QString> writeAtomically(const QString &path, const Writer &write);

private:
    const ConfigModel *m_model;
};
