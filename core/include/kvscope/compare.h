#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "kvscope/dtype.h"
#include "kvscope/engine.h"
#include "kvscope/layout.h"
#include "kvscope/plan.h"
#include "kvscope/result.h"
#include "kvscope/shape.h"

namespace kvscope {

// One model of a side-by-side comparison: its layers and what the engine and
// the weights need to know of it.
struct CompareModel {
    std::string name;
    ModelLayout layout;
    // The dtype the engine runs it in (vllmModelDType of its torch_dtype):
    // vLLM keeps Mamba-style states in it.
    DType model_dtype = DType::bf16;
    // Its context limit; 0 when none is known. No request is planned past it.
    std::uint64_t max_model_len = 0;
    // Its weights, for a budget computed from the GPU's memory; unknown
    // without a parameter count.
    std::optional<std::uint64_t> parameters;
    DType weights_dtype = DType::bf16;
    // Its weights' exact bytes as stored (a GGUF file, safetensors headers):
    // then these, not parameters in weights_dtype. Each model its own.
    std::optional<std::uint64_t> stored_weights_bytes;
};

// What every compared model shares with the main run: the workload (context,
// batch, KV dtype), the engine with its options and the GPU, and the
// deployment when one is planned.
struct CompareBase {
    Workload workload;
    // Each model's model_dtype and max_model_len replace the setup's own.
    EngineSetup setup;
    // GPUs and tensor parallelism: with a GPU memory or a KV budget, each
    // model gets its plan (its own weights on the same GPUs); with only
    // tensor parallelism, its share per GPU. Its parameters and weights
    // dtype are replaced by each model's.
    std::optional<Deployment> deployment;
};

// One row of the comparison, in the order the models were given.
struct CompareRow {
    std::string name;
    std::string layers;  // "26 sliding + 8 full": layerSummary()
    std::uint64_t kv_bytes = 0;            // the whole model at the workload
    std::uint64_t kv_bytes_per_token = 0;  // one more token of one sequence
    // The workload's context is past the model's limit (vLLM refuses it).
    bool past_model_limit = false;
    // One GPU's share (tensor parallelism over more than one GPU); none when
    // the layers do not split over that many.
    std::optional<std::uint64_t> kv_bytes_per_gpu;
    // With a budget and a plan: the largest context at the workload's batch
    // and the largest batch at its context, on the deployment's GPUs.
    std::optional<Solved> max_context_length;
    std::optional<Solved> max_batch_size;
    // Why a planned deployment has no numbers for this model (its weights
    // leave no room, its heads do not split, its parameter count is
    // unknown), naming the field as plan() does; empty otherwise.
    std::string plan_error;
    std::string plan_error_field;
};

// Layers by kind in kAllLayerKinds order: "32 full", "26 sliding + 8 full".
std::string layerSummary(const ModelLayout &layout);

// Every model at the base's workload on its engine and deployment. Fails
// only when a model's total at the workload does not fit 64 bits (the error
// names the model); a plan that cannot be made is the row's plan_error.
Result<std::vector<CompareRow>> compareModels(const CompareBase &base, std::span<const CompareModel> models);

}  // namespace kvscope
