#include "kvscope/gpu.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace kvscope {

namespace {

constexpr std::uint64_t kGiB = std::uint64_t{1} << 30;

constexpr std::array<GpuPreset, 14> kGpus{{
    {"rtx-3090", "NVIDIA GeForce RTX 3090 24GB", 24 * kGiB, GpuArch::Ampere},
    {"rtx-4090", "NVIDIA GeForce RTX 4090 24GB", 24 * kGiB, GpuArch::Ada},
    {"l4", "NVIDIA L4 24GB", 24 * kGiB, GpuArch::Ada},
    {"a10g", "NVIDIA A10G 24GB", 24 * kGiB, GpuArch::Ampere},
    {"rtx-5090", "NVIDIA GeForce RTX 5090 32GB", 32 * kGiB, GpuArch::BlackwellConsumer},
    {"a100-40gb", "NVIDIA A100 40GB", 40 * kGiB, GpuArch::Ampere},
    {"l40s", "NVIDIA L40S 48GB", 48 * kGiB, GpuArch::Ada},
    {"rtx-6000-ada", "NVIDIA RTX 6000 Ada 48GB", 48 * kGiB, GpuArch::Ada},
    {"a100-80gb", "NVIDIA A100 80GB", 80 * kGiB, GpuArch::Ampere},
    {"h100-80gb", "NVIDIA H100 80GB", 80 * kGiB, GpuArch::Hopper},
    {"h200", "NVIDIA H200 141GB", 141 * kGiB, GpuArch::Hopper},
    {"b200", "NVIDIA B200 180GB", 180 * kGiB, GpuArch::Blackwell},
    {"mi300x", "AMD Instinct MI300X 192GB", 192 * kGiB, GpuArch::Cdna3},
    {"mi325x", "AMD Instinct MI325X 256GB", 256 * kGiB, GpuArch::Cdna3},
}};

struct Alias {
    std::string_view alias;
    std::string_view name;
};

constexpr std::array<Alias, 8> kAliases{{
    {"3090", "rtx-3090"},
    {"4090", "rtx-4090"},
    {"5090", "rtx-5090"},
    {"a100", "a100-80gb"},
    {"h100", "h100-80gb"},
    {"l40", "l40s"},
    {"rtx6000", "rtx-6000-ada"},
    {"h200-141gb", "h200"},
}};

bool equalsIgnoringCase(std::string_view a, std::string_view b) {
    return std::ranges::equal(a, b, [](char x, char y) {
        return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
    });
}

}  // namespace

std::span<const GpuPreset> allGpus() { return kGpus; }

const GpuPreset *findGpu(std::string_view name) {
    for (const GpuPreset &gpu : kGpus) {
        if (equalsIgnoringCase(gpu.name, name) || equalsIgnoringCase(gpu.label, name)) return &gpu;
    }
    for (const Alias &alias : kAliases) {
        if (equalsIgnoringCase(alias.alias, name)) return findGpu(alias.name);
    }
    return nullptr;
}

std::string gpuNameList() {
    std::string list;
    for (const GpuPreset &gpu : kGpus) {
        if (!list.empty()) list += ", ";
        list += gpu.name;
    }
    return list;
}

}  // namespace kvscope
