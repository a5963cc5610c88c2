#pragma once

// Real models' layers as their config.json files describe them, for the
// engine tests. Each comment names the config values used.

#include "kvscope/layout.h"

namespace kvscope::test {

// Gemma 3 27B: 62 layers, every 6th full (sliding_window_pattern 6), the rest
// sliding over 1,024 tokens; 32 query heads, 16 K/V heads of 128.
inline ModelLayout gemma3_27b() {
    ModelLayout layout;
    for (int i = 0; i < 10; ++i) {
        appendLayers(layout, slidingLayer(32, 16, 128, 128, 1024), 5);
        appendLayers(layout, fullLayer(32, 16, 128, 128), 1);
    }
    appendLayers(layout, slidingLayer(32, 16, 128, 128, 1024), 2);
    return layout;
}

// gpt-oss-120b: 36 layers alternating sliding (128 tokens, from layer 0) and
// full; 64 query heads, 8 K/V heads of 64.
inline ModelLayout gptOss120b() {
    ModelLayout layout;
    for (int i = 0; i < 18; ++i) {
        appendLayers(layout, slidingLayer(64, 8, 64, 64, 128));
        appendLayers(layout, fullLayer(64, 8, 64, 64));
    }
    return layout;
}

// Qwen3-Next-80B-A3B: 48 layers, every 4th full attention (16 query heads, 2
// K/V heads of 256), the others Gated DeltaNet with 16 key heads, 32 value
// heads, head dims 128 and a conv kernel of 4.
inline ModelLayout qwen3Next80b() {
    ModelLayout layout;
    for (int i = 0; i < 12; ++i) {
        appendLayers(layout, gatedDeltaNetLayer(16, 32, 128, 128, 4), 3);
        appendLayers(layout, fullLayer(16, 2, 256, 256));
    }
    return layout;
}

// Jamba-v0.1: 32 layers, attention at layer 4 and every 8th after
// (attn_layer_offset 4, attn_layer_period 8: 32 query heads, 8 K/V heads of
// 128), the others Mamba with d_inner 2 x 4096, d_state 16, d_conv 4.
inline ModelLayout jambaV01() {
    ModelLayout layout;
    for (int i = 0; i < 32; ++i) {
        if (i >= 4 && (i - 4) % 8 == 0) {
            appendLayers(layout, fullLayer(32, 8, 128, 128));
        } else {
            appendLayers(layout, mamba1Layer(8192, 16, 4));
        }
    }
    return layout;
}

// Llama 4 Scout: 48 layers, every 4th global (no_rope_layers), the others
// chunked local attention over 8,192 tokens; 40 query heads, 8 K/V heads of 128.
inline ModelLayout llama4Scout() {
    ModelLayout layout;
    for (int i = 0; i < 12; ++i) {
        appendLayers(layout, chunkedLayer(40, 8, 128, 128, 8192), 3);
        appendLayers(layout, fullLayer(40, 8, 128, 128));
    }
    return layout;
}

// DeepSeek-V3: 61 MLA layers, kv_lora_rank 512 + qk_rope_head_dim 64.
inline ModelLayout deepseekV3Layers() {
    ModelLayout layout;
    appendLayers(layout, mlaLayer(128, 512, 64, 192, 128), 61);
    return layout;
}

}  // namespace kvscope::test
