#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "kvscope/dtype.h"
#include "kvscope/engine.h"
#include "kvscope/layout.h"
#include "kvscope/result.h"

namespace kvscope {

// llama.cpp's memory for a model's sequences, as llama-server allocates it at
// start (the pinned release's src/llama-kv-cache*.cpp and
// src/llama-memory-recurrent.cpp; each rule is cited where
// llamacpp_cache.cpp applies it). It is what the "llama_kv_cache: size = ..."
// and "llama_memory_recurrent: size = ..." lines print.
struct LlamaCppCache {
    std::uint64_t n_ctx = 0;           // -c after padding
    std::uint32_t n_seq = 1;           // -np
    std::uint64_t streams = 1;         // 1 with --kv-unified, else n_seq
    // The attention cache of full layers (and of windowed ones llama.cpp
    // holds whole); cells per stream.
    std::uint64_t cells = 0;
    std::uint32_t layers = 0;
    std::uint64_t k_bytes = 0;
    std::uint64_t v_bytes = 0;
    // The sliding-window cache (iSWA models), when there is one.
    std::uint64_t swa_cells = 0;
    std::uint32_t swa_layers = 0;
    std::uint64_t swa_k_bytes = 0;
    std::uint64_t swa_v_bytes = 0;
    // Recurrent states (Mamba, Gated DeltaNet, short conv): n_seq cells.
    std::uint32_t recurrent_layers = 0;
    std::uint64_t r_bytes = 0;
    std::uint64_t s_bytes = 0;

    std::uint64_t total_bytes = 0;

    // For the log lines.
    DType type_k = DType::fp16;
    DType type_v = DType::fp16;
    std::uint32_t n_layer = 0;  // the model's layers, which the recurrent line prints
};

// The memory llama-server allocates for `layout` (engineLayout() of the
// model for llama.cpp) with `-c n_ctx -np n_seq`, K cache type `type_k` and
// `options`. Errors: a cache type llama.cpp has not, or a layer llama.cpp
// does not run (field engine).
Result<LlamaCppCache> llamaCppCache(const ModelLayout &layout, DType type_k, const LlamaCppOptions &options,
                                    std::uint64_t n_ctx, std::uint32_t n_seq);

// The lines llama.cpp prints for this cache (with -lv 4 since b9151), byte
// for byte: "llama_kv_cache: size = ..." for the full cache, then for the
// windowed one, then "llama_memory_recurrent: size = ...". Sizes are
// computed in float and printed with %7.2f, as src/llama-kv-cache.cpp does.
std::vector<std::string> llamaCppLogLines(const LlamaCppCache &cache);

// MiB with two decimals as llama.cpp prints them: (float)bytes / (1024.0f *
// 1024.0f) through "%.2f" (ties to even, as glibc rounds).
std::string llamaCppMib(std::uint64_t bytes);

// "llama.cpp: -c 32,768 -np 1; 10 layers x 32,768 cells; 52 windowed layers
// x 1,536 cells":
// how the cache was laid out, for the numbers' provenance.
std::string llamaCppCacheText(const LlamaCppCache &cache);

}  // namespace kvscope
