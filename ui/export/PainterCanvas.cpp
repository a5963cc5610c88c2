#include "PainterCanvas.h"

#include <QFont>
#include <QFontMetricsF>
#include <QPainter>
#include <QPainterPath>
#include <QPolygonF>

using namespace Qt::StringLiterals;

namespace {

QColor color(figure::Rgb rgb) { return QColor::fromRgb(static_cast<QRgb>(rgb)); }

QPen qPen(const figure::Pen &pen) {
    QPen q(color(pen.color), pen.width);
    q.setCapStyle(Qt::RoundCap);
    q.setJoinStyle(Qt::RoundJoin);
    if (pen.dash == figure::Dash::Dashed) q.setDashPattern({3.7, 1.6});
    else if (pen.dash == figure::Dash::DashDot) q.setDashPattern({6.4, 1.6, 1.0, 1.6});
    return q;
}

}  // namespace

PainterCanvas::PainterCanvas(QPainter *painter) : m_painter(painter) {
    m_painter->setRenderHint(QPainter::Antialiasing);
    m_painter->setRenderHint(QPainter::TextAntialiasing);
}

QFont PainterCanvas::qFont(const figure::Font &font) {
    QFont q(u"Helvetica"_s);
    q.setStyleHint(QFont::SansSerif);
    // Pixel sizes: painter units are points.
    q.setPixelSize(qRound(font.size));
    q.setBold(font.bold);
    return q;
}

void PainterCanvas::apply(std::optional<figure::Rgb> fill, std::optional<figure::Pen> outline) {
    m_painter->setBrush(fill ? QBrush(color(*fill)) : QBrush(Qt::NoBrush));
    m_painter->setPen(outline ? qPen(*outline) : QPen(Qt::NoPen));
}

void PainterCanvas::drawPolyline(const QList<QPointF> &points, const figure::Pen &pen) {
    m_painter->setBrush(Qt::NoBrush);
    m_painter->setPen(qPen(pen));
    m_painter->drawPolyline(QPolygonF(points));
}

void PainterCanvas::drawPolygon(const QList<QPointF> &points, std::optional<figure::Rgb> fill,
                                std::optional<figure::Pen> outline) {
    apply(fill, outline);
    m_painter->drawPolygon(QPolygonF(points));
}

void PainterCanvas::drawCircle(QPointF center, double radius, std::optional<figure::Rgb> fill,
                               std::optional<figure::Pen> outline) {
    apply(fill, outline);
    m_painter->drawEllipse(center, radius, radius);
}

void PainterCanvas::drawText(QPointF baseline, const QString &text, const figure::Font &font, figure::Rgb rgb,
                             bool vertical) {
    m_painter->setFont(qFont(font));
    m_painter->setPen(color(rgb));
    if (!vertical) {
        m_painter->drawText(baseline, text);
        return;
    }
    m_painter->save();
    m_painter->translate(baseline);
    m_painter->rotate(-90);
    m_painter->drawText(QPointF(0, 0), text);
    m_painter->restore();
}

void PainterCanvas::setClip(const QRectF &rect) { m_painter->setClipRect(rect); }

void PainterCanvas::clearClip() { m_painter->setClipping(false); }

double PainterCanvas::textWidth(const QString &text, const figure::Font &font) const {
    return QFontMetricsF(qFont(font), m_painter->device()).horizontalAdvance(text);
}

double PainterCanvas::ascent(const figure::Font &font) const {
    return QFontMetricsF(qFont(font), m_painter->device()).ascent();
}

double PainterCanvas::descent(const figure::Font &font) const {
    return QFontMetricsF(qFont(font), m_painter->device()).descent();
}
