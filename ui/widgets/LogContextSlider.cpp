#include "LogContextSlider.h"

#include <QSignalBlocker>
#include <algorithm>
#include <cmath>

LogContextSlider::LogContextSlider(QWidget *parent) : QSlider(Qt::Horizontal, parent) {
    setRange(kMinExponent, kMaxExponent);
    setSingleStep(1);
    setPageStep(2);
    setTickPosition(QSlider::TicksBelow);
    setTickInterval(1);
    connect(this, &QSlider::valueChanged, this, [this](int) { Q_EMIT contextLengthEdited(contextLength()); });
}

LogContextSlider::~LogContextSlider() = default;

qint64 LogContextSlider::contextLength() const { return qint64{1} << value(); }

int LogContextSlider::exponentFor(qint64 length) {
    const double exponent = std::round(std::log2(static_cast<double>(std::max<qint64>(length, 1))));
    return std::clamp(static_cast<int>(exponent), kMinExponent, kMaxExponent);
}

void LogContextSlider::setContextLength(qint64 length) {
    const QSignalBlocker block(this);
    setValue(exponentFor(length));
}
