#pragma once

#include <QString>
#include <optional>
#include <span>
#include <vector>

#include "ImportedModel.h"
#include "kvscope/compare.h"
#include "kvscope/dtype.h"
#include "kvscope/result.h"

class ConfigModel;

// The current configuration side by side with other models, at its context,
// batch, KV dtype, engine and deployment: the rows of kvscope-cli's
// --compare, of the report's comparison page and of the window's Compare
// table. The arithmetic is kvscope::compareModels(); this only says what the
// current configuration and an imported model bring to it.
namespace ModelComparison {

// A real model as one to compare: its layers, the dtype an engine runs it in,
// its context limit and parameter count; its weights in `weightsDtype`, or
// in its own torch_dtype when none is given (a float32 checkpoint served in
// bf16, bf16 when the config names none), as a deployment plan takes them.
kvscope::CompareModel fromImported(const ImportedModel &model, const QString &name,
                                   std::optional<kvscope::DType> weightsDtype = std::nullopt);

// The configuration's own model: the loaded one, or the book's shape named
// "book shape" with the book's GPT parameter count.
kvscope::CompareModel current(const ConfigModel &config);

// The configuration's workload, engine and (with the budget on) deployment.
kvscope::CompareBase base(const ConfigModel &config);

// The current model's row first, then one per model in `others`, in order.
kvscope::Result<std::vector<kvscope::CompareRow>> rows(const ConfigModel &config,
                                                       std::span<const kvscope::CompareModel> others);

}  // namespace ModelComparison
