#include "TextReport.h"

#include "ConfigModel.h"
#include "DeploymentReport.h"
#include "ModelEstimate.h"
#include "ModelReport.h"
#include "kvscope/estimator.h"
#include "kvscope/format.h"

namespace TextReport {

kvscope::Result<std::string> build(const ReportSetup &setup, const ErrorWording &wording) {
    std::string planText;
    if (setup.planning) {
        const auto figures = PlanFigures::compute(setup, wording);
        if (!figures) return figures.error();
        planText = planSection(setup, *figures);
    }
    if (setup.model) {
        const auto estimate = ModelEstimate::compute(setup.model->imported, setup.workload, setup.engine);
        if (!estimate) return wording.forShape(estimate.error());
        return modelReport(setup, *estimate) + planText;
    }
    const auto estimate = kvscope::estimate(setup.shape, setup.workload);
    if (!estimate) return wording.forShape(estimate.error());
    return kvscope::bookReport(setup.shape, setup.workload, *estimate) + planText;
}

QString forConfig(const ConfigModel &config) {
    const auto text = build(ReportSetup::of(config));
    return QString::fromStdString(text ? *text : text.error().message);
}

}  // namespace TextReport
