#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QXmlStreamReader>
#include <QtTest>
#include <cmath>
#include <cstdlib>

#include "HelveticaMetrics.h"
#include "PdfCanvas.h"
#include "SvgCanvas.h"

using namespace Qt::StringLiterals;

namespace {

constexpr QSizeF kPage(400, 300);
const QString kTitle = u"KV-cache \u2013 test \u00D7"_s;
const QString kHeading = u"KV-cache vs Context Length"_s;
const QString kSubtitle = u"(n_heads=24, emb_dim=2048)"_s;
const QString kGqa = u"GQA (n_kv_groups=8, 8.0\u00D7 compression)"_s;
const QString kBold = u"Bold legend"_s;
const QString kVertical = u"Total KV cache (GB)"_s;
constexpr QPointF kHeadingAt(40, 30);
constexpr double kHeadingSize = 14;
constexpr QPointF kVerticalAt(20, 250);
constexpr figure::Rgb kBlue = 0x1F77B4;
constexpr figure::Rgb kGreen = 0x2CA02C;
constexpr QRectF kClip(30, 110, 200, 150);

// The same figure on every canvas: each dash, a filled polygon, a circle,
// regular, bold and vertical text, and a clip.
void drawFigure(figure::Canvas &canvas) {
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
    canvas.clearClip();
    canvas.drawCircle({320, 200}, 25, 0xFF7F0E, figure::Pen{0x000000, 1, figure::Dash::Solid});
    canvas.drawText(kVerticalAt, kVertical, {10, false}, 0x000000, true);
    canvas.drawText({40, 285}, kGqa, {10, false}, 0x000000);
}

struct Run {
    bool started = false;
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

// Runs a poppler tool. A missing tool is a failure, not a skip: these checks
// are the point of the test.
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

#define RUN_OK(var, program, ...)                                                                 \
    const Run var = run(program, __VA_ARGS__);                                                    \
    QVERIFY2(var.started, qPrintable(program + u" is missing or hung: install poppler-utils"_s)); \
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
    // Header: P6 <width> <height> <maxval>, then one whitespace byte.
    static const QRegularExpression header(uR"(^P6\s+(\d+)\s+(\d+)\s+255\s)"_s);
    const auto m = header.match(QString::fromLatin1(bytes.left(64)));
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

}  // namespace

class TestFigureCanvas : public QObject {
    Q_OBJECT

private slots:
    void winAnsi();
    void canEncode();
    void widths();
    void pdfDocument();
    void pdfRendering();
    void svgDocument();

private:
    QTemporaryDir m_dir;
    QString writePdf();
};

void TestFigureCanvas::winAnsi() {
    QCOMPARE(figure::winAnsiCode(u'A'), std::optional<std::uint8_t>(0x41));
    QCOMPARE(figure::winAnsiCode(u'\u20AC'), std::optional<std::uint8_t>(0x80));
    QCOMPARE(figure::winAnsiCode(u'\u2013'), std::optional<std::uint8_t>(0x96));
    QCOMPARE(figure::winAnsiCode(u'\u0178'), std::optional<std::uint8_t>(0x9F));
    QCOMPARE(figure::winAnsiCode(u'\u00D7'), std::optional<std::uint8_t>(0xD7));
    QVERIFY(!figure::winAnsiCode(u'\u0080').has_value());  // C1 control, not the euro
    QVERIFY(!figure::winAnsiCode(u'\t').has_value());
    QVERIFY(!figure::winAnsiCode(U'\U0001F600').has_value());
}

void TestFigureCanvas::canEncode() {
    QVERIFY(PdfCanvas::canEncode(u"KV-cache (GB) 8.0\u00D7 \u2013 \u20AC"));
    QVERIFY(!PdfCanvas::canEncode(u"\u6A21\u578B"));  // 模型
    QVERIFY(
        !PdfCanvas::canEncode(u"\u2212"
                              "1"));  // the minus sign is not in WinAnsi
}

void TestFigureCanvas::widths() {
    // From the AFM: A = 667, V = 667 (regular); A = 722, V = 667 (bold).
    QCOMPARE(figure::helveticaWidth(u"AV", false, 10), 13.34);
    QCOMPARE(figure::helveticaWidth(u"AV", true, 10), 13.89);
    QCOMPARE(figure::helveticaWidth(u"\u00D7", false, 10), 5.84);  // multiply
    QCOMPARE(figure::helveticaWidth(u"\u20AC", false, 10), 5.56);  // Euro
    // Without a WinAnsi code: written as '?' (556), and measured as such.
    QCOMPARE(figure::helveticaWidth(u"\u2212", false, 10), 5.56);
    QCOMPARE(figure::helveticaWidth(u"i", true, 10), 2.78);

    PdfCanvas pdf(kPage, kTitle);
    QCOMPARE(pdf.textWidth(u"AV"_s, {10, false}), 13.34);
    QCOMPARE(pdf.ascent({10, false}), 7.18);
    QCOMPARE(pdf.descent({10, false}), 2.07);

    SvgCanvas svg(kPage, kTitle);
    QCOMPARE(svg.textWidth(u"AV"_s, {10, true}), 13.89);
    QCOMPARE(svg.textWidth(u"\u6A21\u578B"_s, {10, false}), 20.0);  // CJK: 1 em each
    QCOMPARE(svg.textWidth(u"\u2212"_s, {10, false}), 6.0);         // other: 0.6 em
}

QString TestFigureCanvas::writePdf() {
    PdfCanvas canvas(kPage, kTitle);
    drawFigure(canvas);
    const QString path = m_dir.filePath(u"figure.pdf"_s);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(canvas.finish()) < 0) return {};
    return path;
}

