// kvscope-cli --chart/--out and --report, run as a user runs them with no
// display: every format written and read back (pdftotext, pdffonts, pdfinfo
// and pdfimages for PDF, Ghostscript for EPS, XML for SVG, the pixels for
// PNG, exact numbers for CSV), the figure options, and every failure leaving
// existing files as they were. poppler-utils and ghostscript are test
// dependencies: a missing tool fails the test.

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QImage>
#include <QLocale>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QScopeGuard>
#include <QXmlStreamReader>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <csignal>
#include <cstring>

#include "CliRun.h"

using namespace Qt::StringLiterals;

namespace {

const QStringList kSeed = {u"--emb_dim"_s, u"2048"_s, u"--n_heads"_s, u"24"_s, u"--n_layers"_s, u"48"_s,
                           u"--n_kv_groups"_s, u"4"_s, u"--context_length"_s, u"8192"_s, u"--dtype"_s, u"bf16"_s};

// What an export run sees on a headless machine: no display and no platform
// chosen, so kvscope-cli must pick offscreen itself.
QProcessEnvironment headless() {
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(u"DISPLAY"_s);
    env.remove(u"WAYLAND_DISPLAY"_s);
    env.remove(u"QT_QPA_PLATFORM"_s);
    return env;
}

QByteArray fileBytes(const QString &path) {
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

// A poppler tool's output; a missing tool is a failure with its package named.
bool popplerTool(const QString &program, const QStringList &arguments, QString *output) {
    if (QStandardPaths::findExecutable(program).isEmpty()) {
        *output = program + u" is missing: install poppler-utils"_s;
        return false;
    }
    QProcess process;
    process.start(program, arguments);
    if (!process.waitForFinished(30000) || process.exitCode() != 0) {
        *output = program + u" failed: "_s + QString::fromUtf8(process.readAllStandardError());
        return false;
    }
    *output = QString::fromUtf8(process.readAllStandardOutput());
    return true;
}

}  // namespace

class TestCliExport : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString path(const QString &name) const { return m_dir.filePath(name); }

    // Every font embedded, and every one DejaVu Sans: the one family of
    // every figure and report.
    void checkFonts(const QString &file) {
        QString fonts;
        QVERIFY2(popplerTool(u"pdffonts"_s, {file}, &fonts), qPrintable(fonts));
        const QStringList lines = fonts.split(u'\n', Qt::SkipEmptyParts).mid(2);
        QVERIFY2(!lines.isEmpty(), qPrintable(fonts));
        static const QRegularExpression embedded(
            u"^[A-Z]{6}\\+DejaVuSans(-Bold)?\\s+(CID )?TrueType\\s+\\S+\\s+yes\\s+yes\\s+yes\\s"_s);
        for (const QString &line : lines) QVERIFY2(embedded.match(line).hasMatch(), qPrintable(file + u":\n"_s + fonts));
    }

    // Every text in full (no elision), no raster image, every font embedded.
    void checkPdf(const QString &file, const QStringList &texts) {
        QString raw;
        QVERIFY2(popplerTool(u"pdftotext"_s, {file, u"-"_s}, &raw), qPrintable(raw));
        QString joined = raw;
        joined.replace(QRegularExpression(u"\\s+"_s), u" "_s);
        for (const QString &t : texts) QVERIFY2(joined.contains(t), qPrintable(u"missing \"%1\" in:\n%2"_s.arg(t, raw)));
        QVERIFY2(!raw.contains(u"..."_s) && !raw.contains(QChar(0x2026)), qPrintable(raw));
        QString images;
        QVERIFY2(popplerTool(u"pdfimages"_s, {u"-list"_s, file}, &images), qPrintable(images));
        QCOMPARE(images.split(u'\n', Qt::SkipEmptyParts).size(), 2);  // the header lines only
        checkFonts(file);
    }

private slots:
    void initTestCase() {
        QVERIFY(m_dir.isValid());
        for (const QString &tool : {u"pdftotext"_s, u"pdfimages"_s}) {
            QVERIFY2(!QStandardPaths::findExecutable(tool).isEmpty(),
                     qPrintable(tool + u" is missing: install poppler-utils"_s));
        }
    }

    void seedFiguresInOneProcess() {
        const CliRun run = CliRun::run(
            kSeed + QStringList{u"--chart"_s, u"context"_s, u"--out"_s, path(u"context.pdf"_s),
                                u"--chart"_s, u"groups"_s,  u"--out"_s, path(u"groups.pdf"_s),
                                u"--chart"_s, u"context"_s, u"--out"_s, path(u"context.svg"_s),
                                u"--chart"_s, u"context"_s, u"--out"_s, path(u"context.png"_s),
                                u"--chart"_s, u"context"_s, u"--out"_s, path(u"context.csv"_s),
                                u"--chart"_s, u"groups"_s,  u"--out"_s, path(u"groups.csv"_s),
                                u"--report"_s, path(u"report.pdf"_s)},
            headless());
        QCOMPARE(run.err, QByteArray());  // silent on success, Qt's own notes included
        QCOMPARE(run.out, QByteArray());
        QCOMPARE(run.exitCode, 0);

        const QString config = u"(n_heads=24, emb_dim=2048, n_layers=48, batch=1, n_kv_groups=4, dtype=bf16)"_s;
        checkPdf(path(u"context.pdf"_s), {u"KV-cache vs Context Length"_s, config, u"context_length (log scale)"_s,
                                          u"Total KV cache (GB)"_s, u"MHA (KV total)"_s, u"GQA (n_kv_groups=4)"_s});
        checkPdf(path(u"groups.pdf"_s),
                 {u"KV-cache Savings vs n_kv_groups"_s,
                  u"(n_heads=24, emb_dim=2048, n_layers=48, batch=1, context=8192, dtype=bf16)"_s, u"n_kv_groups"_s,
                  u"Savings vs MHA (%)"_s, u"current: n_kv_groups=4 (75.00%)"_s, u"MQA"_s});
        checkPdf(path(u"report.pdf"_s), {u"KV cache report: book shape"_s, u"KV-cache vs Context Length"_s,
                                         u"KV-cache Savings vs n_kv_groups"_s, u"MHA total KV cache"_s,
                                         u"Exact totals: MHA 3,246,391,296 bytes, GQA 811,597,824 bytes"_s});

        // SVG: well-formed XML with an <svg> root that carries the title.
        const QByteArray svg = fileBytes(path(u"context.svg"_s));
        QXmlStreamReader xml(svg);
        QString root;
        while (!xml.atEnd()) {
            if (xml.readNext() == QXmlStreamReader::StartElement && root.isEmpty()) root = xml.name().toString();
        }
        QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
        QCOMPARE(root, u"svg"_s);
        QVERIFY(svg.contains("<title>KV-cache vs Context Length (n_heads=24"));

        // PNG: 560 x 400 points at the default 2 pixels per point.
        const QImage png(path(u"context.png"_s));
        QCOMPARE(png.size(), QSize(1120, 800));

        // CSV: the seed's exact numbers (SPEC.md: 51.94 GB MHA vs 12.99 GB GQA at 131,072 tokens).
        const QList<QByteArray> context = fileBytes(path(u"context.csv"_s)).split('\n');
        QCOMPARE(context.at(0), QByteArray("context_length,mha_bytes,gqa_bytes"));
        QCOMPARE(context.at(1), QByteArray("256,101449728,25362432"));  // 256 * 86 * 24 * 2 * 2 * 48
        QVERIFY(context.contains("131072,51942260736,12985565184"));
        const QList<QByteArray> groups = fileBytes(path(u"groups.csv"_s)).trimmed().split('\n');
        QCOMPARE(groups.at(0), QByteArray("n_kv_groups,n_kv_heads,gqa_bytes,savings_percent"));
        QCOMPARE(groups.size(), 1 + 8);  // the divisors of 24
        QVERIFY(groups.contains("4,6,811597824,75"));  // 8192 * 86 * 6 * 2 * 2 * 48
    }

