#include "CliExport.h"

#include "ChartExporter.h"
#include "CliOptions.h"
#include "ConfigModel.h"

using namespace Qt::StringLiterals;

std::optional<QString> CliExport::write(const CliOptions &options) {
    ConfigModel model;
    model.setConfig(options.shape, options.workload);
    model.setExtraGroups(options.extraGroups);
    model.setBinaryUnits(options.binaryUnits);
    // The model clamps and snaps; parse() only passes values it keeps as
    // they are, but an export of some other configuration must never happen.
    if (model.shape() != options.shape || model.workload() != options.workload ||
        model.extraGroups() != options.extraGroups) {
        return u"internal error: the chart configuration differs from the command line's"_s;
    }

    const ChartExporter exporter(&model);
    ExportOptions exportOptions;
    exportOptions.pngScale = options.pngScale;
    for (const CliOptions::ChartOutput &output : options.charts) {
        const ChartKind kind = output.chart == CliOptions::Chart::Context ? ChartKind::Context : ChartKind::Groups;
        if (auto error = exporter.exportChart(kind, output.path, exportOptions)) return error;
    }
    if (!options.reportPath.isEmpty()) {
        if (auto error = exporter.exportReport(options.reportPath)) return error;
    }
    return std::nullopt;
}