void TestFigureCanvas::pdfDocument() {
    QVERIFY(m_dir.isValid());
    const QString path = writePdf();
    QVERIFY(!path.isEmpty());
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray pdf = file.readAll();
    QVERIFY(pdf.startsWith("%PDF-1.4\n"));

    // Every xref entry points at its object, byte for byte.
    const qsizetype startxref = pdf.lastIndexOf("startxref\n");
    QVERIFY(startxref > 0);
    const qsizetype xref = pdf.mid(startxref + 10).split('\n').first().toLongLong();
    QVERIFY(pdf.mid(xref).startsWith("xref\n0 "));
    const QList<QByteArray> lines = pdf.mid(xref, startxref - xref).split('\n');
    const int count = lines[1].split(' ')[1].toInt();
    QCOMPARE(count, 8);
    QCOMPARE(lines[2], QByteArray("0000000000 65535 f "));
    for (int object = 1; object < count; ++object) {
        const QByteArray entry = lines[2 + object];
        QCOMPARE(entry.size(), 19);  // 20 bytes with the '\n'
        QVERIFY(entry.endsWith(" 00000 n "));
        const qsizetype offset = entry.left(10).toLongLong();
        QVERIFY2(pdf.mid(offset).startsWith(QByteArray(QByteArray::number(object) + " 0 obj\n")), entry.constData());
    }

    RUN_OK(info, u"pdfinfo"_s, {path});
    QCOMPARE(QString::fromUtf8(info.err), QString());  // a broken xref makes poppler complain here
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
    for (const QString &expected : {kHeading, kSubtitle, kGqa, kBold, kVertical})
        QVERIFY2(extracted.contains(expected), qPrintable(expected + u" not in:\n"_s + extracted));

    RUN_OK(fonts, u"pdffonts"_s, {path});
    QCOMPARE(QString::fromUtf8(fonts.err), QString());
    const QString fontList = QString::fromUtf8(fonts.out);
    QVERIFY2(fontList.contains(QRegularExpression(u"^Helvetica\\s+Type 1"_s, QRegularExpression::MultilineOption)),
             qPrintable(fontList));
    QVERIFY2(fontList.contains(QRegularExpression(u"^Helvetica-Bold\\s+Type 1"_s, QRegularExpression::MultilineOption)),
             qPrintable(fontList));

    RUN_OK(bbox, u"pdftotext"_s, {u"-bbox"_s, path, u"-"_s});
    QCOMPARE(QString::fromUtf8(bbox.err), QString());
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
    // Horizontal text reads left to right, at the height it was drawn.
    const auto first = wordAt(u"KV-cache"_s);
    const auto second = wordAt(u"vs"_s);
    QVERIFY(first && second);
    QVERIFY(first->left() < second->left());
    QVERIFY2(std::abs(first->left() - kHeadingAt.x()) < 3, qPrintable(QString::number(first->left())));
    const double top = kHeadingAt.y() - figure::kHelveticaAscent * kHeadingSize;
    QVERIFY2(std::abs(first->top() - top) < 3, qPrintable(QString::number(first->top())));
    QVERIFY(first->bottom() > kHeadingAt.y() - 1);
}

