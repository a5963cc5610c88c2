#include "CairoDocument.h"

#include <cairo-pdf.h>
#include <cairo-ps.h>
#include <cairo-svg.h>
#include <cairo.h>
#include <cerrno>
#include <cmath>
#include <csetjmp>
#include <cstring>
#include <png.h>
#include <vector>

#include "FigureFonts.h"

using namespace Qt::StringLiterals;

namespace figure {

namespace {

cairo_status_t append(void *closure, const unsigned char *data, unsigned int length) {
    static_cast<QByteArray *>(closure)->append(reinterpret_cast<const char *>(data), length);
    return CAIRO_STATUS_SUCCESS;
}

// cairo's reason, or for a failed write (the EPS writer's temporary file
// on a full disk) the system's: "No space left on device".
QString statusText(cairo_status_t status) {
    if (status == CAIRO_STATUS_WRITE_ERROR && errno != 0) return QString::fromLocal8Bit(std::strerror(errno));
    return QString::fromUtf8(cairo_status_to_string(status));
}

QByteArray xmlEscaped(const QString &text) {
    QString out;
    for (QChar c : text) {
        if (c == u'&') out += u"&amp;"_s;
        else if (c == u'<') out += u"&lt;"_s;
        else if (c == u'>') out += u"&gt;"_s;
        else if (c.unicode() >= 0x20 || c == u'\t') out += c;
    }
    return out.toUtf8();
}

// A DSC comment holds printable ASCII only.
QByteArray dscText(const QString &text) {
    QByteArray out;
    for (QChar c : text) out += c.unicode() >= 0x20 && c.unicode() < 0x7F ? char(c.unicode()) : '?';
    return out;
}

}  // namespace

CairoDocument::CairoDocument(Kind kind, const QSizeF &pagePoints, const Metadata &metadata, double pixelsPerPoint)
    : m_kind(kind), m_page(pagePoints), m_metadata(metadata), m_pixelsPerPoint(pixelsPerPoint) {
    if (const QString fontError = FigureFonts::instance().error(); !fontError.isEmpty()) {
        m_error = fontError;
        return;
    }
    const double w = m_page.width(), h = m_page.height();
    switch (kind) {
        case Kind::Pdf:
            m_surface = cairo_pdf_surface_create_for_stream(append, &m_bytes, w, h);
            cairo_pdf_surface_set_metadata(m_surface, CAIRO_PDF_METADATA_TITLE, metadata.title.toUtf8().constData());
            cairo_pdf_surface_set_metadata(m_surface, CAIRO_PDF_METADATA_CREATOR,
                                           metadata.creator.toUtf8().constData());
            break;
        case Kind::Svg:
            m_surface = cairo_svg_surface_create_for_stream(append, &m_bytes, w, h);
            cairo_svg_surface_set_document_unit(m_surface, CAIRO_SVG_UNIT_PT);
            break;
        case Kind::Eps:
            m_surface = cairo_ps_surface_create_for_stream(append, &m_bytes, w, h);
            cairo_ps_surface_set_eps(m_surface, 1);
            cairo_ps_surface_dsc_comment(m_surface, QByteArray("%%Title: " + dscText(metadata.title)).constData());
            break;
        case Kind::Png: {
            const double width = std::round(w * pixelsPerPoint), height = std::round(h * pixelsPerPoint);
            if (!(width >= 1 && height >= 1 && width <= kMaxPixels && height <= kMaxPixels)) {
                m_error = u"the image would be %1 × %2 pixels; each side must be from 1 to %3"_s.arg(width).arg(height).arg(
                    kMaxPixels);
                return;
            }
            // Opaque: every figure paints its background.
            m_surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, static_cast<int>(width), static_cast<int>(height));
            break;
        }
    }
    if (cairo_surface_status(m_surface) != CAIRO_STATUS_SUCCESS) {
        m_error = statusText(cairo_surface_status(m_surface));
        return;
    }
    m_cr = cairo_create(m_surface);
    if (kind == Kind::Png) cairo_scale(m_cr, pixelsPerPoint, pixelsPerPoint);
}

CairoDocument::~CairoDocument() {
    if (m_cr) cairo_destroy(m_cr);
    if (m_surface) cairo_surface_destroy(m_surface);
}

void CairoDocument::setOrigin(QPointF origin) {
    if (m_cr) cairo_translate(m_cr, origin.x(), origin.y());
}

