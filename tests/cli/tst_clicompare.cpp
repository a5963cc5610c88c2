// kvscope-cli --compare, run as a user runs it. Every figure is worked out by
// hand from the public config.json of each model (2 bytes per bf16 element):
//   Llama 3.1 8B  32 full layers, 8 K/V heads of 128: 2 * 32 * 8 * 128 * 2 = 131,072 B per token
//   Qwen3 8B      36 full layers, 8 K/V heads of 128: 2 * 36 * 8 * 128 * 2 = 147,456 B per token
// so at 32,768 tokens x batch 1: 4,294,967,296 and 4,831,838,208 bytes.

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include "CliRun.h"

using namespace Qt::StringLiterals;

namespace {

QString config(const QString &name) { return QStringLiteral(KVSCOPE_TEST_DATA_DIR "/configs/") + name; }

QJsonObject jsonOf(const CliRun &run) { return QJsonDocument::fromJson(run.out).object(); }

const QStringList kLlamaAndQwen{u"--model"_s, u"Llama 3.1 8B"_s, u"--compare"_s, u"Qwen3 8B"_s,
                                u"--context_length"_s, u"32768"_s, u"--dtype"_s, u"bf16"_s};

}  // namespace

class TestCliCompare : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;

private slots:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void textTableListsEveryModel() {
        const CliRun run = CliRun::run(kLlamaAndQwen);
        QCOMPARE(run.exitCode, 0);
        const QString text = QString::fromUtf8(run.out);
        const qsizetype at = text.indexOf(u"\n==== Comparison ====\n"_s);
        QVERIFY2(at > 0, run.out.constData());
        const QStringList lines = text.mid(at).split(u'\n', Qt::SkipEmptyParts);
        // Heading, what is shared, the header row, one row per model.
        QVERIFY(lines.at(1).startsWith(u"Every model at 32,768 tokens x batch 1, KV dtype bf16, vLLM"_s));
        QVERIFY(lines.at(2).startsWith(u"model"_s));
        static const QRegularExpression columns(u" {2,}"_s);
        const QStringList llama = lines.at(3).split(columns);
        QCOMPARE(llama, (QStringList{u"Llama 3.1 8B"_s, u"32 full"_s, u"131,072"_s, u"4.29 GB"_s, u"—"_s, u"—"_s}));
        const QStringList qwen = lines.at(4).split(columns);
        QCOMPARE(qwen, (QStringList{u"Qwen3 8B"_s, u"36 full"_s, u"147,456"_s, u"4.83 GB"_s, u"—"_s, u"—"_s}));
        // The run's own report comes first, unchanged.
        const CliRun alone = CliRun::run(kLlamaAndQwen.mid(0, 2) + kLlamaAndQwen.mid(4));
        QCOMPARE(alone.exitCode, 0);
        QCOMPARE(run.out.left(alone.out.size()), alone.out);
        QCOMPARE(run.out.size() > alone.out.size(), true);
    }

    void jsonCompareArray() {
        const CliRun run = CliRun::run(kLlamaAndQwen + QStringList{u"--json"_s});
        QCOMPARE(run.exitCode, 0);
        const QJsonArray rows = jsonOf(run).value(u"compare"_s).toArray();
        QCOMPARE(rows.size(), 2);
        const QJsonObject llama = rows.at(0).toObject(), qwen = rows.at(1).toObject();
        QCOMPARE(llama.value(u"name"_s).toString(), u"Llama 3.1 8B"_s);
        QCOMPARE(llama.value(u"main"_s).toBool(), true);
        QCOMPARE(llama.value(u"kv_bytes"_s).toInteger(), 4'294'967'296);  // 32768 * 131,072
        QCOMPARE(llama.value(u"kv_bytes_per_token"_s).toInteger(), 131'072);
        QCOMPARE(llama.value(u"kv_bytes"_s).toInteger(), jsonOf(run).value(u"kv_bytes"_s).toInteger());
        QCOMPARE(qwen.value(u"name"_s).toString(), u"Qwen3 8B"_s);
        QCOMPARE(qwen.value(u"main"_s).toBool(), false);
        QCOMPARE(qwen.value(u"layers"_s).toString(), u"36 full"_s);
        QCOMPARE(qwen.value(u"dtype"_s).toString(), u"bf16"_s);
        QCOMPARE(qwen.value(u"engine"_s).toString(), u"vllm"_s);
        QCOMPARE(qwen.value(u"kv_bytes"_s).toInteger(), 4'831'838'208);  // 32768 * 147,456
        QCOMPARE(qwen.value(u"kv_bytes_per_token"_s).toInteger(), 147'456);
        // No GPU, no budget: nothing to fit.
        QVERIFY(qwen.value(u"max_context_length"_s).isNull());
        QVERIFY(qwen.value(u"max_batch_size"_s).isNull());
        QVERIFY(qwen.value(u"kv_bytes_per_gpu"_s).isNull());
        QVERIFY(qwen.value(u"plan_error"_s).isNull());
        // Without --compare there is no such key.
        const CliRun alone = CliRun::run(kLlamaAndQwen.mid(0, 2) + kLlamaAndQwen.mid(4) + QStringList{u"--json"_s});
        QVERIFY(!jsonOf(alone).contains(u"compare"_s));
    }

    // A KV budget of 1 GiB per GPU at 1,024 tokens: Llama's 16-token block is
    // 16 * 131,072 = 2 MiB, 512 blocks, 511 to hand out after vLLM's null
    // block: 8,176 tokens, floor(511 / 64) = 7 sequences of 1,024. Qwen3's
    // block is 16 * 147,456 = 2,359,296 bytes: 455 blocks, 454 to hand out:
    // 7,264 tokens, floor(454 / 64) = 7.
    void largestContextAndBatchOnABudget() {
        const CliRun run = CliRun::run({u"--model"_s, u"llama-3.1-8b"_s, u"--compare"_s, u"qwen3-8b"_s,
                                        u"--dtype"_s, u"BF16"_s, u"--kv-budget-bytes"_s, u"1073741824"_s,
                                        u"--json"_s});
        QCOMPARE(run.exitCode, 0);
        const QJsonObject json = jsonOf(run);
        const QJsonArray rows = json.value(u"compare"_s).toArray();
        QCOMPARE(rows.size(), 2);
        QCOMPARE(rows.at(0).toObject().value(u"max_context_length"_s).toInteger(), 511 * 16);
        QCOMPARE(rows.at(0).toObject().value(u"max_batch_size"_s).toInteger(), 7);
        // The main row is the plan's own.
        QCOMPARE(rows.at(0).toObject().value(u"max_context_length"_s).toInteger(),
                 json.value(u"max_context_length"_s).toInteger());
        QCOMPARE(rows.at(1).toObject().value(u"max_context_length"_s).toInteger(), 454 * 16);
        QCOMPARE(rows.at(1).toObject().value(u"max_batch_size"_s).toInteger(), 7);

        const CliRun text = CliRun::run({u"--model"_s, u"llama-3.1-8b"_s, u"--compare"_s, u"qwen3-8b"_s,
                                         u"--dtype"_s, u"bf16"_s, u"--kv-budget-bytes"_s, u"1073741824"_s});
        QCOMPARE(text.exitCode, 0);
        QVERIFY2(QString::fromUtf8(text.out).contains(QRegularExpression(u"\nQwen3 8B +36 full +147,456 +\\S+ [GM]B +7,264 +7\n"_s)),
                 text.out.constData());
    }

    // The book's shape flags as the main model: Llama 3.1 8B's shape (32
    // heads, 4 per K/V group, 128 per head) in fp16 at the default 1,024
    // tokens: 2 * 32 * 8 * 128 * 1024 * 2 = 134,217,728 bytes, as its GQA total.
    void bookShapeBesideAModel() {
        const CliRun run = CliRun::run({u"--emb_dim"_s, u"4096"_s, u"--n_heads"_s, u"32"_s, u"--n_layers"_s,
                                        u"32"_s, u"--n_kv_groups"_s, u"4"_s, u"--compare"_s, u"Llama 3.1 8B"_s,
                                        u"--json"_s});
        QCOMPARE(run.exitCode, 0);
        const QJsonObject json = jsonOf(run);
        const QJsonArray rows = json.value(u"compare"_s).toArray();
        QCOMPARE(rows.size(), 2);
        QCOMPARE(rows.at(0).toObject().value(u"name"_s).toString(), u"book shape"_s);
        QCOMPARE(rows.at(0).toObject().value(u"kv_bytes"_s).toInteger(), 134'217'728);
        QCOMPARE(rows.at(0).toObject().value(u"kv_bytes"_s).toInteger(), json.value(u"gqa_bytes"_s).toInteger());
        QCOMPARE(rows.at(1).toObject().value(u"kv_bytes"_s).toInteger(), 134'217'728);
        QCOMPARE(rows.at(1).toObject().value(u"dtype"_s).toString(), u"fp16"_s);
    }

    // A config file, named as the window names it: Gemma 3 27B at 32,768
    // tokens holds (52 * 1024 + 10 * 32768) tokens' layers of 16 K/V heads of
    // 128 + 128, 2 bytes each: 3,120,562,176 bytes.
    void configFileAndAnyDtypeCase() {
        const CliRun run = CliRun::run({u"--model"_s, u"Llama 3.1 8B"_s, u"--compare"_s, config(u"gemma-3-27b.json"_s),
                                        u"--context_length"_s, u"32768"_s, u"--dtype"_s, u"Bf16"_s, u"--json"_s});
        QCOMPARE(run.exitCode, 0);
        const QJsonObject gemma = jsonOf(run).value(u"compare"_s).toArray().at(1).toObject();
        QCOMPARE(gemma.value(u"name"_s).toString(), u"gemma-3-27b"_s);
        QCOMPARE(gemma.value(u"layers"_s).toString(), u"10 full + 52 sliding"_s);
        QCOMPARE(gemma.value(u"kv_bytes"_s).toInteger(), 3'120'562'176);
        QCOMPARE(jsonOf(run).value(u"dtype"_s).toString(), u"bf16"_s);
        // The book's report is the same whatever the case.
        const QStringList book{u"--emb_dim"_s, u"4096"_s, u"--n_heads"_s, u"32"_s, u"--n_layers"_s, u"32"_s,
                               u"--n_kv_groups"_s, u"4"_s, u"--dtype"_s};
        const CliRun upper = CliRun::run(book + QStringList{u"BF16"_s}), lower = CliRun::run(book + QStringList{u"bf16"_s});
        QCOMPARE(upper.exitCode, 0);
        QCOMPARE(upper.out, lower.out);
        const CliRun fp8 = CliRun::run({u"--model"_s, u"Llama 3.1 8B"_s, u"--dtype"_s, u"Fp8"_s, u"--json"_s});
        QCOMPARE(fp8.exitCode, 0);
        QCOMPARE(jsonOf(fp8).value(u"dtype"_s).toString(), u"fp8"_s);
    }

    void refusals_data() {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QStringList>("named");
        QStringList seven{u"--model"_s, u"Llama 3.1 8B"_s};
        for (const QString &name : {u"Qwen3 8B"_s, u"Qwen3 4B"_s, u"Gemma 3 27B"_s, u"Llama 3 8B"_s, u"Mistral 7B v0.1"_s,
                                    u"Falcon 7B"_s, u"GPT-2"_s})
            seven << u"--compare"_s << name;
        QTest::newRow("a seventh") << seven << QStringList{u"--compare"_s, u"7 times"_s, u"at most 6"_s};
        QTest::newRow("unknown name") << QStringList{u"--model"_s, u"Llama 3.1 8B"_s, u"--compare"_s, u"Lama 9B"_s}
                                      << QStringList{u"--compare"_s, u"Lama 9B"_s};
        QTest::newRow("missing file")
            << QStringList{u"--model"_s, u"Llama 3.1 8B"_s, u"--compare"_s, u"/nonexistent/model.json"_s}
            << QStringList{u"--compare"_s, u"/nonexistent/model.json"_s};
        QTest::newRow("twice") << QStringList{u"--model"_s, u"Llama 3.1 8B"_s, u"--compare"_s, u"Qwen3 8B"_s,
                                              u"--compare"_s, u"qwen3-8b"_s}
                               << QStringList{u"--compare"_s, u"Qwen3 8B"_s, u"twice"_s};
        QTest::newRow("bad dtype") << QStringList{u"--model"_s, u"Llama 3.1 8B"_s, u"--dtype"_s, u"BF17"_s}
                                   << QStringList{u"--dtype"_s, u"BF17"_s};
    }

    void refusals() {
        QFETCH(QStringList, arguments);
        QFETCH(QStringList, named);
        const CliRun run = CliRun::run(arguments);
        QCOMPARE(run.exitCode, 2);
        QVERIFY(run.out.isEmpty());
        for (const QString &word : named) QVERIFY2(QString::fromUtf8(run.err).contains(word), run.err.constData());
    }

    // The context chart's CSV has a column named by each compared model,
    // beside the main model's: at 32,768 tokens, the figures above.
    void csvColumnsNamedByModel() {
        const QString file = m_dir.filePath(u"compare.csv"_s);
        const CliRun run = CliRun::run(kLlamaAndQwen + QStringList{u"--chart"_s, u"context"_s, u"--out"_s, file});
        QCOMPARE(run.exitCode, 0);
        QFile csv(file);
        QVERIFY(csv.open(QIODevice::ReadOnly));
        const QStringList lines = QString::fromUtf8(csv.readAll()).split(u'\n', Qt::SkipEmptyParts);
        const QStringList header = lines.first().split(u',');
        const qsizetype model = header.indexOf(u"model_bytes"_s), qwen = header.indexOf(u"Qwen3 8B"_s);
        QVERIFY2(model > 0 && qwen > 0, qPrintable(lines.first()));
        bool seen = false;
        for (const QString &line : lines) {
            if (!line.startsWith(u"32768,"_s)) continue;
            const QStringList row = line.split(u',');
            QCOMPARE(row.at(model), u"4294967296"_s);
            QCOMPARE(row.at(qwen), u"4831838208"_s);
            seen = true;
        }
        QVERIFY(seen);
    }

    // The report's comparison page, read back with pdftotext.
    void reportHasAComparisonPage() {
        const QString file = m_dir.filePath(u"compare.pdf"_s);
        const CliRun run = CliRun::run(kLlamaAndQwen + QStringList{u"--gpu"_s, u"h100-80gb"_s, u"--report"_s, file});
        QCOMPARE(run.exitCode, 0);
        QProcess pdftotext;
        pdftotext.start(u"pdftotext"_s, {u"-layout"_s, file, u"-"_s});
        QVERIFY(pdftotext.waitForFinished(30000));
        const QString text = QString::fromUtf8(pdftotext.readAllStandardOutput());
        const qsizetype page = text.indexOf(u"Comparison"_s);
        QVERIFY2(page >= 0, qPrintable(text));
        const QString comparison = text.mid(page);
        QVERIFY2(comparison.contains(u"each model with its own weights"_s), qPrintable(comparison));
        QVERIFY2(comparison.contains(QRegularExpression(u"Llama 3.1 8B +32 full +bf16 +vLLM +131,072 +4.29 GB"_s)),
                 qPrintable(comparison));
        QVERIFY2(comparison.contains(QRegularExpression(u"Qwen3 8B +36 full +bf16 +vLLM +147,456 +4.83 GB"_s)),
                 qPrintable(comparison));
        // The main row's largest context is the plan's: the same as --json's.
        const CliRun json = CliRun::run(kLlamaAndQwen + QStringList{u"--gpu"_s, u"h100-80gb"_s, u"--json"_s});
        const QJsonArray rows = jsonOf(json).value(u"compare"_s).toArray();
        for (const QJsonValue &row : rows) {
            const QString largest = QLocale(QLocale::English).toString(row.toObject().value(u"max_context_length"_s).toInteger());
            QVERIFY2(comparison.contains(largest), qPrintable(largest));
        }
    }
};

QTEST_MAIN(TestCliCompare)
#include "tst_clicompare.moc"
