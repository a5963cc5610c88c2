// CliOptions::parse on its own: what each argument list becomes, and that no
// argument list, however odd, crashes it or yields a multi-line error.

#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>

#include "CliOptions.h"
#include "PlanReport.h"
#include "kvscope/estimator.h"
#include "kvscope/weights.h"

using namespace Qt::StringLiterals;

namespace {

kvscope::Result<CliOptions> parse(const QString &flags) {
    return CliOptions::parse(QStringList{u"kvscope-cli"_s} + flags.split(u' ', Qt::SkipEmptyParts));
}

const QString kRequired = u"--emb_dim 4096 --n_heads 32 --n_layers 32 --n_kv_groups 4"_s;

}  // namespace

class TestCliOptions : public QObject {
    Q_OBJECT

private slots:
    void requiredFlagsAndDefaults();
    void everyFlagIsRead();
    void jsonHelpVersion();
    void singleDashLongNames();
    void errorsNameTheField_data();
    void errorsNameTheField();
    void flagErrorRewritesCoreFields();
    void planningFlags();
    void planningFlagsAbsent();
    void garbageNeverCrashes();
    void repeatedFlagsAreErrors_data();
    void repeatedFlagsAreErrors();
    void chartAndOutRepeatInPairs();
    void decimalsPastWhatIsKeptAreRefused();
};

void TestCliOptions::requiredFlagsAndDefaults() {
    const auto options = parse(kRequired);
    QVERIFY(options.ok());
    QCOMPARE(options->action, CliOptions::Action::Report);
    QCOMPARE(options->shape.emb_dim, 4096u);
    QCOMPARE(options->shape.n_heads, 32u);
    QCOMPARE(options->shape.n_layers, 32u);
    QCOMPARE(options->shape.n_kv_groups, 4u);
    QVERIFY(!options->shape.head_dim.has_value());
    // The book's defaults, not the core's (which are the seed model's).
    QCOMPARE(options->workload.context_length, 1024u);
    QCOMPARE(options->workload.batch_size, 1u);
    QCOMPARE(options->workload.dtype, kvscope::DType::fp16);
}

void TestCliOptions::everyFlagIsRead() {
    const auto options = parse(
        u"--emb-dim=2048 --n-heads 24 --n_layers=48 --n-kv-groups 6 --context-length 2147483648 "
        u"--batch_size 1024 --dtype int8 --head-dim 128"_s);
    QVERIFY2(options.ok(), options.ok() ? "" : options.error().message.c_str());
    QCOMPARE(options->shape.emb_dim, 2048u);
    QCOMPARE(options->shape.n_heads, 24u);
    QCOMPARE(options->shape.n_layers, 48u);
    QCOMPARE(options->shape.n_kv_groups, 6u);
    QCOMPARE(options->shape.head_dim, std::optional<std::uint32_t>(128));
    QCOMPARE(options->workload.context_length, std::uint64_t{1} << 31);
    QCOMPARE(options->workload.batch_size, 1024u);
    QCOMPARE(options->workload.dtype, kvscope::DType::int8);
    // A successful parse promises that estimate() succeeds.
    QVERIFY(kvscope::estimate(options->shape, options->workload).ok());
}

void TestCliOptions::jsonHelpVersion() {
    QCOMPARE(parse(kRequired + u" --json"_s)->action, CliOptions::Action::Json);
    QCOMPARE(parse(u"--help"_s)->action, CliOptions::Action::Help);
    QCOMPARE(parse(u"-h"_s)->action, CliOptions::Action::Help);
    QCOMPARE(parse(u"--version"_s)->action, CliOptions::Action::Version);
    // Help needs no other flag and ignores bad values.
    QCOMPARE(parse(u"--n_heads 0 --help"_s)->action, CliOptions::Action::Help);
}

void TestCliOptions::singleDashLongNames() {
    const auto options = parse(u"-emb_dim 4096 -n_heads 32 -n_layers 32 -n_kv_groups 4"_s);
    QVERIFY(options.ok());
    QCOMPARE(options->shape.emb_dim, 4096u);
}

void TestCliOptions::errorsNameTheField_data() {
    QTest::addColumn<QString>("flags");
    QTest::addColumn<QString>("field");
    QTest::newRow("missing") << u"--emb_dim 1 --n_heads 1 --n_layers 1"_s << u"n_kv_groups"_s;
    QTest::newRow("emb_dim") << u"--emb_dim 0 --n_heads 32 --n_layers 32 --n_kv_groups 4"_s << u"emb_dim"_s;
    QTest::newRow("context") << kRequired + u" --context_length 0"_s << u"context_length"_s;
    QTest::newRow("batch") << kRequired + u" --batch_size x"_s << u"batch_size"_s;
    QTest::newRow("dtype") << kRequired + u" --dtype q4"_s << u"dtype"_s;
    QTest::newRow("head_dim") << kRequired + u" --head_dim 99999"_s << u"head_dim"_s;
    QTest::newRow("divisor") << u"--emb_dim 4096 --n_heads 32 --n_layers 32 --n_kv_groups 3"_s << u"n_kv_groups"_s;
    QTest::newRow("unknown") << kRequired + u" --bogus"_s << u"--bogus"_s;
}

