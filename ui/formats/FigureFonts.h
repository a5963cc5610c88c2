#pragma once

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QString>

typedef struct _cairo_font_face cairo_font_face_t;
typedef struct FT_LibraryRec_ *FT_Library;
typedef struct FT_FaceRec_ *FT_Face;

// The one font family of every figure, DejaVu Sans (regular and bold), as
// cairo font faces from FreeType, found through fontconfig. A character
// DejaVu Sans lacks is drawn in the installed font fontconfig picks for it,
// so a model named in any script the machine has a font for still renders.
// One per process, made on first use; the figure code runs on one thread.
namespace figure {

class FigureFonts {
public:
    // A stretch of text drawn in one face.
    struct Run {
        QByteArray utf8;
        cairo_font_face_t *face = nullptr;
    };

    static FigureFonts &instance();

    // Why no figure can be drawn (DejaVu Sans is missing), or empty.
    QString error() const { return m_error; }
    // `text` split into runs of the face that shows each character.
    QList<Run> runs(const QString &text, bool bold);
    // The face of plain text, for font metrics.
    cairo_font_face_t *primary(bool bold) const { return m_primary[bold ? 1 : 0].cairo; }

    FigureFonts(const FigureFonts &) = delete;
    FigureFonts &operator=(const FigureFonts &) = delete;

private:
    struct Face {
        FT_Face ft = nullptr;
        cairo_font_face_t *cairo = nullptr;
    };

    FigureFonts();
    Face load(const QByteArray &file, int index);
    // The face for one character not in DejaVu Sans.
    cairo_font_face_t *fallback(char32_t c, bool bold);

    FT_Library m_library = nullptr;
    Face m_primary[2];
    QHash<QByteArray, Face> m_byFile;           // fallback faces, by "file:index"
    QHash<char32_t, cairo_font_face_t *> m_byChar[2];
    QString m_error;
};

}  // namespace figure
