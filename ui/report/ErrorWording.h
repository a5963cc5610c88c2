#pragma once

#include <functional>

#include "kvscope/result.h"

// How the report words the core's errors: kvscope-cli names its flags
// ("--tensor-parallel 3 ..."), the window keeps the core's field names.
struct ErrorWording {
    using Rewrite = std::function<kvscope::InputError(const kvscope::InputError &)>;
    Rewrite plan;   // the deployment's: tensor parallelism, weights, budget
    Rewrite shape;  // the book's fields and the totals' range

    kvscope::InputError forPlan(const kvscope::InputError &e) const { return plan ? plan(e) : e; }
    kvscope::InputError forShape(const kvscope::InputError &e) const { return shape ? shape(e) : e; }
};