void TestCliOptions::errorsNameTheField() {
    QFETCH(QString, flags);
    QFETCH(QString, field);
    const auto options = parse(flags);
    QVERIFY(!options.ok());
    QCOMPARE(QString::fromStdString(options.error().field), field);
    const QString message = QString::fromStdString(options.error().message);
    QVERIFY2(message.contains(field.startsWith(u'-') ? field : u"--"_s + field) ||
                 message.startsWith(u"missing required flag --"_s + field) ||
                 message.startsWith(u"n_kv_groups must divide n_heads exactly."_s),
             qPrintable(message));
}

void TestCliOptions::flagErrorRewritesCoreFields() {
    const kvscope::InputError overflow{"context_length",
                                       "lower context_length, batch_size or n_layers; see n_kv_groups_x"};
    const kvscope::InputError rewritten = CliOptions::flagError(overflow, kvscope::ModelShape{});
    QCOMPARE(rewritten.field, "context_length");
    // Whole words only: a longer identifier keeps its name.
    QCOMPARE(rewritten.message, "lower --context_length, --batch_size or --n_layers; see n_kv_groups_x");

    kvscope::ModelShape shape;
    shape.n_heads = 12;
    shape.n_kv_groups = 5;
    const kvscope::InputError divisor =
        CliOptions::flagError(kvscope::InputError{"n_kv_groups", "n_kv_groups must divide n_heads exactly."}, shape);
    QCOMPARE(divisor.message,
             "n_kv_groups must divide n_heads exactly. With --n_heads 12, --n_kv_groups must be one "
             "of 1, 2, 3, 4, 6, 12 (got 5)");
}