void TestFigureCanvas::pdfRendering() {
    const QString path = writePdf();
    QVERIFY(!path.isEmpty());
    const QString prefix = m_dir.filePath(u"figure"_s);
    // 72 dpi: one pixel per point. PPM rather than PNG keeps the test QtCore-only.
    RUN_OK(render, u"pdftoppm"_s, {u"-r"_s, u"72"_s, u"-singlefile"_s, path, prefix});
    QCOMPARE(QString::fromUtf8(render.err), QString());
    const auto image = readPpm(prefix + u".ppm"_s);
    QVERIFY(image);
    QCOMPARE(image->width, 400);
    QCOMPARE(image->height, 300);

    QVERIFY(near(image->at(340, 80), kBlue));      // the filled polygon
    QVERIFY(near(image->at(100, 130), kGreen));    // the band inside the clip
    QVERIFY(near(image->at(300, 130), 0xFFFFFF));  // ... and cut off outside it
    QVERIFY(near(image->at(20, 130), 0xFFFFFF));
    QVERIFY(near(image->at(320, 200), 0xFF7F0E));       // the circle's fill
    QVERIFY(near(image->at(320, 175), 0x000000, 100));  // ... and its outline at the top
    QVERIFY(near(image->at(320, 170), 0xFFFFFF));       // round, not a bigger box

    // Upright text has its ink above the baseline; mirrored text below it.
    int above = 0;
    int below = 0;
    const int baseline = int(kHeadingAt.y());
    for (int x = 40; x < 200; ++x) {
        for (int y = baseline - 10; y < baseline; ++y) above += isDark(image->at(x, y));
        for (int y = baseline + 1; y < baseline + 11; ++y) below += isDark(image->at(x, y));
    }
    QVERIFY2(above > 200 && below < above / 5, qPrintable(u"%1 above, %2 below"_s.arg(above).arg(below)));
}

void TestFigureCanvas::svgDocument() {
    SvgCanvas canvas(kPage, kTitle);
    drawFigure(canvas);
    const QString special = u"a <&> \"b\" \u0001c"_s;  // U+0001 is not allowed in XML 1.0
    canvas.drawText({10, 10}, special, {8, false}, 0x000000);
    const QByteArray svg = canvas.finish();

    QXmlStreamReader xml(svg);
    QString title;
    QStringList texts;
    QString verticalTransform;
    QStringList clipIds;
    QStringList clipRefs;
    bool rootChecked = false;
    while (!xml.atEnd()) {
        if (xml.readNext() != QXmlStreamReader::StartElement) continue;
        const auto attributes = xml.attributes();
        if (xml.name() == u"svg") {
            QCOMPARE(xml.namespaceUri(), u"http://www.w3.org/2000/svg");
            QCOMPARE(attributes.value(u"width"_s), u"400pt");
            QCOMPARE(attributes.value(u"height"_s), u"300pt");
            QCOMPARE(attributes.value(u"viewBox"_s), u"0 0 400 300");
            rootChecked = true;
        } else if (xml.name() == u"title") {
            title = xml.readElementText();
        } else if (xml.name() == u"text") {
            const QString transform = attributes.value(u"transform"_s).toString();
            QCOMPARE(attributes.value(u"font-family"_s), u"Helvetica, Arial, sans-serif");
            const QString text = xml.readElementText();
            if (text == kVertical)
                verticalTransform = transform;
            else
                QVERIFY2(transform.isEmpty(), qPrintable(text));
            texts << text;
        } else if (xml.name() == u"clipPath") {
            clipIds << attributes.value(u"id"_s).toString();
        } else if (attributes.hasAttribute(u"clip-path"_s)) {
            clipRefs << attributes.value(u"clip-path"_s).toString();
        }
    }
    QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
    QVERIFY(rootChecked);
    QCOMPARE(title, kTitle);
    for (const QString &expected : {kHeading, kSubtitle, kGqa, kBold, kVertical})
        QVERIFY2(texts.contains(expected), qPrintable(expected));
    QVERIFY(texts.contains(u"a <&> \"b\" c"_s));
    QVERIFY2(verticalTransform.startsWith(u"rotate(-90"), qPrintable(verticalTransform));
    QCOMPARE(clipRefs.size(), 1);
    QCOMPARE(clipIds.size(), 1);
    QCOMPARE(clipRefs.first(), u"url(#"_s + clipIds.first() + u')');
    QVERIFY(svg.contains("font-weight=\"bold\""));
    QVERIFY(svg.contains("stroke-dasharray=\"7.4 3.2\""));
    QVERIFY(svg.contains("stroke-dasharray=\"12.8 3.2 2 3.2\""));
}

QTEST_GUILESS_MAIN(TestFigureCanvas)
#include "tst_figurecanvas.moc"
