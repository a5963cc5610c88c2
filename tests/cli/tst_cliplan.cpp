// kvscope-cli's deployment planning (--gpu, --gpu-memory-gib,
// --kv-budget-bytes, --tensor-parallel and the flags that refine them), run as
// a user runs it. Expected numbers are worked out by hand:
//
// vLLM parity, Llama 3.1 8B in bf16: 32 layers * 8 K/V heads * (128 + 128)
// * 2 bytes = 131,072 B per token, so a block of 16 tokens is 2,097,152 B
// (2 MiB). A budget of exactly 5691 blocks is 5691 * 2,097,152 =
// 11,934,892,032 bytes, and the maximum concurrency for 8192-token requests
// is 5691 * 16 / 8192 = 11.115234375 (vLLM logs "11.12x").
//
// llama.cpp parity, DeepSeek-V3's MLA cache in q8_0 at 32,768 tokens:
// 61 layers * (512 + 64) * 32768 * 34 / 32 = 1,223,294,976 B = 1166.62 MiB.
//
// The issue's "done" scenario, Llama 3.1 70B on 2 x H100 80GB, fp8 KV:
//   usable per GPU   floor(80 GiB * 0.9)            = 77,309,411,328
//   weights          70,553,706,496 params * 2 (bf16) = 141,107,412,992
//   weights per GPU  ceil(141,107,412,992 / 2)        = 70,553,706,496
//   KV budget        77,309,411,328 - 70,553,706,496  = 6,755,704,832
//   per token, GPU   80 layers * 4 K/V heads * 256 * 1 byte = 81,920
//   block            16 * 81,920                       = 1,310,720
//   blocks           floor(6,755,704,832 / 1,310,720)  = 5,154
//   largest context  5,154 * 16                        = 82,464 tokens at batch 1
//   largest batch    5,154 / ceil(1024 / 16) = 80 sequences of 1,024 tokens

#include <QJsonArray>
#include <QJsonDocument>
#include <QFile>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include "CliRun.h"

using namespace Qt::StringLiterals;

namespace {

QStringList split(const QString &flags) { return flags.split(u' ', Qt::SkipEmptyParts); }

QJsonObject jsonOf(const CliRun &run) {
    QJsonParseError error;
    const QJsonObject o = QJsonDocument::fromJson(run.out, &error).object();
    if (error.error != QJsonParseError::NoError) qWarning("not JSON: %s", run.out.constData());
    return o;
}

const QStringList kLlama8B{u"--model"_s, u"Llama 3.1 8B"_s};
const QStringList kLlama70B{u"--model"_s, u"Llama 3.1 70B"_s};
const QString kDeepSeekConfig = QStringLiteral(KVSCOPE_TEST_DATA_DIR "/configs/deepseek-v3.json");
const QString kBook =
    u"--emb_dim 4096 --n_heads 32 --n_layers 32 --n_kv_groups 4 --context_length 32768 --dtype bf16"_s;

}  // namespace

class TestCliPlan : public QObject {
    Q_OBJECT

private slots:
    void vllmParity();
    void vllmParityOneByteShort();
    void llamaCppParity();
    void doneScenario();
    void doneScenarioJson();
    void reportUnchangedWithoutPlanning();
    void tensorParallelAlone();
    void replicationAndMla();
    void gpuMemoryOverridesPreset();
    void utilizationAndOverhead();
    void parametersFlag();
    void bookShapeParameters();
    void weightsDtypeDefaultsToTorchDtype();
    void binaryUnits();
    void listGpus();
    void slidingWindowModels();
    void workloadThatDoesNotFit();
    void exportsDrawTheBudget_data();
    void exportsDrawTheBudget();
    void badInput_data();
    void badInput();
};

void TestCliPlan::vllmParity() {
    const QStringList args = kLlama8B + split(u"--dtype bf16 --kv-budget-bytes 11934892032 --block-size 16 "
                                               u"--context_length 8192"_s);
    const CliRun json = CliRun::run(args + QStringList{u"--json"_s});
    QCOMPARE(json.err, QByteArray());
    QCOMPARE(json.exitCode, 0);
    QCOMPARE(CliRun::rawJsonNumber(json.out, u"num_blocks"_s), QByteArray("5691"));
    QCOMPARE(CliRun::rawJsonNumber(json.out, u"block_bytes"_s), QByteArray("2097152"));
    QCOMPARE(CliRun::rawJsonNumber(json.out, u"max_concurrency"_s), QByteArray("11.115234375"));
    QCOMPARE(CliRun::rawJsonNumber(json.out, u"kv_budget_bytes"_s), QByteArray("11934892032"));
    const QJsonObject o = jsonOf(json);
    QCOMPARE(o.value(u"kv_budget_source"_s).toString(), u"kv_budget_bytes"_s);
    QCOMPARE(o.value(u"max_concurrency"_s).toDouble(), 11.115234375);
    // Whole requests of cdiv(8192, 16) = 512 blocks in the 5,690 the pool hands out
    // (one is vLLM's null block): 11; one request may take all 5,690.
    QCOMPARE(o.value(u"max_batch_size"_s).toInteger(), 11);
    QCOMPARE(o.value(u"max_context_length"_s).toInteger(), 5690 * 16);
    QCOMPARE(o.value(u"blocks_per_request"_s).toInteger(), 512);
    QCOMPARE(o.value(u"engine"_s).toString(), u"vllm"_s);
    QCOMPARE(o.value(u"max_context_length_limited_by"_s).toString(), u"memory"_s);
    QCOMPARE(o.value(u"fits"_s).toBool(), true);
    QVERIFY(o.value(u"gpus_needed"_s).isNull());  // a budget given directly names no GPU

    const CliRun text = CliRun::run(args);
    QCOMPARE(text.exitCode, 0);
    QVERIFY2(text.out.contains("Max concurrency     : 11.12x for 8,192 tokens per request (num_blocks / blocks per "
                               "request, as vLLM logs it)\n"),
             text.out.constData());
    QVERIFY(text.out.contains("Blocks per GPU      : 5,691 (one is vLLM's null block)\n"));
    QVERIFY(text.out.contains("Engine log          : GPU KV cache size: 91,056 tokens, Maximum concurrency for 8,192 "
                              "tokens per request: 11.12x\n"));
    QVERIFY(text.out.contains("Block               : 16 tokens, 2.10 MB (2,097,152 bytes)\n"));
}

