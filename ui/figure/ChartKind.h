#pragma once

// The two figures KV Scope draws (the seed script's two figures, grown up).
enum class ChartKind {
    Context,  // total KV cache vs context length
    Groups,   // savings vs n_kv_groups
};
