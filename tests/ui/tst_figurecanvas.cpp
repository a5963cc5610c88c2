// CairoCanvas on every cairo surface CairoDocument makes, read back as a
// user's tools read them: poppler for PDF, Ghostscript for EPS, an XML
// parser for SVG, an image reader for PNG. A missing tool is a failure, not
// a skip: these checks are the point of the test.

#include <QFile>
#include <QImage>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QXmlStreamReader>
#include <QtTest>
#include <cmath>
#include <cstdlib>

#include "CairoCanvas.h"
#include "CairoDocument.h"
#include "FigureFonts.h"

using namespace Qt::StringLiterals;
using figure::CairoDocument;

namespace {

constexpr QSizeF kPage(400, 300);
const QString kTitle = u"KV-cache \u2013 test \u00D7"_s;
const QString kHeading = u"KV-cache vs Context Length"_s;
const QString kSubtitle = u"(n_heads=24, emb_dim=2048)"_s;
const QString kGqa = u"GQA (n_kv_groups=8, 8.0\u00D7 compression)"_s;
const QString kBold = u"Bold legend"_s;
const QString kVertical = u"Total KV cache (GB)"_s;
// Beyond Latin: DejaVu Sans has Cyrillic, Greek and the check mark.
const QString kRussian = u"\u041C\u043E\u0434\u0435\u043B\u044C \u03BB \u2713"_s;  // Модель λ ✓
constexpr QPointF kHeadingAt(40, 30);
constexpr double kHeadingSize = 14;
constexpr QPointF kVerticalAt(20, 250);
constexpr figure::Rgb kBlue = 0x1F77B4;
constexpr figure::Rgb kGreen = 0x2CA02C;
constexpr QRectF kClip(30, 110, 200, 150);

const QStringList kTexts{kHeading, kSubtitle, kBold, kVertical, kGqa, kRussian};

// The same figure on every canvas: each dash, a filled polygon, a circle,
// regular, bold and vertical text, text beyond Latin, and a clip.
void drawFigure(figure::Canvas &canvas) {
    canvas.drawPolygon({{0, 0}, {400, 0}, {400, 300}, {0, 300}}, 0xFFFFFF, std::nullopt);
    canvas.drawText(kHeadingAt, kHeading, {kHeadingSize, false}, 0x000000);
    canvas.drawText({40, 48}, kSubtitle, {10, false}, 0x333333);
    canvas.drawText({250, 48}, kBold, {10, true}, 0x000000);
    canvas.drawPolygon({{300, 60}, {380, 60}, {380, 100}, {300, 100}}, kBlue, std::nullopt);
    canvas.setClip(kClip);
    // A band wider than the clip: only its middle may show.
    canvas.drawPolygon({{10, 120}, {390, 120}, {390, 140}, {10, 140}}, kGreen, std::nullopt);
    canvas.drawPolyline({{40, 160}, {220, 160}}, {0xD62728, 2, figure::Dash::Solid});
    canvas.drawPolyline({{40, 175}, {220, 175}}, {0x9467BD, 2, figure::Dash::Dashed});
    canvas.drawPolyline({{40, 190}, {120, 200}, {220, 190}}, {0x8C564B, 2, figure::Dash::DashDot});
    canvas.drawPolyline({{40, 205}, {220, 205}}, {0x000000, 2, figure::Dash::Dotted});
    canvas.clearClip();
    canvas.drawCircle({320, 200}, 25, 0xFF7F0E, figure::Pen{0x000000, 1, figure::Dash::Solid});
    canvas.drawText(kVerticalAt, kVertical, {10, false}, 0x000000, true);
    canvas.drawText({40, 285}, kGqa, {10, false}, 0x000000);
    canvas.drawText({250, 285}, kRussian, {10, false}, 0x000000);
}

QByteArray document(CairoDocument::Kind kind, double pixelsPerPoint = 1.0, QString *failure = nullptr) {
    CairoDocument file(kind, kPage, {kTitle, u"KV Scope"_s}, pixelsPerPoint);
    if (file.error()) {
        if (failure) *failure = *file.error();
        return {};
    }
    figure::CairoCanvas canvas(file.context());
    drawFigure(canvas);
    QByteArray bytes;
    if (const auto error = file.finish(&bytes); error && failure) *failure = *error;
    return bytes;
}

struct Run {
    bool started = false;
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

Run run(const QString &program, const QStringList &arguments) {
    Run result;
    if (QStandardPaths::findExecutable(program).isEmpty()) return result;
    QProcess process;
    process.start(program, arguments);
    result.started = process.waitForFinished(30000);
    result.exitCode = process.exitCode();
    result.out = process.readAllStandardOutput();
    result.err = process.readAllStandardError();
    return result;
}

#define RUN_OK(var, program, ...)                                                                   \
    const Run var = run(program, __VA_ARGS__);                                                      \
    QVERIFY2(var.started, qPrintable(program + u" is missing or hung: install its package"_s)); \
    QCOMPARE(var.exitCode, 0);

struct Word {
    QString text;
    QRectF box;
};

// The words of `pdftotext -bbox` output, in reading order.
QList<Word> words(const QByteArray &html) {
    static const QRegularExpression re(
        uR"re(<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>)re"_s);
    QList<Word> result;
    for (const auto &m : re.globalMatch(QString::fromUtf8(html))) {
        const QPointF topLeft(m.captured(1).toDouble(), m.captured(2).toDouble());
        const QPointF bottomRight(m.captured(3).toDouble(), m.captured(4).toDouble());
        result.append({m.captured(5), QRectF(topLeft, bottomRight)});
    }
    return result;
}

// A binary PPM (P6) as pdftoppm writes it: QtCore only, no QImage needed.
struct Pixmap {
    int width = 0;
    int height = 0;
    QByteArray data;
    figure::Rgb at(int x, int y) const {
        const auto *p = reinterpret_cast<const unsigned char *>(data.constData()) + 3 * (qsizetype(y) * width + x);
        return (figure::Rgb(p[0]) << 16) | (figure::Rgb(p[1]) << 8) | p[2];
    }
};

std::optional<Pixmap> readPpm(const QString &path) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) return std::nullopt;
    const QByteArray bytes = file.readAll();
    // Header: P6 <width> <height> <maxval>, then one whitespace byte;
    // Ghostscript adds a comment line.
    static const QRegularExpression header(uR"(^P6\s+(?:#[^\n]*\n\s*)*(\d+)\s+(\d+)\s+255\s)"_s);
    const auto m = header.match(QString::fromLatin1(bytes.left(256)));
    if (!m.hasMatch()) return std::nullopt;
    Pixmap pixmap{m.captured(1).toInt(), m.captured(2).toInt(), bytes.mid(m.capturedLength())};
    if (pixmap.data.size() != 3 * qsizetype(pixmap.width) * pixmap.height) return std::nullopt;
    return pixmap;
}