void TestCliPlan::vllmParityOneByteShort() {
    // One byte less than 5691 blocks holds 5690 (11,934,695,424 is 5690.9 blocks too).
    for (const QString &budget : {u"11934892031"_s, u"11934695424"_s}) {
        const CliRun run = CliRun::run(kLlama8B + split(u"--kv-budget-bytes "_s + budget +
                                                        u" --context_length 8192 --json"_s));
        QCOMPARE(run.exitCode, 0);
        QCOMPARE(CliRun::rawJsonNumber(run.out, u"num_blocks"_s), QByteArray("5690"));
        QCOMPARE(CliRun::rawJsonNumber(run.out, u"max_concurrency"_s), QByteArray("11.11328125"));
    }
}

void TestCliPlan::llamaCppParity() {
    const CliRun run = CliRun::run(split(u"--model DeepSeek-V3 --dtype q8_0 --context_length 32768 --json"_s));
    QCOMPARE(run.err, QByteArray());
    QCOMPARE(run.exitCode, 0);
    QCOMPARE(CliRun::rawJsonNumber(run.out, u"kv_bytes"_s), QByteArray("1223294976"));
    QCOMPARE(CliRun::rawJsonNumber(run.out, u"bytes_per_elem"_s), QByteArray("1.0625"));
    QCOMPARE(jsonOf(run).value(u"dtype"_s).toString(), u"q8_0"_s);
    // 1,223,294,976 / 2^20 = 1166.625 MiB; the report says so in GB.
    const CliRun text = CliRun::run(split(u"--model DeepSeek-V3 --dtype q8_0 --context_length 32768"_s));
    QVERIFY(text.out.contains("(1,223,294,976 bytes)"));
    QVERIFY(text.out.contains("q8_0 (17/16 Bytes/elem)"));
}

void TestCliPlan::doneScenario() {
    const CliRun run = CliRun::run(kLlama70B + split(u"--gpu h100-80gb --tensor-parallel 2 --dtype fp8"_s));
    QCOMPARE(run.err, QByteArray());
    QCOMPARE(run.exitCode, 0);
    // 80 GiB x 0.92 (vLLM's default) = 79,027,398,246 usable; 70,553,706,496
    // of weights on each: 8,473,691,750 for the cache. A block is 16 tokens x
    // 80 layers x 4 K/V heads x 256 x 1 byte = 1,310,720: 6,464 of them, one
    // the null block. 1,024 tokens take cdiv(1024, 16) = 64 blocks: 6,464 / 64
    // = 101.00x, floor(6,463 / 64) = 100 sequences; one sequence up to
    // 6,463 x 16 = 103,408 tokens. vLLM logs int(101 x 1024) = 103,424 tokens.
    const QByteArray expected =
        "\n==== Deployment ====\n"
        "Engine              : vLLM main 5ac2684 (2026-08-07, after v0.26.0)\n"
        "GPU                 : NVIDIA H100 80GB (h100-80gb), 80.00 GiB\n"
        "GPUs                : 2, tensor parallel\n"
        "Utilization         : 0.92 (vLLM's default gpu_memory_utilization), 79.03 GB usable per GPU\n"
        "Weights             : 70,553,706,496 parameters (the built-in model's count) in bf16: 141.11 GB\n"
        "Weights per GPU     : 70.55 GB\n"
        "K/V heads per GPU   : 4 of 8\n"
        "KV budget per GPU   : 8.47 GB (8,473,691,750 bytes), usable - weights\n"
        "Cache layout        : vLLM: 80 layers in one group; blocks of 16 tokens\n"
        "Block               : 16 tokens, 1.31 MB (1,310,720 bytes)\n"
        "Blocks per GPU      : 6,464 (one is vLLM's null block)\n"
        "Blocks per request  : 64 at 1,024 tokens\n"
        "Workload KV per GPU : 83.89 MB for 1,024 tokens x 1 sequence: fits\n"
        "Largest context     : 103,408 tokens at batch 1\n"
        "Largest batch       : 100 sequences of 1,024 tokens\n"
        "Max concurrency     : 101.00x for 1,024 tokens per request (num_blocks / blocks per request, as vLLM logs "
        "it)\n"
        "GPUs needed         : 2\n"
        "Engine log          : GPU KV cache size: 103,424 tokens, Maximum concurrency for 1,024 tokens per request: "
        "101.00x\n";
    QVERIFY2(run.out.endsWith(expected), run.out.constData());
    // The model's report comes first, unchanged.
    const CliRun plain = CliRun::run(kLlama70B + split(u"--dtype fp8"_s));
    QCOMPARE(run.out, plain.out + expected);
}

