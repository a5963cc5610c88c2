// kvscope-cli's --engine and its options, end to end: each expected figure
// is worked by hand from the engine's source (the derivations in the core
// tests), then read back from the JSON and the report.
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include "CliRun.h"

using namespace Qt::StringLiterals;

namespace {

QStringList split(const QString &flags) { return flags.split(u' ', Qt::SkipEmptyParts); }

QJsonObject jsonOf(const CliRun &run) { return QJsonDocument::fromJson(run.out).object(); }

QString config(const QString &name) { return QStringLiteral(KVSCOPE_TEST_DATA_DIR "/configs/") + name; }

const QStringList kGemma{u"--model"_s, u"Gemma 3 27B"_s};

}  // namespace

class TestCliEngines : public QObject {
    Q_OBJECT

private Q_SLOTS:
    // Gemma 3 27B in f16: 10 full layers and 52 sliding ones (1,024 tokens),
    // 8,192 bytes a cell per layer. -c 32768 -np 1: 10 x 32,768 + 52 x
    // GGML_PAD(1,024 + 512, 256) = 1,536 cells: 3,338,665,984 bytes.
    void llamaCppGemma3() {
        const CliRun run = CliRun::run(kGemma + split(u"--engine llama.cpp --context_length 32768 --json"_s));
        QCOMPARE(run.err, QByteArray());
        QCOMPARE(run.exitCode, 0);
        const QJsonObject o = jsonOf(run);
        QCOMPARE(o.value(u"engine"_s).toString(), u"llama.cpp"_s);
        QCOMPARE(o.value(u"engine_version"_s).toString(), u"b10470 (34af94cd9, 2026-08-17)"_s);
        QCOMPARE(o.value(u"dtype"_s).toString(), u"fp16"_s);  // llama.cpp's -ctk default
        QCOMPARE(CliRun::rawJsonNumber(run.out, u"engine_kv_bytes"_s), QByteArray("3338665984"));
        QCOMPARE(CliRun::rawJsonNumber(run.out, u"kv_bytes"_s), QByteArray("3120562176"));  // what the layers hold
        // --swa-full: every sliding layer holds all 32,768 cells.
        const CliRun full = CliRun::run(kGemma + split(u"--engine llama.cpp --swa-full --context_length 32768 --json"_s));
        QCOMPARE(CliRun::rawJsonNumber(full.out, u"engine_kv_bytes"_s), QByteArray("16642998272"));
        // Four sequences: -c 131072 -np 4. One stream each: 32,768 and 1,536
        // cells x 4 = 10,737,418,240 + 2,617,245,696; with --kv-unified one
        // stream of 131,072 and GGML_PAD(4 x 1,024 + 512, 256) = 4,608 cells.
        const CliRun four =
            CliRun::run(kGemma + split(u"--engine llama.cpp --context_length 32768 --batch_size 4 --json"_s));
        QCOMPARE(CliRun::rawJsonNumber(four.out, u"engine_kv_bytes"_s), QByteArray("13354663936"));
        const CliRun unified = CliRun::run(
            kGemma + split(u"--engine llama.cpp --kv-unified --context_length 32768 --batch_size 4 --json"_s));
        QCOMPARE(CliRun::rawJsonNumber(unified.out, u"engine_kv_bytes"_s), QByteArray("12700352512"));
        // The plan prints the lines llama.cpp logs.
        const CliRun text = CliRun::run(kGemma + split(u"--engine llama.cpp --context_length 32768 --gpu h100"_s));
        QCOMPARE(text.exitCode, 0);
        QVERIFY2(text.out.contains("Engine log          : llama_kv_cache: size = 2560.00 MiB ( 32768 cells,  10 "
                                   "layers,  1/1 seqs), K (f16): 1280.00 MiB, V (f16): 1280.00 MiB\n"),
                 text.out.constData());
        QVERIFY(text.out.contains("llama_kv_cache: size =  624.00 MiB (  1536 cells,  52 layers,  1/1 seqs)"));
        QVERIFY(text.out.contains("Utilization         : 1 (llama.cpp takes what it needs)"));
        QVERIFY(!text.out.contains("Blocks per GPU"));
    }

