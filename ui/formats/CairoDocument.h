#pragma once

#include <QByteArray>
#include <QPointF>
#include <QSizeF>
#include <QString>
#include <optional>

typedef struct _cairo cairo_t;
typedef struct _cairo_surface cairo_surface_t;

// One figure file in memory, drawn through cairo: a PDF (pages may follow),
// an SVG, a PNG or an EPS. Every font is embedded as a subset (PDF, EPS) or
// as glyph outlines (SVG), so a file looks the same on any machine. Draw on
// context() in points, then take the bytes from finish().
namespace figure {

class CairoDocument {
public:
    enum class Kind { Pdf, Svg, Png, Eps };

    struct Metadata {
        QString title;    // PDF Title, SVG <title>, PNG "Title", EPS %%Title
        QString creator;  // "KV Scope 0.1.0"
    };

    // `pixelsPerPoint` only matters for PNG (2: 144 dpi).
    CairoDocument(Kind kind, const QSizeF &pagePoints, const Metadata &metadata, double pixelsPerPoint = 2.0);
    ~CairoDocument();
    CairoDocument(const CairoDocument &) = delete;
    CairoDocument &operator=(const CairoDocument &) = delete;

    // Why nothing can be drawn (no font, an image too large), or nothing.
    std::optional<QString> error() const { return m_error; }
    cairo_t *context() const { return m_cr; }
    QSizeF pageSize() const { return m_page; }
    // Moves the origin of every page to `origin` (a page's margins).
    void setOrigin(QPointF origin);
    // Ends the page and starts another of the same size (PDF).
    void newPage();
    // The file's bytes, or why it failed.
    std::optional<QString> finish(QByteArray *bytes);

    // The largest PNG side, in pixels.
    static constexpr int kMaxPixels = 16384;

private:
    std::optional<QString> encodePng(QByteArray *bytes) const;

    Kind m_kind;
    QSizeF m_page;
    Metadata m_metadata;
    double m_pixelsPerPoint;
    QByteArray m_bytes;
    cairo_surface_t *m_surface = nullptr;
    cairo_t *m_cr = nullptr;
    std::optional<QString> m_error;
};

}  // namespace figure
