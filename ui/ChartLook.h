#pragma once

// How a chart is dressed: following the window's palette, or the white,
// print-friendly look every export uses.
enum class ChartLook {
    Light,
    Dark,
    Print,
};
