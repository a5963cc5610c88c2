#include <gtest/gtest.h>

#include "kvscope/estimator.h"
#include "kvscope/validation.h"

using namespace kvscope;

namespace {

InputError errorFor(const ModelShape &shape, const Workload &workload = {}) {
    auto e = validate(shape, workload);
    EXPECT_TRUE(e.has_value());
    return e.value_or(InputError{});
}

ModelShape with(void (*change)(ModelShape &)) {
    ModelShape s;
    change(s);
    return s;
}

}  // namespace

TEST(Validation, DefaultsAreValid) { EXPECT_FALSE(validate(ModelShape{}, Workload{}).has_value()); }

TEST(Validation, EachFieldNamesItselfAndItsRange) {
    InputError e = errorFor(with([](ModelShape &s) { s.emb_dim = 0; }));
    EXPECT_EQ(e.field, "emb_dim");
    EXPECT_EQ(e.message, "emb_dim must be a whole number from 1 to 1,048,576 (got 0)");

    e = errorFor(with([](ModelShape &s) { s.emb_dim = (1u << 20) + 1; }));
    EXPECT_EQ(e.field, "emb_dim");

    e = errorFor(with([](ModelShape &s) { s.n_heads = 0; }));
    EXPECT_EQ(e.field, "n_heads");
    EXPECT_EQ(e.message, "n_heads must be a whole number from 1 to 1,024 (got 0)");

    e = errorFor(with([](ModelShape &s) { s.n_heads = 1025; }));
    EXPECT_EQ(e.field, "n_heads");

    e = errorFor(with([](ModelShape &s) { s.n_layers = 0; }));
    EXPECT_EQ(e.field, "n_layers");
    e = errorFor(with([](ModelShape &s) { s.n_layers = 1025; }));
    EXPECT_EQ(e.message, "n_layers must be a whole number from 1 to 1,024 (got 1,025)");

    e = errorFor(with([](ModelShape &s) { s.n_kv_groups = 0; }));
    EXPECT_EQ(e.field, "n_kv_groups");
    e = errorFor(with([](ModelShape &s) { s.n_kv_groups = 48; }));
    EXPECT_EQ(e.message, "n_kv_groups must be a whole number from 1 to 24 (got 48)");

    e = errorFor(with([](ModelShape &s) { s.head_dim = 0u; }));
    EXPECT_EQ(e.field, "head_dim");
    e = errorFor(with([](ModelShape &s) { s.head_dim = 65537u; }));
    EXPECT_EQ(e.field, "head_dim");
}

TEST(Validation, GroupsMustDivideHeadsWithTheBooksMessage) {
    InputError e = errorFor(with([](ModelShape &s) { s.n_kv_groups = 5; }));
    EXPECT_EQ(e.field, "n_kv_groups");
    EXPECT_EQ(e.message, "n_kv_groups must divide n_heads exactly.");
}

TEST(Validation, WorkloadRanges) {
    InputError e = errorFor(ModelShape{}, Workload{0, 1, DType::bf16});
    EXPECT_EQ(e.field, "context_length");
    EXPECT_EQ(e.message, "context_length must be a whole number from 1 to 2,147,483,648 (got 0)");
    e = errorFor(ModelShape{}, Workload{(std::uint64_t{1} << 31) + 1, 1, DType::bf16});
    EXPECT_EQ(e.field, "context_length");
    e = errorFor(ModelShape{}, Workload{1, 0, DType::bf16});
    EXPECT_EQ(e.field, "batch_size");
    e = errorFor(ModelShape{}, Workload{1, (1u << 20) + 1, DType::bf16});
    EXPECT_EQ(e.message, "batch_size must be a whole number from 1 to 1,048,576 (got 1,048,577)");
}

TEST(Validation, LimitsThemselvesAreAccepted) {
    ModelShape s{1u << 20, 1024, 1024, 1024, std::nullopt};
    EXPECT_FALSE(validate(s, Workload{std::uint64_t{1} << 31, 1u << 20, DType::int8}).has_value());
}

TEST(Validation, EstimateReportsTheValidationError) {
    ModelShape s;
    s.n_kv_groups = 5;
    auto e = estimate(s, Workload{});
    ASSERT_FALSE(e.ok());
    EXPECT_EQ(e.error().field, "n_kv_groups");
}
