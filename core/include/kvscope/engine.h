#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "kvscope/dtype.h"
#include "kvscope/gpu.h"
#include "kvscope/layout.h"
#include "kvscope/result.h"

namespace kvscope {

// The inference engine whose allocation rules a plan follows. Each engine's
// rules are read from its own source at one pinned version (engineVersion()).
enum class Engine : std::uint8_t { Vllm, LlamaCpp };

std::string_view engineName(Engine engine);     // "vllm", "llama.cpp": what --engine takes
std::string_view engineLabel(Engine engine);    // "vLLM", "llama.cpp": what a user reads
std::string_view engineVersion(Engine engine);  // the pinned source the rules follow
std::optional<Engine> parseEngine(std::string_view name);

// vLLM's options that change its cache, each with vLLM's default.
// (--block-size is Deployment::block_size.)
struct VllmOptions {
    // --max-num-batched-tokens; 0: vllm serve's default for the GPU
    // (vllmDefaultMaxNumBatchedTokens()).
    std::uint32_t max_num_batched_tokens = 0;
    // Async scheduling (on unless --no-async-scheduling): two batches in flight.
    bool async_scheduling = true;
    // Prefix caching (on unless --no-enable-prefix-caching): Mamba states in
    // "align" mode, two state blocks per request instead of one.
    bool prefix_caching = true;
    // --disable-hybrid-kv-cache-manager: every local-attention layer is
    // allocated as full attention, in one group.
    bool disable_hybrid_kv_cache_manager = false;
    // --mamba-cache-dtype and --mamba-ssm-cache-dtype; nullopt: "auto".
    std::optional<DType> mamba_cache_dtype;
    std::optional<DType> mamba_ssm_cache_dtype;

    friend bool operator==(const VllmOptions &, const VllmOptions &) = default;
};

// llama.cpp's options that change its cache, each with llama-server's default.
// The sequences (-np) are the workload's batch and the context (-c) is the
// workload's context times its batch; the K cache type (-ctk) is the
// workload's dtype.
struct LlamaCppOptions {
    std::uint32_t n_batch = 2048;          // -b
    std::uint32_t n_ubatch = 512;          // -ub
    bool swa_full = false;                 // --swa-full
    bool kv_unified = false;               // --kv-unified
    std::optional<DType> type_v;           // -ctv; nullopt: the same as -ctk

    friend bool operator==(const LlamaCppOptions &, const LlamaCppOptions &) = default;
};

// Which engine, with its options, and what of the hardware its defaults
// depend on.
struct EngineSetup {
    Engine engine = Engine::Vllm;
    VllmOptions vllm;
    LlamaCppOptions llamacpp;
    // The dtype the engine runs the model in (its activations): vLLM keeps
    // Mamba-style states in it. vllmModelDType() of the checkpoint's dtype.
    DType model_dtype = DType::bf16;
    // The GPU, when known: vLLM's defaults for the block size of MLA models
    // and for the tokens scheduled per step depend on it.
    GpuArch gpu_arch = GpuArch::Unknown;
    std::uint64_t gpu_memory_bytes = 0;  // 0: unknown
    bool gpu_is_a100 = false;
    // The model's context limit (vllmMaxModelLen() of its config); 0: none
    // known. No request is planned past it.
    std::uint64_t max_model_len = 0;

    friend bool operator==(const EngineSetup &, const EngineSetup &) = default;
};

// The dtype vLLM runs a checkpoint stored in `checkpoint` (config.json's
// torch_dtype; nullopt when it names none) in: a float32 checkpoint (or none)
// is served in bf16.
DType vllmModelDType(std::optional<DType> checkpoint);

// The KV cache dtype an engine uses when not told: vLLM's "auto" is the model
// dtype, llama.cpp's -ctk default is f16 whatever the checkpoint.
DType defaultKvDType(Engine engine, std::optional<DType> checkpoint);

// vllm serve's default --max-num-batched-tokens for a GPU: 8192 on GPUs of
// 70 GiB or more other than the A100, else 2048.
std::uint32_t vllmDefaultMaxNumBatchedTokens(const EngineSetup &setup);

// Tokens vLLM may have scheduled but not yet freed: one batch per step in
// flight, two with async scheduling.
std::uint64_t vllmMaxInFlightTokens(const EngineSetup &setup);

// vLLM's block size when --block-size is not given: 16 for every attention
// backend it picks, except MLA on Hopper with an fp8 cache (FlashMLA: 64) and
// MLA on Blackwell (FlashInfer MLA: 32).
std::uint32_t vllmDefaultBlockSize(const EngineSetup &setup, bool uses_mla, DType kv_dtype);

// The layout as the engine stores it: each linear state the model leaves
// open gets the dtype the engine keeps it in. vLLM
// (vllm/model_executor/layers/mamba/mamba_utils.py
// MambaStateDtypeCalculator._mamba_state_dtype): the conv state in
// --mamba-cache-dtype, else the model dtype; the SSM state in
// --mamba-ssm-cache-dtype, else the dtype the model fixes, else the conv
// state's. llama.cpp: both in f32.
ModelLayout engineLayout(const ModelLayout &layout, const EngineSetup &setup);

// Whether the engine stores a KV cache in this dtype, naming the field and
// the dtypes it takes when not.
std::optional<InputError> checkEngineKvDType(Engine engine, DType kv_dtype, std::string_view field = "dtype");

}  // namespace kvscope
