// Runs the built kvscope-cli as a user would and checks every byte it prints.

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

struct Run {
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

Run runCli(const QStringList &arguments, const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment()) {
    QProcess process;
    process.setProcessEnvironment(env);
    process.start(QStringLiteral(KVSCOPE_CLI_PATH), arguments);
    Run run;
    if (!process.waitForFinished(30000) || process.exitStatus() != QProcess::NormalExit) {
        qWarning("kvscope-cli did not finish normally: %s", qPrintable(process.errorString()));
        return run;
    }
    run.exitCode = process.exitCode();
    run.out = process.readAllStandardOutput();
    run.err = process.readAllStandardError();
    return run;
}

QStringList split(const QString &flags) { return flags.split(u' ', Qt::SkipEmptyParts); }

// The raw digits after "key": in the JSON text, untouched by any double.
QByteArray rawJsonNumber(const QByteArray &json, const char *key) {
    const QRegularExpression re(u"\"%1\": (-?[0-9.e+]+)"_s.arg(QString::fromLatin1(key)));
    return re.match(QString::fromUtf8(json)).captured(1).toUtf8();
}

// SPEC.md section 1, verbatim.
const char kSpecReport[] = R"(==== Config ====
context_length   : 32768
emb_dim          : 4096
n_heads          : 32
n_layers         : 32
n_kv_groups      : 4
batch_size       : 1
dtype            : bf16 (2 Bytes/elem)
head_dim         : 128
GQA n_kv_heads   : 8

==== KV-cache totals across all layers ====
MHA total KV cache  : 17.18 GB
GQA total KV cache  : 4.29 GB
Ratio (MHA / GQA)   : 4.00x
Savings (GQA vs MHA): 75.00%
)";

const char kSpecFlags[] =
    "--emb_dim 4096 --n_heads 32 --n_layers 32 --context_length 32768 --n_kv_groups 4 --batch_size 1 --dtype bf16";

// The seed script's example line: MHA=51.94 GB, GQA=12.99 GB.
const char kSeedReport[] = R"(==== Config ====
context_length   : 131072
emb_dim          : 2048
n_heads          : 24
n_layers         : 48
n_kv_groups      : 4
batch_size       : 1
dtype            : bf16 (2 Bytes/elem)
head_dim         : 86
GQA n_kv_heads   : 6

==== KV-cache totals across all layers ====
MHA total KV cache  : 51.94 GB
GQA total KV cache  : 12.99 GB
Ratio (MHA / GQA)   : 4.00x
Savings (GQA vs MHA): 75.00%
)";

// A 70B-class model at 128k tokens and batch 32: thousands separators in GB.
const char kLargeReport[] = R"(==== Config ====
context_length   : 131072
emb_dim          : 8192
n_heads          : 64
n_layers         : 80
n_kv_groups      : 8
batch_size       : 32
dtype            : bf16 (2 Bytes/elem)
head_dim         : 128
GQA n_kv_heads   : 8

==== KV-cache totals across all layers ====
MHA total KV cache  : 10,995.12 GB
GQA total KV cache  : 1,374.39 GB
Ratio (MHA / GQA)   : 8.00x
Savings (GQA vs MHA): 87.50%
)";

// MQA at the head limit: a ratio with a thousands separator.
const char kMqaReport[] = R"(==== Config ====
context_length   : 4096
emb_dim          : 65536
n_heads          : 1024
n_layers         : 1
n_kv_groups      : 1024
batch_size       : 1
dtype            : fp8 (1 Bytes/elem)
head_dim         : 64
GQA n_kv_heads   : 1

==== KV-cache totals across all layers ====
MHA total KV cache  : 0.54 GB
GQA total KV cache  : 0.00 GB
Ratio (MHA / GQA)   : 1,024.00x
Savings (GQA vs MHA): 99.90%
)";

// Only the required flags: context 1024, batch 1, fp16.
const char kDefaultsReport[] = R"(==== Config ====
context_length   : 1024
emb_dim          : 4096
n_heads          : 32
n_layers         : 32
n_kv_groups      : 4
batch_size       : 1
dtype            : fp16 (2 Bytes/elem)
head_dim         : 128
GQA n_kv_heads   : 8

