#include <QApplication>
#include <QDir>
#include <QFile>
#include <QImage>
#include <QProcess>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QXmlStreamReader>
#include <QtTest>
#include <sys/resource.h>

#include <csignal>

#include "CairoCanvas.h"
#include "CairoDocument.h"
#include "ChartExporter.h"
#include "ConfigImporter.h"
#include "FigureRenderer.h"
#include "ConfigModel.h"
#include "PresetLibrary.h"
#include "ContextChart.h"
#include "GroupsChart.h"
#include "kvscope/estimator.h"

using namespace Qt::StringLiterals;

namespace {

// Runs a poppler tool; a missing tool fails the test (the test command installs poppler-utils).
QString run(const QString &program, const QStringList &arguments) {
    if (QStandardPaths::findExecutable(program).isEmpty()) {
        qCritical("%s is missing: install poppler-utils", qPrintable(program));
        return u"<missing %1>"_s.arg(program);
    }
    QProcess process;
    process.start(program, arguments);
    if (!process.waitForFinished(30000) || process.exitCode() != 0) return u"<%1 failed>"_s.arg(program);
    return QString::fromUtf8(process.readAllStandardOutput());
}

QString fileText(const QString &path) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) return {};
    return QString::fromUtf8(file.readAll());
}

// Everything a reader must find in the figure: titles, axis titles, legend
// entries and tick labels.
QStringList contextTexts(const ConfigModel &model) {
    QStringList texts{u"KV-cache vs Context Length"_s,
                      u"(n_heads=24, emb_dim=2048, n_layers=48, batch=1, n_kv_groups=4, dtype=bf16)"_s,
                      u"context_length (log scale)"_s,
                      u"Total KV cache (GB)"_s,
                      u"MHA (KV total)"_s,
                      u"GQA (n_kv_groups=4)"_s,
                      ContextChart::currentName(static_cast<std::uint64_t>(model.contextLength()))};
    for (int g : model.extraGroups()) {
        if (g != model.nKvGroups()) texts.append(ContextChart::extraName(g, g));
    }
    return texts;
}

QStringList groupsTexts() {
    return {u"KV-cache Savings vs n_kv_groups"_s,
            u"(n_heads=24, emb_dim=2048, n_layers=48, batch=1, context=8192, dtype=bf16)"_s,
            u"n_kv_groups"_s,
            u"Savings vs MHA (%)"_s,
            u"Savings vs MHA"_s,
            u"current: n_kv_groups=4 (75.00%)"_s,
            u"MHA"_s,
            u"MQA"_s};
}

// Counts the characters the renderer draws, measuring as the exports do.
class CountingCanvas : public figure::Canvas {
public:
    qsizetype characters = 0;
    void drawPolyline(const QList<QPointF> &, const figure::Pen &) override {}
    void drawPolygon(const QList<QPointF> &, std::optional<figure::Rgb>, std::optional<figure::Pen>) override {}
    void drawCircle(QPointF, double, std::optional<figure::Rgb>, std::optional<figure::Pen>) override {}
    void drawText(QPointF, const QString &text, const figure::Font &, figure::Rgb, bool) override {
        characters += text.toUcs4().size();
    }
    void setClip(const QRectF &) override {}
    void clearClip() override {}
    double textWidth(const QString &text, const figure::Font &font) const override { return m_measure.textWidth(text, font); }
    double ascent(const figure::Font &font) const override { return m_measure.ascent(font); }
    double descent(const figure::Font &font) const override { return m_measure.descent(font); }

private:
    figure::CairoDocument m_document{figure::CairoDocument::Kind::Pdf, QSizeF(100, 100), {}};
    figure::CairoCanvas m_measure{m_document.context()};
};

}  // namespace

