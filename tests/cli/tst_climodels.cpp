// kvscope-cli with real models: --config FILE, --model NAME and --list-models,
// run as a user runs them. Expected bytes are those of
// tests/import/tst_configimporter.cpp, worked out by hand from each public
// config.json (bf16, 2 bytes, unless stated):
//   Llama 3.1 8B   32 full layers, 8 K/V heads of 128: 32 * 8 * 256 * 2 = 131,072 B per token
//   Gemma 3 27B    52 sliding (window 1024) + 10 full, 16 K/V heads of 128: 8,192 B per token per layer
//   DeepSeek-V3    61 MLA layers of 512 + 64 latent: 61 * 576 * 2 = 70,272 B per token
//   gpt-oss-120b   18 sliding (window 128) + 18 full, 8 K/V heads of 64: 2,048 B per token per layer
//   Qwen3-Next     36 linear (77,266,944 B of state) + 12 full layers of 2,048 B per token
//   Mistral 7B     32 sliding (window 4096), 131,072 B per token below the window
//   Falcon 7B      MQA: 32 layers * 1 * 128 * 2 = 8,192 B per token

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

#include "CliRun.h"

using namespace Qt::StringLiterals;

namespace {

QString config(const QString &name) { return QStringLiteral(KVSCOPE_TEST_DATA_DIR "/configs/") + name; }

QJsonObject jsonOf(const CliRun &run) { return QJsonDocument::fromJson(run.out).object(); }

}  // namespace

class TestCliModels : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;