bool near(figure::Rgb a, figure::Rgb b, int tolerance = 8) {
    for (int shift : {0, 8, 16}) {
        if (std::abs(int((a >> shift) & 0xFF) - int((b >> shift) & 0xFF)) > tolerance) return false;
    }
    return true;
}


bool isDark(figure::Rgb c) { return ((c >> 16) & 0xFF) < 128 && ((c >> 8) & 0xFF) < 128 && (c & 0xFF) < 128; }

bool writeFile(const QString &path, const QByteArray &bytes) {
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size();
}

// The pixel checks every raster of drawFigure() must pass, at `scale`
// pixels per point.
void checkPixels(const Pixmap &raw, int scale = 1) {
    struct Scaled {
        const Pixmap &image;
        int scale;
        figure::Rgb at(int x, int y) const { return image.at(x * scale, y * scale); }
    } image{raw, scale};
    QCOMPARE(raw.width, 400 * scale);
    QCOMPARE(raw.height, 300 * scale);
    QVERIFY(near(image.at(340, 80), kBlue));      // the filled polygon
    QVERIFY(near(image.at(100, 130), kGreen));    // the band inside the clip
    QVERIFY(near(image.at(300, 130), 0xFFFFFF));  // ... and cut off outside it
    QVERIFY(near(image.at(20, 130), 0xFFFFFF));
    QVERIFY(near(image.at(320, 200), 0xFF7F0E));       // the circle's fill
    QVERIFY(near(image.at(320, 175), 0x000000, 100));  // ... and its outline at the top
    QVERIFY(near(image.at(320, 170), 0xFFFFFF));       // round, not a bigger box
    // Upright text has its ink above the baseline; mirrored text below it.
    int above = 0;
    int below = 0;
    const int baseline = int(kHeadingAt.y());
    for (int x = 40; x < 200; ++x) {
        for (int y = baseline - 10; y < baseline; ++y) above += isDark(image.at(x, y));
        for (int y = baseline + 1; y < baseline + 11; ++y) below += isDark(image.at(x, y));
    }
    QVERIFY2(above > 200 && below < above / 5, qPrintable(u"%1 above, %2 below"_s.arg(above).arg(below)));
}

}  // namespace

