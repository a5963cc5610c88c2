#pragma once

// How the window's charts are dressed: following its palette. (Exports draw
// a print figure of their own: FigureRenderer.)
enum class ChartLook {
    Light,
    Dark,
};