==== KV-cache totals across all layers ====
MHA total KV cache  : 0.54 GB
GQA total KV cache  : 0.13 GB
Ratio (MHA / GQA)   : 4.00x
Savings (GQA vs MHA): 75.00%
)";

// Totals above 2^53 that no double can hold: 262876443976966050 is odd
// after one factor of two, with 57 significant bits.
const char kHugeFlags[] =
    "--emb_dim 2667 --n_heads 21 --n_layers 47 --n_kv_groups 7 --context_length 1000003 "
    "--batch_size 1048575 --dtype int8";

}  // namespace

class TestCli : public QObject {
    Q_OBJECT

private slots:
    void report_data();
    void report();
    void eachDType_data();
    void eachDType();
    void defaultsApply();
    void spellingsGiveIdenticalOutput_data();
    void spellingsGiveIdenticalOutput();
    void outputIgnoresTheLocale();
    void json();
    void jsonKeepsIntegersAbove2To53();
    void jsonWithExplicitHeadDim();
    void blockFormatTotalPast2To64Elements();
    void badInput_data();
    void badInput();
    void help();
    void version();
    void bookCorpus();
};

void TestCli::report_data() {
    QTest::addColumn<QString>("flags");
    QTest::addColumn<QByteArray>("expected");
    QTest::newRow("SPEC.md example") << QString::fromLatin1(kSpecFlags) << QByteArray(kSpecReport);
    QTest::newRow("seed model at 131072")
        << u"--emb_dim 2048 --n_heads 24 --n_layers 48 --n_kv_groups 4 --context_length 131072 --dtype bf16"_s
        << QByteArray(kSeedReport);
    QTest::newRow("thousands of GB")
        << u"--emb_dim 8192 --n_heads 64 --n_layers 80 --n_kv_groups 8 --context_length 131072 --batch_size 32 "
           u"--dtype bf16"_s
        << QByteArray(kLargeReport);
    QTest::newRow("MQA, 1024 heads")
        << u"--emb_dim 65536 --n_heads 1024 --n_layers 1 --n_kv_groups 1024 --context_length 4096 --dtype fp8"_s
        << QByteArray(kMqaReport);
}

void TestCli::report() {
    QFETCH(QString, flags);
    QFETCH(QByteArray, expected);
    const Run run = runCli(split(flags));
    QCOMPARE(run.err, QByteArray());
    QCOMPARE(run.exitCode, 0);
    QCOMPARE(run.out, expected);
}

void TestCli::eachDType_data() {
    QTest::addColumn<QString>("dtype");
    QTest::addColumn<QByteArray>("dtypeLine");
    QTest::addColumn<QByteArray>("mhaLine");
    QTest::addColumn<QByteArray>("gqaLine");
    QTest::newRow("fp32") << u"fp32"_s << QByteArray("fp32 (4 Bytes/elem)") << QByteArray("21,990.23 GB")
                          << QByteArray("2,748.78 GB");
    QTest::newRow("bf16") << u"bf16"_s << QByteArray("bf16 (2 Bytes/elem)") << QByteArray("10,995.12 GB")
                          << QByteArray("1,374.39 GB");
    QTest::newRow("fp16") << u"fp16"_s << QByteArray("fp16 (2 Bytes/elem)") << QByteArray("10,995.12 GB")
                          << QByteArray("1,374.39 GB");
    QTest::newRow("fp8") << u"fp8"_s << QByteArray("fp8 (1 Bytes/elem)") << QByteArray("5,497.56 GB")
                         << QByteArray("687.19 GB");
    QTest::newRow("int8") << u"int8"_s << QByteArray("int8 (1 Bytes/elem)") << QByteArray("5,497.56 GB")
                          << QByteArray("687.19 GB");
}