private slots:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void realConfigsGiveExactBytes_data() {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("context");
        QTest::addColumn<QByteArray>("kvBytes");
        QTest::addColumn<QByteArray>("perToken");
        QTest::addColumn<QString>("layers");  // full,sliding,mla,linear,shared,chunked,mlp

        QTest::newRow("Llama 3.1 8B, 131072") << u"llama-3.1-8b.json"_s << u"131072"_s
                                              << QByteArray("17179869184")  // 131072 * 131,072
                                              << QByteArray("131072") << u"32,0,0,0,0,0,0"_s;
        QTest::newRow("Gemma 3 27B, 512") << u"gemma-3-27b.json"_s << u"512"_s
                                          << QByteArray("260046848")  // 62 * 512 * 8192
                                          << QByteArray("507904")     // 62 layers still grow: 62 * 8192
                                          << u"10,52,0,0,0,0,0"_s;
        QTest::newRow("Gemma 3 27B, 32768") << u"gemma-3-27b.json"_s << u"32768"_s
                                            << QByteArray("3120562176")  // (52 * 1024 + 10 * 32768) * 8192
                                            << QByteArray("81920")       // only the 10 full layers grow
                                            << u"10,52,0,0,0,0,0"_s;
        QTest::newRow("Gemma 3 27B, 131072") << u"gemma-3-27b.json"_s << u"131072"_s
                                             << QByteArray("11173625856")  // (52 * 1024 + 10 * 131072) * 8192
                                             << QByteArray("81920") << u"10,52,0,0,0,0,0"_s;
        QTest::newRow("DeepSeek-V3, 4096") << u"deepseek-v3.json"_s << u"4096"_s
                                           << QByteArray("287834112")  // 4096 * 70,272
                                           << QByteArray("70272") << u"0,0,61,0,0,0,0"_s;
        QTest::newRow("DeepSeek-V3, 163840") << u"deepseek-v3.json"_s << u"163840"_s
                                             << QByteArray("11513364480")  // 163840 * 70,272
                                             << QByteArray("70272") << u"0,0,61,0,0,0,0"_s;
        QTest::newRow("gpt-oss-120b, 8192") << u"gpt-oss-120b.json"_s << u"8192"_s
                                            << QByteArray("306708480")  // 18 * 2048 * (128 + 8192)
                                            << QByteArray("36864")      // 18 full layers * 2048
                                            << u"18,18,0,0,0,0,0"_s;
        QTest::newRow("gpt-oss-120b, 131072") << u"gpt-oss-120b.json"_s << u"131072"_s
                                              << QByteArray("4836556800")  // 18 * 2048 * (128 + 131072)
                                              << QByteArray("36864") << u"18,18,0,0,0,0,0"_s;
        QTest::newRow("Qwen3-Next, 4096") << u"qwen3-next-80b-a3b.json"_s << u"4096"_s
                                          // 36 states of 1,097,728 bytes in bf16 (vLLM keeps them in the
                                          // model dtype) + 4096 * 24,576
                                          << QByteArray("140181504")
                                          << QByteArray("24576") << u"12,0,0,36,0,0,0"_s;
        QTest::newRow("Mistral 7B, 32768") << u"mistral-7b-v0.1.json"_s << u"32768"_s
                                           << QByteArray("536870912")  // 4096 * 131,072: the window caps it
                                           << QByteArray("0") << u"0,32,0,0,0,0,0"_s;
        QTest::newRow("Falcon 7B, 2048") << u"falcon-7b.json"_s << u"2048"_s
                                         << QByteArray("16777216")  // 2048 * 8192
                                         << QByteArray("8192") << u"32,0,0,0,0,0,0"_s;
    }

    void realConfigsGiveExactBytes() {
        QFETCH(QString, file);
        QFETCH(QString, context);
        QFETCH(QByteArray, kvBytes);
        QFETCH(QByteArray, perToken);
        QFETCH(QString, layers);

        const CliRun run = CliRun::run({u"--config"_s, config(file), u"--context_length"_s, context, u"--json"_s});
        QCOMPARE(run.err, QByteArray());
        QCOMPARE(run.exitCode, 0);
        QJsonParseError error;
        const QJsonObject o = QJsonDocument::fromJson(run.out, &error).object();
        QCOMPARE(error.error, QJsonParseError::NoError);
        QCOMPARE(CliRun::rawJsonNumber(run.out, u"kv_bytes"_s), kvBytes);
        QCOMPARE(CliRun::rawJsonNumber(run.out, u"kv_bytes_per_token"_s), perToken);
        QCOMPARE(o.value(u"context_length"_s).toInteger(), context.toLongLong());
        QCOMPARE(o.value(u"batch_size"_s).toInteger(), 1);
        QCOMPARE(o.value(u"dtype"_s).toString(), u"bf16"_s);  // every one of these configs says bfloat16
        QCOMPARE(o.value(u"model"_s).toString(), config(file));
        QCOMPARE(o.value(u"model_source"_s).toString(), u"config"_s);

        const QJsonObject counts = o.value(u"layers"_s).toObject();
        const QStringList kinds{u"full"_s, u"sliding"_s, u"mla"_s, u"linear"_s, u"shared"_s, u"chunked"_s, u"mlp"_s};
        QCOMPARE(counts.keys().size(), kinds.size());
        const QStringList expected = layers.split(u',');
        for (qsizetype i = 0; i < kinds.size(); ++i) {
            QCOMPARE(counts.value(kinds[i]).toInteger(), expected[i].toLongLong());
        }
        // Bytes per kind add up to the total.
        qint64 sum = 0;
        const QJsonObject byKind = o.value(u"kv_bytes_by_kind"_s).toObject();
        for (const QString &kind : kinds) sum += byKind.value(kind).toInteger();
        QCOMPARE(sum, kvBytes.toLongLong());

        // Every number names its source.
        const QJsonArray provenance = o.value(u"provenance"_s).toArray();
        QVERIFY(provenance.size() >= 5);
        QSet<QString> fields;
        for (const QJsonValue &v : provenance) {
            const QJsonObject p = v.toObject();
            QVERIFY(!p.value(u"field"_s).toString().isEmpty());
            QVERIFY(p.value(u"value"_s).isString());
            QVERIFY(!p.value(u"source"_s).toString().isEmpty());
            fields.insert(p.value(u"field"_s).toString());
        }
        for (const QString &field : {u"n_layers"_s, u"n_heads"_s, u"layers"_s, u"dtype"_s}) {
            QVERIFY2(fields.contains(field), qPrintable(field));
        }
        QVERIFY(o.value(u"warnings"_s).isArray());

        // Batch and dtype scale the same layout exactly.
        const CliRun scaled = CliRun::run({u"--config"_s, config(file), u"--context_length"_s, context,
                                           u"--batch_size"_s, u"3"_s, u"--dtype"_s, u"fp8"_s, u"--json"_s});
        QCOMPARE(scaled.exitCode, 0);
        if (file != u"qwen3-next-80b-a3b.json"_s) {  // its recurrent state stays fp32
            QCOMPARE(CliRun::rawJsonNumber(scaled.out, u"kv_bytes"_s).toULongLong(), kvBytes.toULongLong() * 3 / 2);
        }
        QCOMPARE(jsonOf(scaled).value(u"dtype"_s).toString(), u"fp8"_s);
    }

    void bookKeysOnlyWhereTheyAreExact() {
        // Llama 3.1 8B is the book's shape: its GQA total is its real total.
        const CliRun llama =
            CliRun::run({u"--config"_s, config(u"llama-3.1-8b.json"_s), u"--context_length"_s, u"131072"_s, u"--json"_s});
        const QJsonObject o = jsonOf(llama);
        QCOMPARE(o.value(u"emb_dim"_s).toInteger(), 4096);
        QCOMPARE(o.value(u"n_heads"_s).toInteger(), 32);
        QCOMPARE(o.value(u"n_kv_groups"_s).toInteger(), 4);
        QCOMPARE(o.value(u"head_dim"_s).toInteger(), 128);
        QCOMPARE(CliRun::rawJsonNumber(llama.out, u"gqa_bytes"_s), QByteArray("17179869184"));
        QCOMPARE(CliRun::rawJsonNumber(llama.out, u"mha_bytes"_s), QByteArray("68719476736"));
        QCOMPARE(o.value(u"savings_percent"_s).toDouble(), 75.0);
        const QJsonObject whatIf = o.value(u"what_if"_s).toObject();
        QCOMPARE(whatIf.value(u"mha"_s).toInteger(), Q_INT64_C(68719476736));
        QCOMPARE(whatIf.value(u"mqa"_s).toInteger(), Q_INT64_C(2147483648));  // 131072 * 32 * 256 * 2
        QVERIFY(!whatIf.contains(u"no_sliding_window"_s));                    // it has no window

        // Gemma 3 slides: the book's all-full view would be the wrong number, so it is left out.
        const CliRun gemma =
            CliRun::run({u"--config"_s, config(u"gemma-3-27b.json"_s), u"--context_length"_s, u"131072"_s, u"--json"_s});
        const QJsonObject g = jsonOf(gemma);
        QVERIFY(!g.contains(u"gqa_bytes"_s));
        QVERIFY(!g.contains(u"mha_bytes"_s));
        // Without the window: 62 * 131072 * 8192.
        QCOMPARE(CliRun::rawJsonNumber(gemma.out, u"no_sliding_window"_s), QByteArray("66571993088"));
        QCOMPARE(CliRun::rawJsonNumber(gemma.out, u"kv_bytes_at_max_context"_s), QByteArray("11173625856"));

        // DeepSeek-V3 as MHA: 128 heads of K 192 + V 128, 61 layers: 4,997,120 B per token.
        const CliRun ds =
            CliRun::run({u"--config"_s, config(u"deepseek-v3.json"_s), u"--context_length"_s, u"4096"_s, u"--json"_s});
        QCOMPARE(CliRun::rawJsonNumber(ds.out, u"mha"_s), QByteArray::number(Q_INT64_C(4096) * 4997120));
        QVERIFY(!jsonOf(ds).contains(u"gqa_bytes"_s));
        QVERIFY(!jsonOf(ds).value(u"what_if"_s).toObject().contains(u"mla"_s));  // it is MLA already
    }

    void textReport() {
        const CliRun gemma =
            CliRun::run({u"--model"_s, u"Gemma 3 27B"_s, u"--context_length"_s, u"32768"_s});
        QCOMPARE(gemma.err, QByteArray());
        QCOMPARE(gemma.exitCode, 0);
        const QByteArray &t = gemma.out;
        QVERIFY(t.startsWith("==== Model ====\nmodel            : Gemma 3 27B\n"));
        QVERIFY(t.contains("context_length   : 32768\n"));
        QVERIFY(t.contains("dtype            : bf16 (2 Bytes/elem), vLLM's default: the model dtype, the config's "
                           "torch_dtype\n"));
        QVERIFY(t.contains("engine           : vLLM main 5ac2684"));
        QVERIFY(t.contains("layers           : 10 full + 52 sliding\n"));
        QVERIFY(t.contains("==== Where the numbers come from ====\n"));
        QVERIFY(t.contains("sliding_window          : 1024 (text_config.sliding_window)\n"));
        QVERIFY(t.contains("full             : 2.68 GB in 10 layers (16 K/V heads of 128)\n"));  // 10 * 32768 * 8192
        QVERIFY(t.contains("sliding          : 0.44 GB in 52 layers (16 K/V heads of 128, window 1,024 tokens)\n"));
        QVERIFY(t.contains("Total KV cache      : 3.12 GB (3,120,562,176 bytes)\n"));
        QVERIFY(t.contains("Bytes per token     : 81,920 (one more token of one sequence)\n"));
        QVERIFY(t.contains("At max context      : 11.17 GB (131,072 tokens, the model's limit)\n"));
        QVERIFY(t.contains("without sliding window          : 16.64 GB (5.33x the model)\n"));
        QVERIFY(!t.contains("MHA total KV cache"));  // not the book's shape

        // The book's shape: its four lines, exact.
        const CliRun llama = CliRun::run({u"--model"_s, u"llama-3.1-8b"_s, u"--context_length"_s, u"131072"_s});
        QCOMPARE(llama.exitCode, 0);
        QVERIFY(llama.out.contains("MHA total KV cache  : 68.72 GB\n"));
        QVERIFY(llama.out.contains("GQA total KV cache  : 17.18 GB\n"));
        QVERIFY(llama.out.contains("Ratio (MHA / GQA)   : 4.00x\n"));
        QVERIFY(llama.out.contains("Savings (GQA vs MHA): 75.00%\n"));
        QVERIFY(llama.out.contains("Total KV cache      : 17.18 GB (17,179,869,184 bytes)\n"));

        const CliRun ds = CliRun::run({u"--model"_s, u"DeepSeek-V3"_s, u"--context_length"_s, u"163840"_s});
        QVERIFY(ds.out.contains("mla              : 11.51 GB in 61 layers (latent 512 + rope 64 per token)\n"));
        QVERIFY(ds.out.contains("as MHA (128 K/V heads per layer) : 818.73 GB (71.11x the model)\n"));
    }

    void presetsMatchTheirConfigs_data() {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("file");
        QTest::newRow("Llama 3.1 8B") << u"Llama 3.1 8B"_s << u"llama-3.1-8b.json"_s;
        QTest::newRow("Llama 3.1 70B") << u"Llama 3.1 70B"_s << u"llama-3.1-70b.json"_s;
        QTest::newRow("Gemma 3 27B") << u"Gemma 3 27B"_s << u"gemma-3-27b.json"_s;
        QTest::newRow("Gemma 2 9B") << u"Gemma 2 9B"_s << u"gemma-2-9b.json"_s;
        QTest::newRow("DeepSeek-V3") << u"DeepSeek-V3"_s << u"deepseek-v3.json"_s;
        QTest::newRow("DeepSeek-V2") << u"DeepSeek-V2"_s << u"deepseek-v2.json"_s;
        QTest::newRow("gpt-oss-120b") << u"gpt-oss-120b"_s << u"gpt-oss-120b.json"_s;
        QTest::newRow("gpt-oss-20b") << u"gpt-oss-20b"_s << u"gpt-oss-20b.json"_s;
        QTest::newRow("Qwen3-Next") << u"Qwen3-Next 80B-A3B"_s << u"qwen3-next-80b-a3b.json"_s;
        QTest::newRow("Qwen3 4B") << u"Qwen3 4B"_s << u"qwen3-4b.json"_s;
        QTest::newRow("Qwen2.5 7B") << u"Qwen2.5 7B"_s << u"qwen2.5-7b.json"_s;
        QTest::newRow("Mistral 7B v0.1") << u"Mistral 7B v0.1"_s << u"mistral-7b-v0.1.json"_s;
        QTest::newRow("GLM-4.5") << u"GLM-4.5"_s << u"glm-4.5.json"_s;
        QTest::newRow("Falcon 7B") << u"Falcon 7B"_s << u"falcon-7b.json"_s;
        QTest::newRow("GPT-2") << u"GPT-2"_s << u"gpt2.json"_s;
        QTest::newRow("Llama 2 7B") << u"Llama 2 7B"_s << u"llama-2-7b.json"_s;
    }

    void presetsMatchTheirConfigs() {
        QFETCH(QString, name);
        QFETCH(QString, file);
        for (const QString &context : {u"1000"_s, u"4096"_s, u"131072"_s}) {
            const QStringList workload{u"--context_length"_s, context, u"--batch_size"_s, u"2"_s, u"--json"_s};
            const CliRun preset = CliRun::run(QStringList{u"--model"_s, name} + workload);
            const CliRun file_run = CliRun::run(QStringList{u"--config"_s, config(file)} + workload);
            QCOMPARE(preset.exitCode, 0);
            QCOMPARE(file_run.exitCode, 0);
            for (const QString &key : {u"kv_bytes"_s, u"kv_bytes_per_token"_s, u"kv_bytes_at_max_context"_s}) {
                QCOMPARE(CliRun::rawJsonNumber(preset.out, key), CliRun::rawJsonNumber(file_run.out, key));
            }
            const QJsonObject a = jsonOf(preset);
            const QJsonObject b = jsonOf(file_run);
            QCOMPARE(a.value(u"model"_s).toString(), name);
            QCOMPARE(a.value(u"model_source"_s).toString(), u"preset"_s);
            for (const QString &key : {u"layers"_s, u"kv_bytes_by_kind"_s, u"what_if"_s, u"dtype"_s}) {
                QCOMPARE(a.value(key), b.value(key));
            }
        }
    }

    void modelNamesForgiveCaseAndSeparators() {
        const CliRun exact = CliRun::run({u"--model"_s, u"Llama 3.1 8B"_s});
        QCOMPARE(exact.exitCode, 0);
        for (const QString &spelling : {u"llama-3.1-8b"_s, u"LLAMA_3.1_8B"_s, u"  llama 3.1 8b "_s}) {
            const CliRun run = CliRun::run({u"--model"_s, spelling});
            QCOMPARE(run.exitCode, 0);
            QCOMPARE(run.out, exact.out);
        }
    }

    void dtypeDefaultsAndOverrides() {
        // vLLM serves a float32 checkpoint (Gemma 2 9B's config) in bf16, and
        // its KV cache is the model dtype (vllm/config/model.py _resolve_auto_dtype)...
        const CliRun fp32 = CliRun::run({u"--config"_s, config(u"gemma-2-9b.json"_s), u"--json"_s});
        QCOMPARE(jsonOf(fp32).value(u"dtype"_s).toString(), u"bf16"_s);
        // ...llama.cpp's cache is f16 whatever the checkpoint (common.h cache_type_k)...
        const CliRun llama =
            CliRun::run({u"--config"_s, config(u"gemma-2-9b.json"_s), u"--engine"_s, u"llama.cpp"_s, u"--json"_s});
        QCOMPARE(jsonOf(llama).value(u"dtype"_s).toString(), u"fp16"_s);
        QCOMPARE(jsonOf(llama).value(u"engine"_s).toString(), u"llama.cpp"_s);
        // ...--dtype wins and says so...
        const CliRun given = CliRun::run({u"--config"_s, config(u"gemma-2-9b.json"_s), u"--dtype"_s, u"int8"_s});
        QVERIFY(given.out.contains("dtype            : int8 (1 Bytes/elem), --dtype\n"));
        // ...and with no torch_dtype (GPT-2's config) vLLM assumes float32, served in bf16.
        const CliRun none = CliRun::run({u"--config"_s, config(u"gpt2.json"_s), u"--json"_s});
        QCOMPARE(jsonOf(none).value(u"dtype"_s).toString(), u"bf16"_s);
        QCOMPARE(CliRun::rawJsonNumber(none.out, u"kv_bytes"_s), QByteArray("37748736"));  // 1024 * 36,864
        // The book's context default applies too: 1024.
        QCOMPARE(jsonOf(none).value(u"context_length"_s).toInteger(), 1024);
    }

    void listModels() {
        const CliRun run = CliRun::run({u"--list-models"_s});
        QCOMPARE(run.err, QByteArray());
        QCOMPARE(run.exitCode, 0);
        const QList<QByteArray> lines = run.out.trimmed().split('\n');
        QVERIFY2(lines.size() >= 20, run.out.constData());
        QSet<QByteArray> names;
        for (const QByteArray &line : lines) {
            const QList<QByteArray> columns = line.split('\t');
            QCOMPARE(columns.size(), 3);  // name, family, source
            QVERIFY(!columns[0].isEmpty() && !columns[1].isEmpty());
            QVERIFY2(columns[2].startsWith("https://"), line.constData());
            names.insert(columns[0]);
        }
        QCOMPARE(names.size(), lines.size());
        for (const char *family : {"Llama 3.1 8B", "Gemma 3 27B", "DeepSeek-V3", "gpt-oss-120b", "Qwen3-Next 80B-A3B",
                                   "Falcon 7B", "GPT-2", "Mistral 7B v0.1", "GLM-4.5", "Gemma 2 9B"}) {
            QVERIFY2(names.contains(family), family);
        }
        // Every listed name loads.
        for (const QByteArray &name : names) {
            const CliRun model = CliRun::run({u"--model"_s, QString::fromUtf8(name), u"--json"_s});
            QVERIFY2(model.exitCode == 0, model.err.constData());
        }
        // The same list as JSON.
        const CliRun json = CliRun::run({u"--list-models"_s, u"--json"_s});
        QCOMPARE(json.exitCode, 0);
        const QJsonArray array = QJsonDocument::fromJson(json.out).array();
        QCOMPARE(array.size(), lines.size());
        QCOMPARE(array.at(0).toObject().value(u"name"_s).toString().toUtf8(), lines.at(0).split('\t').at(0));
    }

    // Configs that contradict themselves (issue 16): a window no context
    // reaches is named as a warning in the JSON and the report; a pattern
    // or MLA heads with no sensible reading are refused (exit 2) naming the
    // field and its range.
    void contradictoryConfigs() {
        const auto write = [this](const QString &name, const QByteArray &json) {
            QFile f(m_dir.filePath(name));
            if (!f.open(QIODevice::WriteOnly) || f.write(json) != json.size()) qFatal("cannot write a fixture");
            return f.fileName();
        };
        const QString window = write(u"window.json"_s, R"({"model_type": "mistral", "hidden_size": 4096,
            "num_attention_heads": 32, "num_key_value_heads": 8, "num_hidden_layers": 32,
            "sliding_window": 1000000000, "max_position_embeddings": 131072})");
        const CliRun json = CliRun::run({u"--config"_s, window, u"--context_length"_s, u"4096"_s, u"--json"_s});
        QCOMPARE(json.exitCode, 0);
        const QString warning = u"sliding_window 1,000,000,000 is longer than max_position_embeddings 131,072: the "
                                u"sliding layers never drop a token and hold the whole context, as full attention"_s;
        QVERIFY2(jsonOf(json).value(u"warnings"_s).toArray().contains(warning), json.out.constData());
        const CliRun text = CliRun::run({u"--config"_s, window, u"--context_length"_s, u"4096"_s});
        QCOMPARE(text.exitCode, 0);
        QVERIFY(text.out.contains(warning.toUtf8()));

        const QString interval = write(u"interval.json"_s, R"({"model_type": "qwen3_next", "hidden_size": 2048,
            "num_attention_heads": 16, "num_key_value_heads": 2, "head_dim": 256, "num_hidden_layers": 32,
            "full_attention_interval": 1000, "linear_num_key_heads": 16, "linear_num_value_heads": 32,
            "linear_key_head_dim": 128, "linear_value_head_dim": 128, "linear_conv_kernel_dim": 4})");
        const CliRun linear = CliRun::run({u"--config"_s, interval});
        QCOMPARE(linear.exitCode, 2);
        QCOMPARE(QString::fromUtf8(linear.err),
                 u"kvscope-cli: --config %1: full_attention_interval must be a whole number from 1 to 32 (the "
                 u"layers), or no layer is full attention (got 1,000)\n"_s.arg(interval));

        const QString mla = write(u"mla.json"_s, R"({"model_type": "deepseek_v3", "hidden_size": 7168,
            "num_attention_heads": 128, "num_hidden_layers": 61, "kv_lora_rank": 512, "qk_rope_head_dim": 0,
            "qk_nope_head_dim": 0, "v_head_dim": 128})");
        const CliRun zero = CliRun::run({u"--config"_s, mla});
        QCOMPARE(zero.exitCode, 2);
        QCOMPARE(QString::fromUtf8(zero.err),
                 u"kvscope-cli: --config %1: qk_nope_head_dim + qk_rope_head_dim must be from 1 to 65,536: an MLA "
                 u"layer's query and key heads need a width (got 0 + 0)\n"_s.arg(mla));
    }

    void badInput_data() {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QString>("expected");  // the whole stderr line, %1 = the temporary folder

        QTest::newRow("no such file") << QStringList{u"--config"_s, u"%1/none.json"_s}
                                      << u"kvscope-cli: --config: no such file: %1/none.json"_s;
        QTest::newRow("folder without config.json") << QStringList{u"--config"_s, u"%1"_s}
                                                    << u"kvscope-cli: --config: %1 is a folder without a config.json"_s;
        QTest::newRow("truncated JSON")
            << QStringList{u"--config"_s, u"%1/truncated.json"_s}
            << u"kvscope-cli: --config %1/truncated.json: config.json is not valid JSON: invalid termination by number at byte 47"_s;
        QTest::newRow("missing key")
            << QStringList{u"--config"_s, u"%1/missing.json"_s}
            << u"kvscope-cli: --config %1/missing.json: num_attention_heads is missing (also looked for n_head num_heads)"_s;
        QTest::newRow("wrong type")
            << QStringList{u"--config"_s, u"%1/wrongtype.json"_s}
            << u"kvscope-cli: --config %1/wrongtype.json: num_key_value_heads must be a whole number, not a string"_s;
        QTest::newRow("huge") << QStringList{u"--config"_s, u"%1/huge.json"_s}
                              << u"kvscope-cli: --config: %1/huge.json is 17,000,000 bytes; a model config is at "
                                 u"most 16,777,216 bytes"_s;
        QTest::newRow("deeply nested")
            << QStringList{u"--config"_s, u"%1/nested.json"_s}
            << u"kvscope-cli: --config %1/nested.json: config.json is not valid JSON: too deeply nested document at byte 1025"_s;
        QTest::newRow("not an object")
            << QStringList{u"--config"_s, u"%1/list.json"_s}
            << u"kvscope-cli: --config %1/list.json: config.json must hold one JSON object ({...}), not a list or a value"_s;
        QTest::newRow("unknown model")
            << QStringList{u"--model"_s, u"Llama 3.1 9B"_s}
            << u"kvscope-cli: --model: no built-in model is named \"Llama 3.1 9B\"; close matches: Llama 3.1 8B, "
               u"Llama 3.1 70B, Llama 3.2 1B, Llama 3.2 3B, Llama 3 8B (kvscope-cli --list-models lists all)"_s;
        QTest::newRow("nothing close") << QStringList{u"--model"_s, u"zzzzzzzzzz"_s}
                                       << u"kvscope-cli: --model: no built-in model is named \"zzzzzzzzzz\"; "
                                          u"kvscope-cli --list-models lists them"_s;
        QTest::newRow("config and model")
            << QStringList{u"--config"_s, u"x.json"_s, u"--model"_s, u"GPT-2"_s}
            << u"kvscope-cli: --config and --model cannot be combined: give the model one way"_s;
        QTest::newRow("config and a shape flag")
            << QStringList{u"--config"_s, u"x.json"_s, u"--emb_dim"_s, u"4096"_s}
            << u"kvscope-cli: --config and --emb_dim cannot be combined: the model sets its own shape "
               u"(--context_length, --batch_size and --dtype still apply)"_s;
        QTest::newRow("model and a dashed shape flag")
            << QStringList{u"--model"_s, u"GPT-2"_s, u"--n-kv-groups=2"_s}
            << u"kvscope-cli: --model and --n_kv_groups cannot be combined: the model sets its own shape "
               u"(--context_length, --batch_size and --dtype still apply)"_s;
        QTest::newRow("model and head_dim")
            << QStringList{u"--model"_s, u"GPT-2"_s, u"--head_dim"_s, u"64"_s}
            << u"kvscope-cli: --model and --head_dim cannot be combined: the model sets its own shape "
               u"(--context_length, --batch_size and --dtype still apply)"_s;
        QTest::newRow("list and a model") << QStringList{u"--list-models"_s, u"--model"_s, u"GPT-2"_s}
                                          << u"kvscope-cli: --list-models cannot be combined with --model"_s;
        QTest::newRow("config without value") << QStringList{u"--config"_s}
                                              << u"kvscope-cli: --config needs a value: a Hugging Face config.json, a GGUF file or a model folder"_s;
        QTest::newRow("model context too long")
            << QStringList{u"--model"_s, u"GPT-2"_s, u"--context_length"_s, u"0"_s}
            << u"kvscope-cli: --context_length must be a whole number from 1 to 2,147,483,648 (got 0)"_s;
        QTest::newRow("model total beyond 64 bits")
            << QStringList{u"--model"_s, u"Llama 3.1 405B"_s, u"--context_length"_s, u"2147483648"_s,
                           u"--batch_size"_s, u"1048576"_s}
            << u"kvscope-cli: the KV cache total does not fit in 64 bits (over 18.4 EB); lower --context_length, "
               u"--batch_size or the number of layers"_s;
    }

    void badInput() {
        QFETCH(QStringList, arguments);
        QFETCH(QString, expected);
        const QString dir = m_dir.path();
        auto write = [&dir](const QString &name, const QByteArray &bytes) {
            QFile file(dir + u'/' + name);
            QVERIFY(file.open(QIODevice::WriteOnly));
            QCOMPARE(file.write(bytes), bytes.size());
        };
        write(u"truncated.json"_s, R"({"model_type": "llama", "num_hidden_layers": 32)");
        write(u"missing.json"_s, R"({"model_type": "llama", "num_hidden_layers": 32, "hidden_size": 4096})");
        write(u"wrongtype.json"_s, R"({"num_hidden_layers": 32, "num_attention_heads": 32, "hidden_size": 4096,
                                       "num_key_value_heads": "8"})");
        write(u"huge.json"_s, QByteArray(17'000'000, ' '));
        write(u"nested.json"_s, QByteArray(5000, '['));
        write(u"list.json"_s, "[1, 2, 3]");

        QStringList args;
        for (const QString &a : arguments) args << QString(a).replace(u"%1"_s, dir);
        const CliRun run = CliRun::run(args);
        QCOMPARE(run.out, QByteArray());
        QCOMPARE(run.exitCode, 2);
        QCOMPARE(run.err.count('\n'), 1);
        QCOMPARE(QString::fromUtf8(run.err), QString(expected).replace(u"%1"_s, dir) + u'\n');
    }
};

QTEST_GUILESS_MAIN(TestCliModels)
#include "tst_climodels.moc"
