#include "kvscope/llamacpp_cache.h"

#include <algorithm>
#include <cstdio>
#include <optional>
#include <string>

#include "checked_math.h"
#include "kvscope/format.h"

namespace kvscope {

namespace {

// ggml/include/ggml.h GGML_PAD: round up to a multiple of n (a power of two).
std::uint64_t pad(std::uint64_t x, std::uint64_t n) { return (x + n - 1) & ~(n - 1); }

// src/llama-context.cpp llama_context::llama_context: "cparams.n_ctx = GGML_PAD(cparams.n_ctx, 256)",
// and src/llama-kv-cache-iswa.cpp: "the SWA cache is always padded to 256".
constexpr std::uint64_t kCellPadding = 256;
// src/models/llama4.cpp load_arch_hparams: "hparams.n_swa = 8192" for chunked attention, whatever the config says.
constexpr std::uint64_t kLlama4Chunk = 8192;
// src/llama-cparams.h LLAMA_MAX_SEQ: n_seq_max must not exceed it.
constexpr std::uint32_t kMaxSequences = 256;

InputError engineError(std::string message) { return InputError{"engine", "llama.cpp: " + std::move(message)}; }

// ggml/src/ggml.c ggml_row_size: type_size * ne / blck_size; ne must be a
// whole number of blocks (llama.cpp refuses to create the context otherwise).
std::optional<std::uint64_t> rowBytes(DType type, std::uint64_t elems) {
    const DTypeInfo &info = dtypeInfo(type);
    if (elems % info.block_elems != 0) return std::nullopt;
    return elems / info.block_elems * info.block_bytes;
}

}  // namespace

Result<LlamaCppCache> llamaCppCache(const ModelLayout &layout, DType type_k, const LlamaCppOptions &options,
                                    std::uint64_t n_ctx_raw, std::uint32_t n_seq) {
    if (!layout.hints.llamacpp_unsupported.empty()) return engineError(layout.hints.llamacpp_unsupported);
    if (auto e = checkEngineKvDType(Engine::LlamaCpp, type_k, "dtype")) return *e;
    const DType type_v = options.type_v.value_or(type_k);
    if (auto e = checkEngineKvDType(Engine::LlamaCpp, type_v, "cache_type_v")) return *e;
    if (n_seq < 1 || n_seq > kMaxSequences) {
        return InputError{"batch_size", "llama.cpp runs at most " + std::to_string(kMaxSequences) +
                                            " sequences (-np; LLAMA_MAX_SEQ), got " + formatThousands(n_seq)};
    }
    if (n_ctx_raw < 1) return InputError{"context_length", "llama.cpp needs a context of at least one token"};
    if (options.n_ubatch < 1 || options.n_batch < 1) {
        return InputError{"ubatch_size", "llama.cpp's batch and ubatch sizes must be at least 1"};
    }

    LlamaCppCache c;
    c.n_seq = n_seq;
    c.type_k = type_k;
    c.type_v = type_v;
    c.n_layer = static_cast<std::uint32_t>(layerCount(layout));
    // src/llama-context.cpp llama_context::llama_context: n_batch = min(n_ctx, n_batch)
    // and n_ubatch = min(n_batch, n_ubatch), both before n_ctx is padded.
    const std::uint64_t n_batch = std::min<std::uint64_t>(n_ctx_raw, options.n_batch);
    const std::uint64_t n_ubatch = std::min<std::uint64_t>(n_batch, options.n_ubatch);
    c.n_ctx = pad(n_ctx_raw, kCellPadding);
    // kv_unified: one stream of n_ctx cells; otherwise n_seq streams of
    // n_ctx_seq = GGML_PAD(n_ctx / n_seq_max, 256) cells each.
    const bool unified = options.kv_unified;
    const std::uint64_t streams = unified ? 1 : n_seq;
    c.streams = streams;
    c.cells = unified ? c.n_ctx : pad(c.n_ctx / n_seq, kCellPadding);
    if (!unified) c.n_ctx = c.cells * n_seq;

    // The window shared by every windowed layer (llama.cpp keeps one n_swa per model).
    std::optional<std::uint64_t> n_swa;
    bool is_chunked = false;
    const auto add = [](std::uint64_t &sum, std::optional<std::uint64_t> term) {
        const auto next = term ? detail::checkedSum(sum, *term) : std::nullopt;
        if (!next) return false;
        sum = *next;
        return true;
    };
    for (const LayerGroup &g : layout.groups) {
        const LayerSpec &s = g.spec;
        const bool windowed = layout.hints.llamacpp_windows &&
                              (s.kind == LayerKind::Sliding || s.kind == LayerKind::Chunked);
        if (s.kind == LayerKind::Mla && s.window != 0) {
            return engineError("a windowed MLA layer is DeepSeek-V4's own cache, which KV Scope does not model");
        }
        if (windowed) {
            const std::uint64_t window = s.kind == LayerKind::Chunked ? kLlama4Chunk : s.window;
            if ((n_swa && *n_swa != window) || (n_swa && is_chunked != (s.kind == LayerKind::Chunked))) {
                return engineError("its windowed layers differ, and llama.cpp keeps one window per model");
            }
            n_swa = window;
            is_chunked = s.kind == LayerKind::Chunked;
        }
    }
    // src/llama-kv-cache-iswa.cpp llama_kv_cache_iswa::llama_kv_cache_iswa:
    // size_swa = GGML_PAD(min(size_base, n_swa*(unified ? n_seq_max : 1) + n_ubatch), 256),
    // or size_base with --swa-full.
    if (n_swa) {
        c.swa_cells = options.swa_full ? c.cells
                                       : pad(std::min(c.cells, *n_swa * (unified ? n_seq : 1) + n_ubatch), kCellPadding);
    }

    for (const LayerGroup &g : layout.groups) {
        const LayerSpec &s = g.spec;
        switch (s.kind) {
        case LayerKind::Shared: continue;  // reuses another layer's cache: allocates nothing
        // src/llama-model.cpp create_memory: Nemotron-H's filters keep a layer
        // with n_ff(il) != 0 out of both the KV and the recurrent cache.
        case LayerKind::Mlp: continue;
        case LayerKind::Linear: {
            // src/llama-memory-recurrent.cpp: r and s tensors of n_embd_r() and
            // n_embd_s() values per cell, max(1, n_seq_max) cells, both F32.
            const std::uint64_t cells = std::max<std::uint32_t>(1, n_seq);
            const auto r = detail::elemsToBytes(s.conv_state_elems, s.conv_state_dtype.value_or(DType::fp32));
            const auto st = detail::elemsToBytes(s.recurrent_state_elems, s.recurrent_state_dtype.value_or(DType::fp32));
            const auto r_all = r ? detail::checkedProduct({*r, cells, g.count}) : std::nullopt;
            const auto s_all = st ? detail::checkedProduct({*st, cells, g.count}) : std::nullopt;
            if (!add(c.r_bytes, r_all) || !add(c.s_bytes, s_all)) return engineError("its state does not fit in 64 bits");
            c.recurrent_layers += g.count;
            continue;
        }
        default: break;
        }
        // src/llama-kv-cache.cpp llama_kv_cache::llama_kv_cache: per layer a K
        // tensor [n_embd_k_gqa, kv_size, n_stream] of type_k and, unless the
        // model is MLA ("has_v = !is_mla"), a V tensor [n_embd_v_gqa, ...] of type_v.
        const bool mla = s.kind == LayerKind::Mla;
        if (mla && type_v != type_k) {
            return InputError{"cache_type_v", "llama.cpp: an MLA model needs the same K and V cache types (\"model "
                                              "does not support different K and V cache types\")"};
        }
        const std::uint64_t k_width = mla ? std::uint64_t{s.kv_lora_rank} + s.qk_rope_head_dim
                                          : std::uint64_t{s.n_kv_heads} * s.k_head_dim;
        const std::uint64_t v_width = mla ? 0 : std::uint64_t{s.n_kv_heads} * s.v_head_dim;
        const auto k_row = rowBytes(type_k, k_width);
        const auto v_row = rowBytes(type_v, v_width);
        if (!k_row || !v_row) {
            return engineError("a quantized cache row must be whole blocks of " +
                               std::to_string(dtypeInfo(!k_row ? type_k : type_v).block_elems) + " values, and " +
                               std::to_string(!k_row ? k_width : v_width) + " is not");
        }
        const bool windowed = layout.hints.llamacpp_windows &&
                              (s.kind == LayerKind::Sliding || s.kind == LayerKind::Chunked);
        const std::uint64_t cells = windowed ? c.swa_cells : c.cells;
        const auto k = detail::checkedProduct({*k_row, cells, streams, g.count});
        const auto v = detail::checkedProduct({*v_row, cells, streams, g.count});
        if (windowed) {
            if (!add(c.swa_k_bytes, k) || !add(c.swa_v_bytes, v)) return engineError("its cache does not fit in 64 bits");
            c.swa_layers += g.count;
        } else {
            if (!add(c.k_bytes, k) || !add(c.v_bytes, v)) return engineError("its cache does not fit in 64 bits");
            c.layers += g.count;
        }
    }
    for (std::uint64_t part : {c.k_bytes, c.v_bytes, c.swa_k_bytes, c.swa_v_bytes, c.r_bytes, c.s_bytes}) {
        if (!add(c.total_bytes, part)) return engineError("its cache does not fit in 64 bits");
    }
    return c;
}

std::string llamaCppMib(std::uint64_t bytes) {
    const float mib = static_cast<float>(bytes) / (1024.0f * 1024.0f);
    char text[64];
    std::snprintf(text, sizeof text, "%.2f", static_cast<double>(mib));
    return text;
}

namespace {

// ggml_type_name of a cache type.
std::string ggmlTypeName(DType type) {
    switch (type) {
    case DType::fp32: return "f32";
    case DType::fp16: return "f16";
    default: return std::string(dtypeName(type));  // bf16, q8_0, q4_0
    }
}

// src/llama-kv-cache.cpp llama_kv_cache::llama_kv_cache:
// "%s: size = %7.2f MiB (%6u cells, %3d layers, %2u/%u seqs), K (%s): %7.2f MiB, V (%s): %7.2f MiB".
std::string kvLine(const LlamaCppCache &c, std::uint64_t cells, std::uint32_t layers, std::uint64_t k,
                   std::uint64_t v) {
    const auto mib = [](std::uint64_t bytes) { return static_cast<double>(static_cast<float>(bytes) / (1024.0f * 1024.0f)); };
    char text[256];
    std::snprintf(text, sizeof text,
                  "llama_kv_cache: size = %7.2f MiB (%6llu cells, %3u layers, %2u/%llu seqs), K (%s): %7.2f MiB, V (%s): "
                  "%7.2f MiB",
                  mib(k + v), static_cast<unsigned long long>(cells), layers, c.n_seq,
                  static_cast<unsigned long long>(c.streams), ggmlTypeName(c.type_k).c_str(), mib(k),
                  ggmlTypeName(c.type_v).c_str(), mib(v));
    return text;
}

}  // namespace

std::vector<std::string> llamaCppLogLines(const LlamaCppCache &c) {
    std::vector<std::string> lines;
    if (c.layers != 0) lines.push_back(kvLine(c, c.cells, c.layers, c.k_bytes, c.v_bytes));
    if (c.swa_layers != 0) lines.push_back(kvLine(c, c.swa_cells, c.swa_layers, c.swa_k_bytes, c.swa_v_bytes));
    if (c.recurrent_layers != 0) {
        // src/llama-memory-recurrent.cpp: "%s: size = %7.2f MiB (%6u cells, %3d layers, %2u seqs %2u rs_seq),
        // R (%s): %7.2f MiB, S (%s): %7.2f MiB", its layers being the model's n_layer().
        const auto mib = [](std::uint64_t bytes) { return static_cast<double>(static_cast<float>(bytes) / (1024.0f * 1024.0f)); };
        char text[256];
        std::snprintf(text, sizeof text,
                      "llama_memory_recurrent: size = %7.2f MiB (%6u cells, %3u layers, %2u seqs %2u rs_seq), R (f32): "
                      "%7.2f MiB, S (f32): %7.2f MiB",
                      mib(c.r_bytes + c.s_bytes), std::max<std::uint32_t>(1, c.n_seq), c.n_layer, c.n_seq, 0u,
                      mib(c.r_bytes), mib(c.s_bytes));
        lines.push_back(text);
    }
    return lines;
}

std::string llamaCppCacheText(const LlamaCppCache &c) {
    const auto n = [](std::uint64_t v) { return formatThousands(v); };
    std::string text = "llama.cpp: -c " + n(c.n_ctx) + " -np " + n(c.n_seq);
    const std::string streams = c.streams > 1 ? " x " + n(c.streams) + " streams" : "";
    if (c.layers != 0) text += "; " + n(c.layers) + " layers x " + n(c.cells) + " cells" + streams;
    if (c.swa_layers != 0) text += "; " + n(c.swa_layers) + " windowed layers x " + n(c.swa_cells) + " cells" + streams;
    if (c.recurrent_layers != 0) {
        text += "; " + n(c.recurrent_layers) + " recurrent layers x " + n(std::max<std::uint32_t>(1, c.n_seq)) +
                " f32 states";
    }
    return text;
}

}  // namespace kvscope
