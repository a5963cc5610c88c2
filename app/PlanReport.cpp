#include "PlanReport.h"

#include <QRegularExpression>
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
using kvscope::InputError;
using kvscope::LayerKind;

namespace {

constexpr std::uint32_t kMillion = 1'000'000;

std::string thousands(std::uint64_t value) { return kvscope::formatThousands(value); }

std::uint64_t ceilDiv(std::uint64_t a, std::uint64_t b) { return a / b + (a % b != 0 ? 1 : 0); }

std::string plural(std::uint64_t n, const std::string &one, const std::string &many) {
    return thousands(n) + " " + (n == 1 ? one : many);
}

// The flag that gave the GPU's memory, as typed: "--gpu h100-80gb" or
// "--gpu-memory-gib".
QString memoryFlag(const CliOptions::Planning &p) {
    if (p.customMemory) return u"--gpu-memory-gib"_s;
    return u"--gpu "_s + p.gpuName;
}

// An error of plan() or validateTensorParallel() as one line naming flags.
InputError planError(const InputError &e, const CliOptions &options) {
    const CliOptions::Planning &p = *options.planning;
    const kvscope::Deployment &d = p.deployment;
    QString message = QString::fromStdString(e.message);
    if (e.field == "gpu_memory" || e.field == "kv_budget_bytes") {
        const bool direct = d.kv_budget_bytes.has_value();
        message = (direct ? u"--kv-budget-bytes"_s : memoryFlag(p)) + u": "_s + message;
        if (!direct) {
            // The core ends with "; needs N GPUs"; add the flag that asks for them.
            const auto needed = kvscope::gpusNeeded(options.layout(), options.workload, d);
            if (needed && message.endsWith(QString::fromStdString(kvscope::gpusNeededClause(*needed))))
                message += u" (--tensor-parallel "_s + QString::number(*needed) + u')';
        }
        return InputError{e.field, message.toStdString()};
    }
    // The core names its fields; here they are flags.
    static const QRegularExpression field(
        u"(?<![\\w-])(tensor_parallel|block_size|gpu_utilization|parameters|overhead)\\b"_s);
    static const QRegularExpression bookField(
        u"(?<![\\w-])(context_length|emb_dim|n_heads|n_layers|n_kv_groups|batch_size|dtype|head_dim)\\b"_s);
    QString flagged;
    qsizetype at = 0;
    for (auto it = field.globalMatch(message); it.hasNext();) {
        const QRegularExpressionMatch m = it.next();
        QString name = m.captured(1);
        name.replace(u'_', u'-');
        if (name == u"overhead"_s) name = u"overhead-gib"_s;
        flagged += message.mid(at, m.capturedStart() - at) + u"--"_s + name;
        at = m.capturedEnd();
    }
    flagged += message.mid(at);
    flagged.replace(bookField, u"--\\1"_s);
    return InputError{e.field, flagged.toStdString()};
}

std::string solvedText(const kvscope::Solved &s, const std::string &one, const std::string &many,
                       const std::string &limitNote) {
    if (s.value == 0) return "none";
    std::string text = plural(s.value, one, many);
    if (s.at_limit) text += " (" + limitNote + ")";
    return text;
}

std::string parametersSourceText(const CliOptions::Planning &p) {
    if (p.parametersSource == u"preset"_s) return "the built-in model's count";
    if (p.parametersSource == u"config"_s) return "counted from the config";
    if (p.parametersSource == u"book_shape"_s) return "the book's GPT model of this shape";
    return p.parametersSource.toStdString();
}

std::string optionalNumber(const std::optional<std::uint64_t> &value) {
    return value ? std::to_string(*value) : "null";
}

std::string boolText(bool value) { return value ? "true" : "false"; }

}  // namespace

