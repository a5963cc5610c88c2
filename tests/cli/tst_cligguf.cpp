// kvscope-cli with GGUF files and Ollama's store, run as a user runs it.
// The files are written here (GgufFixture: header only, the data a hole), with
// each tensor's bytes worked out by hand:
//   Q4_K: 256 weights in 144 bytes; Q6_K: 256 in 210; F32: 4 bytes a weight.
// The model is Llama 3.1 8B's shapes in `layers` layers: per layer q and o
// 4096 x 4096 in Q4_K (9,437,184 B each), k 4096 x 1024 in Q4_K (2,359,296 B),
// v 4096 x 1024 in Q6_K (3,440,640 B), two F32 norms (16,384 B each): 24,707,072 B.
// KV: 8 K/V heads of 4096 / 32 = 128, K and V, bf16: 4,096 B per token per layer.

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcessEnvironment>
#include <QTemporaryDir>
#include <QTest>

#include "CliRun.h"
#include "GgufFixture.h"

using namespace Qt::StringLiterals;

namespace {

QJsonObject jsonOf(const CliRun &run) { return QJsonDocument::fromJson(run.out).object(); }

GgufFixture llama(std::uint32_t layers) {
    GgufFixture g;
    g.string("general.architecture", "llama")
        .u32("general.file_type", 15)
        .u32("llama.block_count", layers)
        .u32("llama.context_length", 131072)
        .u32("llama.embedding_length", 4096)
        .u32("llama.attention.head_count", 32)
        .u32("llama.attention.head_count_kv", 8);
    for (std::uint32_t i = 0; i < layers; ++i) {
        const std::string b = "blk." + std::to_string(i) + ".";
        g.tensor(b + "attn_norm.weight", {4096}, 0, 4096 * 4)
            .tensor(b + "attn_q.weight", {4096, 4096}, 12, 4096ULL * 4096 / 256 * 144)
            .tensor(b + "attn_k.weight", {4096, 1024}, 12, 4096ULL * 1024 / 256 * 144)
            .tensor(b + "attn_v.weight", {4096, 1024}, 14, 4096ULL * 1024 / 256 * 210)
            .tensor(b + "attn_output.weight", {4096, 4096}, 12, 4096ULL * 4096 / 256 * 144)
            .tensor(b + "ffn_norm.weight", {4096}, 0, 4096 * 4);
    }
    return g;
}

// The provenance entry of `field` in a --json run.
QJsonObject provenance(const CliRun &run, const QString &field) {
    for (const QJsonValue &v : jsonOf(run).value(u"provenance"_s).toArray()) {
        if (v.toObject().value(u"field"_s).toString() == field) return v.toObject();
    }
    return {};
}

}  // namespace

class TestCliGguf : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_model;

    // One line on stderr naming `parts`, nothing on stdout, exit 2.
    static void refused(const CliRun &run, const QStringList &parts) {
        QCOMPARE(run.exitCode, 2);
        QVERIFY(run.out.isEmpty());
        QCOMPARE(run.err.count('\n'), 1);
        for (const QString &part : parts) QVERIFY2(run.err.contains(part.toUtf8()), run.err.constData());
    }

