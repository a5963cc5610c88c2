#pragma once

#include <QString>
#include <QVariant>
#include <cstdint>
#include <optional>

#include "kvscope/layout.h"
#include "kvscope/result.h"

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

// How a stored value reads in a message: text quoted, numbers as they are,
// "missing" for no value.
QString shownValue(const QVariant &value);

// The layout stored under `prefix` ("config/pins/1/"), or why it cannot be
// used: the error's field is the key under `prefix` ("layers/2/count") and
// its message names the whole key and what is wrong with it ("config/pins/
// 1/layers/2/count "abc" is not a whole number ..."). A missing, damaged or invalid
// layout is never brought in, so a hand-edited file cannot give the core a
// layout it would not accept.
kvscope::Result<kvscope::ModelLayout> read(const QSettings &settings, const QString &prefix);

}  // namespace LayoutSettings
