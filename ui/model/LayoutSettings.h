#pragma once

#include <QString>
#include <QVariant>
#include <cstdint>
#include <optional>

#include "kvscope/layout.h"

class QSettings;

// A model layout in the settings file, so a pinned curve of any model (a
// hybrid, MLA, a linear-attention state) survives a restart exactly. One
// QSettings array entry per run of identical layers, holding only the fields
// its kind uses:
//   layers/size, layers/1/kind ("full", "sliding", "mla", "linear", "shared"),
//   layers/1/count, layers/1/n_heads, layers/1/n_kv_heads, ...
namespace LayoutSettings {

// A stored whole number of 0 or more: an integer, or text that is one (INI
// files read back as text). nullopt for anything else: negative, fractional,
// boolean, missing.
std::optional<std::uint64_t> unsignedValue(const QVariant &value);

// Writes `layout` under the settings' current group.
void write(QSettings &settings, const kvscope::ModelLayout &layout);

// The layout stored under `prefix` ("config/pins/1/"); nullopt when it is
// missing, damaged or fails the core's validation, so a hand-edited file can
// never bring in a layout the core would not accept.
std::optional<kvscope::ModelLayout> read(const QSettings &settings, const QString &prefix);

}  // namespace LayoutSettings
