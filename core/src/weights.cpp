#include "kvscope/weights.h"

#include <initializer_list>
#include <optional>

#include "checked_math.h"
#include "kvscope/format.h"

namespace kvscope {

namespace {

using detail::checkedProduct;
using detail::checkedSum;

// Sums of products, nothing once any term or the total passes 64 bits.
class Tally {
public:
    void add(std::initializer_list<std::uint64_t> factors) {
        if (!m_total) return;
        const auto term = checkedProduct(factors);
        m_total = term ? checkedSum(*m_total, *term) : std::nullopt;
    }
    void addIf(bool on, std::initializer_list<std::uint64_t> factors) {
        if (on) add(factors);
    }
    const std::optional<std::uint64_t> &total() const { return m_total; }

private:
    std::optional<std::uint64_t> m_total = 0;
};

InputError tooMany() {
    return InputError{"parameters", "the model's parameter count does not fit in 64 bits; check its shape"};
}

}  // namespace

Result<std::uint64_t> denseParameterCount(const DenseShape &s) {
    const std::uint64_t q_width = s.n_heads * s.head_dim;  // products below are checked; these fit for any
    const std::uint64_t kv_width = s.n_kv_heads * s.head_dim;  // head count and head_dim a config can hold
    if (s.n_heads != 0 && q_width / s.n_heads != s.head_dim) return tooMany();
    if (s.n_kv_heads != 0 && kv_width / s.n_kv_heads != s.head_dim) return tooMany();
    const std::uint64_t norm_vectors = s.norm_bias ? 2 : 1;  // LayerNorm has a shift, RMSNorm only a scale

    Tally layer;
    layer.add({s.hidden_size, q_width});      // Q
    layer.add({2, s.hidden_size, kv_width});  // K and V
    layer.add({q_width, s.hidden_size});      // O
    layer.addIf(s.qkv_bias, {q_width});
    layer.addIf(s.qkv_bias, {2, kv_width});
    layer.addIf(s.o_bias, {s.hidden_size});
    layer.add({s.gated_mlp ? 3u : 2u, s.hidden_size, s.intermediate_size});  // gate (if gated), up, down
    layer.addIf(s.mlp_bias, {s.gated_mlp ? 2u : 1u, s.intermediate_size});   // gate and up, or up
    layer.addIf(s.mlp_bias, {s.hidden_size});                                // down
    layer.add({s.norms_per_layer, norm_vectors, s.hidden_size});
    layer.addIf(s.qk_norm, {2, s.head_dim});
    if (!layer.total()) return tooMany();

    Tally model;
    model.add({s.vocab_size, s.hidden_size});  // token embeddings
    model.add({s.learned_positions, s.hidden_size});
    model.add({s.n_layers, *layer.total()});
    model.add({norm_vectors, s.hidden_size});  // the final norm
    model.addIf(!s.tied_embeddings, {s.vocab_size, s.hidden_size});  // the output head
    if (!model.total()) return tooMany();
    return *model.total();
}

DenseShape bookDenseShape(std::uint32_t emb_dim, std::uint32_t n_heads, std::uint32_t n_kv_heads,
                          std::uint32_t head_dim, std::uint32_t n_layers) {
    DenseShape shape;
    shape.hidden_size = emb_dim;
    shape.n_layers = n_layers;
    shape.n_heads = n_heads;
    shape.n_kv_heads = n_kv_heads;
    shape.head_dim = head_dim;
    shape.intermediate_size = std::uint64_t{4} * emb_dim;
    shape.vocab_size = 50257;
    shape.gated_mlp = false;
    shape.tied_embeddings = false;
    shape.o_bias = true;
    shape.mlp_bias = true;
    shape.norm_bias = true;
    return shape;
}

Result<std::uint64_t> weightsBytes(std::uint64_t parameters, DType format) {
    if (auto bytes = detail::elemsToBytes(parameters, format)) return *bytes;
    return InputError{"parameters", formatThousands(parameters) + " parameters in " + std::string(dtypeName(format)) +
                                        " take more than 2^64 bytes; the parameter count is too large"};
}

}  // namespace kvscope
