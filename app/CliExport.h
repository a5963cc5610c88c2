#pragma once

#include <QString>
#include <optional>

class ConfigModel;
struct CliOptions;

// kvscope-cli's --chart/--out and --report: a ConfigModel built from the
// parsed options (a --config or --model loaded into it as the window loads
// one, whatever its layers), written by the code that serves the window's
// File > Export (ChartExporter), so the files are the window's figures, in
// the figure options of the command line.
class CliExport {
public:
    // Sets `model` to the command line's configuration; an error means the
    // charts would show something else.
    static std::optional<QString> configure(const CliOptions &options, ConfigModel &model);
    // Writes every chart and the report as one FileBatch: on a failure,
    // returned as one line naming the file, every file named keeps its
    // previous content.
    static std::optional<QString> writeFigures(const CliOptions &options, const ConfigModel &model);
};