    // Figures follow the engine and its options: the chart's budget line is
    // the plan's, and the CSV names the engine it was planned for.
    void figuresFollowTheEngine() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString csv = dir.filePath(u"gemma.csv"_s);
        const QStringList llama = kGemma + split(u"--engine llama.cpp --ubatch-size 256 --gpu h100 --context_length 32768"_s);
        const CliRun run = CliRun::run(llama + QStringList{u"--chart"_s, u"context"_s, u"--out"_s, csv});
        QCOMPARE(run.err, QByteArray());
        QCOMPARE(run.exitCode, 0);
        const CliRun json = CliRun::run(llama + QStringList{u"--json"_s});
        const QByteArray budget = CliRun::rawJsonNumber(json.out, u"kv_budget_bytes"_s);
        QVERIFY(!budget.isEmpty());
        QFile file(csv);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = file.readAll().split('\n');
        QVERIFY(lines.at(0).endsWith(",kv_budget_per_gpu_bytes,engine,engine_version"));
        QVERIFY2(lines.at(1).endsWith(QByteArray("," + budget + ",llama.cpp,b10470 (34af94cd9; 2026-08-17)")), lines.at(1).constData());
        // vLLM with options of its own draws too.
        const CliRun vllm = CliRun::run(kGemma + split(u"--gpu h100 --max-num-batched-tokens 4096 --no-async-scheduling "
                                                       u"--chart context --out "_s) +
                                        QStringList{dir.filePath(u"gemma.svg"_s)});
        QCOMPARE(vllm.err, QByteArray());
        QCOMPARE(vllm.exitCode, 0);
    }

    // vLLM's groups for Gemma 3 27B with 20 GiB: 16,384 blocks of 10 pages of
    // 131,072 bytes; Qwen3-Next with 40 GiB: 544-token blocks, 3,212 of them.
    void vllmHybridPools() {
        const CliRun gemma =
            CliRun::run(kGemma + split(u"--kv-budget-bytes 21474836480 --context_length 32768 --json"_s));
        QCOMPARE(gemma.exitCode, 0);
        const QJsonObject g = jsonOf(gemma);
        QCOMPARE(g.value(u"num_blocks"_s).toInteger(), 16384);
        QCOMPARE(g.value(u"block_bytes"_s).toInteger(), 1310720);
        QCOMPARE(g.value(u"cache_layout"_s).toString(),
                 u"vLLM: 62 layers in 7 groups of 10, 8 padding; blocks of 16 tokens"_s);
        // No GPU named: vllm serve's 2,048 tokens a step, two in flight:
        // 2,048 + 6 x (cdiv(1,023 + 4,096, 16) + 1) = 2,048 + 6 x 321.
        QCOMPARE(g.value(u"blocks_per_request"_s).toInteger(), 2048 + 6 * 321);
        const CliRun qwen = CliRun::run(split(u"--model"_s) + QStringList{u"Qwen3-Next 80B-A3B"_s} +
                                        split(u"--kv-budget-bytes 42949672960 --context_length 32768 --json"_s));
        QCOMPARE(qwen.exitCode, 0);
        const QJsonObject q = jsonOf(qwen);
        QCOMPARE(q.value(u"block_size"_s).toInteger(), 544);
        QCOMPARE(q.value(u"num_blocks"_s).toInteger(), 3212);
        QCOMPARE(q.value(u"blocks_per_request"_s).toInteger(), 61 + 3 * 2);  // cdiv(32768, 544) + 2 per state group
        // Without prefix caching a state takes one block.
        const CliRun noPrefix = CliRun::run(split(u"--model"_s) + QStringList{u"Qwen3-Next 80B-A3B"_s} +
                                            split(u"--kv-budget-bytes 42949672960 --context_length 32768 "
                                                  u"--no-enable-prefix-caching --json"_s));
        QCOMPARE(jsonOf(noPrefix).value(u"blocks_per_request"_s).toInteger(), 61 + 3);
        // --mamba-ssm-cache-dtype float32: the state is 2,146,304 bytes, blocks of 1,056 tokens.
        const CliRun fp32 = CliRun::run(split(u"--model"_s) + QStringList{u"Qwen3-Next 80B-A3B"_s} +
                                        split(u"--kv-budget-bytes 42949672960 --mamba-ssm-cache-dtype float32 "
                                              u"--json"_s));
        QCOMPARE(jsonOf(fp32).value(u"block_size"_s).toInteger(), 1056);
        // The hybrid manager off holds Gemma's windows whole: one group of 62.
        const CliRun off = CliRun::run(
            kGemma + split(u"--kv-budget-bytes 21474836480 --disable-hybrid-kv-cache-manager --json"_s));
        QCOMPARE(jsonOf(off).value(u"block_bytes"_s).toInteger(), 62 * 131072);
    }

    // The model's own limit: Qwen3-235B-A22B stops at max_position_embeddings
    // 40,960 however much memory 8 H100s leave; a context past it is a warning.
    void contextLimit() {
        const QStringList qwen{u"--config"_s, config(u"qwen3-235b-a22b.json"_s)};
        const CliRun run = CliRun::run(qwen + split(u"--gpu h100 --tensor-parallel 8 --parameters 235B --json"_s));
        QCOMPARE(run.exitCode, 0);
        const QJsonObject o = jsonOf(run);
        QCOMPARE(o.value(u"max_context_length"_s).toInteger(), 40960);
        QCOMPARE(o.value(u"max_context_length_limited_by"_s).toString(), u"model"_s);
        QCOMPARE(o.value(u"max_model_len"_s).toInteger(), 40960);
        // GPT-2 (n_positions 1,024) at 32,768 tokens: the numbers, and a warning.
        const CliRun gpt2 = CliRun::run({u"--config"_s, config(u"gpt2.json"_s), u"--context_length"_s, u"32768"_s,
                                         u"--json"_s});
        QCOMPARE(gpt2.exitCode, 0);
        const QJsonArray warnings = jsonOf(gpt2).value(u"warnings"_s).toArray();
        bool warned = false;
        for (const QJsonValue &w : warnings) {
            warned = warned || w.toString().contains(u"past the model's context limit of 1,024 tokens"_s);
        }
        QVERIFY2(warned, gpt2.out.constData());
        const CliRun text = CliRun::run({u"--config"_s, config(u"gpt2.json"_s), u"--context_length"_s, u"32768"_s});
        QVERIFY(text.out.contains("==== Warnings ====\n--context_length 32,768 is past the model's context limit of "
                                  "1,024 tokens"));
    }

    void badEngineInput_data() {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QByteArray>("expected");
        QTest::newRow("unknown engine") << (kGemma + split(u"--engine tgi"_s))
                                        << QByteArray("kvscope-cli: --engine must be vllm or llama.cpp (got \"tgi\")");
        QTest::newRow("llama.cpp option with vLLM")
            << (kGemma + split(u"--swa-full"_s))
            << QByteArray("kvscope-cli: --swa-full is an option of --engine llama.cpp; the engine is vllm");
        QTest::newRow("vLLM option with llama.cpp")
            << (kGemma + split(u"--engine llama.cpp --max-num-batched-tokens 4096"_s))
            << QByteArray("kvscope-cli: --max-num-batched-tokens is an option of --engine vllm; the engine is "
                          "llama.cpp");
        QTest::newRow("fp8 with llama.cpp")
            << (kGemma + split(u"--engine llama.cpp --dtype fp8"_s))
            << QByteArray("kvscope-cli: --dtype fp8 is not a KV cache type llama.cpp has; it takes fp32, fp16, bf16, "
                          "q8_0 and q4_0");
        QTest::newRow("q8_0 with vLLM")
            << (kGemma + split(u"--engine vllm --dtype q8_0"_s))
            << QByteArray("kvscope-cli: --dtype q8_0 is not a KV cache format vLLM has; it takes fp32, bf16, fp16, "
                          "fp8 and int8 (its int8_per_token_head)");
        QTest::newRow("block size with llama.cpp")
            << (kGemma + split(u"--engine llama.cpp --gpu h100 --block-size 32"_s))
            << QByteArray("kvscope-cli: --block-size is an option of --engine vllm; llama.cpp has no blocks");
        QTest::newRow("state dtype")
            << (kGemma + split(u"--mamba-ssm-cache-dtype fp64"_s))
            << QByteArray("kvscope-cli: --mamba-ssm-cache-dtype must be auto, float32, bfloat16 or float16 (got "
                          "\"fp64\")");
        QTest::newRow("ubatch 0") << (kGemma + split(u"--engine llama.cpp --ubatch-size 0"_s))
                                  << QByteArray("kvscope-cli: --ubatch-size must be a whole number from 1 to "
                                                "1,048,576 (got 0)");
        QTest::newRow("too many sequences for llama.cpp")
            << (kGemma + split(u"--engine llama.cpp --batch_size 300 --gpu h100"_s))
            << QByteArray("kvscope-cli: llama.cpp runs at most 256 sequences (-np; LLAMA_MAX_SEQ), got 300");
        QTest::newRow("a Mamba hybrid without vLLM's hybrid manager")
            << QStringList{u"--config"_s, config(u"jamba-v0.1.json"_s), u"--kv-budget-bytes"_s, u"10000000000"_s,
                           u"--disable-hybrid-kv-cache-manager"_s}
            << QByteArray("kvscope-cli: vLLM: a Mamba hybrid needs the hybrid KV cache manager "
                          "(_promote_local_kv_cache_specs: \"Failed to promote local KV cache specs to one unified "
                          "type\"); drop --disable-hybrid-kv-cache-manager");
        QTest::newRow("an architecture vLLM no longer runs")
            << QStringList{u"--config"_s, config(u"minimax-text-01.json"_s), u"--kv-budget-bytes"_s,
                           u"10000000000"_s}
            << QByteArray("kvscope-cli: vLLM: MiniMaxText01ForCausalLM was last supported in vLLM 0.23.0");
    }

    void badEngineInput() {
        QFETCH(QStringList, args);
        QFETCH(QByteArray, expected);
        const CliRun run = CliRun::run(args);
        QCOMPARE(run.exitCode, 2);
        QCOMPARE(run.out, QByteArray());
        QCOMPARE(run.err, expected + '\n');
    }

    // Hybrid configs KV Scope cannot read exactly are refused with one line
    // naming the field, never read as full attention.
    void hostileHybridConfigs_data() {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QByteArray>("field");
        QTest::newRow("pattern shorter than the layers")
            << QByteArray(R"({"model_type": "nemotron_h", "num_hidden_layers": 4, "hybrid_override_pattern": "M*M",
                "hidden_size": 1024, "num_attention_heads": 8, "num_key_value_heads": 2, "head_dim": 128,
                "mamba_num_heads": 16, "mamba_head_dim": 64, "n_groups": 1, "ssm_state_size": 128, "conv_kernel": 4})")
            << QByteArray("hybrid_override_pattern");
        QTest::newRow("unknown pattern character")
            << QByteArray(R"({"model_type": "nemotron_h", "num_hidden_layers": 3, "hybrid_override_pattern": "M*X",
                "hidden_size": 1024, "num_attention_heads": 8, "num_key_value_heads": 2, "head_dim": 128,
                "mamba_num_heads": 16, "mamba_head_dim": 64, "n_groups": 1, "ssm_state_size": 128, "conv_kernel": 4})")
            << QByteArray("hybrid_override_pattern");
        QTest::newRow("offset past the period")
            << QByteArray(R"({"model_type": "jamba", "num_hidden_layers": 8, "attn_layer_period": 4,
                "attn_layer_offset": 4, "hidden_size": 1024, "num_attention_heads": 8, "num_key_value_heads": 2,
                "mamba_d_state": 16, "mamba_d_conv": 4, "mamba_expand": 2})")
            << QByteArray("attn_layer_offset");
        QTest::newRow("an unknown layer type")
            << QByteArray(R"({"model_type": "qwen3_next", "num_hidden_layers": 2, "hidden_size": 1024,
                "num_attention_heads": 8, "num_key_value_heads": 2, "head_dim": 128,
                "layer_types": ["linear_attention", "quantum_attention"], "linear_num_key_heads": 4,
                "linear_num_value_heads": 8, "linear_key_head_dim": 64, "linear_value_head_dim": 64,
                "linear_conv_kernel_dim": 4})")
            << QByteArray("layer_types");
        QTest::newRow("a zero state")
            << QByteArray(R"({"model_type": "mamba2", "num_hidden_layers": 4, "hidden_size": 1024,
                "expand": 2, "num_heads": 32, "head_dim": 64, "n_groups": 1, "state_size": 0, "conv_kernel": 4})")
            << QByteArray("state_size");
    }

    void hostileHybridConfigs() {
        QFETCH(QByteArray, json);
        QFETCH(QByteArray, field);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(u"config.json"_s);
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(json);
        file.close();
        const CliRun run = CliRun::run({u"--config"_s, path, u"--json"_s});
        QCOMPARE(run.exitCode, 2);
        QCOMPARE(run.out, QByteArray());
        QCOMPARE(run.err.count('\n'), 1);
        QVERIFY2(run.err.contains(field), run.err.constData());
    }
};

QTEST_MAIN(TestCliEngines)
#include "tst_cliengines.moc"
