#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "kvscope/dtype.h"
#include "kvscope/engine.h"
#include "kvscope/layout.h"
#include "kvscope/result.h"

namespace kvscope {

// vLLM's KV cache for one GPU, as its V1 engine lays it out (the pinned
// version's vllm/v1/core/kv_cache_utils.py and vllm/v1/kv_cache_interface.py;
// each rule is cited where vllm_cache.cpp applies it).
//
// Every layer gets a spec (full, sliding window, chunked local, MLA, Mamba)
// whose page holds block_size tokens of that layer. Layers of one spec form
// KV cache groups of group_size layers each (the last group of a kind padded
// with empty slots); all groups draw block ids from one pool, and a block id
// stands for one page in every slot: block_bytes = page_bytes * group_size.
struct VllmGroup {
    LayerKind kind = LayerKind::Full;  // Linear for Mamba-style state
    std::uint32_t layers = 0;          // real layers
    std::uint32_t padding = 0;         // empty slots
    std::uint32_t block_size = 0;      // tokens per block of this group
    std::uint64_t window = 0;          // sliding window or chunk; 0 for full and MLA
    std::uint64_t page_bytes = 0;      // one layer's page
};

struct VllmCache {
    // How the groups were formed (get_kv_cache_groups):
    //   UniformSpec  every layer has the same spec: one group of all layers
    //   UniformType  one kind but different page sizes: one group, one page each
    //   Hybrid       several kinds: groups of group_size layers over one page size
    enum class Grouping { UniformSpec, UniformType, Hybrid };
    Grouping grouping = Grouping::UniformSpec;

    std::uint32_t block_size = 0;       // the attention block size after alignment
    std::uint64_t block_bytes = 0;      // one block id's bytes on the GPU
    std::uint32_t group_size = 0;       // layer slots per group
    std::vector<VllmGroup> groups;      // in vLLM's order: by spec, as first seen

    // Hybrid models with Mamba-style state (Platform._align_hybrid_block_size):
    // the attention block grows until one page holds a state, and the state's
    // page is padded to the attention page.
    std::uint64_t mamba_state_bytes = 0;  // one layer's states, unpadded; 0 when none
    bool block_grown = false;             // the block size grew to hold a state
    bool mamba_align_mode = false;        // prefix caching: two state blocks per request
    bool local_attention_as_full = false;  // the hybrid manager is off: sliding/chunked layers held whole
    std::uint64_t in_flight_tokens = 0;    // max_in_flight_tokens, for sliding and chunked layers
    std::uint32_t shared_layers = 0;       // KV-sharing layers: no spec, no page
};

// The cache vLLM lays out for `per_gpu` (layoutPerGpu() of the model) with a
// KV cache of `kv_dtype` and --block-size `block_size` (0: the backend's). The layout's linear states must already carry the
// dtypes vLLM keeps them in (engineLayout()). Errors: a KV dtype vLLM has not
// (field dtype), a Mamba hybrid with --disable-hybrid-kv-cache-manager, pages
// vLLM cannot unify (field engine).
Result<VllmCache> vllmCache(const ModelLayout &per_gpu, DType kv_dtype, const EngineSetup &setup,
                            std::uint32_t block_size = 0);

// Blocks one request of `max_model_len` tokens can hold at most: the sum over
// groups of cdiv(max_memory_usage_bytes, page_size_bytes)
// (get_max_concurrency_for_kv_cache_config).
std::uint64_t vllmBlocksPerRequest(const VllmCache &cache, std::uint64_t max_model_len);

// The line vLLM logs once its cache is laid out
// (kv_cache_utils.py update_kv_cache_capacity): "GPU KV cache size: 42,656
// tokens, Maximum concurrency for 32,768 tokens per request: 1.30x", where
// the tokens are int(max_concurrency * max_model_len).
std::string vllmCapacityLogLine(std::uint64_t max_model_len, double max_concurrency);

// "vLLM: 62 layers in 7 groups of 10, 8 padding": how the layers were
// grouped, for the numbers' provenance.
std::string vllmGroupingText(const VllmCache &cache);

}  // namespace kvscope