    void extraGroupsUnitsAndScale() {
        const CliRun run = CliRun::run(
            kSeed + QStringList{u"--extra-groups"_s, u"24,8,12,8"_s, u"--binary-units"_s, u"--png-scale"_s, u"1.5"_s,
                                u"--chart"_s, u"context"_s, u"--out"_s, path(u"extra.pdf"_s),
                                u"--chart"_s, u"context"_s, u"--out"_s, path(u"extra.csv"_s),
                                u"--chart"_s, u"context"_s, u"--out"_s, path(u"extra.png"_s)},
            headless());
        QCOMPARE(run.err, QByteArray());
        QCOMPARE(run.exitCode, 0);
        checkPdf(path(u"extra.pdf"_s), {u"Total KV cache (GiB)"_s, u"GQA (n_kv_groups=8, 8.0× compression)"_s,
                                        u"GQA (n_kv_groups=12, 12.0× compression)"_s,
                                        u"GQA (n_kv_groups=24, 24.0× compression)"_s});
        const QList<QByteArray> csv = fileBytes(path(u"extra.csv"_s)).split('\n');
        // Sorted and without the repeat; bytes stay exact whatever the unit.
        QCOMPARE(csv.at(0), QByteArray("context_length,mha_bytes,gqa_bytes,gqa_g8_bytes,gqa_g12_bytes,gqa_g24_bytes"));
        QVERIFY(csv.contains("131072,51942260736,12985565184,6492782592,4328521728,2164260864"));
        QCOMPARE(QImage(path(u"extra.png"_s)).size(), QSize(840, 600));
    }

    void modelCharts() {
        // A model of the book's shape charts as the window charts it once loaded: its own curve and what-ifs,
        // the book's MHA and GQA (here the same bytes) still in the CSV, which agrees with --json.
        const CliRun run = CliRun::run({u"--model"_s, u"Llama 3.1 8B"_s, u"--chart"_s, u"context"_s, u"--out"_s,
                                        path(u"llama.csv"_s), u"--report"_s, path(u"llama.pdf"_s)},
                                       headless());
        QCOMPARE(run.err, QByteArray());
        QCOMPARE(run.exitCode, 0);
        const QList<QByteArray> csv = fileBytes(path(u"llama.csv"_s)).split('\n');
        QCOMPARE(csv.at(0), QByteArray("context_length,mha_bytes,gqa_bytes,model_bytes,model_as_mha_bytes,"
                                       "model_as_mqa_bytes,model_with_mla_bytes,engine,engine_version"));
        QVERIFY(csv.contains("131072,68719476736,17179869184,17179869184,68719476736,2147483648,4831838208,vllm,"
                             "main 5ac2684 (2026-08-07; after v0.26.0)"));
        checkPdf(path(u"llama.pdf"_s),
                 {u"(n_heads=32, emb_dim=4096, n_layers=32, batch=1, n_kv_groups=4, context=1024, dtype=bf16)"_s,
                  u"(Llama 3.1 8B, batch=1, dtype=bf16)"_s, u"Llama 3.1 8B (real layers)"_s,
                  u"what-if: as MHA (32 K/V heads per layer)"_s});
        const CliRun json =
            CliRun::run({u"--model"_s, u"Llama 3.1 8B"_s, u"--context_length"_s, u"131072"_s, u"--json"_s});
        QCOMPARE(CliRun::rawJsonNumber(json.out, u"kv_bytes"_s), QByteArray("17179869184"));
    }

    // Models whose layers differ (sliding window, MLA, linear attention) chart as the window charts them:
    // the model's real curve and its what-if variants, every legend entry in full, vector only.
    void mixedLayerModelCharts_data() {
        QTest::addColumn<QString>("model");
        QTest::addColumn<QStringList>("legend");
        const QString mqa = u"what-if: as MQA (1 K/V head per layer)"_s;
        const QString window = u"what-if: without sliding window"_s;
        const QString mla = u"what-if: with MLA (512 + 64 latent)"_s;
        QTest::newRow("Gemma 3 27B") << u"Gemma 3 27B"_s
                                     << QStringList{u"Gemma 3 27B (real layers)"_s,
                                                    u"what-if: as MHA (32 K/V heads per layer)"_s, mqa, window, mla};
        QTest::newRow("DeepSeek-V3") << u"DeepSeek-V3"_s
                                     << QStringList{u"DeepSeek-V3 (real layers)"_s,
                                                    u"what-if: as MHA (128 K/V heads per layer)"_s, mqa};
        QTest::newRow("Qwen3-Next") << u"Qwen3-Next 80B-A3B"_s
                                    << QStringList{u"Qwen3-Next 80B-A3B (real layers)"_s,
                                                   u"what-if: as MHA (16 K/V heads per layer)"_s, mqa, mla};
        QTest::newRow("gpt-oss-20b") << u"gpt-oss-20b"_s
                                     << QStringList{u"gpt-oss-20b (real layers)"_s,
                                                    u"what-if: as MHA (64 K/V heads per layer)"_s, mqa, window, mla};
    }