void CairoDocument::newPage() {
    if (m_cr) cairo_show_page(m_cr);
}

std::optional<QString> CairoDocument::finish(QByteArray *bytes) {
    if (m_error) return m_error;
    if (cairo_status(m_cr) != CAIRO_STATUS_SUCCESS) return statusText(cairo_status(m_cr));
    if (m_kind == Kind::Png) {
        cairo_surface_flush(m_surface);
        return encodePng(bytes);
    }
    errno = 0;
    cairo_surface_finish(m_surface);
    if (cairo_surface_status(m_surface) != CAIRO_STATUS_SUCCESS) return statusText(cairo_surface_status(m_surface));
    *bytes = m_bytes;
    if (m_kind == Kind::Svg) {
        // cairo writes no title; readers and screen readers look for one.
        const qsizetype root = bytes->indexOf("<svg");
        const qsizetype end = root < 0 ? -1 : bytes->indexOf('>', root);
        if (end > 0) bytes->insert(end + 1, "\n<title>" + xmlEscaped(m_metadata.title) + "</title>");
    }
    return std::nullopt;
}

// libpng rather than cairo's own PNG writer: it also records the title, the
// creator and the resolution (so the image prints at the figure's size).
std::optional<QString> CairoDocument::encodePng(QByteArray *bytes) const {
    const int width = cairo_image_surface_get_width(m_surface);
    const int height = cairo_image_surface_get_height(m_surface);
    const int stride = cairo_image_surface_get_stride(m_surface);
    const unsigned char *data = cairo_image_surface_get_data(m_surface);

    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
    png_infop info = png ? png_create_info_struct(png) : nullptr;
    if (!info) {
        png_destroy_write_struct(&png, nullptr);
        return u"cannot encode the PNG"_s;
    }
    QByteArray out;
    std::vector<unsigned char> row(static_cast<std::size_t>(width) * 3);
    const QByteArray title = m_metadata.title.toUtf8(), creator = m_metadata.creator.toUtf8();
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        return u"cannot encode the PNG"_s;
    }
    png_set_write_fn(
        png, &out,
        [](png_structp p, png_bytep chunk, png_size_t length) {
            static_cast<QByteArray *>(png_get_io_ptr(p))->append(reinterpret_cast<const char *>(chunk),
                                                                 static_cast<qsizetype>(length));
        },
        nullptr);
    // One filter for every row: a chart's flat colours compress as well
    // with it, and libpng's search over all five per row costs more than
    // drawing the figure.
    png_set_filter(png, PNG_FILTER_TYPE_BASE, PNG_FILTER_UP);
    png_set_IHDR(png, info, static_cast<png_uint_32>(width), static_cast<png_uint_32>(height), 8, PNG_COLOR_TYPE_RGB,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    const auto dotsPerMeter = static_cast<png_uint_32>(std::lround(72.0 * m_pixelsPerPoint / 0.0254));
    png_set_pHYs(png, info, dotsPerMeter, dotsPerMeter, PNG_RESOLUTION_METER);
    png_text texts[2] = {};
    texts[0].compression = PNG_ITXT_COMPRESSION_NONE;
    texts[0].key = const_cast<char *>("Title");
    texts[0].text = const_cast<char *>(title.constData());
    texts[1].compression = PNG_ITXT_COMPRESSION_NONE;
    texts[1].key = const_cast<char *>("Software");
    texts[1].text = const_cast<char *>(creator.constData());
    png_set_text(png, info, texts, 2);
    png_write_info(png, info);
    for (int y = 0; y < height; ++y) {
        // CAIRO_FORMAT_RGB24: one native-endian 32-bit word per pixel, 0xXXRRGGBB.
        const auto *pixels = reinterpret_cast<const std::uint32_t *>(data + static_cast<std::ptrdiff_t>(y) * stride);
        for (int x = 0; x < width; ++x) {
            row[3 * x] = static_cast<unsigned char>(pixels[x] >> 16);
            row[3 * x + 1] = static_cast<unsigned char>(pixels[x] >> 8);
            row[3 * x + 2] = static_cast<unsigned char>(pixels[x]);
        }
        png_write_row(png, row.data());
    }
    png_write_end(png, info);
    png_destroy_write_struct(&png, &info);
    *bytes = out;
    return std::nullopt;
}

}  // namespace figure