private slots:
    void initTestCase() {
        QVERIFY(m_dir.isValid());
        m_model = m_dir.filePath(u"llama-4-layers.gguf"_s);
        QVERIFY(llama(4).write(m_model));
    }

    void configReadsTheGgufHeader() {
        const CliRun run = CliRun::run({u"--config"_s, m_model, u"--context_length"_s, u"8192"_s, u"--json"_s});
        QCOMPARE(run.exitCode, 0);
        const QJsonObject json = jsonOf(run);
        QCOMPARE(json.value(u"model_source"_s).toString(), u"gguf"_s);
        QCOMPARE(json.value(u"model_type"_s).toString(), u"llama"_s);
        QCOMPARE(json.value(u"kv_bytes_per_token"_s).toInteger(), 4 * 4096);
        QCOMPARE(json.value(u"kv_bytes"_s).toInteger(), 8192LL * 4 * 4096);
        QCOMPARE(provenance(run, u"n_kv_heads"_s).value(u"source"_s).toString(), u"gguf llama.attention.head_count_kv"_s);
        // 4 layers * 24,707,072 B; 4 * (2 * 16,777,216 + 2 * 4,194,304 + 2 * 4,096) weights.
        QCOMPARE(provenance(run, u"weights_bytes"_s).value(u"value"_s).toString(), u"98,828,288"_s);
        QCOMPARE(provenance(run, u"parameters"_s).value(u"value"_s).toString(), u"167,804,928"_s);

        const CliRun text = CliRun::run({u"--config"_s, m_model});
        QCOMPARE(text.exitCode, 0);
        QVERIFY(text.out.contains("source           : GGUF file"));
        QVERIFY(text.out.contains("Q4_K_M (Q4_K 12 tensors, F32 8, Q6_K 4)"));
    }

    void aPlanUsesTheWeightsAsStored() {
        // An H100 (80 GiB = 85,899,345,920 B) at vLLM's 0.92: 79,027,398,246 B usable
        // (rounded down); the weights are the file's 98,828,288 B, not a count in bf16.
        const CliRun run = CliRun::run({u"--config"_s, m_model, u"--gpu"_s, u"h100-80gb"_s, u"--json"_s});
        QCOMPARE(run.exitCode, 0);
        const QJsonObject json = jsonOf(run);
        QCOMPARE(json.value(u"weights_bytes"_s).toInteger(), 98828288LL);
        QCOMPARE(json.value(u"weights_source"_s).toString(), u"stored"_s);
        QCOMPARE(json.value(u"weights_format"_s).toString(), u"Q4_K_M (Q4_K 12 tensors, F32 8, Q6_K 4)"_s);
        QCOMPARE(json.value(u"parameters"_s).toInteger(), 167804928LL);
        QCOMPARE(json.value(u"usable_bytes_per_gpu"_s).toInteger(), 79027398246LL);
        QCOMPARE(json.value(u"kv_budget_bytes"_s).toInteger(),
                 79027398246LL - 98828288LL - json.value(u"overhead_bytes"_s).toInteger());
        const CliRun text = CliRun::run({u"--config"_s, m_model, u"--gpu"_s, u"h100-80gb"_s});
        QVERIFY2(text.out.contains("98.83 MB as stored: Q4_K_M (Q4_K 12 tensors, F32 8, Q6_K 4); 167,804,928 parameters"),
                 text.out.constData());

        // A format of the user's own: the file's count in it, 167,804,928 x 2 B in bf16.
        const CliRun bf16 = CliRun::run(
            {u"--config"_s, m_model, u"--gpu"_s, u"h100-80gb"_s, u"--weights-dtype"_s, u"bf16"_s, u"--json"_s});
        QCOMPARE(bf16.exitCode, 0);
        QCOMPARE(jsonOf(bf16).value(u"weights_bytes"_s).toInteger(), 335609856LL);
        QCOMPARE(jsonOf(bf16).value(u"weights_source"_s).toString(), u"parameters"_s);
        QVERIFY(jsonOf(bf16).value(u"weights_format"_s).isNull());
        // A count of the user's own: 8B in bf16.
        const CliRun counted = CliRun::run(
            {u"--config"_s, m_model, u"--gpu"_s, u"h100-80gb"_s, u"--parameters"_s, u"8B"_s, u"--json"_s});
        QCOMPARE(counted.exitCode, 0);
        QCOMPARE(jsonOf(counted).value(u"weights_bytes"_s).toInteger(), 16000000000LL);
    }

    void eachComparedModelBringsItsOwnWeights() {
        // The GGUF's stored bytes are its own: Llama 3.1 8B compared beside it is
        // planned with its own 16,060,522,496 B of bf16 weights, exactly as on its own.
        const CliRun run = CliRun::run({u"--config"_s, m_model, u"--compare"_s, u"Llama 3.1 8B"_s, u"--gpu"_s,
                                        u"h100-80gb"_s, u"--json"_s});
        QCOMPARE(run.exitCode, 0);
        const CliRun alone = CliRun::run({u"--model"_s, u"Llama 3.1 8B"_s, u"--gpu"_s, u"h100-80gb"_s, u"--json"_s});
        QCOMPARE(alone.exitCode, 0);
        QJsonObject llama;
        for (const QJsonValue &v : jsonOf(run).value(u"compare"_s).toArray()) {
            if (v.toObject().value(u"name"_s).toString() == u"Llama 3.1 8B"_s) llama = v.toObject();
        }
        QVERIFY(!llama.isEmpty());
        QCOMPARE(llama.value(u"max_context_length"_s).toInteger(), jsonOf(alone).value(u"max_context_length"_s).toInteger());
        QCOMPARE(llama.value(u"max_batch_size"_s).toInteger(), jsonOf(alone).value(u"max_batch_size"_s).toInteger());

        // And charts drawn with the GGUF on a GPU agree with the plan (the same stored weights).
        const QString chart = m_dir.filePath(u"gguf-context.svg"_s);
        const CliRun drawn = CliRun::run({u"--config"_s, m_model, u"--gpu"_s, u"h100-80gb"_s, u"--chart"_s,
                                          u"context"_s, u"--out"_s, chart});
        QVERIFY2(drawn.exitCode == 0, drawn.err.constData());
        QVERIFY(QFileInfo(chart).size() > 0);
    }

    void aFileWithoutTensorsGivesNoWeights() {
        // A vocabulary-only GGUF: its weights are unknown, not zero; a GPU budget then asks for a count.
        GgufFixture empty;
        empty.string("general.architecture", "llama")
            .u32("llama.block_count", 2)
            .u32("llama.context_length", 8192)
            .u32("llama.embedding_length", 4096)
            .u32("llama.attention.head_count", 32)
            .u32("llama.attention.head_count_kv", 8);
        const QString path = m_dir.filePath(u"no-tensors.gguf"_s);
        QVERIFY(empty.write(path));
        const CliRun run = CliRun::run({u"--config"_s, path, u"--gpu"_s, u"h100-80gb"_s});
        refused(run, {u"--parameters"_s});
    }

    void badFilesExitTwoWithOneLine() {
        const QByteArray header = llama(1).header();
        struct Case { const char *name; QByteArray bytes; const char *problem; };
        const Case cases[] = {
            {"truncated.gguf", header.left(200), "past the end of the file"},
            {"magic.gguf", "{\"model_type\": \"llama\"}", "not a GGUF file"},
            {"data-missing.gguf", header, "runs past the end of the file"},
        };
        for (const Case &c : cases) {
            const QString path = m_dir.filePath(QString::fromLatin1(c.name));
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(c.bytes);
            f.close();
            refused(CliRun::run({u"--config"_s, path}), {u"--config"_s, path, QString::fromLatin1(c.problem)});
            refused(CliRun::run({u"--model"_s, u"Llama 3.1 8B"_s, u"--compare"_s, path}),
                    {u"--compare"_s, path, QString::fromLatin1(c.problem)});
        }
    }

    void compareTakesAGgufFile() {
        const CliRun run = CliRun::run({u"--model"_s, u"Llama 3.1 8B"_s, u"--compare"_s, m_model, u"--context_length"_s,
                                        u"32768"_s, u"--json"_s});
        QCOMPARE(run.exitCode, 0);
        const QJsonObject row = jsonOf(run).value(u"compare"_s).toArray().at(1).toObject();
        QCOMPARE(row.value(u"name"_s).toString(), u"llama-4-layers"_s);
        QCOMPARE(row.value(u"layers"_s).toString(), u"4 full"_s);
        QCOMPARE(row.value(u"kv_bytes"_s).toInteger(), 32768LL * 4 * 4096);
    }

    void ollamaTagsFromTheStore() {
        QTemporaryDir store;
        const QString hex(64, u'c');
        QVERIFY(QDir().mkpath(store.filePath(u"manifests/registry.ollama.ai/library/tiny"_s)));
        QVERIFY(QDir().mkpath(store.filePath(u"blobs"_s)));
        QFile manifest(store.filePath(u"manifests/registry.ollama.ai/library/tiny/q4"_s));
        QVERIFY(manifest.open(QIODevice::WriteOnly));
        manifest.write("{\"layers\":[{\"mediaType\":\"application/vnd.ollama.image.model\",\"digest\":\"sha256:" +
                       hex.toLatin1() + "\"}]}");
        manifest.close();
        QVERIFY(llama(4).write(store.filePath(u"blobs/sha256-"_s + hex)));

        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(u"OLLAMA_MODELS"_s, store.path());
        const CliRun run = CliRun::run({u"--model"_s, u"ollama:tiny:q4"_s, u"--json"_s}, env);
        QCOMPARE(run.exitCode, 0);
        QCOMPARE(jsonOf(run).value(u"model_source"_s).toString(), u"ollama"_s);
        QCOMPARE(jsonOf(run).value(u"model"_s).toString(), u"ollama:tiny:q4"_s);
        QCOMPARE(jsonOf(run).value(u"kv_bytes_per_token"_s).toInteger(), 4 * 4096);

        const CliRun compared = CliRun::run({u"--model"_s, u"Llama 3.1 8B"_s, u"--compare"_s, u"ollama:tiny:q4"_s,
                                             u"--json"_s}, env);
        QCOMPARE(compared.exitCode, 0);
        QCOMPARE(jsonOf(compared).value(u"compare"_s).toArray().at(1).toObject().value(u"name"_s).toString(),
                 u"ollama:tiny:q4"_s);

        refused(CliRun::run({u"--model"_s, u"ollama:tiny"_s}, env), {u"--model ollama:tiny:latest"_s, u"no such tag"_s});
        QFile::remove(store.filePath(u"blobs/sha256-"_s + hex));
        refused(CliRun::run({u"--model"_s, u"ollama:tiny:q4"_s}, env), {u"ollama:tiny:q4"_s, u"is missing"_s});
        env.insert(u"OLLAMA_MODELS"_s, store.filePath(u"none"_s));
        refused(CliRun::run({u"--model"_s, u"ollama:tiny:q4"_s}, env), {u"ollama:tiny:q4"_s, u"no Ollama store"_s});
    }
};

QTEST_GUILESS_MAIN(TestCliGguf)
#include "tst_cligguf.moc"
