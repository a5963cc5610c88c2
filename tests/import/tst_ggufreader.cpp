#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>
#include <algorithm>
#include <limits>

#include "GgufFixture.h"
#include "GgufImporter.h"
#include "GgufReader.h"
#include "ModelFile.h"
#include "OllamaStore.h"
#include "kvscope/layout_bytes.h"

using kvscope::DType;
using kvscope::LayerKind;
using kvscope::Workload;

// GGML type ids (ggml.h enum ggml_type) and each one's bytes per block, by
// hand from the block structs in ggml-common.h:
//   F32: 4 bytes per weight; F16: 2
//   Q8_0: 32 weights in 2 (scale) + 32 = 34 bytes
//   Q4_K: 256 weights in 2 + 2 (d, dmin) + 12 (scales) + 128 (4-bit quants) = 144 bytes
//   Q6_K: 256 weights in 128 (low 4 bits) + 64 (high 2 bits) + 16 (scales) + 2 (d) = 210 bytes
//   MXFP4: 32 weights in 1 (E8M0 scale) + 16 = 17 bytes
constexpr std::uint32_t kF32 = 0, kF16 = 1, kQ8_0 = 8, kQ4_K = 12, kQ6_K = 14, kMxfp4 = 39;
std::uint64_t q4k(std::uint64_t n) { return n / 256 * 144; }
std::uint64_t q6k(std::uint64_t n) { return n / 256 * 210; }
std::uint64_t f32(std::uint64_t n) { return n * 4; }

class TestGgufReader : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;

    QString path(const QString &name) const { return m_dir.filePath(name); }
    QString write(const GgufFixture &g, const QString &name) {
        const QString p = path(name);
        if (!g.write(p)) qFatal("cannot write %s", qPrintable(p));
        return p;
    }
    static ImportedModel load(const QString &p) {
        auto model = GgufImporter::fromFile(p);
        if (!model.ok()) qFatal("%s", model.error().message.c_str());
        return model.value();
    }
    static std::string failure(const QString &p) {
        auto model = ModelFile::read(p);
        if (model.ok()) qFatal("expected %s to be refused", qPrintable(p));
        return model.error().message;
    }
    static std::string source(const ImportedModel &m, std::string_view field) {
        const Provenance *p = m.find(field);
        return p ? p->source : "(no provenance for " + std::string(field) + ")";
    }
    static std::uint64_t layers(const ImportedModel &m, LayerKind kind) {
        return kvscope::layerCountsByKind(m.layout)[static_cast<std::size_t>(kind)];
    }
    static std::uint64_t perToken(const ImportedModel &m, std::uint64_t context = 4096) {
        return kvscope::layoutBytesPerToken(m.layout, Workload{context, 1, DType::fp16}).value();
    }
    static bool contains(const std::string &text, std::string_view part) { return text.find(part) != std::string::npos; }

    // Llama 3.1 8B's shapes, quantized the way Q4_K_M mostly does (attn_v and
    // ffn_down in Q6_K, norms in F32), with `layers` layers.
    static GgufFixture llama8b(std::uint32_t version = 3, std::uint32_t layers = 32) {
        GgufFixture g(version);
        g.string("general.architecture", "llama")
            .u32("general.file_type", 15)  // MOSTLY_Q4_K_M
            .u32("llama.block_count", layers)
            .u32("llama.context_length", 131072)
            .u32("llama.embedding_length", 4096)
            .u32("llama.feed_forward_length", 14336)
            .u32("llama.attention.head_count", 32)
            .u32("llama.attention.head_count_kv", 8)
            .u32("llama.rope.dimension_count", 128)
            .f32("llama.rope.freq_base", 500000.0F)
            .arrayStrings("tokenizer.ggml.tokens", {"<|begin_of_text|>", "a", "b"})
            .string("tokenizer.chat_template", std::string(10000, 'x'));  // longer than the reader keeps
        g.tensor("token_embd.weight", {4096, 128256}, kQ4_K, q4k(4096ULL * 128256));
        for (std::uint32_t i = 0; i < layers; ++i) {
            const std::string b = "blk." + std::to_string(i) + ".";
            g.tensor(b + "attn_norm.weight", {4096}, kF32, f32(4096))
                .tensor(b + "attn_q.weight", {4096, 4096}, kQ4_K, q4k(4096ULL * 4096))
                .tensor(b + "attn_k.weight", {4096, 1024}, kQ4_K, q4k(4096ULL * 1024))
                .tensor(b + "attn_v.weight", {4096, 1024}, kQ6_K, q6k(4096ULL * 1024))
                .tensor(b + "attn_output.weight", {4096, 4096}, kQ4_K, q4k(4096ULL * 4096))
                .tensor(b + "ffn_norm.weight", {4096}, kF32, f32(4096))
                .tensor(b + "ffn_gate.weight", {4096, 14336}, kQ4_K, q4k(4096ULL * 14336))
                .tensor(b + "ffn_up.weight", {4096, 14336}, kQ4_K, q4k(4096ULL * 14336))
                .tensor(b + "ffn_down.weight", {14336, 4096}, kQ6_K, q6k(14336ULL * 4096));
        }
        g.tensor("output_norm.weight", {4096}, kF32, f32(4096));
        g.tensor("output.weight", {4096, 128256}, kQ6_K, q6k(4096ULL * 128256));
        return g;
    }

    // A tiny valid file of `arch` with the keys given, and one F32 tensor.
    static GgufFixture tiny(const std::string &arch) {
        GgufFixture g;
        g.string("general.architecture", arch);
        return g;
    }

