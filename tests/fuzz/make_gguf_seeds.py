#!/usr/bin/env python3
"""Writes the seed corpus of fuzz_gguf: small valid GGUF files (version 2 and
3, scalars, strings, arrays and nested arrays, per-layer head counts, a
hybrid, sliding windows, MLA), laid out as docs/gguf.md in llama.cpp
describes, with real (zero) tensor data so every file is whole.

usage: make_gguf_seeds.py <output folder>
"""
import struct
import sys
from pathlib import Path

U8, I8, U16, I16, U32, I32, F32, BOOL, STRING, ARRAY, U64, I64, F64 = range(13)


def gstr(s):
    b = s.encode()
    return struct.pack("<Q", len(b)) + b


def value(t, v):
    if t == STRING:
        return gstr(v)
    if t == ARRAY:
        et, items = v
        out = struct.pack("<IQ", et, len(items))
        return out + b"".join(value(et, i) for i in items)
    fmt = {U8: "<B", I8: "<b", U16: "<H", I16: "<h", U32: "<I", I32: "<i", F32: "<f",
           BOOL: "<?", U64: "<Q", I64: "<q", F64: "<d"}[t]
    return struct.pack(fmt, v)


def gguf(kvs, tensors, version=3, alignment=32):
    """kvs: [(key, type, value)]; tensors: [(name, dims, ggml type, bytes)]."""
    out = b"GGUF" + struct.pack("<IQQ", version, len(tensors), len(kvs))
    for key, t, v in kvs:
        out += gstr(key) + struct.pack("<I", t) + value(t, v)
    offset = 0
    for name, dims, ggml, size in tensors:
        out += gstr(name) + struct.pack("<I", len(dims)) + b"".join(struct.pack("<Q", d) for d in dims)
        out += struct.pack("<IQ", ggml, offset)
        offset += (size + alignment - 1) // alignment * alignment
    if tensors:
        out += b"\0" * (-len(out) % alignment)
    return out + b"\0" * offset


def llama(version):
    kvs = [("general.architecture", STRING, "llama"), ("general.file_type", U32, 15),
           ("llama.block_count", U32, 2), ("llama.context_length", U32, 4096),
           ("llama.embedding_length", U32, 256), ("llama.attention.head_count", U32, 4),
           ("llama.attention.head_count_kv", U32, 2), ("llama.rope.freq_base", F32, 10000.0),
           ("tokenizer.ggml.tokens", ARRAY, (STRING, ["<s>", "</s>", "a"])),
           ("tokenizer.ggml.scores", ARRAY, (F32, [0.0, 0.5, 1.0]))]
    # Q4_K: 144 bytes per 256 weights; Q6_K: 210; F32: 4 per weight.
    tensors = [("token_embd.weight", [256, 4], 12, 4 * 144), ("blk.0.attn_q.weight", [256, 256], 12, 256 * 144),
               ("blk.0.attn_norm.weight", [256], 0, 1024), ("output.weight", [256, 4], 14, 4 * 210)]
    return gguf(kvs, tensors, version)


def main():
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    seeds = {
        "llama-v3.gguf": llama(3),
        "llama-v2.gguf": llama(2),
        "granitehybrid.gguf": gguf(
            [("general.architecture", STRING, "granitehybrid"), ("granitehybrid.block_count", U32, 4),
             ("granitehybrid.embedding_length", U32, 256), ("granitehybrid.attention.head_count", U32, 4),
             ("granitehybrid.attention.head_count_kv", ARRAY, (I32, [0, 0, 0, 2])),
             ("granitehybrid.ssm.inner_size", U32, 512), ("granitehybrid.ssm.state_size", U32, 16),
             ("granitehybrid.ssm.conv_kernel", U32, 4), ("granitehybrid.ssm.time_step_rank", U32, 8),
             ("granitehybrid.ssm.group_count", U32, 1)],
            [("blk.3.attn_k.weight", [32, 8], 8, 8 * 34)]),
        "gemma3.gguf": gguf(
            [("general.architecture", STRING, "gemma3"), ("gemma3.block_count", U32, 6),
             ("gemma3.embedding_length", U32, 256), ("gemma3.attention.head_count", U32, 4),
             ("gemma3.attention.head_count_kv", U32, 1), ("gemma3.attention.key_length", U32, 64),
             ("gemma3.attention.value_length", U32, 64), ("gemma3.attention.sliding_window", U32, 512),
             ("gemma3.attention.sliding_window_pattern", ARRAY, (BOOL, [True, True, True, True, True, False])),
             ("general.nested", ARRAY, (ARRAY, [(U8, [1, 2]), (U16, [3])]))],
            [("token_embd.weight", [64, 2], 30, 256)], alignment=64),
        "deepseek2.gguf": gguf(
            [("general.architecture", STRING, "deepseek2"), ("general.alignment", U32, 64),
             ("deepseek2.block_count", U32, 2), ("deepseek2.embedding_length", U32, 512),
             ("deepseek2.attention.head_count", U32, 8), ("deepseek2.attention.kv_lora_rank", U32, 64),
             ("deepseek2.rope.dimension_count", U32, 16), ("deepseek2.attention.key_length_mla", U32, 48),
             ("deepseek2.attention.value_length_mla", U32, 32), ("deepseek2.expert_count", U32, 4)],
            [("blk.0.attn_kv_a_mqa.weight", [512, 80], 39, 80 * 16 * 17)], alignment=64),
    }
    for name, data in seeds.items():
        (out / name).write_bytes(data)


if __name__ == "__main__":
    main()