void TestCliPlan::doneScenarioJson() {
    const CliRun run =
        CliRun::run(kLlama70B + split(u"--gpu h100-80gb --tensor-parallel 2 --dtype fp8 --json"_s));
    QCOMPARE(run.exitCode, 0);
    const QJsonObject o = jsonOf(run);
    QCOMPARE(o.value(u"gpu"_s).toString(), u"h100-80gb"_s);
    QCOMPARE(o.value(u"gpu_label"_s).toString(), u"NVIDIA H100 80GB"_s);
    QCOMPARE(o.value(u"gpu_utilization"_s).toDouble(), 0.92);
    QCOMPARE(o.value(u"tensor_parallel"_s).toInteger(), 2);
    QCOMPARE(o.value(u"weights_dtype"_s).toString(), u"bf16"_s);
    QCOMPARE(CliRun::rawJsonNumber(run.out, u"gpu_memory_bytes"_s), QByteArray("85899345920"));
    QCOMPARE(CliRun::rawJsonNumber(run.out, u"usable_bytes_per_gpu"_s), QByteArray("79027398246"));
    QCOMPARE(CliRun::rawJsonNumber(run.out, u"parameters"_s), QByteArray("70553706496"));
    QCOMPARE(CliRun::rawJsonNumber(run.out, u"weights_bytes"_s), QByteArray("141107412992"));
    QCOMPARE(CliRun::rawJsonNumber(run.out, u"weights_bytes_per_gpu"_s), QByteArray("70553706496"));
    QCOMPARE(CliRun::rawJsonNumber(run.out, u"kv_budget_bytes"_s), QByteArray("8473691750"));
    QCOMPARE(CliRun::rawJsonNumber(run.out, u"block_bytes"_s), QByteArray("1310720"));
    QCOMPARE(CliRun::rawJsonNumber(run.out, u"num_blocks"_s), QByteArray("6464"));
    QCOMPARE(CliRun::rawJsonNumber(run.out, u"max_context_length"_s), QByteArray("103408"));
    QCOMPARE(CliRun::rawJsonNumber(run.out, u"max_batch_size"_s), QByteArray("100"));
    QCOMPARE(CliRun::rawJsonNumber(run.out, u"max_concurrency"_s), QByteArray("101.0"));
    QCOMPARE(CliRun::rawJsonNumber(run.out, u"kv_cache_tokens"_s), QByteArray("103424"));
    QCOMPARE(CliRun::rawJsonNumber(run.out, u"engine_kv_bytes"_s), QByteArray("167772160"));  // 2 x 64 blocks
    // 1024 tokens * 81,920 B per GPU, half of the model's kv_bytes.
    QCOMPARE(CliRun::rawJsonNumber(run.out, u"kv_bytes_per_gpu"_s), QByteArray("83886080"));
    QCOMPARE(CliRun::rawJsonNumber(run.out, u"kv_bytes"_s), QByteArray("167772160"));
    QCOMPARE(o.value(u"kv_heads_per_gpu"_s).toInteger(), 4);
    QCOMPARE(o.value(u"kv_heads_replicated"_s).toBool(), false);
    QCOMPARE(o.value(u"fits"_s).toBool(), true);
    QCOMPARE(o.value(u"max_context_length_at_limit"_s).toBool(), false);
    QCOMPARE(o.value(u"gpus_needed"_s).toInteger(), 2);  // one H100 cannot hold 141 GB of weights
    QCOMPARE(o.value(u"kv_budget_source"_s).toString(), u"gpu"_s);
}

void TestCliPlan::reportUnchangedWithoutPlanning() {
    // The book's report alone has no deployment section and no plan keys.
    const CliRun text = CliRun::run(split(kBook));
    QCOMPARE(text.exitCode, 0);
    QVERIFY(!text.out.contains("Deployment"));
    QVERIFY(text.out.endsWith("Savings (GQA vs MHA): 75.00%\n"));
    const CliRun json = CliRun::run(split(kBook + u" --json"_s));
    for (const char *key : {"kv_budget_bytes", "num_blocks", "tensor_parallel", "weights_bytes"}) {
        QVERIFY2(!json.out.contains(key), key);
    }
    // With a plan, the same report, then a blank line and the section.
    const CliRun planned = CliRun::run(split(kBook + u" --gpu h100"_s));
    QCOMPARE(planned.exitCode, 0);
    QVERIFY(planned.out.startsWith(QByteArray(text.out + "\n==== Deployment ====\n")));
    const CliRun plannedJson = CliRun::run(split(kBook + u" --gpu h100 --json"_s));
    const QJsonObject plain = jsonOf(json);
    const QJsonObject withPlan = jsonOf(plannedJson);
    for (const QString &key : plain.keys()) QCOMPARE(withPlan.value(key), plain.value(key));
}

void TestCliPlan::tensorParallelAlone() {
    // The book's example split over 2 GPUs: 8 K/V heads, 4 on each.
    const CliRun json = CliRun::run(split(kBook + u" --tensor-parallel 2 --json"_s));
    QCOMPARE(json.err, QByteArray());
    QCOMPARE(json.exitCode, 0);
    const QJsonObject o = jsonOf(json);
    QCOMPARE(CliRun::rawJsonNumber(json.out, u"kv_bytes_per_gpu"_s), QByteArray("2147483648"));  // 4.29 GB / 2
    QCOMPARE(o.value(u"kv_heads_per_gpu"_s).toInteger(), 4);
    QCOMPARE(o.value(u"tensor_parallel"_s).toInteger(), 2);
    QVERIFY(!o.contains(u"kv_budget_bytes"_s));  // no budget, no blocks
    QVERIFY(!o.contains(u"num_blocks"_s));

    const CliRun text = CliRun::run(split(kBook + u" --tensor-parallel 2"_s));
    QCOMPARE(text.exitCode, 0);
    QVERIFY2(text.out.contains("\n\n==== Deployment ====\nEngine              : vLLM main 5ac2684 (2026-08-07, "
                               "after v0.26.0)\nGPUs                : 2, tensor parallel\n"),
             text.out.constData());
    QVERIFY(text.out.contains("K/V heads per GPU   : 4 of 8\n"));
    QVERIFY(text.out.contains("KV cache per GPU    : 2.15 GB (2,147,483,648 bytes) of 4.29 GB for 32,768 tokens x "
                              "1 sequence\n"));
}

void TestCliPlan::replicationAndMla() {
    // 8 K/V heads over 16 GPUs: one whole head on each, replicated.
    const CliRun llama = CliRun::run(kLlama8B + split(u"--tensor-parallel 16 --json"_s));
    QCOMPARE(llama.exitCode, 0);
    QCOMPARE(jsonOf(llama).value(u"kv_heads_per_gpu"_s).toInteger(), 1);
    QCOMPARE(jsonOf(llama).value(u"kv_heads_replicated"_s).toBool(), true);
    // 1024 tokens * 32 layers * 1 head * 256 * 2 bytes
    QCOMPARE(CliRun::rawJsonNumber(llama.out, u"kv_bytes_per_gpu"_s), QByteArray("16777216"));

    // An MLA latent is not split: every GPU holds all of it.
    const CliRun deepseek = CliRun::run(split(u"--model DeepSeek-V3 --tensor-parallel 8 --json"_s));
    QCOMPARE(deepseek.exitCode, 0);
    QCOMPARE(CliRun::rawJsonNumber(deepseek.out, u"kv_bytes_per_gpu"_s),
             CliRun::rawJsonNumber(deepseek.out, u"kv_bytes"_s));
    QVERIFY(jsonOf(deepseek).value(u"kv_heads_per_gpu"_s).isNull());
    const CliRun text = CliRun::run(split(u"--model DeepSeek-V3 --tensor-parallel 8"_s));
    QVERIFY(text.out.contains("MLA latent          : whole on every GPU (not split)\n"));
}

