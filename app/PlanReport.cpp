#include "PlanReport.h"

#include <QRegularExpression>
#include <QString>
#include <utility>
#include <vector>

#include "kvscope/dtype.h"
#include "kvscope/units.h"

using namespace Qt::StringLiterals;
using kvscope::InputError;

namespace {

constexpr std::uint32_t kMillion = 1'000'000;

// The flag that gave the GPU's memory, as typed: "--gpu h100-80gb" or
// "--gpu-memory-gib".
QString memoryFlag(const ReportSetup::Planning &p) {
    if (p.customMemory) return u"--gpu-memory-gib"_s;
    return u"--gpu "_s + p.gpuName;
}

// An error of plan() or validateTensorParallel() as one line naming flags.
InputError planError(const InputError &e, const CliOptions &options) {
    const ReportSetup::Planning &p = *options.planning;
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

std::string optionalNumber(const std::optional<std::uint64_t> &value) {
    return value ? std::to_string(*value) : "null";
}

std::string boolText(bool value) { return value ? "true" : "false"; }

}  // namespace

ErrorWording cliErrorWording(const CliOptions &options) {
    ErrorWording wording;
    wording.plan = [&options](const InputError &e) { return planError(e, options); };
    wording.shape = [&options](const InputError &e) { return CliOptions::flagError(e, options.shape); };
    return wording;
}

kvscope::Result<PlanFigures> cliPlanFigures(const CliOptions &options) {
    return PlanFigures::compute(options, cliErrorWording(options));
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
    // "stored": the model file's exact bytes; "parameters": the count in weights_dtype.
    fields.emplace_back("weights_source", !f.weights_bytes ? "null"
                                          : d.stored_weights_bytes ? "\"stored\""
                                                                   : "\"parameters\"");
    fields.emplace_back("weights_format", d.stored_weights_bytes && !p.storedWeightsFormat.isEmpty()
                                              ? str(p.storedWeightsFormat)
                                              : "null");
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