private slots:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void llamaQ4KmWeightsAreExact() {
        const GgufFixture g = llama8b();
        const QString p = write(g, QStringLiteral("llama-8b-q4_k_m.gguf"));
        // About 5 GB of weights, written as a hole after a header of a few KiB.
        QCOMPARE(static_cast<std::uint64_t>(QFileInfo(p).size()), g.fileSize());
        QVERIFY(g.header().size() < 64 * 1024);
        const ImportedModel m = load(p);

        // By hand, per layer: q 4096*4096 and o 4096*4096 in Q4_K (65,536
        // blocks each, 9,437,184 B), k 4096*1024 in Q4_K (16,384 blocks,
        // 2,359,296 B), v 4096*1024 in Q6_K (16,384 * 210 = 3,440,640 B), gate
        // and up 4096*14336 in Q4_K (229,376 blocks, 33,030,144 B each), down
        // in Q6_K (229,376 * 210 = 48,168,960 B), two F32 norms of 16,384 B:
        // 138,936,320 B and 218,112,000 weights a layer. Embeddings 4096*128256
        // = 525,336,576 weights: 295,501,824 B in Q4_K, 430,940,160 B in Q6_K.
        QCOMPARE(m.weights_bytes.value(), 32ULL * 138936320 + 295501824 + 430940160 + 16384);
        QCOMPARE(m.weights_bytes.value(), 5172420608ULL);
        QCOMPARE(m.parameters.value(), 32ULL * 218112000 + 2 * 525336576ULL + 4096);
        QCOMPARE(m.parameters.value(), 8030261248ULL);  // Llama 3.1 8B's published 8.03B
        QCOMPARE(m.weights_format, std::string("Q4_K_M (Q4_K 161 tensors, F32 65, Q6_K 65)"));

        // KV: 32 layers * 8 KV heads * 128 (4096 / 32) * (K + V) * 2 B.
        QCOMPARE(perToken(m), 32ULL * 8 * 128 * 2 * 2);
        QCOMPARE(layers(m, LayerKind::Full), 32ULL);
        QCOMPARE(m.model_type, std::string("llama"));
        QCOMPARE(m.max_position_embeddings.value(), 131072ULL);
        QCOMPARE(source(m, "n_layers"), std::string("gguf llama.block_count"));
        QCOMPARE(source(m, "n_kv_heads"), std::string("gguf llama.attention.head_count_kv"));
        QVERIFY2(contains(source(m, "head_dim"), "gguf llama.embedding_length / gguf llama.attention.head_count"),
                 source(m, "head_dim").c_str());
        QVERIFY(contains(source(m, "model_type"), "gguf general.architecture = llama"));
        QVERIFY(contains(source(m, "weights_bytes"), "Q4_K_M"));
        QCOMPARE(m.find("parameters")->value, std::string("8,030,261,248"));
    }

    void readerKeepsWhatTheHeaderSays() {
        const QString p = write(llama8b(3, 2), QStringLiteral("two-layers.gguf"));
        auto gguf = GgufReader::read(p);
        QVERIFY2(gguf.ok(), gguf.ok() ? "" : gguf.error().message.c_str());
        QCOMPARE(gguf->version, 3U);
        QCOMPARE(gguf->tensors.size(), std::size_t{2 * 9 + 3});
        QCOMPARE(gguf->alignment, 32ULL);
        QCOMPARE(gguf->dataStart % 32, 0ULL);
        const GgufTensor &embd = gguf->tensors.front();
        QCOMPARE(embd.name, std::string("token_embd.weight"));
        QCOMPARE(embd.dims, (std::vector<std::uint64_t>{4096, 128256}));
        QCOMPARE(embd.type.name, std::string_view("Q4_K"));
        QCOMPARE(embd.bytes, 295501824ULL);
        QCOMPARE(gguf->find("tokenizer.ggml.tokens")->count, 3ULL);
        QCOMPARE(gguf->find("tokenizer.chat_template")->count, 10000ULL);
        QVERIFY(!gguf->find("tokenizer.chat_template")->text);  // skipped, not kept
        QCOMPARE(gguf->find("llama.rope.freq_base")->real.value(), 500000.0);
    }

    void versionTwoReadsTheSame() {
        const ImportedModel m = load(write(llama8b(2, 2), QStringLiteral("v2.gguf")));
        QCOMPARE(layers(m, LayerKind::Full), 2ULL);
        QCOMPARE(m.weights_bytes.value(), 2ULL * 138936320 + 295501824 + 430940160 + 16384);
    }

    void customAlignmentMovesTheData() {
        GgufFixture g(3, 64);
        g.string("general.architecture", "llama").u32("general.alignment", 64);
        g.tensor("a", {32}, kQ8_0, 34).tensor("b", {32}, kQ8_0, 34);  // b at 64, not 34
        auto gguf = GgufReader::read(write(g, QStringLiteral("align64.gguf")));
        QVERIFY(gguf.ok());
        QCOMPARE(gguf->alignment, 64ULL);
        QCOMPARE(gguf->tensors[1].offset, 64ULL);
        QCOMPARE(gguf->dataStart % 64, 0ULL);
    }

    void everyTypeHasItsBlockSize() {
        // One tensor of 512 weights (two 256-blocks) per type, bytes by hand.
        struct Case { std::uint32_t id; std::uint64_t bytes; };
        const Case cases[] = {
            {kF16, 1024}, {kQ8_0, 16 * 34}, {kQ4_K, 2 * 144}, {kQ6_K, 2 * 210}, {kMxfp4, 16 * 17},
            {2, 16 * 18},   // Q4_0: 32 weights in 2 + 16
            {10, 2 * 84},   // Q2_K: 2 + 2 + 16 + 64
            {23, 2 * 136},  // IQ4_XS: 2 + 2 + 128 + 4
            {29, 2 * 56},   // IQ1_M: 32 + 16 + 8
            {30, 1024},     // BF16
            {34, 2 * 54},   // TQ1_0: 2 + 52
            {40, 8 * 36},   // NVFP4: 64 weights in 4 + 32
            {41, 4 * 18},   // Q1_0: 128 weights in 2 + 16
        };
        for (const Case &c : cases) {
            GgufFixture g;
            g.string("general.architecture", "llama").tensor("t", {512}, c.id, c.bytes);
            auto gguf = GgufReader::read(write(g, QStringLiteral("type.gguf")));
            QVERIFY2(gguf.ok(), gguf.ok() ? "" : gguf.error().message.c_str());
            QCOMPARE(gguf->tensors[0].bytes, c.bytes);
        }
    }

    void removedAndUnknownTypesAreRefused() {
        GgufFixture removed;
        removed.string("general.architecture", "llama").tensor("blk.0.attn_q.weight", {4096, 4096}, 31, 1024);
        const std::string why = failure(write(removed, QStringLiteral("removed.gguf")));
        QVERIFY2(contains(why, "removed.gguf") && contains(why, "Q4_0_4_4") && contains(why, "no longer reads"),
                 why.c_str());
        GgufFixture unknown;
        unknown.string("general.architecture", "llama").tensor("t", {32}, 99, 32);
        QVERIFY(contains(failure(write(unknown, QStringLiteral("unknown.gguf"))), "GGML type 99"));
        GgufFixture partial;
        partial.string("general.architecture", "llama").tensor("t", {100}, kQ4_K, 144);
        QVERIFY(contains(failure(write(partial, QStringLiteral("partial.gguf"))), "not a multiple of its block of 256"));
    }

    void hostileHeadersFailFastNamingTheFile() {
        struct Case { const char *name; QByteArray bytes; const char *expected; };
        const auto le64 = [](std::uint64_t v) { QByteArray b(8, '\0'); qToLittleEndian<std::uint64_t>(v, b.data()); return b; };
        const auto le32 = [](std::uint32_t v) { QByteArray b(4, '\0'); qToLittleEndian<std::uint32_t>(v, b.data()); return b; };
        const QByteArray head3 = QByteArray("GGUF", 4) + le32(3);
        std::vector<Case> cases = {
            {"magic.gguf", QByteArray("GGML") + le32(3) + le64(0) + le64(0), "not a GGUF file"},
            {"v1.gguf", QByteArray("GGUF", 4) + le32(1) + le64(0) + le64(0), "version 1 is no longer read"},
            {"v4.gguf", QByteArray("GGUF", 4) + le32(4) + le64(0) + le64(0), "version 4 is not one"},
            {"empty.gguf", QByteArray(), "the magic"},
            {"short.gguf", QByteArray("GGUF", 4) + le32(3) + le64(0), "the metadata count needs 8 bytes"},
            {"tensors.gguf", head3 + le64(1ULL << 63) + le64(0), "claims 9,223,372,036,854,775,808 tensors"},
            {"kvs.gguf", head3 + le64(0) + le64(1ULL << 62), "metadata entries"},
            {"string.gguf", head3 + le64(0) + le64(1) + le64(1ULL << 62) + "k" + QByteArray(16, 0), "4,611,686,018,427,387,904 bytes long"},
            {"array.gguf", head3 + le64(0) + le64(1) + le64(1) + "k" + le32(9) + le32(0) + le64(1ULL << 60),
             "claims 1,152,921,504,606,846,976 elements"},
            {"nested.gguf", head3 + le64(0) + le64(1) + le64(1) + "k" + le32(9) + le32(9) + le64(1ULL << 60),
             "claims 1,152,921,504,606,846,976 elements"},
            {"type.gguf", head3 + le64(0) + le64(1) + le64(1) + "k" + le32(13) + le32(0) + QByteArray(16, '\0'),
             "GGUF type 13"},
        };
        for (const Case &c : cases) {
            QFile f(path(QString::fromLatin1(c.name)));
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(c.bytes);
            f.close();
            auto result = GgufReader::read(f.fileName());
            QVERIFY2(!result.ok(), c.name);
            const std::string &why = result.error().message;
            QVERIFY2(contains(why, c.name) && contains(why, c.expected), (std::string(c.name) + ": " + why).c_str());
            QVERIFY2(why.find('\n') == std::string::npos, why.c_str());
        }
    }

    void badTensorsAreRefused() {
        // The padding before the data runs past the end of the file.
        GgufFixture pad;
        pad.string("general.architecture", "llama").tensor("a", {0}, kF32, 0);
        QFile padded(path(QStringLiteral("pad.gguf")));
        QVERIFY(padded.open(QIODevice::WriteOnly));
        const QByteArray head = pad.header();
        padded.write(head.left(head.size() - 1));  // the last padding byte missing
        padded.close();
        QVERIFY(contains(failure(padded.fileName()), "the tensor data would start at byte"));

        GgufFixture past;
        past.string("general.architecture", "llama").tensor("a", {32}, kF32, 128);
        const QString p = write(past, QStringLiteral("past.gguf"));
        QFile::resize(p, QFileInfo(p).size() - 1);  // one byte of the tensor missing
        QVERIFY(contains(failure(p), "tensor a (128 bytes at offset 0 of the data section) runs past the end"));

        GgufFixture far;
        far.string("general.architecture", "llama").tensorAt("a", {32}, kF32, 1ULL << 62, 128);
        far.claimTensors(1);
        QFile out(path(QStringLiteral("far.gguf")));
        QVERIFY(out.open(QIODevice::WriteOnly));
        out.write(far.header() + QByteArray(128, '\0'));
        out.close();
        QVERIFY(contains(failure(out.fileName()), "runs past the end of the file"));

        GgufFixture overlap;
        overlap.string("general.architecture", "llama")
            .tensorAt("a", {64}, kF32, 0, 256)
            .tensorAt("b", {32}, kF32, 128, 128);
        QVERIFY(contains(failure(write(overlap, QStringLiteral("overlap.gguf"))), "tensors a and b overlap"));

        GgufFixture dims;
        dims.string("general.architecture", "llama").tensor("a", {1, 1, 1, 1, 1}, kF32, 4);
        QVERIFY(contains(failure(write(dims, QStringLiteral("dims.gguf"))), "has 5 dimensions"));

        GgufFixture huge;
        huge.string("general.architecture", "llama").tensor("a", {1ULL << 32, 1ULL << 32}, kF32, 0);
        QVERIFY(contains(failure(write(huge, QStringLiteral("huge.gguf"))), "more elements than 2^63"));

        GgufFixture twice;
        twice.string("general.architecture", "llama").tensor("a", {32}, kF32, 128).tensor("a", {32}, kF32, 128);
        QVERIFY(contains(failure(write(twice, QStringLiteral("twice.gguf"))), "tensor a appears twice"));

        GgufFixture misaligned;
        misaligned.string("general.architecture", "llama").tensorAt("a", {32}, kF32, 4, 128);
        QVERIFY(contains(failure(write(misaligned, QStringLiteral("misaligned.gguf"))), "not a multiple of the alignment"));

        GgufFixture alignment;
        alignment.string("general.architecture", "llama").u32("general.alignment", 48);
        QVERIFY(contains(failure(write(alignment, QStringLiteral("alignment.gguf"))), "power of two"));

        GgufFixture dup;
        dup.string("general.architecture", "llama").u32("llama.block_count", 1).u32("llama.block_count", 2);
        QVERIFY(contains(failure(write(dup, QStringLiteral("dup.gguf"))), "llama.block_count appears twice"));

        // A name from the file is shown on one line, control bytes as '?'.
        GgufFixture control;
        control.u32("bad\nkey", 1).u32("bad\nkey", 2);
        const std::string line = failure(write(control, QStringLiteral("control.gguf")));
        QVERIFY2(contains(line, "metadata key bad?key appears twice") && line.find('\n') == std::string::npos,
                 line.c_str());

        // A layer count is checked before anything is sized by it.
        GgufFixture layers = tiny("llama");
        layers.u64("llama.block_count", 1ULL << 40).u32("llama.attention.head_count", 8);
        QVERIFY(contains(failure(write(layers, QStringLiteral("layers.gguf"))),
                         "llama.block_count must be a whole number from 1 to 1,024 (got 1,099,511,627,776)"));
    }

    void nestedArraysAreReadPast() {
        GgufFixture g = tiny("llama");
        g.nestedArray("general.nested", 3, 5).u32("llama.block_count", 2).u32("llama.embedding_length", 256)
            .u32("llama.attention.head_count", 4);
        const ImportedModel m = load(write(g, QStringLiteral("nested-array.gguf")));
        QCOMPARE(layers(m, LayerKind::Full), 2ULL);
        // No tensors: the weights are unknown, not zero bytes.
        QVERIFY(!m.weights_bytes);
        QVERIFY(!m.parameters);
        QVERIFY(std::any_of(m.warnings.begin(), m.warnings.end(),
                            [](const std::string &w) { return contains(w, "holds no tensors"); }));
    }

    void unknownOrMissingArchitectureIsRefused() {
        const std::string why = failure(write(tiny("bert"), QStringLiteral("bert.gguf")));
        QVERIFY2(contains(why, "bert.gguf: general.architecture \"bert\" is not one KV Scope reads"), why.c_str());
        GgufFixture none;
        none.u32("general.alignment", 32);
        QVERIFY(contains(failure(write(none, QStringLiteral("none.gguf"))), "general.architecture is missing"));
        QVERIFY(contains(failure(write(tiny("llama"), QStringLiteral("nolayers.gguf"))), "llama.block_count is missing"));
    }

    void perLayerKvHeadsOfADenseModel() {
        GgufFixture g = tiny("qwen3");
        g.u32("qwen3.block_count", 4).u32("qwen3.embedding_length", 2048).u32("qwen3.attention.head_count", 16)
            .arrayI32("qwen3.attention.head_count_kv", {8, 8, 8, 8}).u32("qwen3.attention.key_length", 128)
            .u32("qwen3.attention.value_length", 128);
        const ImportedModel m = load(write(g, QStringLiteral("qwen3.gguf")));
        // 4 layers * 8 KV heads * 128 * (K + V) * 2 B; head_dim from key_length, not 2048 / 16.
        QCOMPARE(perToken(m), 4ULL * 8 * 128 * 2 * 2);
        QCOMPARE(source(m, "head_dim").substr(0, 30), std::string("gguf qwen3.attention.key_lengt"));

        GgufFixture zero = tiny("qwen3");
        zero.u32("qwen3.block_count", 2).u32("qwen3.embedding_length", 2048).u32("qwen3.attention.head_count", 16)
            .arrayI32("qwen3.attention.head_count_kv", {8, 0});
        const std::string why = failure(write(zero, QStringLiteral("zero.gguf")));
        QVERIFY2(contains(why, "qwen3.attention.head_count_kv is 0 at layer 1"), why.c_str());

        GgufFixture shortList = tiny("qwen3");
        shortList.u32("qwen3.block_count", 3).u32("qwen3.embedding_length", 2048).u32("qwen3.attention.head_count", 16)
            .arrayI32("qwen3.attention.head_count_kv", {8, 8});
        QVERIFY(contains(failure(write(shortList, QStringLiteral("short.gguf"))), "one whole number from 0 up per layer (3)"));
    }

    void hybridKeepsKvOnlyInItsAttentionLayers() {
        // Granite 4.0-H style: 8 layers, attention at 3 and 7, Mamba-2 elsewhere.
        GgufFixture g = tiny("granitehybrid");
        g.u32("granitehybrid.block_count", 8).u32("granitehybrid.embedding_length", 1536)
            .u32("granitehybrid.context_length", 131072).u32("granitehybrid.attention.head_count", 12)
            .arrayI32("granitehybrid.attention.head_count_kv", {0, 0, 0, 4, 0, 0, 0, 4})
            .u32("granitehybrid.ssm.inner_size", 3072).u32("granitehybrid.ssm.state_size", 128)
            .u32("granitehybrid.ssm.conv_kernel", 4).u32("granitehybrid.ssm.time_step_rank", 48)
            .u32("granitehybrid.ssm.group_count", 1);
        const ImportedModel m = load(write(g, QStringLiteral("granite-h.gguf")));
        QCOMPARE(layers(m, LayerKind::Full), 2ULL);
        QCOMPARE(layers(m, LayerKind::Linear), 6ULL);
        // The attention layers keep 4 KV heads (never 0) of 1536 / 12 = 128.
        QCOMPARE(perToken(m, 1), 2ULL * 4 * 128 * 2 * 2);
        // Mamba-2 state: heads 48 * head_dim (3072 / 48 = 64) * state 128;
        // conv (3072 + 2 * 1 * 128) * (4 - 1).
        const auto linear = std::find_if(m.layout.groups.begin(), m.layout.groups.end(),
                                         [](const auto &grp) { return grp.spec.kind == LayerKind::Linear; });
        QVERIFY(linear != m.layout.groups.end());
        QCOMPARE(linear->spec.recurrent_state_elems, 48ULL * 64 * 128);
        QCOMPARE(linear->spec.conv_state_elems, (3072ULL + 2 * 128) * 3);
        QVERIFY2(contains(source(m, "layers"), "gguf granitehybrid.attention.head_count_kv"), source(m, "layers").c_str());
    }

    void jambaAndNemotronHybrids() {
        GgufFixture j = tiny("jamba");
        std::vector<std::int32_t> kv(8, 0);
        kv[4] = 8;  // Jamba: attention at offset 4 of a period of 8
        j.u32("jamba.block_count", 8).u32("jamba.embedding_length", 4096).u32("jamba.attention.head_count", 32)
            .arrayI32("jamba.attention.head_count_kv", kv).u32("jamba.ssm.inner_size", 8192)
            .u32("jamba.ssm.state_size", 16).u32("jamba.ssm.conv_kernel", 4).u32("jamba.ssm.time_step_rank", 256);
        const ImportedModel jm = load(write(j, QStringLiteral("jamba.gguf")));
        QCOMPARE(layers(jm, LayerKind::Full), 1ULL);
        QCOMPARE(layers(jm, LayerKind::Linear), 7ULL);
        QCOMPARE(perToken(jm, 1), 1ULL * 8 * 128 * 2 * 2);

        GgufFixture n = tiny("nemotron_h");
        n.u32("nemotron_h.block_count", 4).u32("nemotron_h.embedding_length", 4096)
            .u32("nemotron_h.attention.head_count", 32).arrayI32("nemotron_h.attention.head_count_kv", {0, 0, 8, 0})
            .arrayI32("nemotron_h.feed_forward_length", {0, 21504, 0, 21504}).u32("nemotron_h.attention.key_length", 128)
            .u32("nemotron_h.attention.value_length", 128).u32("nemotron_h.ssm.inner_size", 8192)
            .u32("nemotron_h.ssm.state_size", 128).u32("nemotron_h.ssm.conv_kernel", 4)
            .u32("nemotron_h.ssm.time_step_rank", 128).u32("nemotron_h.ssm.group_count", 8);
        const ImportedModel nm = load(write(n, QStringLiteral("nemotron-h.gguf")));
        QCOMPARE(layers(nm, LayerKind::Full), 1ULL);
        QCOMPARE(layers(nm, LayerKind::Linear), 1ULL);
        QCOMPARE(layers(nm, LayerKind::Mlp), 2ULL);
    }

    void slidingPatternsAsLlamaCppSetsThem() {
        GgufFixture g3 = tiny("gemma3");
        g3.u32("gemma3.block_count", 12).u32("gemma3.embedding_length", 2560).u32("gemma3.attention.head_count", 8)
            .u32("gemma3.attention.head_count_kv", 4).u32("gemma3.attention.key_length", 256)
            .u32("gemma3.attention.value_length", 256).u32("gemma3.attention.sliding_window", 1024);
        const ImportedModel m3 = load(write(g3, QStringLiteral("gemma3.gguf")));
        // Period 6 (gemma3.cpp's default): layers 5 and 11 full, 10 sliding.
        QCOMPARE(layers(m3, LayerKind::Sliding), 10ULL);
        QCOMPARE(layers(m3, LayerKind::Full), 2ULL);
        QVERIFY(contains(source(m3, "sliding_window"), "gguf gemma3.attention.sliding_window"));
        QVERIFY(contains(source(m3, "layers"), "llama.cpp's default for gemma3"));

        GgufFixture oss = tiny("gpt-oss");
        oss.u32("gpt-oss.block_count", 4).u32("gpt-oss.embedding_length", 2880).u32("gpt-oss.attention.head_count", 64)
            .u32("gpt-oss.attention.head_count_kv", 8).u32("gpt-oss.attention.key_length", 64)
            .u32("gpt-oss.attention.value_length", 64).u32("gpt-oss.attention.sliding_window", 128)
            .u32("gpt-oss.expert_count", 32);
        const ImportedModel mo = load(write(oss, QStringLiteral("gpt-oss.gguf")));
        QCOMPARE(layers(mo, LayerKind::Sliding), 2ULL);
        // At 4096 tokens: 2 full layers hold 4096, 2 sliding hold 128; 8 heads * 64 * 2 * 2 B each.
        QCOMPARE(kvscope::layoutTotalBytes(mo.layout, Workload{4096, 1, DType::fp16}).value(),
                 (2ULL * 4096 + 2ULL * 128) * 8 * 64 * 2 * 2);

        GgufFixture arr = tiny("gemma2");
        arr.u32("gemma2.block_count", 4).u32("gemma2.embedding_length", 2304).u32("gemma2.attention.head_count", 8)
            .u32("gemma2.attention.head_count_kv", 4).u32("gemma2.attention.key_length", 256)
            .u32("gemma2.attention.value_length", 256)
            .arrayBool("gemma2.attention.sliding_window_pattern", {true, true, true, false});
        const ImportedModel ma = load(write(arr, QStringLiteral("gemma2.gguf")));
        QCOMPARE(layers(ma, LayerKind::Sliding), 3ULL);
        QCOMPARE(ma.layout.groups.front().spec.window, 4096ULL);  // gemma2.cpp's default window

        GgufFixture phi = tiny("phi3");
        phi.u32("phi3.block_count", 2).u32("phi3.embedding_length", 3072).u32("phi3.attention.head_count", 32)
            .u32("phi3.attention.sliding_window", 2047);
        const ImportedModel mp = load(write(phi, QStringLiteral("phi3.gguf")));
        QCOMPARE(layers(mp, LayerKind::Full), 2ULL);  // phi3.cpp switches the window off
        QVERIFY(!mp.warnings.empty() && contains(mp.warnings.back(), "phi3.attention.sliding_window"));
    }

    void mlaLatentFromDeepSeek() {
        GgufFixture g = tiny("deepseek2");
        g.u32("deepseek2.block_count", 3).u32("deepseek2.embedding_length", 7168)
            .u32("deepseek2.attention.head_count", 128).u32("deepseek2.attention.head_count_kv", 1)
            .u32("deepseek2.attention.key_length", 576).u32("deepseek2.attention.value_length", 512)
            .u32("deepseek2.attention.key_length_mla", 192).u32("deepseek2.attention.value_length_mla", 128)
            .u32("deepseek2.attention.kv_lora_rank", 512).u32("deepseek2.rope.dimension_count", 64)
            .u32("deepseek2.expert_count", 256);
        const ImportedModel m = load(write(g, QStringLiteral("deepseek.gguf")));
        QCOMPARE(layers(m, LayerKind::Mla), 3ULL);
        // Per layer one latent of 512 + 64, 2 B each.
        QCOMPARE(perToken(m), 3ULL * (512 + 64) * 2);
        QCOMPARE(source(m, "kv_lora_rank"), std::string("gguf deepseek2.attention.kv_lora_rank"));
    }

    void pureMamba2() {
        GgufFixture g = tiny("mamba2");
        g.u32("mamba2.block_count", 2).u32("mamba2.embedding_length", 2560).u32("mamba2.ssm.inner_size", 5120)
            .u32("mamba2.ssm.state_size", 128).u32("mamba2.ssm.conv_kernel", 4).u32("mamba2.ssm.time_step_rank", 80)
            .u32("mamba2.ssm.group_count", 1);
        const ImportedModel m = load(write(g, QStringLiteral("mamba2.gguf")));
        QCOMPARE(layers(m, LayerKind::Linear), 2ULL);
        QCOMPARE(m.layout.groups.front().spec.recurrent_state_elems, 80ULL * 64 * 128);

        GgufFixture odd = tiny("mamba2");
        odd.u32("mamba2.block_count", 2).u32("mamba2.embedding_length", 2560).u32("mamba2.ssm.inner_size", 5000)
            .u32("mamba2.ssm.state_size", 128).u32("mamba2.ssm.conv_kernel", 4).u32("mamba2.ssm.time_step_rank", 80)
            .u32("mamba2.ssm.group_count", 1);
        QVERIFY(contains(failure(write(odd, QStringLiteral("odd.gguf"))), "mamba2.ssm.inner_size (5000) must be a whole multiple"));
    }

    void falconH1AndMambaAndExperts() {
        // Falcon-H1: attention and a Mamba-2 mixer in every layer.
        GgufFixture f = tiny("falcon-h1");
        f.u32("falcon-h1.block_count", 2).u32("falcon-h1.embedding_length", 1024)
            .u32("falcon-h1.attention.head_count", 8).u32("falcon-h1.attention.head_count_kv", 2)
            .u32("falcon-h1.attention.key_length", 64).u32("falcon-h1.attention.value_length", 64)
            .u32("falcon-h1.ssm.inner_size", 1536).u32("falcon-h1.ssm.state_size", 128)
            .u32("falcon-h1.ssm.conv_kernel", 4).u32("falcon-h1.ssm.time_step_rank", 24)
            .u32("falcon-h1.ssm.group_count", 1);
        const ImportedModel fm = load(write(f, QStringLiteral("falcon-h1.gguf")));
        QCOMPARE(layers(fm, LayerKind::Full), 2ULL);
        QCOMPARE(layers(fm, LayerKind::Linear), 2ULL);
        // 2 layers * 2 KV heads * 64 * (K + V) * 2 B; state 24 heads * (1536 / 24 = 64) * 128.
        QCOMPARE(perToken(fm, 1), 2ULL * 2 * 64 * 2 * 2);
        const auto state = std::find_if(fm.layout.groups.begin(), fm.layout.groups.end(),
                                        [](const auto &grp) { return grp.spec.kind == LayerKind::Linear; });
        QCOMPARE(state->spec.recurrent_state_elems, 24ULL * 64 * 128);

        // Mamba (1): d_inner * d_state per layer.
        GgufFixture m1 = tiny("mamba");
        m1.u32("mamba.block_count", 2).u32("mamba.embedding_length", 768).u32("mamba.ssm.inner_size", 1536)
            .u32("mamba.ssm.state_size", 16).u32("mamba.ssm.conv_kernel", 4).u32("mamba.ssm.time_step_rank", 48);
        const ImportedModel mm = load(write(m1, QStringLiteral("mamba.gguf")));
        QCOMPARE(layers(mm, LayerKind::Linear), 2ULL);
        QCOMPARE(mm.layout.groups.front().spec.recurrent_state_elems, 1536ULL * 16);
        QCOMPARE(source(mm, "n_layers"), std::string("gguf mamba.block_count"));

        // A mixture of experts: the count is the tensors', whatever the config would say.
        GgufFixture moe = tiny("qwen3moe");
        moe.u32("qwen3moe.block_count", 1).u32("qwen3moe.embedding_length", 2048)
            .u32("qwen3moe.attention.head_count", 32).u32("qwen3moe.attention.head_count_kv", 4)
            .u32("qwen3moe.attention.key_length", 128).u32("qwen3moe.attention.value_length", 128)
            .u32("qwen3moe.expert_count", 128)
            .tensor("blk.0.ffn_gate_exps.weight", {2048, 768, 128}, kQ8_0, 2048ULL * 768 * 128 / 32 * 34);
        const ImportedModel qm = load(write(moe, QStringLiteral("qwen3moe.gguf")));
        QCOMPARE(qm.parameters.value(), 2048ULL * 768 * 128);
        QCOMPARE(qm.weights_bytes.value(), 2048ULL * 768 * 128 / 32 * 34);
        QCOMPARE(qm.weights_format, std::string("Q8_0 1 tensor"));
        QCOMPARE(perToken(qm), 1ULL * 4 * 128 * 2 * 2);
    }

    void modelFileKnowsGgufByItsMagic() {
        const QString p = write(llama8b(3, 1), QStringLiteral("model.bin"));
        QVERIFY(ModelFile::kind(p) == ModelFile::Kind::Gguf);
        auto m = ModelFile::read(p);
        QVERIFY(m.ok());
        QCOMPARE(layers(*m, LayerKind::Full), 1ULL);
        QFile json(path(QStringLiteral("config.json")));
        QVERIFY(json.open(QIODevice::WriteOnly));
        json.write("{\"model_type\": \"llama\", \"num_hidden_layers\": 2, \"hidden_size\": 512, \"num_attention_heads\": 8}");
        json.close();
        QVERIFY(ModelFile::kind(json.fileName()) == ModelFile::Kind::Config);
        QVERIFY(ModelFile::read(json.fileName()).ok());
    }

    void ollamaStoreResolvesTags() {
        QTemporaryDir store;
        const QString blobHex = QString(64, u'a');
        const auto manifest = [&](const QString &rel, const QByteArray &body) {
            const QString file = store.filePath(QStringLiteral("manifests/") + rel);
            QDir().mkpath(QFileInfo(file).absolutePath());
            QFile f(file);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(body);
        };
        // Ollama's manifest: a template layer, then the model layer (manifest/manifest.go).
        const QByteArray good = "{\"schemaVersion\":2,\"layers\":[{\"mediaType\":\"application/vnd.ollama.image.template\","
                                "\"digest\":\"sha256:" + QByteArray(64, 'b') +
                                "\"},{\"mediaType\":\"application/vnd.ollama.image.model\",\"digest\":\"sha256:" +
                                blobHex.toLatin1() + "\",\"size\":1}]}";
        manifest(QStringLiteral("registry.ollama.ai/library/tiny/latest"), good);
        manifest(QStringLiteral("registry.ollama.ai/library/tiny/q4"), good);
        manifest(QStringLiteral("registry.ollama.ai/someone/tiny/1b"), good);
        manifest(QStringLiteral("registry.ollama.ai/library/broken/latest"), "{not json");
        manifest(QStringLiteral("registry.ollama.ai/library/nomodel/latest"), "{\"layers\":[]}");
        QDir().mkpath(store.filePath(QStringLiteral("blobs")));
        QVERIFY(llama8b(3, 1).write(store.filePath(QStringLiteral("blobs/sha256-") + blobHex)));

        qputenv("OLLAMA_MODELS", store.path().toUtf8());
        const QString blob = store.filePath(QStringLiteral("blobs/sha256-") + blobHex);
        QCOMPARE(OllamaStore::resolve(QStringLiteral("ollama:tiny")).value(), blob);
        QCOMPARE(OllamaStore::resolve(QStringLiteral("ollama:tiny:q4")).value(), blob);
        QCOMPARE(OllamaStore::resolve(QStringLiteral("ollama:someone/tiny:1b")).value(), blob);
        const auto error = [](const char *ref) {
            auto r = OllamaStore::resolve(QString::fromLatin1(ref));
            return r.ok() ? std::string("(resolved)") : r.error().message;
        };
        QVERIFY2(contains(error("ollama:tiny:7b"), "ollama:tiny:7b: no such tag"), error("ollama:tiny:7b").c_str());
        QVERIFY(contains(error("ollama:broken"), "ollama:broken:latest: the manifest"));
        QVERIFY(contains(error("ollama:broken"), "is damaged"));
        QVERIFY(contains(error("ollama:nomodel"), "has no layer of type application/vnd.ollama.image.model"));
        QVERIFY(contains(error("ollama:../x"), "not an Ollama model name"));
        QFile::remove(blob);
        QVERIFY(contains(error("ollama:tiny"), "is missing from the store"));
        qputenv("OLLAMA_MODELS", store.filePath(QStringLiteral("nowhere")).toUtf8());
        QVERIFY(contains(error("ollama:tiny"), "no Ollama store at"));
        qunsetenv("OLLAMA_MODELS");
    }
};

QTEST_GUILESS_MAIN(TestGgufReader)
#include "tst_ggufreader.moc"
