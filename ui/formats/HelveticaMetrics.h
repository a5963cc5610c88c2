#pragma once

#include <QStringView>
#include <cstdint>
#include <optional>

// Text metrics of the PDF core fonts Helvetica and Helvetica-Bold, so a PDF
// or SVG figure can be laid out without loading a font (QtCore only). The
// PDF canvas writes text in WinAnsiEncoding, hence the lookups by WinAnsi code.
namespace figure {

// Helvetica's Ascender and Descender, in em.
inline constexpr double kHelveticaAscent = 0.718;
inline constexpr double kHelveticaDescent = 0.207;

// The WinAnsiEncoding byte (ISO 32000 Annex D) for a Unicode code point, or
// nothing when WinAnsi has no such character.
std::optional<std::uint8_t> winAnsiCode(char32_t codePoint);

// The advance width of a WinAnsi code in 1/1000 em; 0 for codes WinAnsi
// leaves undefined (below 32, 127, 129, 141, 143, 144, 157).
int helveticaAdvance(std::uint8_t code, bool bold);

// The width in points of `text` set in Helvetica at `size` points. A
// character without a WinAnsi code counts as '?', which is what the PDF
// canvas writes in its place.
double helveticaWidth(QStringView text, bool bold, double size);

// Calls f(char32_t) for each code point of `text`; a lone surrogate is passed
// as it is (it has no WinAnsi code either).
template <typename F>
void forEachCodePoint(QStringView text, F &&f) {
    for (qsizetype i = 0; i < text.size(); ++i) {
        const char16_t unit = text[i].unicode();
        if (QChar::isHighSurrogate(unit) && i + 1 < text.size() && QChar::isLowSurrogate(text[i + 1].unicode())) {
            f(static_cast<char32_t>(QChar::surrogateToUcs4(unit, text[i + 1].unicode())));
            ++i;
        } else {
            f(static_cast<char32_t>(unit));
        }
    }
}

}  // namespace figure