    void mixedLayerModelCharts() {
        QFETCH(QString, model);
        QFETCH(QStringList, legend);
        const QString stem = path(QString(model).replace(u' ', u'_'));
        const QStringList base{u"--model"_s, model, u"--context_length"_s, u"32768"_s};
        const CliRun run = CliRun::run(
            base + QStringList{u"--chart"_s, u"context"_s, u"--out"_s, stem + u".pdf"_s, u"--chart"_s, u"groups"_s,
                               u"--out"_s, stem + u"-groups.pdf"_s, u"--chart"_s, u"context"_s, u"--out"_s,
                               stem + u".svg"_s, u"--chart"_s, u"context"_s, u"--out"_s, stem + u".csv"_s,
                               u"--report"_s, stem + u"-report.pdf"_s},
            headless());
        QCOMPARE(run.err, QByteArray());
        QCOMPARE(run.out, QByteArray());
        QCOMPARE(run.exitCode, 0);

        const QString title = u"("_s + model + u", batch=1, dtype=bf16)"_s;
        checkPdf(stem + u".pdf"_s, QStringList{u"KV-cache vs Context Length"_s, title} + legend);
        checkPdf(stem + u"-report.pdf"_s,
                 QStringList{u"KV cache report: "_s + model, u"KV-cache Savings vs n_kv_groups"_s, title} + legend);
        // The report's totals lead with the model's real cache, --json's kv_bytes; the book's numbers
        // (only its shape) follow under their own name.
        const CliRun totals = CliRun::run(base + QStringList{u"--json"_s});
        QCOMPARE(totals.exitCode, 0);
        const qulonglong kvBytes = CliRun::rawJsonNumber(totals.out, u"kv_bytes"_s).toULongLong();
        QVERIFY(kvBytes > 0);
        checkPdf(stem + u"-report.pdf"_s,
                 {u"Model total KV cache"_s, u"What-if as MQA"_s, u"Book MHA (shape only)"_s,
                  u"Exact total: model %1 bytes (its real layers)."_s.arg(QLocale(QLocale::English).toString(kvBytes)),
                  u"KV cache by context length (%1; batch 1, bf16)"_s.arg(model)});
        // The groups chart is the window's for the model: its book-style heads, the current setting marked.
        checkPdf(stem + u"-groups.pdf"_s, {u"KV-cache Savings vs n_kv_groups"_s, u"current: n_kv_groups="_s});

        const QByteArray svg = fileBytes(stem + u".svg"_s);
        QXmlStreamReader xml(svg);
        while (!xml.atEnd()) xml.readNext();
        QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
        QVERIFY(svg.contains(QByteArray("<title>KV-cache vs Context Length (" + model.toUtf8())));

        // The model's column is --json's kv_bytes at each context, its what-ifs --json's what_if at 32,768.
        const QList<QByteArray> csv = fileBytes(stem + u".csv"_s).trimmed().split('\n');
        const QList<QByteArray> header = csv.at(0).split(',');
        const qsizetype column = header.indexOf("model_bytes");
        QVERIFY2(column > 0, csv.at(0).constData());
        int checked = 0;
        for (const QByteArray &line : csv.mid(1)) {
            const QList<QByteArray> cells = line.split(',');
            QCOMPARE(cells.size(), header.size());
            const QByteArray context = cells.at(0);
            if (context != "256" && context != "4096" && context != "32768" && context != "131072") continue;
            const CliRun json = CliRun::run(
                {u"--model"_s, model, u"--context_length"_s, QString::fromLatin1(context), u"--json"_s});
            QCOMPARE(json.exitCode, 0);
            QCOMPARE(cells.at(column), CliRun::rawJsonNumber(json.out, u"kv_bytes"_s));
            ++checked;
            if (context != "32768") continue;
            const QList<std::pair<QByteArray, QString>> whatIfs{
                {"model_as_mha_bytes", u"mha"_s},
                {"model_as_mqa_bytes", u"mqa"_s},
                {"model_no_sliding_window_bytes", u"no_sliding_window"_s},
                {"model_with_mla_bytes", u"mla"_s}};
            // Only the what_if object: "mla" is also a key of layers and kv_bytes_by_kind.
            const qsizetype start = json.out.indexOf("\"what_if\": {");
            QVERIFY(start > 0);
            const QByteArray whatIf = json.out.mid(start, json.out.indexOf('}', start) - start);
            for (const auto &[name, key] : whatIfs) {
                const qsizetype at = header.indexOf(name);
                if (at < 0) continue;
                const QByteArray expected = CliRun::rawJsonNumber(whatIf, key);
                QVERIFY2(!expected.isEmpty(), name.constData());
                QCOMPARE(cells.at(at), expected);
            }
        }
        QCOMPARE(checked, 4);
    }

    void configFileCharts() {
        // A config.json charts as the window's File > Open shows it, named after the file.
        const QString config = QStringLiteral(KVSCOPE_TEST_DATA_DIR "/configs/gemma-3-27b.json");
        const CliRun run = CliRun::run({u"--config"_s, config, u"--chart"_s, u"context"_s, u"--out"_s,
                                        path(u"config.svg"_s), u"--chart"_s, u"context"_s, u"--out"_s,
                                        path(u"config.pdf"_s)},
                                       headless());
        QCOMPARE(run.err, QByteArray());
        QCOMPARE(run.exitCode, 0);
        QVERIFY(fileBytes(path(u"config.svg"_s)).contains("<title>KV-cache vs Context Length (gemma-3-27b, "));
        checkPdf(path(u"config.pdf"_s), {u"gemma-3-27b (real layers)"_s, u"what-if: without sliding window"_s});
    }