class TestFigureCanvas : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() { QVERIFY(m_dir.isValid()); }
    void oneFamilyForEveryScript();
    void pdfDocument();
    void pdfRendering();
    void epsRendering();
    void svgDocument();
    void pngDocument();
    void pngTooLargeIsRefused();

private:
    QTemporaryDir m_dir;
};

void TestFigureCanvas::oneFamilyForEveryScript() {
    figure::FigureFonts &fonts = figure::FigureFonts::instance();
    QCOMPARE(fonts.error(), QString());
    // Latin, Cyrillic, Greek and the check mark: one run of DejaVu Sans.
    for (bool bold : {false, true}) {
        const auto runs = fonts.runs(kGqa + u' ' + kRussian, bold);
        QCOMPARE(runs.size(), 1);
        QCOMPARE(runs.constFirst().face, fonts.primary(bold));
        QCOMPARE(QString::fromUtf8(runs.constFirst().utf8), kGqa + u' ' + kRussian);
    }
    // Characters DejaVu Sans lacks (CJK) go to whichever installed font has
    // them, or stay in DejaVu Sans when none does; no character is lost.
    const QString mixed = u"Qwen \u6A21\u578B 3"_s;
    QString joined;
    for (const auto &r : fonts.runs(mixed, false)) joined += QString::fromUtf8(r.utf8);
    QCOMPARE(joined, mixed);
}