void TestCli::eachDType() {
    QFETCH(QString, dtype);
    QFETCH(QByteArray, dtypeLine);
    QFETCH(QByteArray, mhaLine);
    QFETCH(QByteArray, gqaLine);
    const QByteArray expected =
        "==== Config ====\n"
        "context_length   : 131072\n"
        "emb_dim          : 8192\n"
        "n_heads          : 64\n"
        "n_layers         : 80\n"
        "n_kv_groups      : 8\n"
        "batch_size       : 32\n"
        "dtype            : " +
        dtypeLine +
        "\n"
        "head_dim         : 128\n"
        "GQA n_kv_heads   : 8\n"
        "\n"
        "==== KV-cache totals across all layers ====\n"
        "MHA total KV cache  : " +
        mhaLine +
        "\n"
        "GQA total KV cache  : " +
        gqaLine +
        "\n"
        "Ratio (MHA / GQA)   : 8.00x\n"
        "Savings (GQA vs MHA): 87.50%\n";
    const Run run =
        runCli(split(u"--emb_dim 8192 --n_heads 64 --n_layers 80 --n_kv_groups 8 "
                     u"--context_length 131072 --batch_size 32 --dtype "_s +
                     dtype));
    QCOMPARE(run.exitCode, 0);
    QCOMPARE(run.out, expected);
}

void TestCli::defaultsApply() {
    const Run implicit = runCli(split(u"--emb_dim 4096 --n_heads 32 --n_layers 32 --n_kv_groups 4"_s));
    QCOMPARE(implicit.exitCode, 0);
    QCOMPARE(implicit.out, QByteArray(kDefaultsReport));
    const Run explicitDefaults =
        runCli(split(u"--emb_dim 4096 --n_heads 32 --n_layers 32 --n_kv_groups 4 "
                     u"--context_length 1024 --batch_size 1 --dtype fp16"_s));
    QCOMPARE(explicitDefaults.out, implicit.out);
}

void TestCli::spellingsGiveIdenticalOutput_data() {
    QTest::addColumn<QString>("flags");
    QTest::newRow("dashed") << u"--emb-dim 4096 --n-heads 32 --n-layers 32 --context-length 32768 --n-kv-groups 4 "
                               u"--batch-size 1 --dtype bf16"_s;
    QTest::newRow("equals") << u"--emb_dim=4096 --n_heads=32 --n_layers=32 --context_length=32768 --n_kv_groups=4 "
                               u"--batch_size=1 --dtype=bf16"_s;
    QTest::newRow("dashed equals") << u"--emb-dim=4096 --n-heads=32 --n-layers=32 --context-length=32768 "
                                      u"--n-kv-groups=4 --batch-size=1 --dtype=bf16"_s;
    QTest::newRow("mixed, reordered") << u"--dtype bf16 --n-kv-groups=4 --batch_size 1 --context-length 32768 "
                                         u"--n_layers=32 --n-heads 32 --emb_dim 4096"_s;
    QTest::newRow("leading zeros and plus") << u"--emb_dim 04096 --n_heads +32 --n_layers 32 --context_length 32768 "
                                               u"--n_kv_groups 4 --batch_size 1 --dtype bf16"_s;
}

void TestCli::spellingsGiveIdenticalOutput() {
    QFETCH(QString, flags);
    const Run run = runCli(split(flags));
    QCOMPARE(run.err, QByteArray());
    QCOMPARE(run.exitCode, 0);
    QCOMPARE(run.out, QByteArray(kSpecReport));
}

void TestCli::outputIgnoresTheLocale() {
    // QCoreApplication adopts the environment's locale; numbers must not.
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(u"LC_ALL"_s, u"de_DE.UTF-8"_s);
    env.insert(u"LANG"_s, u"de_DE.UTF-8"_s);
    const Run run = runCli(split(QString::fromLatin1(kSpecFlags)), env);
    QCOMPARE(run.exitCode, 0);
    QCOMPARE(run.out, QByteArray(kSpecReport));
}

