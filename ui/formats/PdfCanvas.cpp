#include "PdfCanvas.h"

#include <QList>
#include <utility>

#include "HelveticaMetrics.h"

namespace {

// Compact numbers with a '.' whatever the locale (QByteArray::number is
// locale-independent), never an exponent: PDF has no exponent syntax.
QByteArray num(double value, int decimals = 3) {
    QByteArray text = QByteArray::number(value, 'f', decimals);
    if (text.contains('.')) {
        while (text.endsWith('0')) text.chop(1);
        if (text.endsWith('.')) text.chop(1);
    }
    if (text == "-0") text = "0";
    return text;
}

QByteArray rgb(figure::Rgb color) {
    return num(((color >> 16) & 0xFF) / 255.0, 4) + ' ' + num(((color >> 8) & 0xFF) / 255.0, 4) + ' ' +
           num((color & 0xFF) / 255.0, 4);
}

// A literal string in WinAnsi: '?' for what WinAnsi lacks, \ ( ) escaped.
QByteArray literal(QStringView text) {
    QByteArray out = "(";
    figure::forEachCodePoint(text, [&](char32_t codePoint) {
        const char byte = static_cast<char>(figure::winAnsiCode(codePoint).value_or(std::uint8_t('?')));
        if (byte == '\\' || byte == '(' || byte == ')') out += '\\';
        out += byte;
    });
    return out + ')';
}

// A text string that survives any Unicode: UTF-16BE with a byte order mark.
QByteArray utf16Hex(const QString &text) {
    QByteArray bytes = "\xFE\xFF";
    for (const QChar c : text) {
        bytes += static_cast<char>(c.unicode() >> 8);
        bytes += static_cast<char>(c.unicode() & 0xFF);
    }
    return '<' + bytes.toHex().toUpper() + '>';
}

// matplotlib's dash patterns, scaled by the line width.
QByteArray dashArray(const figure::Pen &pen) {
    const double w = pen.width;
    switch (pen.dash) {
        case figure::Dash::Solid:
            return "[] 0 d";
        case figure::Dash::Dashed:
            return '[' + num(3.7 * w) + ' ' + num(1.6 * w) + "] 0 d";
        case figure::Dash::DashDot:
            return '[' + num(6.4 * w) + ' ' + num(1.6 * w) + ' ' + num(w) + ' ' + num(1.6 * w) + "] 0 d";
    }
    return "[] 0 d";
}

}  // namespace

PdfCanvas::PdfCanvas(QSizeF pageSize, QString title) : m_pageSize(pageSize), m_title(std::move(title)) {}

bool PdfCanvas::canEncode(QStringView text) {
    bool ok = true;
    figure::forEachCodePoint(text, [&](char32_t codePoint) { ok = ok && figure::winAnsiCode(codePoint).has_value(); });
    return ok;
}

QByteArray PdfCanvas::point(QPointF p) const { return num(p.x()) + ' ' + num(m_pageSize.height() - p.y()); }

void PdfCanvas::appendPen(const figure::Pen &pen) {
    m_content += rgb(pen.color) + " RG " + num(pen.width) + " w 1 J 1 j " + dashArray(pen) + '\n';
}

void PdfCanvas::appendFill(figure::Rgb color) { m_content += rgb(color) + " rg\n"; }

void PdfCanvas::appendPath(const QList<QPointF> &points) {
    for (qsizetype i = 0; i < points.size(); ++i) m_content += point(points[i]) + (i == 0 ? " m\n" : " l\n");
}

void PdfCanvas::appendCirclePath(QPointF center, double radius) {
    // Four cubic Bezier quarter arcs; k places the control points so each
    // arc's midpoint lies on the circle.
    constexpr double k = 0.5522847498;
    const double r = radius;
    const double c = k * r;
    const auto at = [&](double dx, double dy) { return point(center + QPointF(dx, dy)); };
    m_content += at(r, 0) + " m\n";
    m_content += at(r, c) + ' ' + at(c, r) + ' ' + at(0, r) + " c\n";
    m_content += at(-c, r) + ' ' + at(-r, c) + ' ' + at(-r, 0) + " c\n";
    m_content += at(-r, -c) + ' ' + at(-c, -r) + ' ' + at(0, -r) + " c\n";
    m_content += at(c, -r) + ' ' + at(r, -c) + ' ' + at(r, 0) + " c\n";
}

void PdfCanvas::paintPath(std::optional<figure::Rgb> fill, const std::optional<figure::Pen> &outline, bool closed) {
    if (fill && outline)
        m_content += closed ? "b\n" : "B\n";
    else if (fill)
        m_content += "f\n";
    else if (outline)
        m_content += closed ? "s\n" : "S\n";
    else
        m_content += "n\n";
}

