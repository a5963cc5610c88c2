#pragma once

#include <cstdint>
#include <vector>

#include "kvscope/layout.h"
#include "kvscope/result.h"

namespace kvscope {

// What-if versions of one model, for comparing it with its alternatives. Each
// changes the attention layers (full, sliding, chunked, MLA) and leaves linear and
// shared layers as they are; runs that become identical are merged again.

// Every attention layer with n_kv_groups query heads per K/V head. MLA layers
// become full (or sliding, when windowed) layers of their expanded per-head K
// and V, since GQA is defined on those. n_kv_groups must divide every
// attention layer's n_heads (error field: n_kv_groups).
Result<ModelLayout> asGqa(const ModelLayout &layout, std::uint32_t n_kv_groups);

// One K/V head per query head: what calculators that ignore GQA and MLA report.
ModelLayout asMha(const ModelLayout &layout);

// One K/V head per layer.
ModelLayout asMqa(const ModelLayout &layout);

// Every sliding (and chunked) layer turned into a full layer with the same
// heads: what calculators that ignore the window report.
ModelLayout withoutSlidingWindow(const ModelLayout &layout);

// Every attention layer caching one latent of kv_lora_rank + qk_rope_head_dim
// per token, as DeepSeek does (512 + 64). A sliding layer keeps its window.
Result<ModelLayout> withMla(const ModelLayout &layout, std::uint32_t kv_lora_rank,
                            std::uint32_t qk_rope_head_dim = 64);

// Group counts asGqa() accepts for this layout: the common divisors of every
// attention layer's n_heads, ascending (1 = MHA, last = MQA when heads agree).
std::vector<std::uint32_t> validLayoutGroupCounts(const ModelLayout &layout);

}  // namespace kvscope