kvscope::Result<PlanFigures> PlanFigures::compute(const CliOptions &options) {
    const CliOptions::Planning &p = *options.planning;
    const kvscope::Deployment &d = p.deployment;
    const kvscope::EngineSetup &setup = options.engine;
    const kvscope::ModelLayout layout = options.layout();
    if (auto e = kvscope::validateTensorParallel(layout, d.tensor_parallel, setup.engine)) return planError(*e, options);

    PlanFigures f;
    const kvscope::ModelLayout stored = kvscope::engineLayout(layout, setup);
    const auto total = kvscope::layoutTotalBytes(stored, options.workload);
    if (!total) return CliOptions::flagError(total.error(), options.shape);
    f.kv_bytes = *total;
    f.kv_heads = kvscope::firstKvHeads(layout);
    for (const kvscope::LayerGroup &g : layout.groups) {
        if (g.spec.kind == LayerKind::Mla) f.has_mla = true;
    }
    if (setup.engine == kvscope::Engine::Vllm) {
        auto perGpu = kvscope::layoutPerGpu(stored, d.tensor_parallel);
        if (!perGpu) return planError(perGpu.error(), options);
        const auto perGpuTotal = kvscope::layoutTotalBytes(*perGpu, options.workload);
        if (!perGpuTotal) return CliOptions::flagError(perGpuTotal.error(), options.shape);
        f.kv_bytes_per_gpu = *perGpuTotal;
        f.kv_heads_per_gpu = kvscope::firstKvHeads(*perGpu);
        f.kv_heads_replicated = kvscope::kvHeadsReplicated(layout, d.tensor_parallel);
    } else {
        // llama.cpp places whole layers on each GPU: an even share of the whole.
        f.kv_bytes_per_gpu = ceilDiv(f.kv_bytes, d.tensor_parallel);
        f.kv_heads_per_gpu = f.kv_heads;
    }
    if (p.parameters) {
        const auto weights = kvscope::weightsBytes(*p.parameters, d.weights_dtype);
        if (!weights) return planError(weights.error(), options);
        f.weights_bytes = *weights;
        f.weights_bytes_per_gpu = ceilDiv(*weights, d.tensor_parallel);
    }

    if (p.hasBudget) {
        auto plan = kvscope::plan(layout, options.workload, d, setup);
        if (!plan) return planError(plan.error(), options);
        f.plan = std::move(plan).value();
    }
    return f;
}

