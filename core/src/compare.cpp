#include "kvscope/compare.h"

#include <utility>

#include "kvscope/layout_bytes.h"

namespace kvscope {

namespace {

// llama.cpp places whole layers on each GPU: an even share, rounded up.
std::uint64_t ceilDiv(std::uint64_t a, std::uint64_t b) { return a / b + (a % b != 0 ? 1 : 0); }

bool hasBudget(const Deployment &d) { return d.gpu_memory_bytes != 0 || d.kv_budget_bytes.has_value(); }

}  // namespace

std::string layerSummary(const ModelLayout &layout) {
    const auto counts = layerCountsByKind(layout);
    std::string text;
    for (LayerKind kind : kAllLayerKinds) {
        const std::uint64_t count = counts[static_cast<std::size_t>(kind)];
        if (count == 0) continue;
        if (!text.empty()) text += " + ";
        text += std::to_string(count) + " " + std::string(layerKindName(kind));
    }
    return text;
}

Result<std::vector<CompareRow>> compareModels(const CompareBase &base, std::span<const CompareModel> models) {
    std::vector<CompareRow> rows;
    rows.reserve(models.size());
    for (const CompareModel &model : models) {
        EngineSetup setup = base.setup;
        setup.model_dtype = model.model_dtype;
        setup.max_model_len = model.max_model_len;
        const ModelLayout stored = engineLayout(model.layout, setup);
        const auto total = layoutTotalBytes(stored, base.workload);
        if (!total) return InputError{total.error().field, model.name + ": " + total.error().message};
        const auto perToken = layoutBytesPerToken(stored, base.workload);
        if (!perToken) return InputError{perToken.error().field, model.name + ": " + perToken.error().message};

        CompareRow row;
        row.name = model.name;
        row.layers = layerSummary(model.layout);
        row.kv_bytes = *total;
        row.kv_bytes_per_token = *perToken;
        row.past_model_limit = model.max_model_len != 0 && base.workload.context_length > model.max_model_len;
        if (!base.deployment) {
            rows.push_back(std::move(row));
            continue;
        }

        Deployment d = *base.deployment;
        d.parameters = model.parameters.value_or(0);
        d.weights_dtype = model.weights_dtype;
        d.stored_weights_bytes = model.stored_weights_bytes;
        const auto splits = validateTensorParallel(model.layout, d.tensor_parallel, setup.engine);
        if (d.tensor_parallel > 1 && !splits) {
            if (setup.engine == Engine::Vllm) {
                if (const auto perGpu = layoutPerGpu(stored, d.tensor_parallel)) {
                    if (const auto bytes = layoutTotalBytes(*perGpu, base.workload)) row.kv_bytes_per_gpu = *bytes;
                }
            } else {
                row.kv_bytes_per_gpu = ceilDiv(row.kv_bytes, d.tensor_parallel);
            }
        }
        if (splits) {
            row.plan_error_field = splits->field;
            row.plan_error = splits->message;
        } else if (hasBudget(d)) {
            if (!model.parameters && !d.kv_budget_bytes) {
                row.plan_error_field = "parameters";
                row.plan_error = "no parameter count, so the weights on the GPU are unknown";
            } else if (const auto p = plan(model.layout, base.workload, d, setup)) {
                row.max_context_length = p->max_context_length;
                row.max_batch_size = p->max_batch_size;
            } else {
                row.plan_error_field = p.error().field;
                row.plan_error = p.error().message;
            }
        }
        rows.push_back(std::move(row));
    }
    return rows;
}

}  // namespace kvscope