void TestCliOptions::planningFlags() {
    const auto options = parse(kRequired + u" --gpu H100 --gpu-memory-gib 79.5 --gpu_utilization 0.925 "
                                           u"--overhead-gib 0.25 --tensor-parallel 2 --weights-dtype int4 "
                                           u"--parameters 8.03B --block_size 32"_s);
    QVERIFY2(options.ok(), options.ok() ? "" : options.error().message.c_str());
    QVERIFY(options->planning.has_value());
    const CliOptions::Planning &p = *options->planning;
    QVERIFY(p.hasBudget);
    QCOMPARE(p.gpuName, u"h100-80gb"_s);
    QVERIFY(p.customMemory);
    QCOMPARE(p.deployment.gpu_memory_bytes, std::uint64_t{795} * (1u << 30) / 10);  // 79.5 GiB
    // Fractions are kept to the nearest MiB, as the window keeps them; a
    // memory above 0 is at least 1 MiB.
    const auto gib = [](const QString &text) {
        // A KV budget given directly: the memory only informs, so any size plans.
        const auto o = parse(kRequired + u" --kv-budget-bytes 1000000000 --gpu-memory-gib "_s + text);
        return o.ok() ? o->planning->deployment.gpu_memory_bytes : 0;
    };
    QCOMPARE(gib(u"79.6"_s), std::uint64_t{81510} << 20);
    QCOMPARE(gib(u"0.0001"_s), std::uint64_t{1} << 20);
    QCOMPARE(gib(u".5"_s), std::uint64_t{512} << 20);
    QCOMPARE(gib(u"1048576"_s), std::uint64_t{1} << 50);
    QCOMPARE(gib(u"0.000488281"_s), std::uint64_t{1} << 20);  // 0.49999... MiB: at least 1 MiB
    QCOMPARE(gib(u"0.0014648"_s), std::uint64_t{1} << 20);    // 1.49995 MiB
    QCOMPARE(p.deployment.utilization_ppm, 925'000u);
    QCOMPARE(p.deployment.overhead_bytes, std::uint64_t{1} << 28);
    QCOMPARE(p.deployment.tensor_parallel, 2u);
    QCOMPARE(p.deployment.weights_dtype, kvscope::DType::int4);
    QCOMPARE(p.deployment.parameters, 8'030'000'000u);
    QCOMPARE(p.parametersSource, u"--parameters"_s);
    QCOMPARE(p.deployment.block_size, 32u);
    QVERIFY(!p.deployment.kv_budget_bytes);
    QVERIFY(cliPlanFigures(*options).ok());

    // The book's shape counts its own weights; bf16 unless told.
    const auto book = parse(kRequired + u" --kv-budget-bytes 1000000000"_s);
    QVERIFY(book.ok());
    const auto expected = kvscope::denseParameterCount(kvscope::bookDenseShape(4096, 32, 8, 128, 32));
    QVERIFY(expected.ok());
    QCOMPARE(book->planning->parameters, std::optional<std::uint64_t>(*expected));
    QCOMPARE(book->planning->parametersSource, u"book_shape"_s);
    QCOMPARE(book->planning->deployment.weights_dtype, kvscope::DType::bf16);
    QCOMPARE(book->planning->deployment.kv_budget_bytes, std::optional<std::uint64_t>(1'000'000'000));
    QCOMPARE(book->planning->deployment.utilization_ppm, 920'000u);  // vLLM's default (vllm/config/cache.py)
    QCOMPARE(book->planning->deployment.block_size, 0u);  // the attention backend's own

    // --tensor-parallel alone: per-GPU figures, no budget.
    const auto split = parse(kRequired + u" --tensor-parallel 4"_s);
    QVERIFY(split.ok());
    QVERIFY(split->planning.has_value());
    QVERIFY(!split->planning->hasBudget);
    const auto figures = cliPlanFigures(*split);
    QVERIFY(figures.ok());
    QVERIFY(!figures->plan.has_value());
    QCOMPARE(figures->kv_heads_per_gpu, 2u);
    QCOMPARE(figures->kv_bytes_per_gpu * 4, figures->kv_bytes);
}

void TestCliOptions::planningFlagsAbsent() {
    const auto options = parse(kRequired);
    QVERIFY(options.ok());
    QVERIFY(!options->planning.has_value());
    const auto list = parse(u"--list-gpus --json"_s);
    QVERIFY(list.ok());
    QCOMPARE(list->action, CliOptions::Action::ListGpus);
    QVERIFY(list->listAsJson);
}

void TestCliOptions::garbageNeverCrashes() {
    // Fixed seed: a failure here must repeat.
    QRandomGenerator random(20260126);
    const QStringList pieces{u"--emb_dim"_s,
                             u"--n-heads"_s,
                             u"--n_layers"_s,
                             u"--n_kv_groups"_s,
                             u"--context_length"_s,
                             u"--batch-size"_s,
                             u"--dtype"_s,
                             u"--head_dim"_s,
                             u"--json"_s,
                             u"--"_s,
                             u"-"_s,
                             u"-x"_s,
                             u"="_s,
                             u"--emb_dim="_s,
                             u"0"_s,
                             u"1"_s,
                             u"4"_s,
                             u"32"_s,
                             u"-1"_s,
                             u"1024"_s,
                             u"1048577"_s,
                             u"18446744073709551615"_s,
                             u"99999999999999999999"_s,
                             u"bf16"_s,
                             u"fp64"_s,
                             u"1e3"_s,
                             u"\u0663"_s,
                             u"--gpu"_s,
                             u"h100"_s,
                             u"--gpu-memory-gib"_s,
                             u"0.5"_s,
                             u"--gpu-utilization"_s,
                             u"--tensor-parallel"_s,
                             u"--kv-budget-bytes"_s,
                             u"--block-size"_s,
                             u"--parameters"_s,
                             u"70.6B"_s,
                             u"--overhead-gib"_s,
                             u"--weights-dtype"_s,
                             u"q4_0"_s,
                             u"\n"_s,
                             u""_s};
    for (int round = 0; round < 3000; ++round) {
        QStringList arguments{u"kvscope-cli"_s};
        const int count = random.bounded(12);
        for (int i = 0; i < count; ++i) {
            QString argument = pieces.at(random.bounded(pieces.size()));
            if (random.bounded(4) == 0) argument += pieces.at(random.bounded(pieces.size()));
            arguments << argument;
        }
        const auto options = CliOptions::parse(arguments);
        if (options.ok()) {
            if (options->action == CliOptions::Action::Report || options->action == CliOptions::Action::Json) {
                QVERIFY2(kvscope::estimate(options->shape, options->workload).ok(), qPrintable(arguments.join(u' ')));
                if (options->planning) {
                    QVERIFY2(cliPlanFigures(*options).ok(), qPrintable(arguments.join(u' ')));
                }
            }
        } else {
            const std::string &message = options.error().message;
            QVERIFY2(!message.empty() && message.find('\n') == std::string::npos, qPrintable(arguments.join(u' ')));
        }
    }
}

// Every flag that takes one value, repeated: an error naming that flag,
// found before any value is read (so no file is opened for a second
// --config), whatever the values and spellings.
void TestCliOptions::repeatedFlagsAreErrors_data() {
    QTest::addColumn<QString>("flags");
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("message");
    const QStringList single{u"emb_dim"_s, u"n_heads"_s, u"n_layers"_s, u"n_kv_groups"_s, u"context_length"_s,
                             u"batch_size"_s, u"head_dim"_s, u"dtype"_s, u"config"_s, u"model"_s, u"gpu"_s,
                             u"gpu-memory-gib"_s, u"gpu-utilization"_s, u"overhead-gib"_s, u"tensor-parallel"_s,
                             u"weights-dtype"_s, u"parameters"_s, u"kv-budget-bytes"_s, u"block-size"_s,
                             u"report"_s, u"extra-groups"_s, u"png-scale"_s, u"engine"_s,
                             u"max-num-batched-tokens"_s, u"mamba-cache-dtype"_s, u"mamba-ssm-cache-dtype"_s,
                             u"ubatch-size"_s, u"n-batch"_s, u"cache-type-v"_s};
    for (const QString &flag : single) {
        QTest::addRow("%s", qPrintable(flag))
            << u"--"_s + flag + u" a --"_s + flag + u"=b"_s << flag
            << u"--"_s + flag + u" is given twice (\"a\" and \"b\"); give it once"_s;
    }
    QTest::newRow("other spelling") << kRequired + u" --emb-dim 4096"_s << u"emb_dim"_s
                                    << u"--emb_dim is given twice (\"4096\" and \"4096\"); give it once"_s;
    // The engines' flags take their underscore spelling as an option of its own.
    QTest::newRow("engine flag, other spelling")
        << kRequired + u" --max-num-batched-tokens 1024 --max_num_batched_tokens 2048"_s
        << u"max-num-batched-tokens"_s
        << u"--max-num-batched-tokens is given twice (\"1024\" and \"2048\"); give it once"_s;
    QTest::newRow("single dash") << kRequired + u" -n_layers 7"_s << u"n_layers"_s
                                 << u"--n_layers is given twice (\"32\" and \"7\"); give it once"_s;
    QTest::newRow("first repeated flag named")
        << kRequired + u" --model x --dtype a --model y --dtype b"_s << u"model"_s
        << u"--model is given twice (\"x\" and \"y\"); give it once"_s;
}

void TestCliOptions::repeatedFlagsAreErrors() {
    QFETCH(QString, flags);
    QFETCH(QString, field);
    QFETCH(QString, message);
    const auto options = parse(flags);
    QVERIFY(!options.ok());
    QCOMPARE(QString::fromStdString(options.error().field), field);
    QCOMPARE(QString::fromStdString(options.error().message), message);
}

void TestCliOptions::chartAndOutRepeatInPairs() {
    const QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const auto options = parse(kRequired + u" --chart context --out "_s + dir.filePath(u"a.csv"_s) +
                               u" --chart groups --out "_s + dir.filePath(u"b.svg"_s));
    QVERIFY2(options.ok(), options.ok() ? "" : options.error().message.c_str());
    QCOMPARE(options->charts.size(), 2);
    QCOMPARE(options->charts.at(1).chart, CliOptions::Chart::Groups);
    QCOMPARE(options->charts.at(1).path, dir.filePath(u"b.svg"_s));
}

void TestCliOptions::decimalsPastWhatIsKeptAreRefused() {
    const auto utilization = [](const QString &text) {
        return parse(kRequired + u" --gpu h100 --parameters 8B --gpu-utilization "_s + text);
    };
    // Zeros past the sixth decimal change nothing: accepted.
    QCOMPARE(utilization(u"0.9000000000"_s)->planning->deployment.utilization_ppm, 900'000u);
    QCOMPARE(utilization(u"0.923456"_s)->planning->deployment.utilization_ppm, 923'456u);
    QCOMPARE(utilization(u"1.0000000"_s)->planning->deployment.utilization_ppm, 1'000'000u);
    for (const QString &text : {u"1.0000001"_s, u"0.1234567"_s, u"0.0000001"_s}) {
        const auto refused = utilization(text);
        QVERIFY2(!refused.ok(), qPrintable(text));
        QCOMPARE(refused.error().field, "gpu-utilization");
    }
    // Nine decimals of a GiB are kept (then rounded to the MiB); a tenth
    // could change that rounding: 1.00048828126 GiB is 1,024.50000001 MiB.
    const auto gib = parse(kRequired + u" --kv-budget-bytes 1000000000 --gpu-memory-gib 1.00048828126"_s);
    QVERIFY(!gib.ok());
    QCOMPARE(gib.error().field, "gpu-memory-gib");
    const auto nine = parse(kRequired + u" --kv-budget-bytes 1000000000 --gpu-memory-gib 1.000488282"_s);
    QVERIFY(nine.ok());
    QCOMPARE(nine->planning->deployment.gpu_memory_bytes, std::uint64_t{1025} << 20);
}

QTEST_MAIN(TestCliOptions)
#include "tst_clioptions.moc"
