#pragma once

#include <QString>
#include <vector>

#include "kvscope/layout_bytes.h"

// One curve of a real model on the context chart: the model itself, one of
// its what-if variants, or a pinned curve. Bytes come from the core.
struct ModelCurve {
    QString key;   // "model", "mha", "mqa", "no_sliding_window", "mla", or "pin1".."pin6"
    QString name;  // the legend entry: "Gemma 3 27B", "as MHA (32 K/V heads per layer)"
    std::vector<kvscope::LayoutPoint> points;  // over ConfigModel::chartContextLengths()
};
