#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "kvscope/result.h"
#include "kvscope/shape.h"

namespace kvscope {

// The first problem with the inputs, or nothing when all are usable.
std::optional<InputError> validate(const ModelShape &shape, const Workload &workload);

// One input against its range, e.g. for a CLI flag or a spin box before the
// rest of the configuration exists.
std::optional<InputError> checkRange(std::string_view field, std::uint64_t value,
                                     std::uint64_t min, std::uint64_t max);

// The book's own wording, kept so users of its script recognise it.
inline constexpr std::string_view kGroupsMustDivide = "n_kv_groups must divide n_heads exactly.";

}  // namespace kvscope
