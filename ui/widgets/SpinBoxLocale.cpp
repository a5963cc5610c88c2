#include "SpinBoxLocale.h"

QLocale spinBoxLocale(QLocale base) {
    base.setNumberOptions(base.numberOptions() & ~QLocale::OmitGroupSeparator);
    return base;
}
