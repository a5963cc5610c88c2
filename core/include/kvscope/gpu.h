#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace kvscope {

// The GPU generation, where an engine's defaults depend on it (vLLM picks its
// attention backend, and with it the block size, by compute capability).
enum class GpuArch : std::uint8_t {
    Unknown,            // a custom memory size: no generation known
    Ampere,             // sm80/sm86: A100, A10G, RTX 3090
    Ada,                // sm89: L4, L40S, RTX 4090, RTX 6000 Ada
    Hopper,             // sm90: H100, H200
    Blackwell,          // sm100: B200
    BlackwellConsumer,  // sm120: RTX 5090
    Cdna3,              // AMD Instinct MI300X, MI325X (ROCm)
};

// A GPU model an engineer plans for. Memory is the marketed capacity read as
// GiB ("80 GB" H100 -> 80 GiB), which is how vendors size HBM; the driver
// reports slightly less (nvidia-smi shows 81,559 MiB for an H100 80GB), so a
// user who wants the exact figure gives it directly.
struct GpuPreset {
    std::string_view name;   // stable, lower-case, what --gpu takes: "h100-80gb"
    std::string_view label;  // what a user reads: "NVIDIA H100 80GB"
    std::uint64_t memory_bytes = 0;
    GpuArch arch = GpuArch::Unknown;
};

// Every preset, smallest memory first (RTX 4090 24 GB ... MI300X 192 GB).
std::span<const GpuPreset> allGpus();

// By name, case-insensitive; also accepts the label and a few short aliases
// ("h100" for "h100-80gb", "4090" for "rtx-4090").
const GpuPreset *findGpu(std::string_view name);

// "rtx-4090, l40s, ...": for help texts and error messages.
std::string gpuNameList();

}  // namespace kvscope