class TestChartExporter : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString path(const QString &name) const { return m_dir.filePath(name); }

    // The quality bar for any PDF: every text in full, no raster image,
    // and content across most of the page width.
    void checkPdf(const QString &file, const QStringList &texts) {
        const QString text = run(u"pdftotext"_s, {u"-layout"_s, file, u"-"_s});
        const QString raw = run(u"pdftotext"_s, {file, u"-"_s});
        QString joined = raw;
        joined.replace(QRegularExpression(u"\\s+"_s), u" "_s);
        for (const QString &t : texts) {
            QVERIFY2(joined.contains(t), qPrintable(u"missing \"%1\" in:\n%2"_s.arg(t, raw)));
        }
        QVERIFY2(!raw.contains(u"..."_s) && !raw.contains(QChar(0x2026)), qPrintable(raw));
        Q_UNUSED(text);

        // Every font embedded, all DejaVu Sans.
        const QStringList fonts = run(u"pdffonts"_s, {file}).split(u'\n', Qt::SkipEmptyParts).mid(2);
        QVERIFY(!fonts.isEmpty());
        static const QRegularExpression embedded(
            u"^[A-Z]{6}\\+DejaVuSans(-Bold)?\\s+(CID )?TrueType\\s+\\S+\\s+yes\\s+yes\\s+yes\\s"_s);
        for (const QString &line : fonts) QVERIFY2(embedded.match(line).hasMatch(), qPrintable(line));

        const QStringList images = run(u"pdfimages"_s, {u"-list"_s, file}).split(u'\n', Qt::SkipEmptyParts);
        QCOMPARE(images.size(), 2);  // the header lines only: no raster image

        // Words span most of each page: the chart fills the page width.
        const QString bbox = run(u"pdftotext"_s, {u"-bbox"_s, file, u"-"_s});
        const QRegularExpression pageRe(u"<page width=\"([0-9.]+)\""_s);
        const QRegularExpression wordRe(u"<word xMin=\"([0-9.]+)\" yMin=\"[0-9.]+\" xMax=\"([0-9.]+)\""_s);
        const auto pageMatch = pageRe.match(bbox);
        QVERIFY(pageMatch.hasMatch());
        const double pageWidth = pageMatch.captured(1).toDouble();
        double minX = pageWidth, maxX = 0;
        for (auto it = wordRe.globalMatch(bbox); it.hasNext();) {
            const auto m = it.next();
            minX = std::min(minX, m.captured(1).toDouble());
            maxX = std::max(maxX, m.captured(2).toDouble());
        }
        QVERIFY2(maxX - minX > 0.6 * pageWidth, qPrintable(u"text spans %1 of %2 pt"_s.arg(maxX - minX).arg(pageWidth)));

        // No word runs into another: each page's word boxes are disjoint.
        const QRegularExpression boxRe(
            u"<word xMin=\"([0-9.]+)\" yMin=\"([0-9.]+)\" xMax=\"([0-9.]+)\" yMax=\"([0-9.]+)\">([^<]*)</word>"_s);
        for (const QString &pageText : bbox.split(u"</page>"_s)) {
            QList<std::pair<QRectF, QString>> words;
            for (auto it = boxRe.globalMatch(pageText); it.hasNext();) {
                const auto m = it.next();
                const QRectF box(QPointF(m.captured(1).toDouble(), m.captured(2).toDouble()),
                                 QPointF(m.captured(3).toDouble(), m.captured(4).toDouble()));
                for (const auto &[other, word] : std::as_const(words)) {
                    const QRectF overlap = box.intersected(other);
                    QVERIFY2(overlap.width() < 0.5 || overlap.height() < 0.5,
                             qPrintable(u"\"%1\" runs into \"%2\" in %3"_s.arg(m.captured(5), word, file)));
                }
                words.append({box, m.captured(5)});
            }
        }

        // The drawing (not just the text) fills the page: render and measure.
        const QString prefix = file + u"-render"_s;
        run(u"pdftoppm"_s, {u"-r"_s, u"30"_s, u"-png"_s, u"-f"_s, u"1"_s, u"-l"_s, u"1"_s, u"-singlefile"_s, file, prefix});
        const QImage page(prefix + u".png"_s);
        QVERIFY(!page.isNull());
        int left = page.width(), right = -1;
        for (int y = 0; y < page.height(); ++y) {
            for (int x = 0; x < page.width(); ++x) {
                if (qGray(page.pixel(x, y)) < 200) {
                    left = std::min(left, x);
                    right = std::max(right, x);
                }
            }
        }
        QVERIFY2(right - left > 0.8 * page.width(), qPrintable(u"ink spans %1 of %2 px"_s.arg(right - left).arg(page.width())));
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void formatComesFromTheExtension() {
        QCOMPARE(ChartExporter::formatForPath(u"a/b.pdf"_s), ExportFormat::Pdf);
        QCOMPARE(ChartExporter::formatForPath(u"B.PDF"_s), ExportFormat::Pdf);
        QCOMPARE(ChartExporter::formatForPath(u"x.Svg"_s), ExportFormat::Svg);
        QCOMPARE(ChartExporter::formatForPath(u"x.png"_s), ExportFormat::Png);
        QCOMPARE(ChartExporter::formatForPath(u"x.csv"_s), ExportFormat::Csv);
        QVERIFY(!ChartExporter::formatForPath(u"x.jpg"_s));
        QVERIFY(!ChartExporter::formatForPath(u"pdf"_s));
    }

    void contextCsvHasTheSeedNumbers() {
        ConfigModel model;
        ChartExporter exporter(&model);
        const QString file = path(u"context.csv"_s);
        QCOMPARE(exporter.exportChart(ChartKind::Context, file), std::nullopt);
        const QStringList lines = fileText(file).split(u'\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.first(), u"context_length,mha_bytes,gqa_bytes"_s);
        QCOMPARE(lines.size(), 11);  // 256 .. 131072
        QCOMPARE(lines[1], u"256,101449728,25362432"_s);
        QCOMPARE(lines.last(), u"131072,51942260736,12985565184"_s);
    }

    void contextCsvHasAColumnPerExtraCurve() {
        ConfigModel model;
        model.setExtraGroups({8, 24});
        ChartExporter exporter(&model);
        const QString file = path(u"extra.CSV"_s);
        QCOMPARE(exporter.exportChart(ChartKind::Context, file), std::nullopt);
        const QStringList lines = fileText(file).split(u'\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.first(), u"context_length,mha_bytes,gqa_bytes,gqa_g8_bytes,gqa_g24_bytes"_s);
        QCOMPARE(lines.last(), u"131072,51942260736,12985565184,6492782592,2164260864"_s);
    }

    void contextCsvHasTheModelItsVariantsAndPins() {
        ConfigModel model;
        const auto gemma = ConfigImporter::fromFile(QStringLiteral(KVSCOPE_TEST_DATA_DIR "/configs/gemma-3-27b.json"));
        QVERIFY(gemma.ok());
        model.loadModel(*gemma, u"Gemma 3 27B"_s);
        model.setContextLength(131072);
        model.setDtype(u"bf16"_s);
        // A pin's column is its name.
        QVERIFY(model.pinCurrent(u"Gemma at 128K"_s));
        ChartExporter exporter(&model);
        const QString file = path(u"gemma.csv"_s);
        QCOMPARE(exporter.exportChart(ChartKind::Context, file), std::nullopt);
        const QStringList lines = fileText(file).split(u'\n', Qt::SkipEmptyParts);
        const QStringList header = lines.first().split(u',');
        QCOMPARE(header.mid(0, 3), (QStringList{u"context_length"_s, u"mha_bytes"_s, u"gqa_bytes"_s}));
        for (const QString &column : {u"model_bytes"_s, u"model_no_sliding_window_bytes"_s, u"Gemma at 128K"_s}) {
            QVERIFY2(header.contains(column), qPrintable(lines.first()));
        }
        QStringList row;
        for (const QString &line : lines) {
            if (line.startsWith(u"131072,"_s)) row = line.split(u',');
        }
        QCOMPARE(row.size(), header.size());
        // 10 full layers x 131072 tokens + 52 sliding layers x 1024 tokens,
        // each 16 K/V heads x (128 + 128) x 2 bytes.
        QCOMPARE(row[header.indexOf(u"model_bytes"_s)], u"11173625856"_s);
        QCOMPARE(row[header.indexOf(u"Gemma at 128K"_s)], u"11173625856"_s);
        // All 62 layers full: 62 x 131072 x 16 x 256 x 2.
        QCOMPARE(row[header.indexOf(u"model_no_sliding_window_bytes"_s)], u"66571993088"_s);
    }

    void groupsCsvHasEveryValidGroupCount() {
        ConfigModel model;
        ChartExporter exporter(&model);
        const QString file = path(u"groups.csv"_s);
        QCOMPARE(exporter.exportChart(ChartKind::Groups, file), std::nullopt);
        const QStringList lines = fileText(file).split(u'\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.first(), u"n_kv_groups,n_kv_heads,gqa_bytes,savings_percent"_s);
        QStringList groups;
        for (qsizetype i = 1; i < lines.size(); ++i) groups.append(lines[i].section(u',', 0, 0));
        QCOMPARE(groups, (QStringList{u"1"_s, u"2"_s, u"3"_s, u"4"_s, u"6"_s, u"8"_s, u"12"_s, u"24"_s}));
        QCOMPARE(lines[1], u"1,24,3246391296,0"_s);
        QCOMPARE(lines[4], u"4,6,811597824,75"_s);
        // Savings read back as the core's exact double.
        const double savings = lines[3].section(u',', 3, 3).toDouble();
        QCOMPARE(savings, kvscope::savingsPercent(3246391296, 1082130432));
    }

    void contextPdfMeetsTheQualityBar() {
        ConfigModel model;
        ChartExporter exporter(&model);
        const QString file = path(u"context.pdf"_s);
        QCOMPARE(exporter.exportChart(ChartKind::Context, file), std::nullopt);
        QStringList texts = contextTexts(model);
        texts << u"256"_s << u"512"_s << u"1K"_s << u"8K"_s << u"128K"_s;
        texts << u"0"_s << u"10"_s << u"20"_s << u"30"_s << u"40"_s << u"50"_s << u"60"_s;
        checkPdf(file, texts);
        const QString info = run(u"pdfinfo"_s, {file});
        QVERIFY2(info.contains(u"n_heads=24, emb_dim=2048, n_layers=48, batch=1, n_kv_groups=4, dtype=bf16"_s),
                 qPrintable(info));
    }

    void contextPdfWithExtraCurvesAndALongContext() {
        ConfigModel model;
        model.setContextLength(1000000);
        model.setExtraGroups({4, 8, 12, 24});
        ChartExporter exporter(&model);
        const QString file = path(u"context-extra.pdf"_s);
        QCOMPARE(exporter.exportChart(ChartKind::Context, file), std::nullopt);
        QStringList texts = contextTexts(model);
        texts << u"GQA (n_kv_groups=8, 8.0\u00d7 compression)"_s << u"1M"_s << u"256K"_s;
        checkPdf(file, texts);
    }

    void groupsPdfMeetsTheQualityBar() {
        ConfigModel model;
        ChartExporter exporter(&model);
        const QString file = path(u"groups.pdf"_s);
        QCOMPARE(exporter.exportChart(ChartKind::Groups, file), std::nullopt);
        QStringList texts = groupsTexts();
        texts << u"0"_s << u"20"_s << u"40"_s << u"60"_s << u"80"_s << u"100"_s << u"5"_s << u"10"_s << u"20"_s;
        checkPdf(file, texts);
        const QString info = run(u"pdfinfo"_s, {file});
        QVERIFY2(info.contains(u"n_heads=24, emb_dim=2048, n_layers=48, batch=1, context=8192, dtype=bf16"_s),
                 qPrintable(info));
    }

    void aReportWithAModelOnAGpuKeepsEveryCellApart() {
        // Long values (the engine's version) once ran over their keys.
        ConfigModel model;
        const auto library = PresetLibrary::builtin();  // with its published parameter count
        QVERIFY(library.ok());
        const auto gemma = library->load(u"Gemma 3 27B"_s);
        QVERIFY(gemma.ok());
        model.loadModel(*gemma, u"Gemma 3 27B"_s);
        model.setGpu(u"h100-80gb"_s);
        model.setBudgetEnabled(true);
        QVERIFY(model.plan().ok());
        const QString file = path(u"report-gemma.pdf"_s);
        QCOMPARE(ChartExporter(&model).exportReport(file), std::nullopt);
        checkPdf(file, {u"Deployment"_s, u"Engine"_s, u"vLLM main 5ac2684"_s, u"What fits"_s});
    }

    void reportHasBothChartsAndTheNumbers() {
        ConfigModel model;
        model.setContextLength(32768);
        ChartExporter exporter(&model);
        const QString file = path(u"report.pdf"_s);
        QCOMPARE(exporter.exportReport(file), std::nullopt);
        QStringList texts{u"KV-cache vs Context Length"_s, u"KV-cache Savings vs n_kv_groups"_s,
                          u"head_dim"_s, u"86"_s, u"MHA total KV cache"_s, u"12.99 GB"_s, u"3.25 GB"_s,
                          u"Ratio (MHA / GQA)"_s, u"4.00x"_s, u"75.00%"_s, u"MHA bytes per token"_s,
                          u"396,288"_s, u"99,072"_s, u"GQA K/V heads"_s, u"Total KV cache (GB)"_s,
                          u"Savings vs MHA (%)"_s, u"MHA (KV total)"_s, u"GQA (n_kv_groups=4)"_s};
        checkPdf(file, texts);
        QVERIFY(run(u"pdfinfo"_s, {file}).contains(QRegularExpression(u"Pages:\\s+2\\b"_s)));
        QVERIFY(exporter.exportReport(path(u"report.svg"_s)).value_or(QString()).contains(u".pdf"_s));
    }

    void svgIsXmlWithTheTitleAndEveryGlyph() {
        ConfigModel model;
        ChartExporter exporter(&model);
        const FigureExporter figures(&model);
        for (ChartKind kind : {ChartKind::Context, ChartKind::Groups}) {
            const QString file = path(kind == ChartKind::Context ? u"c.svg"_s : u"g.svg"_s);
            QCOMPARE(exporter.exportChart(kind, file), std::nullopt);
            QFile svg(file);
            QVERIFY(svg.open(QIODevice::ReadOnly));
            QXmlStreamReader xml(&svg);
            QString title;
            qsizetype glyphs = 0;
            while (!xml.atEnd()) {
                xml.readNext();
                if (xml.isStartElement() && xml.name() == u"title") title = xml.readElementText();
                else if (xml.isStartElement() && xml.name() == u"use" &&
                         xml.attributes().value(u"http://www.w3.org/1999/xlink"_s, u"href"_s).startsWith(u"#glyph"))
                    ++glyphs;
            }
            QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
            QCOMPARE(title, exporter.documentTitle(kind));
            // Text as outlines: one glyph for every character the figure
            // draws, so no label is cut or missing.
            CountingCanvas counted;
            figure::FigureRenderer::draw(figures.figure(kind), counted, QRectF(QPointF(0, 0), ExportOptions{}.chartSize()));
            QVERIFY(counted.characters > 100);
            QCOMPARE(glyphs, counted.characters);
        }
    }

    void epsIsAnEncapsulatedPostScriptFigure() {
        ConfigModel model;
        ChartExporter exporter(&model);
        const QString file = path(u"c.eps"_s);
        ExportOptions options;
        options.size = figure::FigureSize::preset(u"double").value();
        QCOMPARE(exporter.exportChart(ChartKind::Context, file, options), std::nullopt);
        QFile eps(file);
        QVERIFY(eps.open(QIODevice::ReadOnly));
        const QByteArray bytes = eps.readAll();
        QVERIFY(bytes.startsWith("%!PS-Adobe-3.0 EPSF-3.0"));
        QVERIFY(bytes.contains("%%BoundingBox: 0 0 516 258"));
        QVERIFY(bytes.contains("%%Title: KV-cache vs Context Length (n_heads=24"));
    }

    void pngIsTheChartSizeTimesTheScale() {
        ConfigModel model;
        ChartExporter exporter(&model);
        ExportOptions options;
        options.pngScale = 3.0;
        const QString file = path(u"c.png"_s);
        QCOMPARE(exporter.exportChart(ChartKind::Context, file, options), std::nullopt);
        const QImage image(file);
        QCOMPARE(image.size(), (options.chartSize() * 3.0).toSize());
        // The MHA curve is drawn in its colour.
        bool blue = false;
        for (int y = 0; y < image.height() && !blue; y += 2) {
            for (int x = 0; x < image.width() && !blue; x += 2) blue = image.pixelColor(x, y) == QColor(0x1f, 0x77, 0xb4);
        }
        QVERIFY(blue);
        QCOMPARE(QImage(file).text(u"Title"_s), exporter.documentTitle(ChartKind::Context));

        QCOMPARE(exporter.exportChart(ChartKind::Groups, path(u"g.png"_s)), std::nullopt);
        QCOMPARE(QImage(path(u"g.png"_s)).size(), (ExportOptions{}.chartSize() * 2.0).toSize());
    }

    void badExtensionNamesTheAllowedOnes() {
        ConfigModel model;
        ChartExporter exporter(&model);
        const QString file = path(u"old.jpg"_s);
        QFile existing(file);
        QVERIFY(existing.open(QIODevice::WriteOnly));
        existing.write("previous");
        existing.close();
        const auto error = exporter.exportChart(ChartKind::Context, file);
        QVERIFY(error);
        QVERIFY2(error->contains(file) && error->contains(u".pdf, .svg, .png, .eps or .csv"_s), qPrintable(*error));
        QCOMPARE(fileText(file), u"previous"_s);
    }

    void unwritablePlacesSayWhyAndNameThePath() {
        ConfigModel model;
        ChartExporter exporter(&model);
        const QString missing = path(u"no/such/folder/c.pdf"_s);
        auto error = exporter.exportChart(ChartKind::Context, missing);
        QVERIFY(error && error->contains(missing) && error->contains(u"does not exist"_s));

        QVERIFY(QDir(m_dir.path()).mkpath(u"in-the-way.pdf"_s));
        error = exporter.exportChart(ChartKind::Context, path(u"in-the-way.pdf"_s));
        QVERIFY(error && error->contains(path(u"in-the-way.pdf"_s)) && error->contains(u"folder"_s));

        // A regular file where a folder should be: fails even for root.
        const QString plain = path(u"plain"_s);
        QFile f(plain);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.close();
        error = exporter.exportReport(plain + u"/r.pdf"_s);
        QVERIFY(error && error->contains(plain));
    }

    void failedExportLeavesTheOldFile() {
        ConfigModel model;
        ChartExporter exporter(&model);
        const QString file = path(u"keep.pdf"_s);
        QCOMPARE(exporter.exportChart(ChartKind::Context, file), std::nullopt);
        const QByteArray before = [&] {
            QFile f(file);
            return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
        }();
        QVERIFY(!before.isEmpty());
        // A configuration whose totals overflow 64 bits cannot be drawn.
        model.setEmbDim(1 << 20);
        model.setNHeads(1);
        model.setNLayers(1024);
        model.setBatchSize(1 << 20);
        model.setContextLength(qint64{1} << 31);
        model.setDtype(u"fp32"_s);
        QVERIFY(!model.estimate().ok());
        const auto error = exporter.exportChart(ChartKind::Context, file);
        QVERIFY(error && error->contains(file));
        QVERIFY(exporter.exportReport(file));
        QVERIFY(!exporter.csv(ChartKind::Groups));
        QFile after(file);
        QVERIFY(after.open(QIODevice::ReadOnly));
        QCOMPARE(after.readAll(), before);
        // No temporary files left behind.
        QCOMPARE(QDir(m_dir.path()).entryList({u"keep.pdf*"_s}, QDir::Files), QStringList{u"keep.pdf"_s});
    }

    // The window's File > Export under a write that stops partway, as on a
    // full disk: this process may write no file past 128 bytes for a moment
    // (RLIMIT_FSIZE, SIGXFSZ ignored: write() fails with EFBIG). Every format
    // keeps the old file, leaves no temporary file and says why.
    void writeFailingMidwayKeepsTheOldFile() {
        ConfigModel model;
        ChartExporter exporter(&model);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QByteArray old = "the previous file\n";
        const QStringList names{u"c.pdf"_s, u"c.svg"_s, u"g.png"_s, u"c.csv"_s, u"report.pdf"_s};
        for (const QString &name : names) {
            QFile f(dir.filePath(name));
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(old);
        }
        rlimit before{};
        QCOMPARE(::getrlimit(RLIMIT_FSIZE, &before), 0);
        const auto previousHandler = std::signal(SIGXFSZ, SIG_IGN);
        const auto restore = qScopeGuard([&] {
            ::setrlimit(RLIMIT_FSIZE, &before);
            std::signal(SIGXFSZ, previousHandler);
        });
        const rlimit small{128, before.rlim_max};
        QCOMPARE(::setrlimit(RLIMIT_FSIZE, &small), 0);
        QList<std::optional<QString>> errors{
            exporter.exportChart(ChartKind::Context, dir.filePath(u"c.pdf"_s)),
            exporter.exportChart(ChartKind::Context, dir.filePath(u"c.svg"_s)),
            exporter.exportChart(ChartKind::Groups, dir.filePath(u"g.png"_s)),
            exporter.exportChart(ChartKind::Context, dir.filePath(u"c.csv"_s)),
            exporter.exportReport(dir.filePath(u"report.pdf"_s)),
        };
        ::setrlimit(RLIMIT_FSIZE, &before);
        for (qsizetype i = 0; i < names.size(); ++i) {
            QCOMPARE(errors[i], std::optional<QString>(u"Cannot write \"%1\": File too large."_s.arg(
                                    QDir::toNativeSeparators(dir.filePath(names[i])))));
            QFile f(dir.filePath(names[i]));
            QVERIFY(f.open(QIODevice::ReadOnly));
            QCOMPARE(f.readAll(), old);
        }
        QStringList sorted = names;
        sorted.sort();
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden), sorted);
    }
};

QTEST_MAIN(TestChartExporter)
#include "tst_chartexporter.moc"