void TestCli::json() {
    const Run run = runCli(split(QString::fromLatin1(kSpecFlags) + u" --json"_s));
    QCOMPARE(run.err, QByteArray());
    QCOMPARE(run.exitCode, 0);
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(run.out, &error);
    QCOMPARE(error.error, QJsonParseError::NoError);
    QVERIFY(doc.isObject());
    const QJsonObject o = doc.object();

    const QStringList required{u"context_length"_s,
                               u"emb_dim"_s,
                               u"n_heads"_s,
                               u"n_layers"_s,
                               u"n_kv_groups"_s,
                               u"batch_size"_s,
                               u"dtype"_s,
                               u"bytes_per_elem"_s,
                               u"head_dim"_s,
                               u"n_kv_heads_mha"_s,
                               u"n_kv_heads_gqa"_s,
                               u"mha_bytes"_s,
                               u"gqa_bytes"_s,
                               u"mha_bytes_per_token"_s,
                               u"gqa_bytes_per_token"_s,
                               u"ratio"_s,
                               u"savings_percent"_s};
    for (const QString &key : required) QVERIFY2(o.contains(key), qPrintable(key));

    QCOMPARE(o.value(u"context_length"_s).toInteger(), 32768);
    QCOMPARE(o.value(u"emb_dim"_s).toInteger(), 4096);
    QCOMPARE(o.value(u"n_heads"_s).toInteger(), 32);
    QCOMPARE(o.value(u"n_layers"_s).toInteger(), 32);
    QCOMPARE(o.value(u"n_kv_groups"_s).toInteger(), 4);
    QCOMPARE(o.value(u"batch_size"_s).toInteger(), 1);
    QCOMPARE(o.value(u"dtype"_s).toString(), u"bf16"_s);
    QCOMPARE(o.value(u"bytes_per_elem"_s).toInteger(), 2);
    QCOMPARE(o.value(u"head_dim"_s).toInteger(), 128);
    QCOMPARE(o.value(u"head_dim_explicit"_s).toBool(true), false);
    QCOMPARE(o.value(u"n_kv_heads_mha"_s).toInteger(), 32);
    QCOMPARE(o.value(u"n_kv_heads_gqa"_s).toInteger(), 8);
    QCOMPARE(o.value(u"mha_bytes"_s).toInteger(), Q_INT64_C(17179869184));
    QCOMPARE(o.value(u"gqa_bytes"_s).toInteger(), Q_INT64_C(4294967296));
    QCOMPARE(o.value(u"mha_bytes_per_token"_s).toInteger(), 524288);  // 128 * 32 * 2 * 2 * 32
    QCOMPARE(o.value(u"gqa_bytes_per_token"_s).toInteger(), 131072);
    QVERIFY(o.value(u"ratio"_s).isDouble());
    QCOMPARE(o.value(u"ratio"_s).toDouble(), 4.0);
    QCOMPARE(o.value(u"savings_percent"_s).toDouble(), 75.0);
    QCOMPARE(rawJsonNumber(run.out, "mha_bytes"), QByteArray("17179869184"));
    // Exactly one object, nothing after it but the newline.
    QVERIFY(run.out.endsWith("}\n"));
    QCOMPARE(run.out.count('{'), 1);
}

void TestCli::jsonKeepsIntegersAbove2To53() {
    const Run run = runCli(split(QString::fromLatin1(kHugeFlags) + u" --json"_s));
    QCOMPARE(run.exitCode, 0);
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(run.out, &error);
    QCOMPARE(error.error, QJsonParseError::NoError);
    // 1048575 * 1000003 * 127 * 21 * 2 * 47 and the same with 3 K/V heads.
    const QByteArray mha = "262876443976966050";
    const QByteArray gqa = "37553777710995150";
    QVERIFY(mha.toULongLong() > (quint64{1} << 53));
    QVERIFY(static_cast<quint64>(static_cast<double>(mha.toULongLong())) != mha.toULongLong());
    QCOMPARE(rawJsonNumber(run.out, "mha_bytes"), mha);
    QCOMPARE(rawJsonNumber(run.out, "gqa_bytes"), gqa);
    QCOMPARE(rawJsonNumber(run.out, "mha_bytes_per_token"), QByteArray("250698"));
    QCOMPARE(rawJsonNumber(run.out, "gqa_bytes_per_token"), QByteArray("35814"));
    QCOMPARE(doc.object().value(u"ratio"_s).toDouble(), 7.0);

    // The report agrees with the same totals.
    const Run text = runCli(split(QString::fromLatin1(kHugeFlags)));
    QCOMPARE(text.exitCode, 0);
    QVERIFY(text.out.contains("MHA total KV cache  : 262,876,443.98 GB\n"));
    QVERIFY(text.out.contains("GQA total KV cache  : 37,553,777.71 GB\n"));
}

