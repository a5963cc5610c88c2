#include "kvscope/engine.h"

#include <algorithm>
#include <string>

namespace kvscope {

namespace {

constexpr std::uint64_t kGiB = std::uint64_t{1} << 30;

// The sources every rule cites: vLLM's main branch just after its v0.26.0
// release and llama.cpp's build b10470, the newest each that could be read
// whole.
constexpr std::string_view kVllmVersion = "main 5ac2684 (2026-08-07, after v0.26.0)";
constexpr std::string_view kLlamaCppVersion = "b10470 (34af94cd9, 2026-08-17)";

}  // namespace

std::string_view engineName(Engine engine) {
    return engine == Engine::LlamaCpp ? "llama.cpp" : "vllm";
}

std::string_view engineLabel(Engine engine) {
    return engine == Engine::LlamaCpp ? "llama.cpp" : "vLLM";
}

std::string_view engineVersion(Engine engine) {
    // Every rule in vllm_cache.cpp and llamacpp_cache.cpp cites a file of
    // these trees.
    return engine == Engine::LlamaCpp ? kLlamaCppVersion : kVllmVersion;
}

std::optional<Engine> parseEngine(std::string_view name) {
    if (name == "vllm") return Engine::Vllm;
    if (name == "llama.cpp") return Engine::LlamaCpp;
    return std::nullopt;
}

// vllm/config/model.py _resolve_auto_dtype: "Downcast for float32 models" to
// the platform's first supported dtype, bf16 on every GPU KV Scope lists.
DType vllmModelDType(std::optional<DType> checkpoint) {
    if (!checkpoint || *checkpoint == DType::fp32) return DType::bf16;
    return *checkpoint;
}

DType defaultKvDType(Engine engine, std::optional<DType> checkpoint) {
    // llama.cpp common/common.h: cache_type_k = cache_type_v = GGML_TYPE_F16.
    if (engine == Engine::LlamaCpp) return DType::fp16;
    // vllm/config/cache.py: cache_dtype "auto" uses the model dtype.
    return vllmModelDType(checkpoint);
}

// vllm/engine/arg_utils.py EngineArgs.get_batch_defaults: OPENAI_API_SERVER
// gets 8192 when device_memory >= 70 GiB and "a100" is not in the device
// name, else 2048; with no device known, device_memory is 0.
std::uint32_t vllmDefaultMaxNumBatchedTokens(const EngineSetup &setup) {
    if (setup.gpu_memory_bytes >= 70 * kGiB && !setup.gpu_is_a100) return 8192;
    return 2048;
}

// vllm/config/vllm.py VllmConfig.max_in_flight_tokens: max_concurrent_batches
// (2 with async scheduling and no pipeline parallelism) * max_num_batched_tokens.
std::uint64_t vllmMaxInFlightTokens(const EngineSetup &setup) {
    const std::uint64_t per_step = setup.vllm.max_num_batched_tokens != 0 ? setup.vllm.max_num_batched_tokens
                                                                           : vllmDefaultMaxNumBatchedTokens(setup);
    return (setup.vllm.async_scheduling ? 2 : 1) * per_step;
}

// vllm/platforms/cuda.py _get_backend_priorities picks the first backend that
// takes the model; vllm/v1/attention/backend.py get_preferred_block_size keeps
// 16 when the backend supports it, else its smallest kernel block size.
//   non-MLA: FLASH_ATTN / FLASHINFER / ROCM_ATTN, MultipleOf(16): 16
//   MLA, sm90: FLASH_ATTN_MLA (16-bit caches only, MultipleOf(16)), else FLASHMLA ([64])
//   MLA, sm100: FLASHINFER_MLA ([32, 64]): 32
//   MLA, others (sm80, sm89, sm120, ROCm without AITER): TRITON_MLA, MultipleOf(16): 16
std::uint32_t vllmDefaultBlockSize(const EngineSetup &setup, bool uses_mla, DType kv_dtype) {
    if (!uses_mla) return 16;
    switch (setup.gpu_arch) {
    case GpuArch::Hopper: return kv_dtype == DType::fp8 ? 64 : 16;
    case GpuArch::Blackwell: return 32;
    default: return 16;
    }
}

ModelLayout engineLayout(const ModelLayout &layout, const EngineSetup &setup) {
    ModelLayout out;
    out.hints = layout.hints;
    out.groups.reserve(layout.groups.size());
    for (const LayerGroup &g : layout.groups) {
        LayerSpec spec = g.spec;
        if (spec.kind == LayerKind::Linear) {
            if (setup.engine == Engine::LlamaCpp) {
                // src/llama-model.cpp create_memory: llama_memory_recurrent(model, GGML_TYPE_F32, GGML_TYPE_F32, ...).
                spec.conv_state_dtype = DType::fp32;
                spec.recurrent_state_dtype = DType::fp32;
            } else {
                const DType conv = setup.vllm.mamba_cache_dtype.value_or(setup.model_dtype);
                spec.conv_state_dtype = conv;
                spec.recurrent_state_dtype = setup.vllm.mamba_ssm_cache_dtype
                                                 ? *setup.vllm.mamba_ssm_cache_dtype
                                                 : spec.recurrent_state_dtype.value_or(conv);
            }
        }
        appendLayers(out, spec, g.count);
    }
    return out;
}

std::optional<InputError> checkEngineKvDType(Engine engine, DType kv_dtype, std::string_view field) {
    const std::string name(dtypeName(kv_dtype));
    if (engine == Engine::Vllm) {
        // vllm/config/cache.py CacheDType: auto (the model dtype: fp32, bf16
        // or fp16), float16, bfloat16, fp8 and int8_per_token_head; q8_0, q4_0
        // and grouped int4 are llama.cpp's and GPTQ's, not vLLM's cache formats.
        if (kv_dtype == DType::int4 || kv_dtype == DType::q8_0 || kv_dtype == DType::q4_0) {
            return InputError{std::string(field), std::string(field) + " " + name +
                                                      " is not a KV cache format vLLM has; it takes fp32, bf16, "
                                                      "fp16, fp8 and int8 (its int8_per_token_head)"};
        }
        return std::nullopt;
    }
    // ggml cache types llama.cpp accepts for -ctk/-ctv (common/arg.cpp
    // kv_cache_types): f32, f16, bf16, q8_0, q4_0, ...; it has no fp8, plain
    // int8 or grouped int4.
    if (kv_dtype == DType::fp8 || kv_dtype == DType::int8 || kv_dtype == DType::int4) {
        return InputError{std::string(field), std::string(field) + " " + name +
                                                  " is not a KV cache type llama.cpp has; it takes fp32, fp16, "
                                                  "bf16, q8_0 and q4_0"};
    }
    return std::nullopt;
}

}  // namespace kvscope