void TestFigureCanvas::pdfDocument() {
    QString failure;
    const QByteArray pdf = document(CairoDocument::Kind::Pdf, 1.0, &failure);
    QCOMPARE(failure, QString());
    QVERIFY(pdf.startsWith("%PDF-"));
    const QString path = m_dir.filePath(u"figure.pdf"_s);
    QVERIFY(writeFile(path, pdf));

    RUN_OK(info, u"pdfinfo"_s, {path});
    QCOMPARE(QString::fromUtf8(info.err), QString());
    const QString infoText = QString::fromUtf8(info.out);
    QVERIFY2(infoText.contains(QRegularExpression(u"^Title:\\s+"_s + QRegularExpression::escape(kTitle) + u"$"_s,
                                                  QRegularExpression::MultilineOption)),
             qPrintable(infoText));
    QVERIFY2(infoText.contains(QRegularExpression(u"^Creator:\\s+KV Scope$"_s, QRegularExpression::MultilineOption)),
             qPrintable(infoText));
    QVERIFY2(
        infoText.contains(QRegularExpression(u"^Page size:\\s+400 x 300 pts"_s, QRegularExpression::MultilineOption)),
        qPrintable(infoText));

    RUN_OK(text, u"pdftotext"_s, {path, u"-"_s});
    QCOMPARE(QString::fromUtf8(text.err), QString());
    const QString extracted = QString::fromUtf8(text.out);
    for (const QString &expected : kTexts)
        QVERIFY2(extracted.contains(expected), qPrintable(expected + u" not in:\n"_s + extracted));

    // Every font embedded (a subset), all of them DejaVu Sans.
    RUN_OK(fonts, u"pdffonts"_s, {path});
    const QStringList fontLines = QString::fromUtf8(fonts.out).split(u'\n', Qt::SkipEmptyParts).mid(2);
    // Regular and bold, and the regular's characters beyond WinAnsi as a second subset.
    QVERIFY2(fontLines.size() >= 2, fonts.out.constData());
    for (const QString &line : fontLines) {
        QVERIFY2(line.contains(QRegularExpression(u"^[A-Z]{6}\\+DejaVuSans(-Bold)?\\s+(CID )?TrueType\\s.*\\syes\\s+yes\\s+yes\\s"_s)),
                 qPrintable(line));
    }

    RUN_OK(bbox, u"pdftotext"_s, {u"-bbox"_s, path, u"-"_s});
    const QList<Word> found = words(bbox.out);
    const auto wordAt = [&](const QString &name) {
        for (const Word &word : found) {
            if (word.text == name) return std::optional<QRectF>(word.box);
        }
        return std::optional<QRectF>();
    };
    // Vertical text: each word's box is taller than wide, and "Total" (read
    // first) lies below "cache".
    const auto total = wordAt(u"Total"_s);
    const auto cache = wordAt(u"cache"_s);
    QVERIFY(total && cache);
    QVERIFY2(total->height() > total->width(), qPrintable(u"%1 x %2"_s.arg(total->width()).arg(total->height())));
    QVERIFY(total->top() > cache->top());
    QVERIFY(std::abs(total->bottom() - kVerticalAt.y()) < 3);
    // Horizontal text reads left to right from where it was drawn, and ends
    // where the canvas measured it to end: layout and drawing agree.
    const auto first = wordAt(u"KV-cache"_s);
    const auto last = wordAt(u"Length"_s);
    QVERIFY(first && last);
    QVERIFY2(std::abs(first->left() - kHeadingAt.x()) < 1.5, qPrintable(QString::number(first->left())));
    CairoDocument measure(CairoDocument::Kind::Pdf, kPage, {});
    figure::CairoCanvas canvas(measure.context());
    const double width = canvas.textWidth(kHeading, {kHeadingSize, false});
    QVERIFY2(std::abs(last->right() - (kHeadingAt.x() + width)) < 1.5,
             qPrintable(u"drawn to %1, measured to %2"_s.arg(last->right()).arg(kHeadingAt.x() + width)));
    QVERIFY(first->top() < kHeadingAt.y() - canvas.ascent({kHeadingSize, false}) / 2);
    QVERIFY(first->bottom() > kHeadingAt.y() - 1);
}

void TestFigureCanvas::pdfRendering() {
    const QString path = m_dir.filePath(u"render.pdf"_s);
    QVERIFY(writeFile(path, document(CairoDocument::Kind::Pdf)));
    const QString prefix = m_dir.filePath(u"render-pdf"_s);
    // 72 dpi: one pixel per point. PPM keeps the reading simple.
    RUN_OK(render, u"pdftoppm"_s, {u"-r"_s, u"72"_s, u"-singlefile"_s, path, prefix});
    QCOMPARE(QString::fromUtf8(render.err), QString());
    const auto image = readPpm(prefix + u".ppm"_s);
    QVERIFY(image);
    checkPixels(*image);
}