void TestCli::blockFormatTotalPast2To64Elements() {
    // 2^20 sequences x 2^23 tokens x head_dim 2^20 x 1 K/V head x 2 (K and V)
    // x 1 layer = 2^64 elements, too many for 64 bits; in int4 (256 elements
    // in 133 bytes) they are 2^56 x 133 = 9,583,660,007,044,415,488 bytes,
    // which fit.
    const QString flags = u"--emb_dim 1048576 --n_heads 1 --n_layers 1 --n_kv_groups 1 --context_length 8388608 "
                          u"--batch_size 1048576 --dtype int4"_s;
    const Run json = runCli(split(flags + u" --json"_s));
    QCOMPARE(json.err, QByteArray());
    QCOMPARE(json.exitCode, 0);
    QCOMPARE(rawJsonNumber(json.out, "mha_bytes"), QByteArray("9583660007044415488"));
    QCOMPARE(rawJsonNumber(json.out, "gqa_bytes"), QByteArray("9583660007044415488"));
    const Run text = runCli(split(flags));
    QCOMPARE(text.exitCode, 0);
    QVERIFY(text.out.contains("MHA total KV cache  : 9,583,660,007.04 GB\n"));
    // Twice the tokens: 2^57 x 133 bytes is past 2^64 - 1.
    const Run twice = runCli(split(QString(flags).replace(u"8388608"_s, u"16777216"_s)));
    QCOMPARE(twice.exitCode, 2);
    QVERIFY(twice.err.contains("does not fit in 64 bits"));
}

void TestCli::jsonWithExplicitHeadDim() {
    const Run run = runCli(
        split(u"--emb_dim 2048 --n_heads 24 --n_layers 48 --n_kv_groups 4 --head_dim 256 --dtype bf16 --json"_s));
    QCOMPARE(run.exitCode, 0);
    const QJsonObject o = QJsonDocument::fromJson(run.out).object();
    QCOMPARE(o.value(u"head_dim"_s).toInteger(), 256);
    QCOMPARE(o.value(u"head_dim_explicit"_s).toBool(false), true);
    QCOMPARE(o.value(u"mha_bytes"_s).toInteger(), Q_INT64_C(1024) * 256 * 24 * 2 * 2 * 48);

    const Run text =
        runCli(split(u"--emb_dim 2048 --n_heads 24 --n_layers 48 --n_kv_groups 4 --head_dim 256 --dtype bf16"_s));
    QCOMPARE(text.exitCode, 0);
    QVERIFY(text.out.contains("head_dim         : 256\n"));
    QVERIFY(text.out.contains("Savings (GQA vs MHA): 75.00%\n"));
}

