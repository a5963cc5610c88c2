#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "CliOptions.h"
#include "DeploymentReport.h"
#include "JsonReport.h"
#include "kvscope/result.h"

// kvscope-cli's side of the deployment plan (DeploymentReport): its errors
// naming the flags, and the plan's --json keys.

// How kvscope-cli words the core's errors: one line naming its flags.
ErrorWording cliErrorWording(const CliOptions &options);

// PlanFigures::compute() for the run, its errors naming the flags.
kvscope::Result<PlanFigures> cliPlanFigures(const CliOptions &options);

// The plan's --json keys, in order.
JsonFields planJsonFields(const CliOptions &options, const PlanFigures &figures);

// What the chosen engine allocates for the workload (batch_size sequences of
// context_length tokens: llama.cpp's -c context*batch -np batch, vLLM's
// blocks for those requests) on every GPU the run names; nothing when the
// engine cannot hold it (a cache format or an architecture it has not).
std::optional<std::uint64_t> engineKvBytes(const CliOptions &options);

// The --json keys every run has: engine, engine_version, engine_kv_bytes, and
// the engine's warnings (a context past the model's limit, ...).
JsonFields engineJsonFields(const CliOptions &options);
