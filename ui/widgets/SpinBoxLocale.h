#pragma once

#include <QLocale>

// `base` with thousands separators switched on: context lengths and widths
// read far better as "131,072" than as "131072", even in the C locale.
QLocale spinBoxLocale(QLocale base);