void PdfCanvas::drawPolyline(const QList<QPointF> &points, const figure::Pen &pen) {
    if (points.size() < 2) return;
    appendPen(pen);
    appendPath(points);
    paintPath(std::nullopt, pen, false);
}

void PdfCanvas::drawPolygon(const QList<QPointF> &points, std::optional<figure::Rgb> fill,
                            std::optional<figure::Pen> outline) {
    if (points.size() < 2 || (!fill && !outline)) return;
    if (fill) appendFill(*fill);
    if (outline) appendPen(*outline);
    appendPath(points);
    paintPath(fill, outline, true);
}

void PdfCanvas::drawCircle(QPointF center, double radius, std::optional<figure::Rgb> fill,
                           std::optional<figure::Pen> outline) {
    if (radius <= 0 || (!fill && !outline)) return;
    if (fill) appendFill(*fill);
    if (outline) appendPen(*outline);
    appendCirclePath(center, radius);
    paintPath(fill, outline, true);
}

void PdfCanvas::drawText(QPointF baseline, const QString &text, const figure::Font &font, figure::Rgb color,
                         bool vertical) {
    if (text.isEmpty()) return;
    appendFill(color);
    m_content += "BT " + QByteArray(font.bold ? "/F2 " : "/F1 ") + num(font.size) + " Tf ";
    // Turned 90 degrees counter-clockwise in PDF's y-up space: reads bottom to top.
    m_content += (vertical ? "0 1 -1 0 " : "1 0 0 1 ") + point(baseline) + " Tm ";
    m_content += literal(text) + " Tj ET\n";
}

void PdfCanvas::setClip(const QRectF &rect) {
    // A clip can only shrink within a graphics state: restore first.
    if (m_clipped) m_content += "Q\n";
    m_content += "q " + num(rect.left()) + ' ' + num(m_pageSize.height() - rect.bottom()) + ' ' + num(rect.width()) +
                 ' ' + num(rect.height()) + " re W n\n";
    m_clipped = true;
}

void PdfCanvas::clearClip() {
    if (m_clipped) m_content += "Q\n";
    m_clipped = false;
}

double PdfCanvas::textWidth(const QString &text, const figure::Font &font) const {
    return figure::helveticaWidth(text, font.bold, font.size);
}

double PdfCanvas::ascent(const figure::Font &font) const { return figure::kHelveticaAscent * font.size; }

double PdfCanvas::descent(const figure::Font &font) const { return figure::kHelveticaDescent * font.size; }

QByteArray PdfCanvas::finish() {
    clearClip();
    // qCompress prefixes a 4-byte length; the rest is a plain zlib stream.
    const QByteArray stream = qCompress(m_content, 9).mid(4);

    QList<QByteArray> objects;
    objects << "<< /Type /Catalog /Pages 2 0 R >>";
    objects << "<< /Type /Pages /Kids [3 0 R] /Count 1 >>";
    objects << "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 " + num(m_pageSize.width()) + ' ' +
                   num(m_pageSize.height()) + "] /Resources << /Font << /F1 5 0 R /F2 6 0 R >> >> /Contents 4 0 R >>";
    objects << "<< /Length " + QByteArray::number(stream.size()) + " /Filter /FlateDecode >>\nstream\n" + stream +
                   "\nendstream";
    objects << "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>";
    objects << "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>";
    objects << "<< /Title " + utf16Hex(m_title) + " /Creator (KV Scope) /Producer (KV Scope) >>";

    // The comment's high bytes tell transfer tools the file is binary.
    QByteArray pdf = "%PDF-1.4\n%\xE2\xE3\xCF\xD3\n";
    QList<qsizetype> offsets;
    for (qsizetype i = 0; i < objects.size(); ++i) {
        offsets << pdf.size();
        pdf += QByteArray::number(i + 1) + " 0 obj\n" + objects[i] + "\nendobj\n";
    }
    const qsizetype xref = pdf.size();
    pdf += "xref\n0 " + QByteArray::number(objects.size() + 1) + '\n';
    pdf += "0000000000 65535 f \n";  // each entry exactly 20 bytes
    for (const qsizetype offset : offsets) pdf += QByteArray::number(offset).rightJustified(10, '0') + " 00000 n \n";
    pdf += "trailer\n<< /Size " + QByteArray::number(objects.size() + 1) + " /Root 1 0 R /Info 7 0 R >>\n";
    pdf += "startxref\n" + QByteArray::number(xref) + "\n%%EOF\n";
    return pdf;
}
