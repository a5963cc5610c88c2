#include "kvscope/validation.h"

#include "kvscope/format.h"

namespace kvscope {

std::optional<InputError> checkRange(std::string_view field, std::uint64_t value, std::uint64_t min,
                                     std::uint64_t max) {
    if (value >= min && value <= max) return std::nullopt;
    std::string message = std::string(field) + " must be a whole number from " + formatThousands(min) + " to " +
                          formatThousands(max) + " (got " + formatThousands(value) + ")";
    return InputError{std::string(field), std::move(message)};
}

std::optional<InputError> validate(const ModelShape &shape, const Workload &workload) {
    // The common case, all valid, without building any message; otherwise the
    // checks below find the first bad field in the order users see.
    const bool valid = shape.emb_dim >= Limits::min_emb_dim && shape.emb_dim <= Limits::max_emb_dim &&
                       shape.n_heads >= 1 && shape.n_heads <= Limits::max_heads && shape.n_layers >= 1 &&
                       shape.n_layers <= Limits::max_layers && shape.n_kv_groups >= 1 &&
                       shape.n_kv_groups <= shape.n_heads && shape.n_heads % shape.n_kv_groups == 0 &&
                       (!shape.head_dim || (*shape.head_dim >= 1 && *shape.head_dim <= Limits::max_head_dim)) &&
                       workload.context_length >= 1 && workload.context_length <= Limits::max_context_length &&
                       workload.batch_size >= 1 && workload.batch_size <= Limits::max_batch_size;
    if (valid) return std::nullopt;
    if (auto e = checkRange("emb_dim", shape.emb_dim, Limits::min_emb_dim, Limits::max_emb_dim)) return e;
    if (auto e = checkRange("n_heads", shape.n_heads, 1, Limits::max_heads)) return e;
    if (auto e = checkRange("n_layers", shape.n_layers, 1, Limits::max_layers)) return e;
    if (auto e = checkRange("n_kv_groups", shape.n_kv_groups, 1, shape.n_heads)) return e;
    if (shape.n_heads % shape.n_kv_groups != 0) {
        return InputError{"n_kv_groups", std::string(kGroupsMustDivide)};
    }
    if (shape.head_dim) {
        if (auto e = checkRange("head_dim", *shape.head_dim, 1, Limits::max_head_dim)) return e;
    }
    if (auto e = checkRange("context_length", workload.context_length, 1, Limits::max_context_length)) return e;
    if (auto e = checkRange("batch_size", workload.batch_size, 1, Limits::max_batch_size)) return e;
    return std::nullopt;
}

}  // namespace kvscope
