#include "DeploymentReport.h"

#include <QString>
#include <algorithm>
#include <utility>
#include <vector>

#include "ModelReport.h"
#include "kvscope/dtype.h"
#include "kvscope/format.h"
#include "kvscope/layout_bytes.h"
#include "kvscope/units.h"
#include "kvscope/weights.h"

using namespace Qt::StringLiterals;
using kvscope::LayerKind;

namespace {

std::string thousands(std::uint64_t value) { return kvscope::formatThousands(value); }

std::uint64_t ceilDiv(std::uint64_t a, std::uint64_t b) { return a / b + (a % b != 0 ? 1 : 0); }

std::string plural(std::uint64_t n, const std::string &one, const std::string &many) {
    return thousands(n) + " " + (n == 1 ? one : many);
}

std::string solvedText(const kvscope::Solved &s, const std::string &one, const std::string &many,
                       const std::string &limitNote) {
    if (s.value == 0) return "none";
    std::string text = plural(s.value, one, many);
    if (s.at_limit) text += " (" + limitNote + ")";
    return text;
}

std::string parametersSourceText(const ReportSetup::Planning &p) {
    if (p.parametersSource == u"preset"_s) return "the built-in model's count";
    if (p.parametersSource == u"config"_s) return "counted from the config";
    if (p.parametersSource == u"book_shape"_s) return "the book's GPT model of this shape";
    return p.parametersSource.toStdString();
}

}  // namespace

kvscope::Result<PlanFigures> PlanFigures::compute(const ReportSetup &options, const ErrorWording &wording) {
    const ReportSetup::Planning &p = *options.planning;
    const kvscope::Deployment &d = p.deployment;
    const kvscope::EngineSetup &setup = options.engine;
    const kvscope::ModelLayout layout = options.layout();
    if (auto e = kvscope::validateTensorParallel(layout, d.tensor_parallel, setup.engine)) return wording.forPlan(*e);

    PlanFigures f;
    const kvscope::ModelLayout stored = kvscope::engineLayout(layout, setup);
    const auto total = kvscope::layoutTotalBytes(stored, options.workload);
    if (!total) return wording.forShape(total.error());
    f.kv_bytes = *total;
    f.kv_heads = kvscope::firstKvHeads(layout);
    for (const kvscope::LayerGroup &g : layout.groups) {
        if (g.spec.kind == LayerKind::Mla) f.has_mla = true;
    }
    if (setup.engine == kvscope::Engine::Vllm) {
        auto perGpu = kvscope::layoutPerGpu(stored, d.tensor_parallel);
        if (!perGpu) return wording.forPlan(perGpu.error());
        const auto perGpuTotal = kvscope::layoutTotalBytes(*perGpu, options.workload);
        if (!perGpuTotal) return wording.forShape(perGpuTotal.error());
        f.kv_bytes_per_gpu = *perGpuTotal;
        f.kv_heads_per_gpu = kvscope::firstKvHeads(*perGpu);
        f.kv_heads_replicated = kvscope::kvHeadsReplicated(layout, d.tensor_parallel);
    } else {
        // llama.cpp places whole layers on each GPU: an even share of the whole.
        f.kv_bytes_per_gpu = ceilDiv(f.kv_bytes, d.tensor_parallel);
        f.kv_heads_per_gpu = f.kv_heads;
    }
    if (p.parameters || d.stored_weights_bytes) {
        const auto weights = kvscope::deploymentWeightsBytes(d);
        if (!weights) return wording.forPlan(weights.error());
        f.weights_bytes = *weights;
        f.weights_bytes_per_gpu = ceilDiv(*weights, d.tensor_parallel);
    }

    if (p.hasBudget) {
        // Its messages in the run's unit, as every other size it prints.
        const kvscope::ByteUnit unit = options.binaryUnits ? kvscope::ByteUnit::Binary : kvscope::ByteUnit::Decimal;
        auto plan = kvscope::plan(layout, options.workload, d, setup, unit);
        if (!plan) return wording.forPlan(plan.error());
        f.plan = std::move(plan).value();
    }
    return f;
}