void TestCliPlan::gpuMemoryOverridesPreset() {
    const CliRun custom = CliRun::run(kLlama8B + split(u"--gpu-memory-gib 79.6 --json"_s));
    QCOMPARE(custom.exitCode, 0);
    // 79.6 GiB = 81,510.4 MiB, kept to 81,510 MiB as the window keeps it.
    QCOMPARE(CliRun::rawJsonNumber(custom.out, u"gpu_memory_bytes"_s), QByteArray("85469429760"));
    QVERIFY(jsonOf(custom).value(u"gpu"_s).isNull());
    QCOMPARE(jsonOf(custom).value(u"gpu_label"_s).toString(), u"custom GPU"_s);

    const CliRun both = CliRun::run(kLlama8B + split(u"--gpu H100 --gpu-memory-gib 94 --json"_s));
    QCOMPARE(both.exitCode, 0);
    QCOMPARE(CliRun::rawJsonNumber(both.out, u"gpu_memory_bytes"_s), QByteArray("100931731456"));  // 94 GiB
    QCOMPARE(jsonOf(both).value(u"gpu"_s).toString(), u"h100-80gb"_s);
    const CliRun text = CliRun::run(kLlama8B + split(u"--gpu h100 --gpu-memory-gib 94"_s));
    QVERIFY(text.out.contains("GPU                 : NVIDIA H100 80GB (h100-80gb), 94.00 GiB (--gpu-memory-gib)\n"));
}

void TestCliPlan::utilizationAndOverhead() {
    // Llama 3.1 8B (8,030,261,248 params, bf16) on a 24 GiB RTX 4090 at 0.95
    // with 1.5 GiB of overhead:
    //   usable  floor(25,769,803,776 * 0.95)   = 24,481,313,587
    //   budget  24,481,313,587 - 16,060,522,496 - 1,610,612,736 = 6,810,178,355
    const CliRun run = CliRun::run(
        kLlama8B + split(u"--gpu rtx-4090 --gpu-utilization 0.95 --overhead-gib 1.5 --context_length 8192 --json"_s));
    QCOMPARE(run.err, QByteArray());
    QCOMPARE(run.exitCode, 0);
    QCOMPARE(CliRun::rawJsonNumber(run.out, u"usable_bytes_per_gpu"_s), QByteArray("24481313587"));
    QCOMPARE(CliRun::rawJsonNumber(run.out, u"overhead_bytes"_s), QByteArray("1610612736"));
    QCOMPARE(CliRun::rawJsonNumber(run.out, u"weights_bytes"_s), QByteArray("16060522496"));
    QCOMPARE(CliRun::rawJsonNumber(run.out, u"kv_budget_bytes"_s), QByteArray("6810178355"));
    QCOMPARE(CliRun::rawJsonNumber(run.out, u"num_blocks"_s), QByteArray("3247"));  // / 2,097,152
    QCOMPARE(jsonOf(run).value(u"gpu_utilization"_s).toDouble(), 0.95);
    const CliRun text = CliRun::run(
        kLlama8B + split(u"--gpu rtx-4090 --gpu-utilization 0.95 --overhead-gib 1.5 --context_length 8192"_s));
    QVERIFY(text.out.contains("Utilization         : 0.95, 24.48 GB usable per GPU\n"));
    QVERIFY(text.out.contains("Overhead per GPU    : 1.61 GB\n"));
    QVERIFY(text.out.contains(", usable - weights - overhead\n"));
}

void TestCliPlan::parametersFlag() {
    for (const auto &[given, count] : {std::pair{u"70.6B"_s, "70600000000"}, std::pair{u"70.6b"_s, "70600000000"},
                                       std::pair{u"8030261248"_s, "8030261248"}, std::pair{u"1.5T"_s, "1500000000000"},
                                       std::pair{u"350M"_s, "350000000"}, std::pair{u"0.5K"_s, "500"},
                                       std::pair{u"+12"_s, "12"}}) {
        const CliRun run =
            CliRun::run(kLlama8B + split(u"--kv-budget-bytes 1000000000 --json --parameters "_s + given));
        QVERIFY2(run.exitCode == 0, run.err.constData());
        QCOMPARE(CliRun::rawJsonNumber(run.out, u"parameters"_s), QByteArray(count));
        QCOMPARE(jsonOf(run).value(u"parameters_source"_s).toString(), u"--parameters"_s);
    }
    // A mixture-of-experts model needs the count for a GPU budget; a direct
    // KV budget does without it.
    const CliRun moe = CliRun::run(QStringList{u"--config"_s, kDeepSeekConfig} +
                                   split(u"--gpu h200 --tensor-parallel 8 --parameters 671B --weights-dtype fp8 "
                                         u"--json"_s));
    QVERIFY2(moe.exitCode == 0, moe.err.constData());
    QCOMPARE(CliRun::rawJsonNumber(moe.out, u"weights_bytes"_s), QByteArray("671000000000"));
    // DeepSeek-V3's config.json alone gives no count (the preset publishes one).
    const CliRun direct = CliRun::run({u"--config"_s, kDeepSeekConfig, u"--kv-budget-bytes"_s, u"10000000000"_s,
                                       u"--json"_s});
    QCOMPARE(direct.exitCode, 0);
    QVERIFY(jsonOf(direct).value(u"parameters"_s).isNull());
    QVERIFY(jsonOf(direct).value(u"weights_bytes"_s).isNull());
    QCOMPARE(CliRun::rawJsonNumber(direct.out, u"num_blocks"_s), QByteArray("8894"));  // 1e10 / (16 * 70,272)
    const CliRun directText = CliRun::run({u"--config"_s, kDeepSeekConfig, u"--kv-budget-bytes"_s,
                                           u"10000000000"_s});
    QVERIFY(directText.out.contains("Weights             : unknown (--parameters gives the count)\n"));
}

