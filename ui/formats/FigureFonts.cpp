#include "FigureFonts.h"

#include <cairo-ft.h>
#include <fontconfig/fontconfig.h>
#include <ft2build.h>
#include FT_FREETYPE_H

#include <optional>

using namespace Qt::StringLiterals;

namespace figure {

namespace {

const cairo_user_data_key_t kFaceKey{};

// The file and face index fontconfig matches for a pattern, or nothing.
struct FontFile {
    QByteArray path;
    int index = 0;
};

std::optional<FontFile> match(FcPattern *pattern) {
    FcConfigSubstitute(nullptr, pattern, FcMatchPattern);
    FcDefaultSubstitute(pattern);
    FcResult result = FcResultNoMatch;
    FcPattern *found = FcFontMatch(nullptr, pattern, &result);
    std::optional<FontFile> file;
    FcChar8 *path = nullptr;
    int index = 0;
    if (found && FcPatternGetString(found, FC_FILE, 0, &path) == FcResultMatch) {
        FcPatternGetInteger(found, FC_INDEX, 0, &index);
        file = FontFile{QByteArray(reinterpret_cast<const char *>(path)), index};
    }
    if (found) FcPatternDestroy(found);
    return file;
}

FcPattern *dejaVu(bool bold) {
    FcPattern *pattern = FcPatternCreate();
    FcPatternAddString(pattern, FC_FAMILY, reinterpret_cast<const FcChar8 *>("DejaVu Sans"));
    FcPatternAddInteger(pattern, FC_WEIGHT, bold ? FC_WEIGHT_BOLD : FC_WEIGHT_REGULAR);
    FcPatternAddInteger(pattern, FC_SLANT, FC_SLANT_ROMAN);
    FcPatternAddBool(pattern, FC_SCALABLE, FcTrue);
    return pattern;
}

bool hasGlyph(FT_Face face, char32_t c) { return face && FT_Get_Char_Index(face, c) != 0; }

// Where Debian's fonts-dejavu-core (a dependency of the package) puts them.
// Opening the file directly spares every export fontconfig's start (about
// half of a chart's instructions); fontconfig finds them anywhere else.
constexpr const char *kDejaVuFiles[2] = {"/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
                                         "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"};

}  // namespace

FigureFonts &FigureFonts::instance() {
    // Never destroyed: cairo's font caches may hold its faces until exit.
    static FigureFonts *const fonts = new FigureFonts;
    return *fonts;
}

FigureFonts::FigureFonts() {
    if (FT_Init_FreeType(&m_library) != 0) {
        m_library = nullptr;
        m_error = u"cannot start FreeType"_s;
        return;
    }
    for (bool bold : {false, true}) {
        Face &primary = m_primary[bold ? 1 : 0];
        primary = load(kDejaVuFiles[bold ? 1 : 0], 0);
        if (!primary.ft || QByteArray(primary.ft->family_name) != "DejaVu Sans") {
            if (primary.cairo) cairo_font_face_destroy(primary.cairo);
            FcPattern *pattern = dejaVu(bold);
            const auto file = match(pattern);
            FcPatternDestroy(pattern);
            if (file) primary = load(file->path, file->index);
        }
        FT_Face face = primary.ft;
        // fontconfig substitutes another family when DejaVu Sans is missing:
        // refuse it, every figure is set in DejaVu Sans.
        if (!face || QByteArray(face->family_name) != "DejaVu Sans") {
            m_error = u"the font DejaVu Sans is not installed (Debian: fonts-dejavu-core)"_s;
            return;
        }
    }
}

FigureFonts::Face FigureFonts::load(const QByteArray &file, int index) {
    Face face;
    if (!m_library || FT_New_Face(m_library, file.constData(), index, &face.ft) != 0) return {};
    face.cairo = cairo_ft_font_face_create_for_ft_face(face.ft, 0);
    // The FreeType face lives as long as cairo's face (cairo's documented way).
    if (cairo_font_face_set_user_data(face.cairo, &kFaceKey, face.ft,
                                      [](void *ft) { FT_Done_Face(static_cast<FT_Face>(ft)); }) !=
        CAIRO_STATUS_SUCCESS) {
        cairo_font_face_destroy(face.cairo);
        FT_Done_Face(face.ft);
        return {};
    }
    return face;
}

cairo_font_face_t *FigureFonts::fallback(char32_t c, bool bold) {
    QHash<char32_t, cairo_font_face_t *> &cache = m_byChar[bold ? 1 : 0];
    if (const auto it = cache.constFind(c); it != cache.constEnd()) return it.value();
    cairo_font_face_t *chosen = primary(bold);  // none has it: DejaVu's empty box
    FcPattern *pattern = dejaVu(bold);
    FcCharSet *charset = FcCharSetCreate();
    FcCharSetAddChar(charset, c);
    FcPatternAddCharSet(pattern, FC_CHARSET, charset);
    FcCharSetDestroy(charset);
    // fontconfig ranks coverage above the family: this is a font that has c, if any does.
    if (const auto file = match(pattern)) {
        const QByteArray key = file->path + ':' + QByteArray::number(file->index);
        auto it = m_byFile.find(key);
        if (it == m_byFile.end()) it = m_byFile.insert(key, load(file->path, file->index));
        if (hasGlyph(it->ft, c)) chosen = it->cairo;
    }
    FcPatternDestroy(pattern);
    cache.insert(c, chosen);
    return chosen;
}

QList<FigureFonts::Run> FigureFonts::runs(const QString &text, bool bold) {
    QList<Run> result;
    const Face &primaryFace = m_primary[bold ? 1 : 0];
    if (!primaryFace.cairo) return result;
    QString current;
    cairo_font_face_t *currentFace = primaryFace.cairo;
    const QList<uint> codePoints = text.toUcs4();
    for (uint u : codePoints) {
        const char32_t c = u;
        // Spaces and controls stay in the face around them.
        cairo_font_face_t *face = c <= 0x20                      ? currentFace
                                  : hasGlyph(primaryFace.ft, c) ? primaryFace.cairo
                                                                : fallback(c, bold);
        if (face != currentFace && !current.isEmpty()) {
            result.append({current.toUtf8(), currentFace});
            current.clear();
        }
        currentFace = face;
        current += QString::fromUcs4(&c, 1);
    }
    if (!current.isEmpty()) result.append({current.toUtf8(), currentFace});
    return result;
}

}  // namespace figure
