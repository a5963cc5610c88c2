#pragma once

#include <QSlider>

// A context-length slider on a log scale: each position is a power of two
// from 256 to 1,048,576 tokens, so dragging always lands on one.
class LogContextSlider : public QSlider {
    Q_OBJECT
public:
    explicit LogContextSlider(QWidget *parent = nullptr);
    ~LogContextSlider() override;

    static constexpr int kMinExponent = 8;   // 256
    static constexpr int kMaxExponent = 20;  // 1,048,576

    qint64 contextLength() const;
    // Shows the power of two nearest to `length` on a log scale; silent.
    void setContextLength(qint64 length);
    static int exponentFor(qint64 length);

Q_SIGNALS:
    // The user moved the slider to a new power of two.
    void contextLengthEdited(qint64 length);
};