void TestCliPlan::bookShapeParameters() {
    // The book's flags: the book's GPT model of that shape counts the weights.
    const CliRun run = CliRun::run(split(kBook + u" --gpu h100 --json"_s));
    QCOMPARE(run.exitCode, 0);
    const QJsonObject o = jsonOf(run);
    QCOMPARE(o.value(u"parameters_source"_s).toString(), u"book_shape"_s);
    QVERIFY(o.value(u"parameters"_s).toInteger() > 6'000'000'000);
    QCOMPARE(o.value(u"weights_dtype"_s).toString(), u"bf16"_s);
    QCOMPARE(o.value(u"weights_bytes"_s).toInteger(), 2 * o.value(u"parameters"_s).toInteger());
}

void TestCliPlan::weightsDtypeDefaultsToTorchDtype() {
    // Gemma 2 9B's config says float32, which vLLM serves in bf16; Llama 2 7B's float16.
    const CliRun gemma = CliRun::run(split(u"--model gemma-2-9b --kv-budget-bytes 1000000000 --json"_s));
    QCOMPARE(jsonOf(gemma).value(u"weights_dtype"_s).toString(), u"bf16"_s);
    const CliRun llama2 = CliRun::run(split(u"--model llama-2-7b --kv-budget-bytes 1000000000 --json"_s));
    QCOMPARE(jsonOf(llama2).value(u"weights_dtype"_s).toString(), u"fp16"_s);
    const CliRun given = CliRun::run(split(u"--model llama-2-7b --kv-budget-bytes 1000000000 --weights-dtype q4_0 "
                                           u"--json"_s));
    QCOMPARE(jsonOf(given).value(u"weights_dtype"_s).toString(), u"q4_0"_s);
    // 18 bytes per 32 weights, in whole blocks.
    const qint64 params = jsonOf(given).value(u"parameters"_s).toInteger();
    QCOMPARE(jsonOf(given).value(u"weights_bytes"_s).toInteger(), (params + 31) / 32 * 18);
}

void TestCliPlan::binaryUnits() {
    const CliRun run = CliRun::run(kLlama70B + split(u"--gpu h100-80gb --tensor-parallel 2 --dtype fp8 "
                                                     u"--binary-units"_s));
    QCOMPARE(run.exitCode, 0);
    QVERIFY2(run.out.contains("GPU                 : NVIDIA H100 80GB (h100-80gb), 80.00 GiB\n"), run.out.constData());
    QVERIFY(run.out.contains("KV budget per GPU   : 7.89 GiB (8,473,691,750 bytes), usable - weights\n"));
    QVERIFY(run.out.contains("Block               : 16 tokens, 1.25 MiB (1,310,720 bytes)\n"));
    // The model's own report keeps the book's GB.
    QVERIFY(run.out.contains(" GB ("));
}

void TestCliPlan::listGpus() {
    const CliRun run = CliRun::run({u"--list-gpus"_s});
    QCOMPARE(run.err, QByteArray());
    QCOMPARE(run.exitCode, 0);
    const QList<QByteArray> lines = run.out.trimmed().split('\n');
    QVERIFY(lines.size() >= 8);
    for (const QByteArray &line : lines) QCOMPARE(line.count('\t'), 2);
    QVERIFY(run.out.contains("h100-80gb\tNVIDIA H100 80GB\t80.00 GiB\n"));
    QVERIFY(run.out.contains("rtx-4090\tNVIDIA GeForce RTX 4090 24GB\t24.00 GiB\n"));
    QVERIFY(run.out.contains("mi300x\tAMD Instinct MI300X 192GB\t192.00 GiB\n"));
    for (const char *name : {"l40s", "a100-40gb", "a100-80gb", "h200", "b200"}) {
        QVERIFY2(run.out.contains(QByteArray(QByteArray(name) + '\t')), name);
    }
    const CliRun json = CliRun::run({u"--list_gpus"_s, u"--json"_s});
    QCOMPARE(json.exitCode, 0);
    const QJsonArray gpus = QJsonDocument::fromJson(json.out).array();
    QCOMPARE(gpus.size(), lines.size());
    bool found = false;
    for (const QJsonValue &gpu : gpus) {
        if (gpu[u"name"_s].toString() != u"h100-80gb"_s) continue;
        found = true;
        QCOMPARE(gpu[u"label"_s].toString(), u"NVIDIA H100 80GB"_s);
        QCOMPARE(gpu[u"memory_bytes"_s].toInteger(), 85899345920);
    }
    QVERIFY(found);
}

void TestCliPlan::slidingWindowModels() {
    // Mistral 7B v0.1: every layer keeps at most 4096 tokens, so memory never
    // runs out; the model's own limit (max_position_embeddings 32,768) does.
    const CliRun mistral = CliRun::run(split(u"--model mistral-7b-v0.1 --gpu h100 --context_length 32768 --json"_s));
    QCOMPARE(mistral.exitCode, 0);
    QCOMPARE(CliRun::rawJsonNumber(mistral.out, u"max_context_length"_s), QByteArray("32768"));
    QCOMPARE(jsonOf(mistral).value(u"max_context_length_at_limit"_s).toBool(), true);
    QCOMPARE(jsonOf(mistral).value(u"max_context_length_limited_by"_s).toString(), u"model"_s);
    const CliRun text = CliRun::run(split(u"--model mistral-7b-v0.1 --gpu h100 --context_length 32768"_s));
    QVERIFY2(text.out.contains("Largest context     : 32,768 tokens (the model's context limit) at batch 1\n"),
             text.out.constData());
    // Gemma 3 27B on 2 x H100 at 32,768 tokens. Per GPU 8 K/V heads x 256 x 2
    // bytes = 4,096 a token per layer, 65,536 a page; 7 groups of 10 slots:
    // 655,360 a block. Budget: 79,027,398,246 - 54,864,813,280 / 2 =
    // 51,594,991,606: 78,727 blocks. A request holds cdiv(32768, 16) = 2,048
    // full blocks and, in each of 6 sliding groups, cdiv(min(1,023 + 2 x
    // 8,192, 32,768), 16) + 1 = 1,089: 8,582 in all. 78,727 / 8,582 = 9.17x,
    // floor(78,726 / 8,582) = 9 sequences.
    const CliRun gemma = CliRun::run(split(u"--model gemma-3-27b --gpu h100 --tensor-parallel 2 "
                                           u"--context_length 32768 --json"_s));
    QCOMPARE(gemma.exitCode, 0);
    const QJsonObject g = jsonOf(gemma);
    QCOMPARE(g.value(u"block_bytes"_s).toInteger(), 655360);
    QCOMPARE(g.value(u"num_blocks"_s).toInteger(), 78727);
    QCOMPARE(g.value(u"blocks_per_request"_s).toInteger(), 8582);
    QCOMPARE(g.value(u"max_concurrency"_s).toDouble(), 78727.0 / 8582);
    QCOMPARE(g.value(u"max_batch_size"_s).toInteger(), 9);
    QCOMPARE(g.value(u"cache_layout"_s).toString(),
             u"vLLM: 62 layers in 7 groups of 10, 8 padding; blocks of 16 tokens"_s);
    // Qwen3-Next on 4 GPUs: one replicated K/V head (1,024 bytes a token) and a
    // quarter of each DeltaNet state, (2,048 x 3 + 8 x 128 x 128) x 2 = 274,432
    // bytes: blocks grow to 16 x cdiv(274,432, 16,384) = 272 tokens.
    const CliRun qwen = CliRun::run(split(u"--model qwen3-next-80b-a3b --gpu h100 --tensor-parallel 4 "
                                          u"--context_length 32768"_s));
    QCOMPARE(qwen.exitCode, 0);
    QVERIFY2(qwen.out.contains("Cache layout        : vLLM: 48 layers in 4 groups of 12, 0 padding; blocks of 272 "
                               "tokens (grown so a page holds a 274,432-byte state)\n"),
             qwen.out.constData());
}

void TestCliPlan::workloadThatDoesNotFit() {
    // 8 sequences of 131,072 tokens of Llama 3.1 8B: 128 GiB of cache on one H100.
    const CliRun run = CliRun::run(kLlama8B + split(u"--gpu h100 --context_length 131072 --batch_size 8 --json"_s));
    QCOMPARE(run.exitCode, 0);
    const QJsonObject o = jsonOf(run);
    QCOMPARE(o.value(u"fits"_s).toBool(), false);
    QVERIFY(o.value(u"max_batch_size"_s).toInteger() < 8);
    QVERIFY(o.value(u"max_context_length"_s).toInteger() < 131072);
    QVERIFY(o.value(u"gpus_needed"_s).toInteger() > 1);
    const CliRun text = CliRun::run(kLlama8B + split(u"--gpu h100 --context_length 131072 --batch_size 8"_s));
    QVERIFY(text.out.contains(": does not fit\n"));
}

void TestCliPlan::exportsDrawTheBudget_data() {
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QByteArray>("budget");  // the plan's kv_budget_bytes

    QTest::newRow("2 x H100, fp8") << (kLlama70B + split(u"--gpu h100-80gb --tensor-parallel 2 --dtype fp8"_s))
                                   << QByteArray("8473691750");
    // 79.6 GiB (81,510 MiB) * 0.85 - 16,060,522,496 of weights - 0.3 GiB (307 MiB)
    QTest::newRow("custom memory and overhead")
        << (kLlama8B + split(u"--gpu-memory-gib 79.6 --gpu-utilization 0.85 --overhead-gib 0.3"_s))
        << QByteArray("56266579968");
    QTest::newRow("budget in bytes") << (kLlama8B + split(u"--kv-budget-bytes 11934892032"_s))
                                     << QByteArray("11934892032");
    QTest::newRow("book shape") << split(kBook + u" --gpu l40s --block-size 32"_s) << QByteArray();
    // Models of mixed layers chart their own curve against the budget, as the window does.
    // 80 GiB x 0.92 = 79,027,398,246 usable - 27,432,406,640 parameters in bf16
    QTest::newRow("sliding window") << (QStringList{u"--model"_s, u"Gemma 3 27B"_s} +
                                        split(u"--gpu h100-80gb --context_length 131072"_s))
                                    << QByteArray("24162584966");
    // 141 GiB x 0.92 = 139,285,789,409 - 671B fp8 weights over 8 GPUs; the MLA latent is not split.
    QTest::newRow("MLA over 8 GPUs")
        << (QStringList{u"--model"_s, u"DeepSeek-V3"_s} +
            split(u"--gpu h200 --tensor-parallel 8 --parameters 671B --weights-dtype fp8"_s))
        << QByteArray("55410789409");
}

void TestCliPlan::exportsDrawTheBudget() {
    QFETCH(QStringList, args);
    QFETCH(QByteArray, budget);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString csv = dir.filePath(u"context.csv"_s);
    const QString report = dir.filePath(u"report.pdf"_s);
    const CliRun json = CliRun::run(args + QStringList{u"--json"_s});
    QCOMPARE(json.exitCode, 0);
    const QByteArray planned = CliRun::rawJsonNumber(json.out, u"kv_budget_bytes"_s);
    if (!budget.isEmpty()) QCOMPARE(planned, budget);

    const CliRun run = CliRun::run(args + QStringList{u"--chart"_s, u"context"_s, u"--out"_s, csv, u"--report"_s,
                                                      report});
    QCOMPARE(run.err, QByteArray());
    QCOMPARE(run.exitCode, 0);
    QCOMPARE(run.out, QByteArray());
    QFile file(csv);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QList<QByteArray> lines = file.readAll().trimmed().split('\n');
    const qsizetype column = lines.at(0).split(',').indexOf("kv_budget_per_gpu_bytes");
    QVERIFY2(column > 0, lines.at(0).constData());
    for (const QByteArray &line : lines.mid(1)) QCOMPARE(line.split(',').at(column), planned);
    QFile pdf(report);
    QVERIFY(pdf.open(QIODevice::ReadOnly));
    QVERIFY(pdf.read(5) == "%PDF-");
    // The report has the plan's tables (pdftotext: poppler-utils, a test dependency).
    QProcess text;
    text.start(u"pdftotext"_s, {report, u"-"_s});
    QVERIFY2(text.waitForFinished(30000) && text.exitCode() == 0, "pdftotext failed");
    const QString shown = QString::fromUtf8(text.readAllStandardOutput());
    QVERIFY2(shown.contains(u"Deployment"_s) && shown.contains(u"KV budget per GPU"_s), qPrintable(shown));
}

void TestCliPlan::badInput_data() {
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QByteArray>("expected");  // the whole stderr line; empty: check `contains` only
    QTest::addColumn<QByteArray>("contains");

    const QByteArray gpus = "rtx-3090, rtx-4090, l4, a10g, rtx-5090, a100-40gb, l40s, rtx-6000-ada, a100-80gb, "
                            "h100-80gb, h200, b200, mi300x, mi325x";
    QTest::newRow("unknown gpu") << (kLlama8B + split(u"--gpu h1000"_s))
                                 << "kvscope-cli: --gpu must be one of " + gpus +
                                        " (got \"h1000\"; --gpu-memory-gib gives any other size)"
                                 << QByteArray();
    QTest::newRow("gpu needs a value") << (kLlama8B + split(u"--gpu"_s))
                                       << QByteArray("kvscope-cli: --gpu needs a value: a GPU's name (kvscope-cli "
                                                     "--list-gpus lists them)")
                                       << QByteArray();
    // 1.0000001 is more than 1, however many digits are kept.
    for (const QString &u : {u"0"_s, u"1.5"_s, u"-0.5"_s, u"1.0000001"_s, u"1.00000000000000000001"_s, u"abc"_s,
                             u"90%"_s}) {
        QTest::addRow("utilization %s", qPrintable(u))
            << (kLlama8B + split(u"--gpu h100 --gpu-utilization "_s + u))
            << "kvscope-cli: --gpu-utilization must be a number above 0 and at most 1, as in 0.9 (vLLM's "
               "gpu_memory_utilization; got \"" +
                   u.toUtf8() + "\")"
            << QByteArray();
    }
    // Millionths are kept: a finer digit would be dropped, so it is refused.
    for (const QString &u : {u"0.9000001"_s, u"0.0000001"_s, u"0.99999999"_s}) {
        QTest::addRow("utilization %s", qPrintable(u))
            << (kLlama8B + split(u"--gpu h100 --gpu-utilization "_s + u))
            << "kvscope-cli: --gpu-utilization keeps 6 decimals (millionths): \"" + u.toUtf8() +
                   "\" has more; give at most 6"
            << QByteArray();
    }
    QTest::newRow("gpu memory finer than 9 decimals")
        << (kLlama8B + split(u"--gpu-memory-gib 1.00048828126"_s))
        << QByteArray("kvscope-cli: --gpu-memory-gib keeps 9 decimals (billionths of a GiB): \"1.00048828126\" has "
                      "more; give at most 9")
        << QByteArray();
    QTest::newRow("gpu memory just above the largest")
        << (kLlama8B + split(u"--gpu-memory-gib 1048576.0000000001"_s))
        << QByteArray("kvscope-cli: --gpu-memory-gib must be a number of GiB above 0 and at most 1,048,576, as in "
                      "79.6 (got \"1048576.0000000001\")")
        << QByteArray();
    // Every flag that takes one value, given twice: an error naming it.
    QTest::newRow("second --gpu") << (kLlama8B + split(u"--gpu h100 --gpu h200"_s))
                                  << QByteArray(R"(kvscope-cli: --gpu is given twice ("h100" and "h200"); give it once)")
                                  << QByteArray();
    QTest::newRow("second --gpu-utilization, first bad")
        << (kLlama8B + split(u"--gpu h100 --gpu-utilization 9 --gpu_utilization 0.9"_s))
        << QByteArray(R"(kvscope-cli: --gpu-utilization is given twice ("9" and "0.9"); give it once)")
        << QByteArray();
    for (const QString &g : {u"0"_s, u"-1"_s, u"x"_s, u"1048577"_s, u"1e3"_s}) {
        QTest::addRow("gpu memory %s", qPrintable(g))
            << (kLlama8B + split(u"--gpu-memory-gib "_s + g))
            << "kvscope-cli: --gpu-memory-gib must be a number of GiB above 0 and at most 1,048,576, as in 79.6 "
               "(got \"" +
                   g.toUtf8() + "\")"
            << QByteArray();
    }
    QTest::newRow("overhead negative")
        << (kLlama8B + split(u"--gpu h100 --overhead-gib -1"_s))
        << QByteArray("kvscope-cli: --overhead-gib must be a number of GiB from 0 to 1,048,576, as in 79.6 (got "
                      "\"-1\")")
        << QByteArray();
    QTest::newRow("tensor parallel 0")
        << (kLlama8B + split(u"--tensor-parallel 0"_s))
        << QByteArray("kvscope-cli: --tensor-parallel must be a whole number from 1 to 1,024 (got 0)") << QByteArray();
    QTest::newRow("tensor parallel 2000")
        << (kLlama8B + split(u"--gpu h100 --tensor_parallel 2000"_s))
        << QByteArray("kvscope-cli: --tensor-parallel must be a whole number from 1 to 1,024 (got 2,000)")
        << QByteArray();
    QTest::newRow("tensor parallel does not divide the heads")
        << (kLlama8B + split(u"--gpu h100 --tensor-parallel 3"_s))
        << QByteArray("kvscope-cli: --tensor-parallel (3) must split every attention layer's query heads evenly, "
                      "its K/V heads evenly or into whole replicas, and every linear state into whole heads; valid "
                      "counts: 1, 2, 4, 8, 16, 32")
        << QByteArray();
    QTest::newRow("unknown weights dtype")
        << (kLlama8B + split(u"--gpu h100 --weights-dtype fp4"_s))
        << QByteArray("kvscope-cli: --weights-dtype must be one of fp32, bf16, fp16, fp8, int8, int4, q8_0, q4_0 "
                      "(got \"fp4\")")
        << QByteArray();
    QTest::newRow("kv budget 0")
        << (kLlama8B + split(u"--kv-budget-bytes 0"_s))
        << QByteArray("kvscope-cli: --kv-budget-bytes must be a whole number from 1 to 1,125,899,906,842,624 (got 0)")
        << QByteArray();
    QTest::newRow("kv budget with a unit")
        << (kLlama8B + split(u"--kv-budget-bytes 10GB"_s))
        << QByteArray("kvscope-cli: --kv-budget-bytes must be a whole number from 1 to 1,125,899,906,842,624 (got "
                      "\"10GB\")")
        << QByteArray();
    QTest::newRow("kv budget below one block")
        << (kLlama8B + split(u"--kv-budget-bytes 1000000"_s))
        << QByteArray("kvscope-cli: --kv-budget-bytes: the KV budget per GPU (1.00 MB, 1,000,000 bytes) does "
                      "not hold one token's 1 block of 16 tokens and vLLM's null block (4.19 MB, 4,194,304 bytes)")
        << QByteArray();
    for (const QString &b : {u"12"_s, u"0"_s, u"2048"_s, u"x"_s}) {
        QTest::addRow("block size %s", qPrintable(b))
            << (kLlama8B + split(u"--gpu h100 --block-size "_s + b))
            << "kvscope-cli: --block-size must be a power of two from 1 to 1,024 (got " +
                   (b == u"x"_s ? QByteArray("\"x\"") : b.toUtf8().replace("2048", "2,048")) + ")"
            << QByteArray();
    }
    const QByteArray parameters = "kvscope-cli: --parameters must be a whole number or a number with K, M, B or T "
                                  "(as in 70.6B), 1 to 17,592,186,044,416 (got \"";
    for (const QString &p : {u"0"_s, u"1.5"_s, u"70.6X"_s, u"B"_s, u"-3B"_s, u"18T"_s, u"0.0000000001K"_s}) {
        QTest::addRow("parameters %s", qPrintable(p))
            << (kLlama8B + split(u"--gpu h100 --parameters "_s + p)) << parameters + p.toUtf8() + "\")"
            << QByteArray();
    }
    QTest::newRow("weights leave no room")
        << (kLlama70B + split(u"--gpu rtx-4090"_s)) << QByteArray()
        << QByteArray("kvscope-cli: --gpu rtx-4090: the weights need 141.11 GB per GPU");
    // 141,107,412,992 B of bf16 weights; 85,899,345,920 B x 0.92 = 79,027,398,246 B usable: in GB
    // as the run prints every size, in GiB with --binary-units.
    QTest::newRow("weights leave no room: GPUs needed")
        << (kLlama70B + split(u"--gpu h100"_s))
        << QByteArray("kvscope-cli: --gpu h100-80gb: the weights need 141.11 GB per GPU, leaving no room for the KV "
                      "cache in the 79.03 GB usable (85.90 GB x 0.92); needs 2 GPUs (--tensor-parallel 2)")
        << QByteArray();
    QTest::newRow("weights leave no room: GPUs needed, in GiB")
        << (kLlama70B + split(u"--gpu h100 --binary-units"_s))
        << QByteArray("kvscope-cli: --gpu h100-80gb: the weights need 131.42 GiB per GPU, leaving no room for the KV "
                      "cache in the 73.60 GiB usable (80.00 GiB x 0.92); needs 2 GPUs (--tensor-parallel 2)")
        << QByteArray();
    // 16 GiB all usable, 8,589,434,592 bf16 weights: 1,000,000 bytes left, half a block.
    QTest::newRow("budget below one block: GPUs needed")
        << (kLlama8B + split(u"--gpu-memory-gib 16 --gpu-utilization 1 --parameters 8589434592"_s))
        << QByteArray("kvscope-cli: --gpu-memory-gib: the KV budget per GPU (1.00 MB, 1,000,000 bytes) does not "
                      "hold one token's 1 block of 16 tokens and vLLM's null block (4.19 MB, 4,194,304 bytes); needs 2 "
                      "GPUs (--tensor-parallel 2)")
        << QByteArray();
    QTest::newRow("weights leave no room: custom memory")
        << (kLlama70B + split(u"--gpu-memory-gib 40"_s)) << QByteArray()
        << QByteArray("kvscope-cli: --gpu-memory-gib: the weights need");
    QTest::newRow("MoE config without a parameter count")
        << QStringList{u"--config"_s, kDeepSeekConfig, u"--gpu"_s, u"h200"_s}
        << QByteArray("kvscope-cli: --parameters: the config gives no parameter count (the weights of a "
                      "mixture-of-experts, MLA, hybrid or multimodal model are not a dense shape), and the GPU's "
                      "budget needs the weights: pass --parameters N, as in 671B, or the KV budget itself with "
                      "--kv-budget-bytes")
        << QByteArray();
    QTest::newRow("utilization without a GPU")
        << (kLlama8B + split(u"--kv-budget-bytes 1000000000 --gpu-utilization 0.8"_s))
        << QByteArray("kvscope-cli: --gpu-utilization needs the GPU's memory: give --gpu or --gpu-memory-gib")
        << QByteArray();
    QTest::newRow("utilization without a plan")
        << (kLlama8B + split(u"--gpu-utilization 0.8"_s))
        << QByteArray("kvscope-cli: --gpu-utilization only applies to a deployment plan: give --gpu, "
                      "--gpu-memory-gib or --kv-budget-bytes (or --tensor-parallel)")
        << QByteArray();
    QTest::newRow("block size without a budget")
        << (kLlama8B + split(u"--tensor-parallel 2 --block-size 32"_s))
        << QByteArray("kvscope-cli: --block-size only applies with a KV budget: give --gpu, --gpu-memory-gib or "
                      "--kv-budget-bytes")
        << QByteArray();
    QTest::newRow("list gpus with a model")
        << (kLlama8B + split(u"--list-gpus"_s))
        << QByteArray("kvscope-cli: --list-gpus cannot be combined with --model")
        << QByteArray();
    QTest::newRow("binary units with json")
        << (kLlama8B + split(u"--gpu h100 --json --binary-units"_s))
        << QByteArray("kvscope-cli: --binary-units only applies to --chart, --report and the deployment section "
                      "(--gpu, --gpu-memory-gib, --kv-budget-bytes or --tensor-parallel)")
        << QByteArray();
}

void TestCliPlan::badInput() {
    QFETCH(QStringList, args);
    QFETCH(QByteArray, expected);
    QFETCH(QByteArray, contains);
    const CliRun run = CliRun::run(args);
    QCOMPARE(run.exitCode, 2);
    QCOMPARE(run.out, QByteArray());
    QCOMPARE(run.err.count('\n'), 1);
    QVERIFY(run.err.endsWith('\n'));
    if (!expected.isEmpty()) QCOMPARE(run.err, expected + '\n');
    if (!contains.isEmpty()) QVERIFY2(run.err.contains(contains), run.err.constData());
}

QTEST_MAIN(TestCliPlan)
#include "tst_cliplan.moc"