void TestCli::badInput_data() {
    QTest::addColumn<QString>("flags");
    QTest::addColumn<QByteArray>("expected");
    const QString base = u"--emb_dim 4096 --n_layers 32 --n_kv_groups 4 "_s;
    const QString full = base + u"--n_heads 32 "_s;

    QTest::newRow("missing one") << base << QByteArray("kvscope-cli: missing required flag --n_heads");
    QTest::newRow("missing all")
        << QString()
        << QByteArray("kvscope-cli: missing required flags --emb_dim, --n_heads, --n_layers, --n_kv_groups "
                      "(or --config FILE, or --model NAME)");
    QTest::newRow("zero") << base + u"--n_heads 0"_s
                          << QByteArray("kvscope-cli: --n_heads must be a whole number from 1 to 1,024 (got 0)");
    QTest::newRow("negative") << base + u"--n_heads -5"_s
                              << QByteArray("kvscope-cli: --n_heads must be a whole number from 1 to 1,024 (got -5)");
    QTest::newRow("letters") << base + u"--n_heads abc"_s
                             << QByteArray(
                                    R"(kvscope-cli: --n_heads must be a whole number from 1 to 1,024 (got "abc"))");
    QTest::newRow("trailing junk")
        << base + u"--n_heads 12x"_s
        << QByteArray(R"(kvscope-cli: --n_heads must be a whole number from 1 to 1,024 (got "12x"))");
    QTest::newRow("fraction") << base + u"--n_heads 1.5"_s
                              << QByteArray(
                                     R"(kvscope-cli: --n_heads must be a whole number from 1 to 1,024 (got "1.5"))");
    QTest::newRow("empty") << base + u"--n_heads="_s
                           << QByteArray(R"(kvscope-cli: --n_heads must be a whole number from 1 to 1,024 (got ""))");
    QTest::newRow("above range") << base + u"--n_heads 1025"_s
                                 << QByteArray(
                                        "kvscope-cli: --n_heads must be a whole number from 1 to 1,024 (got 1,025)");
    QTest::newRow("emb_dim range")
        << u"--emb_dim 1048577 --n_heads 32 --n_layers 32 --n_kv_groups 4"_s
        << QByteArray("kvscope-cli: --emb_dim must be a whole number from 1 to 1,048,576 (got 1,048,577)");
    QTest::newRow("n_layers range") << u"--emb_dim 4096 --n_heads 32 --n_layers 0 --n_kv_groups 4"_s
                                    << QByteArray(
                                           "kvscope-cli: --n_layers must be a whole number from 1 to 1,024 (got 0)");
    QTest::newRow("context range")
        << full + u"--context_length 2147483649"_s
        << QByteArray(
               "kvscope-cli: --context_length must be a whole number from 1 to 2,147,483,648 (got 2,147,483,649)");
    QTest::newRow("beyond 64 bits")
        << full + u"--context_length 99999999999999999999999"_s
        << QByteArray(
               "kvscope-cli: --context_length must be a whole number from 1 to 2,147,483,648 "
               "(got 99,999,999,999,999,999,999,999)");
    QTest::newRow("2^64") << full + u"--context_length 18446744073709551616"_s
                          << QByteArray(
                                 "kvscope-cli: --context_length must be a whole number from 1 to 2,147,483,648 "
                                 "(got 18,446,744,073,709,551,616)");
    QTest::newRow("batch range")
        << full + u"--batch_size 1048577"_s
        << QByteArray("kvscope-cli: --batch_size must be a whole number from 1 to 1,048,576 (got 1,048,577)");
    QTest::newRow("batch dashed")
        << full + u"--batch-size=0"_s
        << QByteArray("kvscope-cli: --batch_size must be a whole number from 1 to 1,048,576 (got 0)");
    QTest::newRow("head_dim range")
        << full + u"--head_dim 65537"_s
        << QByteArray("kvscope-cli: --head_dim must be a whole number from 1 to 65,536 (got 65,537)");
    QTest::newRow("unknown dtype")
        << full + u"--dtype fp64"_s
        << QByteArray(R"(kvscope-cli: --dtype must be one of fp32, bf16, fp16, fp8, int8, int4, q8_0, q4_0 (got "fp64"))");
    // Any letter case names a dtype (as --gpu takes any); only unknown names are refused.
    QTest::newRow("dtype in any case, but a known one")
        << full + u"--dtype BF17"_s
        << QByteArray(R"(kvscope-cli: --dtype must be one of fp32, bf16, fp16, fp8, int8, int4, q8_0, q4_0 (got "BF17"))");
    QTest::newRow("unknown option") << full + u"--foo 3"_s
                                    << QByteArray(
                                           "kvscope-cli: unknown option --foo (kvscope-cli --help lists the flags)");
    QTest::newRow("unknown short option")
        << full + u"-x"_s << QByteArray("kvscope-cli: unknown option -x (kvscope-cli --help lists the flags)");
    QTest::newRow("value on a switch") << full + u"--json=yes"_s
                                       << QByteArray("kvscope-cli: unexpected value after '--json'");
    QTest::newRow("value missing at end")
        << base + u"--n_heads"_s << QByteArray("kvscope-cli: --n_heads needs a value: a whole number from 1 to 1,024");
    QTest::newRow("flag taken as value")
        << u"--emb_dim --n_heads 32 --n_layers 32 --n_kv_groups 4"_s
        << QByteArray(R"(kvscope-cli: --emb_dim must be a whole number from 1 to 1,048,576 (got "--n_heads"))");
    QTest::newRow("stray argument")
        << full + u"extra"_s
        << QByteArray(R"(kvscope-cli: unexpected argument "extra"; every value follows its flag, as in --n_heads 32)");
    QTest::newRow("groups do not divide")
        << u"--emb_dim 4096 --n_heads 30 --n_layers 32 --n_kv_groups 4"_s
        << QByteArray(
               "kvscope-cli: n_kv_groups must divide n_heads exactly. With --n_heads 30, --n_kv_groups must be "
               "one of 1, 2, 3, 5, 6, 10, 15, 30 (got 4)");
    QTest::newRow("groups above heads")
        << u"--emb_dim 2048 --n_heads 24 --n_layers 48 --n_kv_groups 48"_s
        << QByteArray(
               "kvscope-cli: n_kv_groups must divide n_heads exactly. With --n_heads 24, --n_kv_groups must be "
               "one of 1, 2, 3, 4, 6, 8, 12, 24 (got 48)");
    QTest::newRow("groups zero") << u"--emb_dim 4096 --n_heads 32 --n_layers 32 --n_kv_groups 0"_s
                                 << QByteArray(
                                        "kvscope-cli: --n_kv_groups must be a whole number from 1 to 1,024 (got 0)");
    QTest::newRow("total beyond 64 bits")
        << full + u"--context_length 2147483648 --batch_size 1048576"_s
        << QByteArray(
               "kvscope-cli: the KV cache total does not fit in 64 bits (over 18.4 EB); lower --context_length, "
               "--batch_size or --n_layers");
    // A flag that takes one value, given again: never the last one silently.
    QTest::newRow("repeated, bad value first")
        << u"--emb_dim abc --emb_dim 2048 --n_heads 32 --n_layers 32 --n_kv_groups 4"_s
        << QByteArray(R"(kvscope-cli: --emb_dim is given twice ("abc" and "2048"); give it once)");
    QTest::newRow("repeated, the same value")
        << full + u"--context_length 8 --context_length 8"_s
        << QByteArray(R"(kvscope-cli: --context_length is given twice ("8" and "8"); give it once)");
    QTest::newRow("repeated in both spellings")
        << full + u"--batch_size 2 --batch-size=3 --batch_size 4"_s
        << QByteArray(R"(kvscope-cli: --batch_size is given 3 times ("2", "3" and "4"); give it once)");
    QTest::newRow("repeated dtype") << full + u"--dtype bf16 --dtype fp64"_s
                                    << QByteArray(R"(kvscope-cli: --dtype is given twice ("bf16" and "fp64"); give it once)");
    QTest::newRow("newline in value")
        << base + u"--n_heads 3\n2"_s
        << QByteArray(R"(kvscope-cli: --n_heads must be a whole number from 1 to 1,024 (got "3?2"))");
}