void TestFigureCanvas::epsRendering() {
    const QByteArray eps = document(CairoDocument::Kind::Eps);
    QVERIFY(eps.startsWith("%!PS-Adobe-3.0 EPSF-3.0"));
    QVERIFY(eps.contains("%%BoundingBox: 0 0 400 300"));
    QVERIFY(eps.contains("%%Title: KV-cache ? test ?"));  // DSC comments are ASCII
    const QString path = m_dir.filePath(u"figure.eps"_s);
    QVERIFY(writeFile(path, eps));
    // Ghostscript draws it as a LaTeX workflow would place it: at its bounding box.
    const QString ppm = m_dir.filePath(u"render-eps.ppm"_s);
    RUN_OK(gs, u"gs"_s, {u"-q"_s, u"-dSAFER"_s, u"-dBATCH"_s, u"-dNOPAUSE"_s, u"-dEPSCrop"_s, u"-sDEVICE=ppmraw"_s,
                          u"-r72"_s, u"-dTextAlphaBits=4"_s, u"-dGraphicsAlphaBits=4"_s, u"-sOutputFile="_s + ppm, path});
    QCOMPARE(QString::fromUtf8(gs.err), QString());
    const auto image = readPpm(ppm);
    QVERIFY(image);
    checkPixels(*image);
}

void TestFigureCanvas::svgDocument() {
    const QByteArray svg = document(CairoDocument::Kind::Svg);
    QXmlStreamReader xml(svg);
    QString title;
    int glyphUses = 0;
    int clipPaths = 0;
    bool rootChecked = false;
    while (!xml.atEnd()) {
        if (xml.readNext() != QXmlStreamReader::StartElement) continue;
        const auto attributes = xml.attributes();
        if (xml.name() == u"svg" && !rootChecked) {
            QCOMPARE(xml.namespaceUri(), u"http://www.w3.org/2000/svg");
            QCOMPARE(attributes.value(u"width"_s), u"400pt");
            QCOMPARE(attributes.value(u"height"_s), u"300pt");
            QCOMPARE(attributes.value(u"viewBox"_s), u"0 0 400 300");
            rootChecked = true;
        } else if (xml.name() == u"title") {
            title = xml.readElementText();
        } else if (xml.name() == u"use" &&
                   attributes.value(u"http://www.w3.org/1999/xlink"_s, u"href"_s).startsWith(u"#glyph")) {
            ++glyphUses;
        } else if (xml.name() == u"clipPath") {
            ++clipPaths;
        }
    }
    QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
    QVERIFY(rootChecked);
    QCOMPARE(title, kTitle);
    // Text is drawn as glyph outlines, so the SVG looks the same without the
    // font: one glyph for every character drawn, spaces included.
    qsizetype characters = 0;
    for (const QString &text : kTexts) characters += text.toUcs4().size();
    QCOMPARE(glyphUses, characters);
    QVERIFY(clipPaths >= 1);
}

void TestFigureCanvas::pngDocument() {
    const QByteArray png = document(CairoDocument::Kind::Png, 2.0);
    QImage image;
    QVERIFY(image.loadFromData(png, "PNG"));
    QCOMPARE(image.size(), QSize(800, 600));
    QCOMPARE(image.text(u"Title"_s), kTitle);
    QCOMPARE(image.text(u"Software"_s), u"KV Scope"_s);
    // 144 dpi: it prints at the figure's size in points.
    QCOMPARE(image.dotsPerMeterX(), qRound(144 / 0.0254));
    Pixmap pixmap{image.width(), image.height(), {}};
    for (int y = 0; y < image.height(); ++y) {
        for (int x = 0; x < image.width(); ++x) {
            const QRgb c = image.pixel(x, y);
            pixmap.data += char(qRed(c));
            pixmap.data += char(qGreen(c));
            pixmap.data += char(qBlue(c));
        }
    }
    checkPixels(pixmap, 2);
}

void TestFigureCanvas::pngTooLargeIsRefused() {
    CairoDocument file(CairoDocument::Kind::Png, QSizeF(3600, 3600), {}, 16.0);
    QVERIFY(file.error());
    QVERIFY2(file.error()->contains(u"57600"_s) && file.error()->contains(u"16384"_s), qPrintable(*file.error()));
    QByteArray bytes;
    QCOMPARE(file.finish(&bytes), file.error());
    QVERIFY(bytes.isEmpty());
}

QTEST_GUILESS_MAIN(TestFigureCanvas)
#include "tst_figurecanvas.moc"
