#include "SvgCanvas.h"

#include <QList>
#include <utility>

#include "HelveticaMetrics.h"

using namespace Qt::StringLiterals;

namespace {

// Compact numbers with a '.' whatever the locale, never an exponent.
QByteArray num(double value) {
    QByteArray text = QByteArray::number(value, 'f', 3);
    if (text.contains('.')) {
        while (text.endsWith('0')) text.chop(1);
        if (text.endsWith('.')) text.chop(1);
    }
    if (text == "-0") text = "0";
    return text;
}

QByteArray hexColor(figure::Rgb color) { return '#' + QByteArray::number(color & 0xFFFFFF, 16).rightJustified(6, '0'); }

bool allowedInXml(char32_t c) {
    return c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD) ||
           (c >= 0x10000 && c <= 0x10FFFF);
}

// Character data or an attribute value: & < > " escaped, and characters XML
// 1.0 forbids (controls, lone surrogates) dropped, so the document parses.
QByteArray xmlText(QStringView text) {
    QString out;
    out.reserve(text.size());
    figure::forEachCodePoint(text, [&](char32_t c) {
        switch (c) {
            case U'&':
                out += u"&amp;"_s;
                return;
            case U'<':
                out += u"&lt;"_s;
                return;
            case U'>':
                out += u"&gt;"_s;
                return;
            case U'"':
                out += u"&quot;"_s;
                return;
            default:
                break;
        }
        if (allowedInXml(c)) out += QString::fromUcs4(&c, 1);
    });
    return out.toUtf8();
}

QByteArray strokeAttributes(const figure::Pen &pen) {
    QByteArray out = " stroke=\"" + hexColor(pen.color) + "\" stroke-width=\"" + num(pen.width) +
                     "\" stroke-linecap=\"round\" stroke-linejoin=\"round\"";
    // matplotlib's dash patterns, scaled by the line width (as in the PDF).
    const double w = pen.width;
    switch (pen.dash) {
        case figure::Dash::Solid:
            break;
        case figure::Dash::Dashed:
            out += " stroke-dasharray=\"" + num(3.7 * w) + ' ' + num(1.6 * w) + '"';
            break;
        case figure::Dash::DashDot:
            out += " stroke-dasharray=\"" + num(6.4 * w) + ' ' + num(1.6 * w) + ' ' + num(w) + ' ' + num(1.6 * w) + '"';
            break;
    }
    return out;
}

QByteArray paintAttributes(std::optional<figure::Rgb> fill, const std::optional<figure::Pen> &outline) {
    QByteArray out = " fill=\"" + (fill ? hexColor(*fill) : QByteArray("none")) + '"';
    if (outline) out += strokeAttributes(*outline);
    return out;
}

QByteArray pointList(const QList<QPointF> &points) {
    QByteArray out;
    for (const QPointF &p : points) {
        if (!out.isEmpty()) out += ' ';
        out += num(p.x()) + ',' + num(p.y());
    }
    return out;
}

bool isCjk(char32_t c) {
    return (c >= 0x2E80 && c <= 0x9FFF) || (c >= 0xAC00 && c <= 0xD7AF) || (c >= 0xF900 && c <= 0xFAFF) ||
           (c >= 0xFF00 && c <= 0xFFEF);
}

}  // namespace

SvgCanvas::SvgCanvas(QSizeF size, QString title) : m_size(size), m_title(std::move(title)) {}

void SvgCanvas::drawPolyline(const QList<QPointF> &points, const figure::Pen &pen) {
    if (points.size() < 2) return;
    m_body += "<polyline points=\"" + pointList(points) + "\" fill=\"none\"" + strokeAttributes(pen) + "/>\n";
}

void SvgCanvas::drawPolygon(const QList<QPointF> &points, std::optional<figure::Rgb> fill,
                            std::optional<figure::Pen> outline) {
    if (points.size() < 2 || (!fill && !outline)) return;
    m_body += "<polygon points=\"" + pointList(points) + '"' + paintAttributes(fill, outline) + "/>\n";
}

void SvgCanvas::drawCircle(QPointF center, double radius, std::optional<figure::Rgb> fill,
                           std::optional<figure::Pen> outline) {
    if (radius <= 0 || (!fill && !outline)) return;
    m_body += "<circle cx=\"" + num(center.x()) + "\" cy=\"" + num(center.y()) + "\" r=\"" + num(radius) + '"' +
              paintAttributes(fill, outline) + "/>\n";
}

void SvgCanvas::drawText(QPointF baseline, const QString &text, const figure::Font &font, figure::Rgb color,
                         bool vertical) {
    if (text.isEmpty()) return;
    const QByteArray x = num(baseline.x());
    const QByteArray y = num(baseline.y());
    m_body += "<text x=\"" + x + "\" y=\"" + y + "\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"" +
              num(font.size) + '"';
    if (font.bold) m_body += " font-weight=\"bold\"";
    m_body += " fill=\"" + hexColor(color) + '"';
    // SVG's y axis points down, so a negative angle turns counter-clockwise.
    if (vertical) m_body += " transform=\"rotate(-90 " + x + ' ' + y + ")\"";
    // Keep runs of spaces, as the PDF does.
    m_body += " xml:space=\"preserve\">" + xmlText(text) + "</text>\n";
}

void SvgCanvas::setClip(const QRectF &rect) {
    if (m_clipped) m_body += "</g>\n";
    const QByteArray id = "clip" + QByteArray::number(++m_clipCount);
    m_body += "<defs><clipPath id=\"" + id + "\"><rect x=\"" + num(rect.x()) + "\" y=\"" + num(rect.y()) +
              "\" width=\"" + num(rect.width()) + "\" height=\"" + num(rect.height()) + "\"/></clipPath></defs>\n";
    m_body += "<g clip-path=\"url(#" + id + ")\">\n";
    m_clipped = true;
}

void SvgCanvas::clearClip() {
    if (m_clipped) m_body += "</g>\n";
    m_clipped = false;
}

double SvgCanvas::textWidth(const QString &text, const figure::Font &font) const {
    int units = 0;
    figure::forEachCodePoint(text, [&](char32_t c) {
        if (const auto code = figure::winAnsiCode(c))
            units += figure::helveticaAdvance(*code, font.bold);
        else
            units += isCjk(c) ? 1000 : 600;
    });
    return units * font.size / 1000.0;
}

double SvgCanvas::ascent(const figure::Font &font) const { return figure::kHelveticaAscent * font.size; }

double SvgCanvas::descent(const figure::Font &font) const { return figure::kHelveticaDescent * font.size; }

QByteArray SvgCanvas::finish() {
    clearClip();
    const QByteArray w = num(m_size.width());
    const QByteArray h = num(m_size.height());
    QByteArray svg = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    svg += "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"" + w + "pt\" height=\"" + h +
           "pt\" viewBox=\"0 0 " + w + ' ' + h + "\">\n";
    svg += "<title>" + xmlText(m_title) + "</title>\n";
    svg += "<rect x=\"0\" y=\"0\" width=\"" + w + "\" height=\"" + h + "\" fill=\"#ffffff\"/>\n";
    svg += m_body;
    svg += "</svg>\n";
    return svg;
}