void TestCli::badInput() {
    QFETCH(QString, flags);
    QFETCH(QByteArray, expected);
    // Split on spaces only, so a value may carry other whitespace.
    const Run run = runCli(flags.split(u' ', Qt::SkipEmptyParts));
    QCOMPARE(run.out, QByteArray());  // never a partial report
    QCOMPARE(run.exitCode, 2);
    QCOMPARE(run.err.count('\n'), 1);
    QCOMPARE(run.err, expected + '\n');
}

void TestCli::help() {
    for (const QString &flag : {u"--help"_s, u"-h"_s}) {
        const Run run = runCli({flag});
        QCOMPARE(run.exitCode, 0);
        QCOMPARE(run.err, QByteArray());
        const QString text = QString::fromUtf8(run.out);
        for (const QString &option :
             {u"--emb_dim, --emb-dim <n>"_s, u"--n_heads, --n-heads <n>"_s, u"--n_layers, --n-layers <n>"_s,
              u"--n_kv_groups, --n-kv-groups <n>"_s, u"--context_length, --context-length <n>"_s,
              u"--batch_size, --batch-size <n>"_s, u"--dtype <type>"_s, u"--head_dim, --head-dim <n>"_s, u"--json"_s,
              u"--version"_s, u"--config <file>"_s, u"--model <name>"_s,
              u"--list-models, --list_models"_s, u"--chart <kind>"_s, u"--out <file>"_s, u"--report <file>"_s,
              u"--extra-groups, --extra_groups <list>"_s, u"--binary-units, --binary_units"_s,
              u"--png-scale, --png_scale <factor>"_s, u"--dpi <n>"_s, u"--figure-size, --figure_size <size>"_s,
              u"--font-size, --font_size <pt>"_s, u"--no-title, --no_title"_s, u"--legend <where>"_s,
              u"--theme <name>"_s}) {
            QVERIFY2(text.contains(option), qPrintable(option));
        }
        // Defaults, with Qt's line wrapping folded away.
        const QString flat = text.simplified();
        QVERIFY(flat.contains(u"Default: 1024."_s));
        QVERIFY(flat.contains(u"Default: 1."_s));
        QVERIFY(flat.contains(u"fp32, bf16, fp16, fp8, int8, int4, q8_0, q4_0. With --config or --model the engine's own "
                              u"default: vLLM's is the model dtype"_s));
        QVERIFY(flat.contains(u"(its -ctk). Default: fp16."_s));
        QVERIFY(flat.contains(u"0.5 to 16. Default: 2."_s));
        // One line: tests/packaging compares it with the man page's EXIT STATUS.
        QVERIFY(text.contains(u"\nExit status: 0 on success, 1 on a failed write, 2 on invalid input.\n"_s));
        QVERIFY(flat.contains(u"Default: ceil(emb_dim / n_heads)."_s));
        QCOMPARE(flat.count(u"Required unless --config or --model gives the model."_s), 4);
        QVERIFY(text.startsWith(u"Usage: kvscope-cli --emb_dim <n> --n_heads <n> --n_layers <n> --n_kv_groups <n>"_s));
    }
    // --help wins over everything else but a malformed command line.
    QCOMPARE(runCli({u"--n_heads"_s, u"0"_s, u"--help"_s}).exitCode, 0);
}

