#pragma once

#include <QString>
#include <optional>

struct CliOptions;

// kvscope-cli's --chart/--out and --report: builds a ConfigModel from the
// parsed options (a --config or --model loaded into it as the window loads
// one, whatever its layers) and writes through ChartExporter, the code that
// serves the window's File > Export, so the files are the window's figures.
// Needs a QApplication (offscreen is enough).
class CliExport {
public:
    // Writes every chart, then the report, stopping at the first failure.
    // Returns the failure as one line naming the file; files written before
    // it stay complete, and the failed one keeps its previous content.
    static std::optional<QString> write(const CliOptions &options);
};
