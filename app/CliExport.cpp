#include "CliExport.h"

#include <QFileInfo>

#include "CliOptions.h"
#include "ConfigModel.h"
#include "ChartExporter.h"
#include "CompareReport.h"
#include "FileBatch.h"
#include "PlanReport.h"

using namespace Qt::StringLiterals;

namespace {

ChartKind kindOf(const CliOptions::ChartOutput &output) {
    return output.chart == CliOptions::Chart::Context ? ChartKind::Context : ChartKind::Groups;
}

}  // namespace

std::optional<QString> CliExport::configure(const CliOptions &options, ConfigModel &model) {
    // A real model is loaded as the window's File > Open and Model > Choose
    // model load it, so the charts draw its own curve and what-ifs; its book
    // view is the shape, and the command line's context, batch and dtype
    // replace the ones loading suggests.
    // The engine first: loading a model picks the engine's default KV dtype.
    const std::string_view engine = kvscope::engineName(options.engine.engine);
    model.setEngine(QString::fromLatin1(engine.data(), static_cast<qsizetype>(engine.size())));
    model.setVllmOptions(options.engine.vllm);
    model.setLlamaCppOptions(options.engine.llamacpp);
    // Each --compare model is pinned under its name at the run's workload
    // before the run's own model is loaded: its curve on the context chart.
    for (const CliOptions::Model &m : options.compared) {
        const QString name = m.shownName();
        model.loadModel(m.imported, name);
        model.setConfig(m.imported.shape, options.workload);
        if (!model.pinCurrent(name)) return u"internal error: more compared models than the chart can pin"_s;
    }
    model.clearModel();
    if (options.model) {
        const CliOptions::Model &m = *options.model;
        model.loadModel(m.imported, m.shownName(),
                        m.isPreset ? ConfigModel::originForPreset(m.label) : QFileInfo(m.label).absoluteFilePath());
    }
    model.setConfig(options.shape, options.workload);
    model.setExtraGroups(options.extraGroups);
    model.setBinaryUnits(options.binaryUnits);
    // The model clamps and snaps; parse() only passes values it keeps as
    // they are, but an export of some other configuration must never happen.
    const kvscope::EngineSetup engineSetup = model.engineSetup();
    if (model.shape() != options.shape || model.workload() != options.workload ||
        model.extraGroups() != options.extraGroups || model.hasModel() != options.model.has_value() ||
        model.layout() != options.layout() || engineSetup.engine != options.engine.engine ||
        engineSetup.vllm != options.engine.vllm || engineSetup.llamacpp != options.engine.llamacpp) {
        return u"internal error: the chart configuration differs from the command line's"_s;
    }

    // A deployment plan draws the KV budget on the context chart and adds its
    // tables to the report, exactly as the window does with the same inputs.
    if (options.planning && options.planning->hasBudget) {
        const CliOptions::Planning &planning = *options.planning;
        const bool preset = !planning.gpuName.isEmpty() && !planning.customMemory;
        model.setDeployment(planning.deployment, preset ? planning.gpuName : ConfigModel::kCustomGpu);
        const auto figures = cliPlanFigures(options);
        const kvscope::Result<kvscope::Plan> &drawn = model.plan();
        if (!figures || !figures->plan || !drawn || drawn->kv_budget_bytes != figures->plan->kv_budget_bytes ||
            drawn->num_blocks != figures->plan->num_blocks ||
            drawn->max_context_length.value != figures->plan->max_context_length.value ||
            drawn->engine_kv_bytes_per_gpu != figures->plan->engine_kv_bytes_per_gpu) {
            return u"internal error: the charts' deployment plan differs from the command line's"_s;
        }
    }
    return std::nullopt;
}

std::optional<QString> CliExport::writeFigures(const CliOptions &options, const ConfigModel &model) {
    // One batch: every file is replaced, or none is.
    ChartExporter exporter(&model);
    exporter.setComparedModels(comparedModels(options));
    FileBatch batch;
    for (const CliOptions::ChartOutput &output : options.charts) {
        if (auto error = exporter.exportChart(kindOf(output), output.path, options.figure, batch)) return error;
    }
    if (!options.reportPath.isEmpty()) {
        if (auto error = exporter.exportReport(options.reportPath, options.figure.style, batch)) return error;
    }
    return batch.commit();
}