void TestCli::version() {
    const Run run = runCli({u"--version"_s});
    QCOMPARE(run.exitCode, 0);
    QCOMPARE(run.out, QByteArray("kvscope-cli " KVSCOPE_VERSION "\n"
                                 "vLLM rules: main 5ac2684 (2026-08-07, after v0.26.0)\n"
                                 "llama.cpp rules: b10470 (34af94cd9, 2026-08-17)\n"));
}

void TestCli::bookCorpus() {
    // Recorded reports of the book's script: "# <flags>", "# mha_bytes N
    // gqa_bytes N", the report, then "%%".
    QFile file(QStringLiteral(KVSCOPE_TEST_DATA_DIR "/book_reports.txt"));
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QList<QByteArray> lines = file.readAll().split('\n');
    int checked = 0;
    for (qsizetype i = 0; i + 1 < lines.size();) {
        if (lines.at(i).isEmpty()) {
            ++i;
            continue;
        }
        QVERIFY(lines.at(i).startsWith("# --") && lines.at(i + 1).startsWith("# mha_bytes "));
        const QString flags = QString::fromUtf8(lines.at(i).mid(2));
        const QList<QByteArray> totals = lines.at(i + 1).split(' ');
        QCOMPARE(totals.size(), 5);
        QByteArray expected;
        for (i += 2; i < lines.size() && lines.at(i) != "%%"; ++i) expected += lines.at(i) + '\n';
        ++i;  // past "%%"

        const Run run = runCli(split(flags));
        QVERIFY2(run.exitCode == 0, qPrintable(flags));
        QCOMPARE(run.out, expected);

        const Run json = runCli(split(flags + u" --json"_s));
        QCOMPARE(rawJsonNumber(json.out, "mha_bytes"), totals.at(2));
        QCOMPARE(rawJsonNumber(json.out, "gqa_bytes"), totals.at(4));
        ++checked;
    }
    QVERIFY(checked >= 50);
    qInfo("%d recorded reports match byte for byte", checked);
}

QTEST_MAIN(TestCli)
#include "tst_cli.moc"