std::string planSection(const ReportSetup &options, const PlanFigures &f) {
    const ReportSetup::Planning &p = *options.planning;
    const kvscope::Deployment &d = p.deployment;
    const kvscope::Workload &w = options.workload;
    const kvscope::ByteUnit unit = options.binaryUnits ? kvscope::ByteUnit::Binary : kvscope::ByteUnit::Decimal;
    const auto bytes = [unit](std::uint64_t b) { return kvscope::formatBytes(b, unit); };
    const auto exact = [&bytes](std::uint64_t b) { return bytes(b) + " (" + thousands(b) + " bytes)"; };
    const std::uint32_t tp = d.tensor_parallel;
    const std::string tokens = plural(w.context_length, "token", "tokens");
    const std::string sequences = plural(w.batch_size, "sequence", "sequences");

    std::vector<std::pair<std::string, std::string>> rows;
    if (d.gpu_memory_bytes != 0) {
        std::string gpu = p.gpuLabel.toStdString();
        if (!p.gpuName.isEmpty()) gpu += " (" + p.gpuName.toStdString() + ")";
        // GPU memory is sold in GiB: shown so whatever the unit switch says, as the window does.
        gpu += ", " + kvscope::formatBytes(d.gpu_memory_bytes, kvscope::ByteUnit::Binary);
        if (p.customMemory && !p.gpuName.isEmpty()) gpu += " (--gpu-memory-gib)";
        rows.emplace_back("GPU", gpu);
    }
    const kvscope::Engine engine = options.engine.engine;
    rows.insert(rows.begin(), {"Engine", std::string(kvscope::engineLabel(engine)) + " " +
                                             std::string(kvscope::engineVersion(engine))});
    rows.emplace_back("GPUs", tp == 1 ? std::string("1")
                                      : std::to_string(tp) + (engine == kvscope::Engine::Vllm
                                                                  ? ", tensor parallel"
                                                                  : ", whole layers on each (llama.cpp -sm layer)"));
    if (d.gpu_memory_bytes != 0 && f.plan && !d.kv_budget_bytes) {
        std::string util = kvscope::utilizationText(d.utilization_ppm);
        if (d.utilization_ppm == kvscope::defaultUtilizationPpm(engine)) {
            util += engine == kvscope::Engine::Vllm ? " (vLLM's default gpu_memory_utilization)"
                                                    : " (llama.cpp takes what it needs)";
        }
        rows.emplace_back("Utilization", util + ", " + bytes(f.plan->usable_bytes_per_gpu) + " usable per GPU");
    }
    if (f.weights_bytes && d.stored_weights_bytes) {
        std::string stored = bytes(*f.weights_bytes) + " as stored";
        if (!p.storedWeightsFormat.isEmpty()) stored += ": " + p.storedWeightsFormat.toStdString();
        if (p.parameters) stored += "; " + thousands(*p.parameters) + " parameters";
        rows.emplace_back("Weights", stored);
        if (tp > 1) rows.emplace_back("Weights per GPU", bytes(*f.weights_bytes_per_gpu));
    } else if (f.weights_bytes) {
        rows.emplace_back("Weights", thousands(*p.parameters) + " parameters (" + parametersSourceText(p) + ") in " +
                                         std::string(kvscope::dtypeName(d.weights_dtype)) + ": " +
                                         bytes(*f.weights_bytes));
        if (tp > 1) rows.emplace_back("Weights per GPU", bytes(*f.weights_bytes_per_gpu));
    } else {
        rows.emplace_back("Weights", "unknown (--parameters gives the count)");
    }
    if (d.overhead_bytes != 0) rows.emplace_back("Overhead per GPU", bytes(d.overhead_bytes));
    if (tp > 1) {
        if (f.kv_heads != 0) {
            rows.emplace_back("K/V heads per GPU",
                              std::to_string(f.kv_heads_per_gpu) + " of " + std::to_string(f.kv_heads) +
                                  (f.kv_heads_replicated ? " (replicated: fewer K/V heads than GPUs)" : ""));
        }
        if (f.has_mla) rows.emplace_back("MLA latent", "whole on every GPU (not split)");
    }

    if (!f.plan) {
        rows.emplace_back("KV cache per GPU", exact(f.kv_bytes_per_gpu) + " of " + bytes(f.kv_bytes) + " for " +
                                                  tokens + " x " + sequences);
        return "\n" + reportSection("Deployment", rows, 20);
    }

    const kvscope::Plan &plan = *f.plan;
    const bool vllm = plan.engine == kvscope::Engine::Vllm;
    rows.emplace_back("KV budget per GPU",
                      exact(plan.kv_budget_bytes) +
                          (d.kv_budget_bytes ? std::string(", from --kv-budget-bytes")
                                             : std::string(d.overhead_bytes != 0
                                                               ? ", usable - weights - overhead"
                                                               : ", usable - weights")) +
                          (!vllm && tp > 1 ? ", pooled: llama.cpp puts whole layers on each GPU" : ""));
    rows.emplace_back("Cache layout", plan.layout_rule);
    if (vllm) {
        rows.emplace_back("Block", thousands(plan.block_size) + " tokens, " + exact(plan.block_bytes));
        rows.emplace_back("Blocks per GPU", thousands(plan.num_blocks) + " (one is vLLM's null block)");
        rows.emplace_back("Blocks per request",
                          thousands(plan.blocks_per_request) + " at " + thousands(w.context_length) + " tokens");
    }
    std::string workload = bytes(f.kv_bytes_per_gpu) + " for " + tokens + " x " + sequences;
    if (plan.engine_kv_bytes_per_gpu != f.kv_bytes_per_gpu) {
        workload += " (" + bytes(plan.engine_kv_bytes_per_gpu) + " as " + std::string(kvscope::engineLabel(plan.engine)) +
                    " allocates it)";
    }
    workload += plan.fits ? ": fits" : ": does not fit";
    rows.emplace_back("Workload KV per GPU", workload);
    std::string limitNote = "the longest accepted; the cache stops growing";
    if (plan.max_context_length.limited_by == kvscope::Bound::Model) limitNote = "the model's context limit";
    rows.emplace_back("Largest context", solvedText(plan.max_context_length, "token", "tokens", limitNote) +
                                             " at batch " + thousands(w.batch_size));
    rows.emplace_back("Largest batch", solvedText(plan.max_batch_size, "sequence", "sequences",
                                                  vllm ? "the largest accepted" : "llama.cpp's 256 sequences at most") +
                                           " of " + tokens);
    rows.emplace_back("Max concurrency",
                      kvscope::formatFixed2(plan.max_concurrency) + "x for " + thousands(w.context_length) +
                          " tokens per request" +
                          (vllm ? " (num_blocks / blocks per request, as vLLM logs it)"
                                : " (the largest batch: llama.cpp allocates every sequence at start)"));
    if (!d.kv_budget_bytes) {
        std::string needed = "none up to " + thousands(kvscope::PlanLimits::max_tensor_parallel) + " fits";
        if (plan.gpus_needed) {
            needed = std::to_string(*plan.gpus_needed);
            if (*plan.gpus_needed != tp) needed += " (--tensor-parallel " + std::to_string(*plan.gpus_needed) + ")";
        }
        rows.emplace_back("GPUs needed", needed);
    }
    for (std::size_t i = 0; i < plan.engine_log.size(); ++i) {
        rows.emplace_back(i == 0 ? "Engine log" : "", plan.engine_log[i]);
    }
    return "\n" + reportSection("Deployment", rows, 20);
}

