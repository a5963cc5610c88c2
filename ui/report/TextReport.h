#pragma once

#include <QString>
#include <string>

#include "ErrorWording.h"
#include "ReportSetup.h"
#include "kvscope/result.h"

class ConfigModel;

// The text report for one configuration: the book's report for its shape
// (or, with a real model, the model's report), then the deployment section
// when planning. kvscope-cli prints it; the window's Copy as text copies it,
// for the window's configuration as ReportSetup::of() describes it.
namespace TextReport {

// Fails with the first error, worded by `wording`: the plan's, then the
// estimate's.
kvscope::Result<std::string> build(const ReportSetup &setup, const ErrorWording &wording = {});

// The window's report: what kvscope-cli prints for the same configuration,
// or the one line naming why it cannot be made.
QString forConfig(const ConfigModel &config);

}  // namespace TextReport