std::string planSection(const CliOptions &options, const PlanFigures &f) {
    const CliOptions::Planning &p = *options.planning;
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
    if (f.weights_bytes) {
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

JsonFields planJsonFields(const CliOptions &options, const PlanFigures &f) {
    const CliOptions::Planning &p = *options.planning;
    const kvscope::Deployment &d = p.deployment;
    const auto str = [](const QString &s) { return jsonString(s.toStdString()); };
    JsonFields fields;
    if (f.plan) {
        const bool memory = d.gpu_memory_bytes != 0;
        fields.emplace_back("gpu", p.gpuName.isEmpty() ? "null" : str(p.gpuName));
        fields.emplace_back("gpu_label", p.gpuLabel.isEmpty() ? "null" : str(p.gpuLabel));
        fields.emplace_back("gpu_memory_bytes", memory ? std::to_string(d.gpu_memory_bytes) : "null");
        fields.emplace_back("gpu_utilization",
                            memory ? jsonDouble(static_cast<double>(d.utilization_ppm) / kMillion) : "null");
        fields.emplace_back("usable_bytes_per_gpu",
                            memory && !d.kv_budget_bytes ? std::to_string(f.plan->usable_bytes_per_gpu) : "null");
        fields.emplace_back("overhead_bytes", std::to_string(d.overhead_bytes));
    }
    fields.emplace_back("tensor_parallel", std::to_string(d.tensor_parallel));
    fields.emplace_back("parameters", optionalNumber(p.parameters));
    fields.emplace_back("parameters_source", p.parameters ? str(p.parametersSource) : "null");
    fields.emplace_back("weights_dtype", jsonString(kvscope::dtypeName(d.weights_dtype)));
    fields.emplace_back("weights_bytes", optionalNumber(f.weights_bytes));
    fields.emplace_back("weights_bytes_per_gpu", optionalNumber(f.weights_bytes_per_gpu));
    fields.emplace_back("kv_bytes_per_gpu", std::to_string(f.kv_bytes_per_gpu));
    fields.emplace_back("kv_heads_per_gpu", f.kv_heads != 0 ? std::to_string(f.kv_heads_per_gpu) : "null");
    fields.emplace_back("kv_heads_replicated", boolText(f.kv_heads_replicated));
    if (!f.plan) return fields;

    const kvscope::Plan &plan = *f.plan;
    const bool vllm = plan.engine == kvscope::Engine::Vllm;
    const auto vllmOnly = [vllm](const std::string &value) { return vllm ? value : std::string("null"); };
    fields.emplace_back("kv_budget_bytes", std::to_string(plan.kv_budget_bytes));
    fields.emplace_back("kv_budget_source", d.kv_budget_bytes ? "\"kv_budget_bytes\"" : "\"gpu\"");
    fields.emplace_back("block_size", vllmOnly(std::to_string(plan.block_size)));
    fields.emplace_back("block_bytes", vllmOnly(std::to_string(plan.block_bytes)));
    fields.emplace_back("num_blocks", vllmOnly(std::to_string(plan.num_blocks)));
    fields.emplace_back("blocks_per_request", vllmOnly(std::to_string(plan.blocks_per_request)));
    fields.emplace_back("paged_kv_bytes_per_gpu", std::to_string(plan.engine_kv_bytes_per_gpu));
    fields.emplace_back("engine_kv_bytes_per_gpu", std::to_string(plan.engine_kv_bytes_per_gpu));
    fields.emplace_back("fits", boolText(plan.fits));
    fields.emplace_back("max_context_length", std::to_string(plan.max_context_length.value));
    fields.emplace_back("max_context_length_at_limit", boolText(plan.max_context_length.at_limit));
    fields.emplace_back("max_context_length_limited_by",
                        jsonString(kvscope::boundName(plan.max_context_length.limited_by)));
    fields.emplace_back("max_batch_size", std::to_string(plan.max_batch_size.value));
    fields.emplace_back("max_batch_size_at_limit", boolText(plan.max_batch_size.at_limit));
    fields.emplace_back("max_concurrency", jsonDouble(plan.max_concurrency));
    fields.emplace_back("kv_cache_tokens", vllmOnly(std::to_string(plan.kv_cache_tokens)));
    fields.emplace_back("cache_layout", jsonString(plan.layout_rule));
    fields.emplace_back("gpus_needed", plan.gpus_needed ? std::to_string(*plan.gpus_needed) : "null");
    return fields;
}

std::optional<std::uint64_t> engineKvBytes(const CliOptions &options) {
    const kvscope::Deployment deployment = options.planning ? options.planning->deployment : kvscope::Deployment{};
    const auto allocation = kvscope::kvAllocation(options.layout(), options.workload.dtype, options.engine,
                                                  deployment.tensor_parallel, 0, deployment.block_size);
    if (!allocation) return std::nullopt;
    const auto bytes =
        kvscope::allocatedBytes(*allocation, options.workload.context_length, options.workload.batch_size);
    return bytes ? std::optional<std::uint64_t>(*bytes) : std::nullopt;
}

JsonFields engineJsonFields(const CliOptions &options) {
    JsonFields fields;
    fields.emplace_back("engine", jsonString(kvscope::engineName(options.engine.engine)));
    fields.emplace_back("engine_version", jsonString(kvscope::engineVersion(options.engine.engine)));
    fields.emplace_back("engine_kv_bytes", optionalNumber(engineKvBytes(options)));
    fields.emplace_back("max_model_len",
                        options.engine.max_model_len != 0 ? std::to_string(options.engine.max_model_len) : "null");
    return fields;
}