    // Every file comes from kvscope-cli alone, in one process that loads no
    // Qt GUI library (that is what makes it start fast) and needs nothing
    // installed beside it: a copy on its own writes every format.
    void everyFormatFromOneProcess() {
        QProcess ldd;
        ldd.start(u"ldd"_s, {QStringLiteral(KVSCOPE_CLI_PATH)});
        QVERIFY(ldd.waitForFinished(30000));
        const QString libraries = QString::fromLocal8Bit(ldd.readAllStandardOutput());
        QVERIFY2(libraries.contains(u"libQt6Core"_s) && libraries.contains(u"libcairo"_s), qPrintable(libraries));
        for (const QString &gui : {u"libQt6Gui"_s, u"libQt6Widgets"_s, u"libQt6Charts"_s, u"libGL"_s})
            QVERIFY2(!libraries.contains(gui), qPrintable(libraries));

        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString cli = dir.filePath(u"kvscope-cli"_s);
        QVERIFY(QFile::copy(QStringLiteral(KVSCOPE_CLI_PATH), cli));
        QProcess process;
        process.setProcessEnvironment(headless());
        QStringList arguments = kSeed;
        for (const QString &file : {u"c.pdf"_s, u"c.svg"_s, u"c.png"_s, u"c.eps"_s, u"c.csv"_s})
            arguments << u"--chart"_s << u"context"_s << u"--out"_s << dir.filePath(file);
        arguments << u"--report"_s << dir.filePath(u"r.pdf"_s);
        process.start(cli, arguments);
        QVERIFY(process.waitForFinished(60000));
        QCOMPARE(QString::fromUtf8(process.readAllStandardError()), QString());
        QCOMPARE(process.exitCode(), 0);
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files).size(), 7);  // the copy and six files
        checkPdf(dir.filePath(u"c.pdf"_s), {u"KV-cache vs Context Length"_s, u"MHA (KV total)"_s});
        checkPdf(dir.filePath(u"r.pdf"_s), {u"KV cache report: book shape"_s, u"MHA (KV total)"_s});
        QVERIFY(fileBytes(dir.filePath(u"c.eps"_s)).startsWith("%!PS-Adobe-3.0 EPSF-3.0"));
        QVERIFY(!QImage(dir.filePath(u"c.png"_s)).isNull());
    }

    // A name in Russian and Greek (from the file name) keeps its text: the
    // PDF embeds the DejaVu Sans glyphs it needs, searchable, as for any
    // other name. No CJK font is installed on a bare machine, so none is
    // tried here.
    void textBeyondLatinIsEmbedded() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString config = dir.filePath(u"Модель λ ✓.json"_s);
        QVERIFY(QFile::copy(QStringLiteral(KVSCOPE_TEST_DATA_DIR "/configs/gemma-3-27b.json"), config));
        const CliRun run = CliRun::run({u"--config"_s, config, u"--chart"_s, u"context"_s, u"--out"_s,
                                        dir.filePath(u"m.pdf"_s), u"--report"_s, dir.filePath(u"r.pdf"_s)},
                                       headless());
        QCOMPARE(run.err, QByteArray());
        QCOMPARE(run.exitCode, 0);
        checkPdf(dir.filePath(u"m.pdf"_s), {u"(Модель λ ✓, batch=1, dtype=bf16)"_s, u"Модель λ ✓ (real layers)"_s});
        checkPdf(dir.filePath(u"r.pdf"_s), {u"KV cache by context length (Модель λ ✓; batch 1, bf16)"_s});
    }

    // --figure-size with each unit and preset gives that page or image.
    void figureSize_data() {
        QTest::addColumn<QString>("size");
        QTest::addColumn<QString>("file");
        QTest::addColumn<QSizeF>("expected");  // points; pixels for a .png
        QTest::newRow("inches") << u"3.5x2.5in"_s << u"s.pdf"_s << QSizeF(252, 180);
        QTest::newRow("centimetres") << u"9x6cm"_s << u"s.pdf"_s << QSizeF(255.118, 170.079);
        QTest::newRow("millimetres") << u"180 x 100 mm"_s << u"s.pdf"_s << QSizeF(510.236, 283.465);
        QTest::newRow("points") << u"400x300pt"_s << u"s.pdf"_s << QSizeF(400, 300);
        QTest::newRow("single") << u"single"_s << u"s.pdf"_s << QSizeF(252, 189);
        QTest::newRow("double") << u"double"_s << u"s.pdf"_s << QSizeF(515.52, 257.76);
        QTest::newRow("slide") << u"slide"_s << u"s.pdf"_s << QSizeF(720, 405);
        QTest::newRow("pixels") << u"1200x800px"_s << u"s.png"_s << QSizeF(1200, 800);
        QTest::newRow("single as png") << u"single"_s << u"s.png"_s << QSizeF(504, 378);  // 2 px per point
        QTest::newRow("slide as eps") << u"slide"_s << u"s.eps"_s << QSizeF(720, 405);
    }

    void figureSize() {
        QFETCH(QString, size);
        QFETCH(QString, file);
        QFETCH(QSizeF, expected);
        QTemporaryDir dir;
        const QString out = dir.filePath(file);
        const CliRun run = CliRun::run(
            kSeed + QStringList{u"--figure-size"_s, size, u"--chart"_s, u"context"_s, u"--out"_s, out}, headless());
        QCOMPARE(run.err, QByteArray());
        QCOMPARE(run.exitCode, 0);
        if (file.endsWith(u".png"_s)) {
            QCOMPARE(QImage(out).size(), expected.toSize());
        } else if (file.endsWith(u".eps"_s)) {
            QVERIFY(fileBytes(out).contains(u"%%BoundingBox: 0 0 %1 %2"_s.arg(expected.width()).arg(expected.height()).toLatin1()));
        } else {
            QString info;
            QVERIFY2(popplerTool(u"pdfinfo"_s, {out}, &info), qPrintable(info));
            static const QRegularExpression pageSize(u"Page size:\\s+([0-9.]+) x ([0-9.]+) pts"_s);
            const auto m = pageSize.match(info);
            QVERIFY2(m.hasMatch(), qPrintable(info));
            QVERIFY2(std::abs(m.captured(1).toDouble() - expected.width()) < 0.01 &&
                         std::abs(m.captured(2).toDouble() - expected.height()) < 0.01,
                     qPrintable(info));
            checkPdf(out, {u"KV-cache vs Context Length"_s, u"MHA (KV total)"_s, u"context_length (log scale)"_s});
        }
    }

    // The report names what it is about, in its heading and its PDF title,
    // and says which figures are one GPU's share.
    void theReportNamesTheModelAndItsPerGpuFigures() {
        const QString named = path(u"named-report.pdf"_s);
        const CliRun run = CliRun::run({u"--model"_s, u"Llama 3.1 70B"_s, u"--gpu"_s, u"h100-80gb"_s,
                                        u"--tensor-parallel"_s, u"2"_s, u"--dtype"_s, u"fp8"_s, u"--report"_s, named},
                                       headless());
        QCOMPARE(run.err, QByteArray());
        QCOMPARE(run.exitCode, 0);
        QString info;
        QVERIFY2(popplerTool(u"pdfinfo"_s, {named}, &info), qPrintable(info));
        QVERIFY2(info.contains(QRegularExpression(u"^Title:\\s+KV cache report: Llama 3.1 70B\n"_s,
                                                  QRegularExpression::MultilineOption)),
                 qPrintable(info));
        checkPdf(named, {u"KV cache report: Llama 3.1 70B"_s, u"KV budget per GPU"_s, u"Weights per GPU"_s,
                         u"KV cache by context length (Llama 3.1 70B; batch 1, fp8, per GPU of 2)"_s});
        QString first;
        QVERIFY2(popplerTool(u"pdftotext"_s, {u"-l"_s, u"1"_s, named, u"-"_s}, &first), qPrintable(first));
        QVERIFY2(first.startsWith(u"KV cache report: Llama 3.1 70B\n"_s), qPrintable(first));

        // Without a model: the book's shape, by its numbers; one GPU, no per-GPU note.
        const QString book = path(u"book-report.pdf"_s);
        const CliRun bookRun =
            CliRun::run(kSeed + QStringList{u"--gpu"_s, u"h100-80gb"_s, u"--report"_s, book}, headless());
        QCOMPARE(bookRun.err, QByteArray());
        QCOMPARE(bookRun.exitCode, 0);
        QVERIFY2(popplerTool(u"pdfinfo"_s, {book}, &info), qPrintable(info));
        QVERIFY2(info.contains(QRegularExpression(
                     u"^Title:\\s+KV cache report: book shape \\(n_heads=24, emb_dim=2048, n_layers=48, batch=1, "
                     "n_kv_groups=4, context=8192, dtype=bf16\\)\n"_s,
                     QRegularExpression::MultilineOption)),
                 qPrintable(info));
        checkPdf(book, {u"KV cache report: book shape"_s, u"(n_heads=24, emb_dim=2048"_s});
        QString bookText;
        QVERIFY2(popplerTool(u"pdftotext"_s, {book, u"-"_s}, &bookText), qPrintable(bookText));
        QVERIFY2(!bookText.contains(u"per GPU of"_s), qPrintable(bookText));
    }

    void noTitleLegendNoneAndFontSize() {
        QTemporaryDir dir;
        const CliRun run = CliRun::run(
            kSeed + QStringList{u"--no-title"_s, u"--legend"_s, u"none"_s, u"--font-size"_s, u"14"_s, u"--chart"_s,
                                u"context"_s, u"--out"_s, dir.filePath(u"a.pdf"_s), u"--chart"_s, u"groups"_s,
                                u"--out"_s, dir.filePath(u"b.pdf"_s), u"--report"_s, dir.filePath(u"r.pdf"_s)},
            headless());
        QCOMPARE(run.err, QByteArray());
        QCOMPARE(run.exitCode, 0);
        checkPdf(dir.filePath(u"a.pdf"_s), {u"context_length (log scale)"_s, u"Total KV cache (GB)"_s, u"1K"_s});
        checkPdf(dir.filePath(u"b.pdf"_s), {u"n_kv_groups"_s, u"Savings vs MHA (%)"_s, u"MQA"_s});
        for (const QString &file : {u"a.pdf"_s, u"b.pdf"_s, u"r.pdf"_s}) {
            QString text;
            QVERIFY(popplerTool(u"pdftotext"_s, {dir.filePath(file), u"-"_s}, &text));
            QVERIFY2(!text.contains(u"KV-cache vs Context Length"_s) && !text.contains(u"KV-cache Savings"_s),
                     qPrintable(text));
            QVERIFY2(!text.contains(u"MHA (KV total)"_s) && !text.contains(u"current: n_kv_groups"_s), qPrintable(text));
        }
        // 14 pt axis titles: pdftotext's box around "n_kv_groups" is as tall as 14 pt type.
        QString bbox;
        QVERIFY(popplerTool(u"pdftotext"_s, {u"-bbox"_s, dir.filePath(u"b.pdf"_s), u"-"_s}, &bbox));
        static const QRegularExpression word(
            u"<word xMin=\"[0-9.]+\" yMin=\"([0-9.]+)\" xMax=\"[0-9.]+\" yMax=\"([0-9.]+)\">n_kv_groups</word>"_s);
        const auto m = word.match(bbox);
        QVERIFY2(m.hasMatch(), qPrintable(bbox));
        const double height = m.captured(2).toDouble() - m.captured(1).toDouble();
        QVERIFY2(height > 14 && height < 18, qPrintable(QString::number(height)));
    }

    void themes() {
        QTemporaryDir dir;
        const CliRun run = CliRun::run(
            kSeed + QStringList{u"--extra-groups"_s, u"8,24"_s, u"--theme"_s, u"dark"_s, u"--dpi"_s, u"72"_s,
                                u"--chart"_s, u"context"_s, u"--out"_s, dir.filePath(u"dark.png"_s)},
            headless());
        QCOMPARE(run.err, QByteArray());
        QCOMPARE(run.exitCode, 0);
        const CliRun print = CliRun::run(
            kSeed + QStringList{u"--extra-groups"_s, u"8,24"_s, u"--theme"_s, u"print"_s, u"--chart"_s, u"context"_s,
                                u"--out"_s, dir.filePath(u"print.png"_s), u"--chart"_s, u"context"_s, u"--out"_s,
                                dir.filePath(u"print.eps"_s), u"--chart"_s, u"context"_s, u"--out"_s,
                                dir.filePath(u"light.png"_s)},
            headless());
        QCOMPARE(print.exitCode, 0);
        auto meanLuminance = [](const QImage &image) {
            double sum = 0;
            for (int y = 0; y < image.height(); ++y) {
                for (int x = 0; x < image.width(); ++x) sum += qGray(image.pixel(x, y));
            }
            return sum / (255.0 * image.width() * image.height());
        };
        const QImage dark(dir.filePath(u"dark.png"_s));
        QCOMPARE(dark.size(), QSize(560, 400));  // 72 dpi: a pixel per point
        QVERIFY2(meanLuminance(dark) < 0.25, qPrintable(QString::number(meanLuminance(dark))));
        // Print: gray only, every pixel (anti-aliasing mixes grays into grays).
        const QImage gray(dir.filePath(u"print.png"_s));
        QVERIFY(!gray.isNull());
        int colored = 0;
        for (int y = 0; y < gray.height(); ++y) {
            for (int x = 0; x < gray.width(); ++x) {
                const QRgb c = gray.pixel(x, y);
                if (std::abs(qRed(c) - qGreen(c)) > 2 || std::abs(qGreen(c) - qBlue(c)) > 2) ++colored;
            }
        }
        QCOMPARE(colored, 0);
        QVERIFY(meanLuminance(gray) > 0.8);
        // Ghostscript renders the EPS as it would be placed: a gray figure on white.
        const QString rendered = dir.filePath(u"print-eps.png"_s);
        QProcess gs;
        gs.start(u"gs"_s, {u"-q"_s, u"-dSAFER"_s, u"-dBATCH"_s, u"-dNOPAUSE"_s, u"-dEPSCrop"_s, u"-sDEVICE=png16m"_s,
                          u"-r72"_s, u"-sOutputFile="_s + rendered, dir.filePath(u"print.eps"_s)});
        QVERIFY2(gs.waitForFinished(30000), "gs is missing or hung: install ghostscript");
        QCOMPARE(gs.exitCode(), 0);
        const QImage eps(rendered);
        QCOMPARE(eps.size(), QSize(560, 400));
        int ink = 0;
        for (int y = 0; y < eps.height(); ++y) {
            for (int x = 0; x < eps.width(); ++x) ink += qGray(eps.pixel(x, y)) < 128;
        }
        QVERIFY2(ink > 2000, qPrintable(QString::number(ink)));
    }

    void failuresLeaveFilesUntouched_data() {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QString>("target");    // a file that exists before the run
        QTest::addColumn<QString>("expected");  // the whole stderr line; %1 = the temporary folder
        QTest::addColumn<int>("exitCode");

        const QString dir = u"%1"_s;
        QTest::newRow("unknown extension")
            << (kSeed + QStringList{u"--chart"_s, u"context"_s, u"--out"_s, dir + u"/old.jpg"_s}) << u"old.jpg"_s
            << u"kvscope-cli: --out %1/old.jpg: unknown extension \".jpg\"; use .pdf, .svg, .png, .eps or .csv"_s << 2;
        QTest::newRow("no extension")
            << (kSeed + QStringList{u"--chart"_s, u"groups"_s, u"--out"_s, dir + u"/old"_s}) << u"old"_s
            << u"kvscope-cli: --out %1/old: the file name has no extension; use .pdf, .svg, .png, .eps or .csv"_s << 2;
        QTest::newRow("report not a PDF")
            << (kSeed + QStringList{u"--report"_s, dir + u"/old.svg"_s}) << u"old.svg"_s
            << u"kvscope-cli: --report %1/old.svg: the report is a PDF; use a file name ending in .pdf"_s << 2;
        QTest::newRow("folder missing")
            << (kSeed + QStringList{u"--chart"_s, u"context"_s, u"--out"_s, dir + u"/old.pdf"_s, u"--chart"_s,
                                    u"groups"_s, u"--out"_s, dir + u"/none/g.pdf"_s})
            << u"old.pdf"_s << u"kvscope-cli: --out %1/none/g.pdf: the folder %1/none does not exist"_s << 2;
        QTest::newRow("out is a folder")
            << (kSeed + QStringList{u"--chart"_s, u"context"_s, u"--out"_s, dir + u"/sub.pdf"_s}) << u"old.pdf"_s
            << u"kvscope-cli: --out %1/sub.pdf: is a folder"_s << 2;
        QTest::newRow("chart without out")
            << (kSeed + QStringList{u"--chart"_s, u"context"_s, u"--out"_s, dir + u"/old.pdf"_s, u"--chart"_s,
                                    u"groups"_s})
            << u"old.pdf"_s << u"kvscope-cli: --chart groups needs --out FILE (one --out per --chart)"_s << 2;
        QTest::newRow("out without chart")
            << (kSeed + QStringList{u"--out"_s, dir + u"/old.pdf"_s}) << u"old.pdf"_s
            << u"kvscope-cli: --out %1/old.pdf needs a --chart before it (context or groups)"_s << 2;
        QTest::newRow("unknown chart")
            << (kSeed + QStringList{u"--chart"_s, u"layers"_s, u"--out"_s, dir + u"/old.pdf"_s}) << u"old.pdf"_s
            << u"kvscope-cli: --chart must be context or groups (got \"layers\")"_s << 2;
        QTest::newRow("same file twice")
            << (kSeed + QStringList{u"--chart"_s, u"context"_s, u"--out"_s, dir + u"/old.pdf"_s, u"--report"_s,
                                    dir + u"/old.pdf"_s})
            << u"old.pdf"_s << u"kvscope-cli: --report %1/old.pdf: the same file is written twice"_s << 2;
        QTest::newRow("extra group not a divisor")
            << (kSeed + QStringList{u"--chart"_s, u"context"_s, u"--out"_s, dir + u"/old.pdf"_s, u"--extra-groups"_s,
                                    u"8,5"_s})
            << u"old.pdf"_s
            << u"kvscope-cli: --extra-groups: n_kv_groups 5 does not divide n_heads; with n_heads 24 each must be one "
               u"of 1, 2, 3, 4, 6, 8, 12, 24 (got \"8,5\")"_s
            << 2;
        QTest::newRow("extra groups not a number")
            << (kSeed + QStringList{u"--report"_s, dir + u"/old.pdf"_s, u"--extra_groups"_s, u"8,x"_s}) << u"old.pdf"_s
            << u"kvscope-cli: --extra-groups: \"x\" is not a group count; with n_heads 24 each must be one of 1, 2, 3, "
               u"4, 6, 8, 12, 24 (got \"8,x\")"_s
            << 2;
        QTest::newRow("extra groups without a context chart")
            << (kSeed + QStringList{u"--chart"_s, u"groups"_s, u"--out"_s, dir + u"/old.pdf"_s, u"--extra-groups"_s,
                                    u"8"_s})
            << u"old.pdf"_s << u"kvscope-cli: --extra-groups only applies to --chart context and --report"_s << 2;
        QTest::newRow("png scale without png")
            << (kSeed + QStringList{u"--chart"_s, u"groups"_s, u"--out"_s, dir + u"/old.pdf"_s, u"--png-scale"_s,
                                    u"2"_s})
            << u"old.pdf"_s << u"kvscope-cli: --png-scale only applies to a --chart written as .png"_s << 2;
        QTest::newRow("png scale out of range")
            << (kSeed + QStringList{u"--chart"_s, u"groups"_s, u"--out"_s, dir + u"/old.png"_s, u"--png-scale"_s,
                                    u"40"_s})
            << u"old.png"_s << u"kvscope-cli: --png-scale must be a number from 0.5 to 16 (got \"40\")"_s << 2;
        const QStringList chart{u"--chart"_s, u"context"_s, u"--out"_s, dir + u"/old.pdf"_s};
        const QStringList png{u"--chart"_s, u"context"_s, u"--out"_s, dir + u"/old.png"_s};
        QTest::newRow("figure size without a unit")
            << (kSeed + chart + QStringList{u"--figure-size"_s, u"3.5x2.5"_s}) << u"old.pdf"_s
            << u"kvscope-cli: --figure-size needs a unit after WxH: in, cm, mm, pt or px (got \"3.5x2.5\")"_s << 2;
        QTest::newRow("figure size unknown unit")
            << (kSeed + chart + QStringList{u"--figure-size"_s, u"3x2ft"_s}) << u"old.pdf"_s
            << u"kvscope-cli: --figure-size: unknown unit \"ft\"; use in, cm, mm, pt or px (got \"3x2ft\")"_s << 2;
        QTest::newRow("figure size not a size")
            << (kSeed + chart + QStringList{u"--figure-size"_s, u"large"_s}) << u"old.pdf"_s
            << u"kvscope-cli: --figure-size must be WxH with a unit, in, cm, mm, pt or px (as in 3.5x2.5in), or "
               u"single, double or slide (got \"large\")"_s
            << 2;
        QTest::newRow("figure size too small")
            << (kSeed + chart + QStringList{u"--figure-size"_s, u"1x1in"_s}) << u"old.pdf"_s
            << u"kvscope-cli: --figure-size: the figure must be from 1.5 to 50 in (108 to 3600 pt) on each side (got "
               u"72.0 × 72.0 pt) (got \"1x1in\")"_s
            << 2;
        QTest::newRow("figure size in px for a pdf")
            << (kSeed + chart + QStringList{u"--figure-size"_s, u"800x600px"_s}) << u"old.pdf"_s
            << u"kvscope-cli: --figure-size in px only applies to .png charts; for %1/old.pdf use in, cm, mm or pt "
               u"(got \"800x600px\")"_s
            << 2;
        QTest::newRow("png too large")
            << (kSeed + png + QStringList{u"--figure-size"_s, u"40x30in"_s, u"--dpi"_s, u"600"_s}) << u"old.png"_s
            << u"kvscope-cli: --figure-size: the PNG would be 24000 × 18000 pixels; each side must be at most 16384 "
               u"(a smaller size or dpi) (got \"40x30in\")"_s
            << 2;
        QTest::newRow("figure size for the report only")
            << (kSeed + QStringList{u"--report"_s, dir + u"/old.pdf"_s, u"--figure-size"_s, u"single"_s})
            << u"old.pdf"_s << u"kvscope-cli: --figure-size only applies to --chart (the report is A4)"_s << 2;
        QTest::newRow("font size out of range")
            << (kSeed + chart + QStringList{u"--font-size"_s, u"40"_s}) << u"old.pdf"_s
            << u"kvscope-cli: --font-size must be a number of points from 5 to 30 (got \"40\")"_s << 2;
        QTest::newRow("legend unknown")
            << (kSeed + chart + QStringList{u"--legend"_s, u"best"_s}) << u"old.pdf"_s
            << u"kvscope-cli: --legend must be auto, inside, outside or none (got \"best\")"_s << 2;
        QTest::newRow("theme unknown")
            << (kSeed + chart + QStringList{u"--theme"_s, u"solarized"_s}) << u"old.pdf"_s
            << u"kvscope-cli: --theme must be light, dark or print (got \"solarized\")"_s << 2;
        QTest::newRow("theme without export")
            << (kSeed + QStringList{u"--theme"_s, u"dark"_s}) << u"old.pdf"_s
            << u"kvscope-cli: --theme only applies to --chart and --report"_s << 2;
        QTest::newRow("dpi out of range")
            << (kSeed + png + QStringList{u"--dpi"_s, u"2000"_s}) << u"old.png"_s
            << u"kvscope-cli: --dpi must be a number from 36 to 1152 (got \"2000\")"_s << 2;
        QTest::newRow("dpi without png")
            << (kSeed + chart + QStringList{u"--dpi"_s, u"300"_s}) << u"old.pdf"_s
            << u"kvscope-cli: --dpi only applies to a --chart written as .png"_s << 2;
        QTest::newRow("dpi and png scale")
            << (kSeed + png + QStringList{u"--dpi"_s, u"300"_s, u"--png-scale"_s, u"2"_s}) << u"old.png"_s
            << u"kvscope-cli: --dpi and --png-scale both set a PNG's pixels; give one"_s << 2;
        QTest::newRow("binary units without export")
            << (kSeed + QStringList{u"--binary-units"_s}) << u"old.pdf"_s
            << u"kvscope-cli: --binary-units only applies to --chart, --report and the deployment section (--gpu, "
               u"--gpu-memory-gib, --kv-budget-bytes or --tensor-parallel)"_s
            << 2;
        QTest::newRow("json and export")
            << (kSeed + QStringList{u"--json"_s, u"--report"_s, dir + u"/old.pdf"_s}) << u"old.pdf"_s
            << u"kvscope-cli: --json cannot be combined with --chart or --report: an export writes files and prints "
               u"nothing"_s
            << 2;
        QTest::newRow("bad shape")
            << QStringList{u"--emb_dim"_s, u"2048"_s, u"--n_heads"_s, u"24"_s, u"--n_layers"_s, u"48"_s,
                           u"--n_kv_groups"_s, u"5"_s, u"--report"_s, dir + u"/old.pdf"_s}
            << u"old.pdf"_s
            << u"kvscope-cli: n_kv_groups must divide n_heads exactly. With --n_heads 24, --n_kv_groups must be one "
               u"of 1, 2, 3, 4, 6, 8, 12, 24 (got 5)"_s
            << 2;
        // A write that fails (here: a file system that takes no new files) is exit status 1.
        QTest::newRow("write fails")
            << (kSeed + QStringList{u"--chart"_s, u"context"_s, u"--out"_s, u"/proc/kvscope-test.pdf"_s})
            << u"old.pdf"_s << u"kvscope-cli: Cannot write \"/proc/kvscope-test.pdf\": No such file or directory."_s
            << 1;
    }

    void failuresLeaveFilesUntouched() {
        QFETCH(QStringList, arguments);
        QFETCH(QString, target);
        QFETCH(QString, expected);
        QFETCH(int, exitCode);

        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QVERIFY(QDir(dir.path()).mkdir(u"sub.pdf"_s));
        const QByteArray old = "the previous figure\n";
        {
            QFile file(dir.filePath(target));
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write(old);
        }
        QStringList args;
        for (const QString &a : arguments) args << QString(a).replace(u"%1"_s, dir.path());
        const CliRun run = CliRun::run(args, headless());
        QCOMPARE(run.out, QByteArray());
        QCOMPARE(run.exitCode, exitCode);
        QCOMPARE(run.err.count('\n'), 1);
        QCOMPARE(QString::fromUtf8(run.err), QString(expected).replace(u"%1"_s, dir.path()) + u'\n');
        QCOMPARE(fileBytes(dir.filePath(target)), old);
        // Nothing else was written: no temporary file left behind either.
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden), QStringList{target});
    }

    // A write that stops partway, as under `ulimit -f 2`: the child may
    // write no file past 2 KiB (RLIMIT_FSIZE) and keeps the signal's default
    // action, which would end it (SIGXFSZ, exit 153, no message); kvscope-cli
    // ignores the signal, so write() fails with EFBIG. Every export is
    // larger, so it fails midway; the old file stays as it was, no temporary
    // file is left and the user is told why.
    void writeFailingMidwayKeepsTheOldFile_data() {
        QTest::addColumn<QStringList>("arguments");  // %1 = the temporary folder
        QTest::addColumn<QString>("target");
        QTest::newRow("pdf chart") << QStringList{u"--chart"_s, u"context"_s, u"--out"_s, u"%1/out.pdf"_s}
                                   << u"out.pdf"_s;
        QTest::newRow("svg chart") << QStringList{u"--chart"_s, u"context"_s, u"--out"_s, u"%1/f.svg"_s} << u"f.svg"_s;
        QTest::newRow("png chart") << QStringList{u"--chart"_s, u"groups"_s, u"--out"_s, u"%1/g.png"_s} << u"g.png"_s;
        QTest::newRow("eps chart") << QStringList{u"--chart"_s, u"context"_s, u"--out"_s, u"%1/f.eps"_s} << u"f.eps"_s;
        QTest::newRow("report") << QStringList{u"--report"_s, u"%1/out.pdf"_s} << u"out.pdf"_s;
    }

    void writeFailingMidwayKeepsTheOldFile() {
        QFETCH(QStringList, arguments);
        QFETCH(QString, target);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString file = dir.filePath(target);
        const QByteArray old = "the previous figure\n";
        {
            QFile f(file);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(old);
        }
        QStringList args = kSeed;
        for (const QString &a : arguments) args << QString(a).replace(u"%1"_s, dir.path());
        const CliRun run = CliRun::run(args, headless(), [] {
            ::signal(SIGXFSZ, SIG_DFL);
            const rlimit limit{2048, 2048};
            ::setrlimit(RLIMIT_FSIZE, &limit);
        });
        QCOMPARE(run.out, QByteArray());
        QCOMPARE(QString::fromUtf8(run.err), u"kvscope-cli: Cannot write \"%1\": File too large.\n"_s.arg(file));
        QCOMPARE(run.exitCode, 1);
        QCOMPARE(fileBytes(file), old);
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden), QStringList{target});
    }

    // The same on a real full disk: a 64 KiB tmpfs filled to one 4 KiB page
    // short of full; every file below is larger than that. Mounting needs root with mount permission; elsewhere the test
    // says so and skips (the file size limit above covers the failure).
    void fullDiskKeepsTheOldFile() {
        if (::geteuid() != 0) QSKIP("mounting a small tmpfs needs root");
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QProcess mount;
        mount.start(u"mount"_s, {u"-t"_s, u"tmpfs"_s, u"-o"_s, u"size=64k"_s, u"kvscope-test"_s, dir.path()});
        if (!mount.waitForFinished(10000) || mount.exitStatus() != QProcess::NormalExit || mount.exitCode() != 0) {
            QSKIP(qPrintable(u"cannot mount a tmpfs here: "_s + QString::fromLocal8Bit(mount.readAllStandardError())));
        }
        const auto unmount = qScopeGuard([&dir] { QProcess::execute(u"umount"_s, {dir.path()}); });
        const QByteArray old = "the previous figure\n";
        for (const QString &name : {u"out.pdf"_s, u"f.svg"_s, u"report.pdf"_s}) {
            QFile f(dir.filePath(name));
            QVERIFY(f.open(QIODevice::WriteOnly));
            QCOMPARE(f.write(old), old.size());
        }
        {
            // Fill the disk, then free one page: the next file fails partway.
            QFile filler(dir.filePath(u"filler"_s));
            QVERIFY(filler.open(QIODevice::WriteOnly | QIODevice::Unbuffered));
            const QByteArray block(4096, 'x');
            while (filler.write(block) == block.size()) {
            }
            QVERIFY(filler.resize(std::max<qint64>(0, filler.size() - 4096)));
        }
        // Six more curves make the PDF larger than the page left free.
        const QList<QStringList> runs{{u"--extra-groups"_s, u"2,3,6,8,12,24"_s, u"--chart"_s, u"context"_s, u"--out"_s,
                                       dir.filePath(u"out.pdf"_s)},
                                      {u"--chart"_s, u"context"_s, u"--out"_s, dir.filePath(u"f.svg"_s)},
                                      {u"--report"_s, dir.filePath(u"report.pdf"_s)}};
        for (const QStringList &arguments : runs) {
            const CliRun run = CliRun::run(kSeed + arguments, headless());
            QCOMPARE(run.exitCode, 1);
            QCOMPARE(QString::fromUtf8(run.err),
                     u"kvscope-cli: Cannot write \"%1\": No space left on device.\n"_s.arg(arguments.constLast()));
        }
        for (const QString &name : {u"out.pdf"_s, u"f.svg"_s, u"report.pdf"_s}) QCOMPARE(fileBytes(dir.filePath(name)), old);
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden),
                 (QStringList{u"f.svg"_s, u"filler"_s, u"out.pdf"_s, u"report.pdf"_s}));
    }

    // A new file under the same limit: nothing is left behind.
    void fileSizeLimitLeavesNoNewFile() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString file = dir.filePath(u"new.svg"_s);
        const CliRun run =
            CliRun::run(kSeed + QStringList{u"--chart"_s, u"context"_s, u"--out"_s, file}, headless(), [] {
                ::signal(SIGXFSZ, SIG_DFL);
                const rlimit limit{2048, 2048};
                ::setrlimit(RLIMIT_FSIZE, &limit);
            });
        QCOMPARE(QString::fromUtf8(run.err), u"kvscope-cli: Cannot write \"%1\": File too large.\n"_s.arg(file));
        QCOMPARE(run.exitCode, 1);
        QCOMPARE(QDir(dir.path()).entryList(QDir::AllEntries | QDir::System | QDir::Hidden | QDir::NoDotAndDotDot),
                 QStringList{});
    }

    // A FIFO, directly or behind a symlink, is written into as a shell's
    // redirection would: the reader at its other end gets the whole file and
    // the FIFO stays a FIFO. PNG goes through kvscope-render, the rest
    // through kvscope-cli itself.
    void fifoIsWrittenIntoNotReplaced_data() {
        QTest::addColumn<QString>("name");
        QTest::addColumn<bool>("throughSymlink");
        QTest::addColumn<QByteArray>("start");  // how the file begins
        QTest::newRow("csv") << u"pipe.csv"_s << false << QByteArray("context_length,mha_bytes,gqa_bytes\n");
        QTest::newRow("svg via symlink") << u"pipe.svg"_s << true << QByteArray("<?xml");
        QTest::newRow("pdf") << u"pipe.pdf"_s << false << QByteArray("%PDF-");
        QTest::newRow("png") << u"pipe.png"_s << false << QByteArray("\x89PNG\r\n\x1a\n");
    }

    void fifoIsWrittenIntoNotReplaced() {
        QFETCH(QString, name);
        QFETCH(bool, throughSymlink);
        QFETCH(QByteArray, start);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString fifo = dir.filePath(u"fifo"_s);
        QCOMPARE(::mkfifo(QFile::encodeName(fifo).constData(), 0600), 0);
        const QString out = dir.filePath(name);
        if (throughSymlink) QVERIFY(QFile::link(fifo, out));
        else QVERIFY(QFile::rename(fifo, out));
        const QString target = throughSymlink ? fifo : out;

        // The reader end is open before kvscope-cli starts, so its open()
        // does not wait; what comes through is read while it runs.
        const int reader = ::open(QFile::encodeName(target).constData(), O_RDONLY | O_NONBLOCK);
        QVERIFY(reader >= 0);
        const auto closeReader = qScopeGuard([reader] { ::close(reader); });
        QProcess process;
        process.setProcessEnvironment(headless());
        process.start(QStringLiteral(KVSCOPE_CLI_PATH),
                      kSeed + QStringList{u"--chart"_s, u"context"_s, u"--out"_s, out});
        QByteArray received;
        QElapsedTimer timer;
        timer.start();
        for (bool finished = false; !finished && timer.elapsed() < 60000;) {
            finished = process.waitForFinished(20) || process.state() == QProcess::NotRunning;
            char buffer[65536];
            for (qint64 n; (n = ::read(reader, buffer, sizeof buffer)) > 0;) received.append(buffer, n);
        }
        QCOMPARE(process.exitStatus(), QProcess::NormalExit);
        QCOMPARE(process.readAllStandardError(), QByteArray());
        QCOMPARE(process.exitCode(), 0);
        QVERIFY2(received.startsWith(start), received.left(64).toHex().constData());
        QVERIFY(received.size() > 100);
        if (name.endsWith(u".csv"_s)) QVERIFY(received.endsWith("\n"));
        if (name.endsWith(u".pdf"_s)) QVERIFY(received.trimmed().endsWith("%%EOF"));
        struct stat st {};
        QCOMPARE(::lstat(QFile::encodeName(target).constData(), &st), 0);
        QVERIFY(S_ISFIFO(st.st_mode));
        if (throughSymlink) QCOMPARE(QFileInfo(out).symLinkTarget(), fifo);
        const QDir::Filters everything = QDir::AllEntries | QDir::System | QDir::Hidden | QDir::NoDotAndDotDot;
        QCOMPARE(QDir(dir.path()).entryList(everything).size(), throughSymlink ? 2 : 1);
    }

    // A socket cannot be opened as a file: refused (exit 1), and kept.
    void socketIsRefusedNotReplaced() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString socket = dir.filePath(u"socket.csv"_s);
        const QByteArray socketPath = QFile::encodeName(socket);
        const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
        QVERIFY(fd >= 0);
        const auto closeSocket = qScopeGuard([fd] { ::close(fd); });
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        QVERIFY(static_cast<std::size_t>(socketPath.size()) < sizeof address.sun_path);
        std::memcpy(address.sun_path, socketPath.constData(), static_cast<std::size_t>(socketPath.size()));
        QCOMPARE(::bind(fd, reinterpret_cast<const sockaddr *>(&address), sizeof address), 0);
        const CliRun run = CliRun::run(kSeed + QStringList{u"--chart"_s, u"context"_s, u"--out"_s, socket}, headless());
        QCOMPARE(run.exitCode, 1);
        QCOMPARE(run.err.count('\n'), 1);
        QVERIFY2(run.err.startsWith(QByteArray("kvscope-cli: Cannot write \"" + socketPath + "\": ")),
                 run.err.constData());
        struct stat st {};
        QCOMPARE(::lstat(socketPath.constData(), &st), 0);
        QVERIFY(S_ISSOCK(st.st_mode));
    }

    // Several outputs are one write: when any of them fails, every file
    // named keeps its old bytes and no temporary file is left, whichever
    // output fails (a file system that takes no new file, a file size limit
    // reached partway through a later file). A folder that does not exist is
    // refused before anything is written (exit 2).
    void severalOutputsAreAllOrNothing_data() {
        QTest::addColumn<QStringList>("outputs");  // %1 = the temporary folder
        QTest::addColumn<QString>("failing");
        QTest::addColumn<QString>("reason");
        QTest::addColumn<bool>("sizeLimit");
        QTest::newRow("no new file in /proc")
            << QStringList{u"--chart"_s, u"context"_s, u"--out"_s, u"%1/ok.csv"_s, u"--chart"_s, u"groups"_s,
                           u"--out"_s, u"/proc/kvscope-test.csv"_s}
            << u"/proc/kvscope-test.csv"_s << u"No such file or directory"_s << false;
        QTest::newRow("report past the file size limit")
            << QStringList{u"--chart"_s, u"context"_s, u"--out"_s, u"%1/ok.csv"_s, u"--chart"_s, u"groups"_s,
                           u"--out"_s, u"%1/g.csv"_s, u"--report"_s, u"%1/report.pdf"_s}
            << u"%1/report.pdf"_s << u"File too large"_s << true;
    }

    void severalOutputsAreAllOrNothing() {
        QFETCH(QStringList, outputs);
        QFETCH(QString, failing);
        QFETCH(QString, reason);
        QFETCH(bool, sizeLimit);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QByteArray old = "context_length,old\n1,2\n";
        const QStringList kept{u"g.csv"_s, u"ok.csv"_s, u"report.pdf"_s};
        for (const QString &name : kept) {
            QFile f(dir.filePath(name));
            QVERIFY(f.open(QIODevice::WriteOnly));
            QCOMPARE(f.write(old), old.size());
        }
        QStringList args = kSeed;
        for (const QString &a : outputs) args << QString(a).replace(u"%1"_s, dir.path());
        const std::function<void()> limit = [] {
            ::signal(SIGXFSZ, SIG_DFL);
            // Room for the CSV files, not for the report.
            const rlimit bytes{8192, 8192};
            ::setrlimit(RLIMIT_FSIZE, &bytes);
        };
        const CliRun run = CliRun::run(args, headless(), sizeLimit ? limit : std::function<void()>());
        QCOMPARE(run.exitCode, 1);
        QCOMPARE(QString::fromUtf8(run.err),
                 u"kvscope-cli: Cannot write \"%1\": %2.\n"_s.arg(QString(failing).replace(u"%1"_s, dir.path()),
                                                                 QString(reason).replace(u"%1"_s, dir.path())));
        for (const QString &name : kept) QCOMPARE(fileBytes(dir.filePath(name)), old);
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden), kept);

        // Without the failing output, the same run replaces them all.
        const qsizetype at = args.indexOf(QString(failing).replace(u"%1"_s, dir.path()));
        QVERIFY(at > 0);
        args.remove(at - (args.at(at - 1) == u"--report"_s ? 1 : 3), args.at(at - 1) == u"--report"_s ? 2 : 4);
        const CliRun good = CliRun::run(args, headless());
        QCOMPARE(good.exitCode, 0);
        QVERIFY(fileBytes(dir.filePath(u"ok.csv"_s)) != old);
    }

    void unwritableFolderKeepsTheOldFile() {
        if (::geteuid() == 0) {
            // root writes anywhere; the /proc row of the table covers a failing write.
            QVERIFY(true);
            return;
        }
        QTemporaryDir dir;
        const QString file = dir.filePath(u"chart.pdf"_s);
        {
            QFile f(file);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("old");
        }
        QVERIFY(QFile::setPermissions(dir.path(), QFileDevice::ReadOwner | QFileDevice::ExeOwner));
        const CliRun run = CliRun::run(kSeed + QStringList{u"--chart"_s, u"context"_s, u"--out"_s, file}, headless());
        QFile::setPermissions(dir.path(), QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
        QCOMPARE(run.exitCode, 1);
        QCOMPARE(run.err.count('\n'), 1);
        QVERIFY(run.err.startsWith("kvscope-cli: Cannot write \""));
        QCOMPARE(fileBytes(file), QByteArray("old"));
    }
};

QTEST_GUILESS_MAIN(TestCliExport)
#include "tst_cliexport.moc"
