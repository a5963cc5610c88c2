#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include "ConfigImporter.h"
#include "ModelFile.h"
#include "SafetensorsFixture.h"
#include "SafetensorsHeader.h"

using SafetensorsFixture::Tensor;
using SafetensorsFixture::kLlama8bBytes;
using SafetensorsFixture::kLlama8bParameters;
using namespace Qt::StringLiterals;


class TestSafetensors : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;

    QString path(const QString &name) const { return m_dir.filePath(name); }

    // The header of `json` with `data` data bytes: the error message, or "" when it reads.
    QString problem(const QByteArray &json, std::uint64_t data) {
        const QString file = path(u"hostile.safetensors"_s);
        if (!SafetensorsFixture::writeRaw(file, json, data)) qFatal("cannot write %s", qPrintable(file));
        const auto header = SafetensorsHeader::fromFile(file);
        return header ? QString() : QString::fromStdString(header.error().message);
    }

    void copyConfig(const QString &folder, const QString &config, const QJsonObject &extra = {}) {
        QFile in(QStringLiteral(KVSCOPE_TEST_DATA_DIR "/configs/") + config);
        QVERIFY(in.open(QIODevice::ReadOnly));
        QJsonObject object = QJsonDocument::fromJson(in.readAll()).object();
        for (auto it = extra.begin(); it != extra.end(); ++it) object.insert(it.key(), it.value());
        QFile out(QDir(folder).filePath(u"config.json"_s));
        QVERIFY(out.open(QIODevice::WriteOnly));
        out.write(QJsonDocument(object).toJson());
    }

    // Llama 3.1 8B in 4 shards with its index, as the Hub stores it.
    void writeShardedLlama(const QString &folder, const QJsonObject &extraConfig = {}) {
        QVERIFY(QDir().mkpath(folder));
        copyConfig(folder, u"llama-3.1-8b.json"_s, extraConfig);
        const auto shards = SafetensorsFixture::llama8bShards();
        QCOMPARE(shards.size(), 4u);
        for (const auto &shard : shards) QVERIFY(SafetensorsFixture::write(QDir(folder).filePath(shard.name), shard.tensors));
        QFile index(QDir(folder).filePath(u"model.safetensors.index.json"_s));
        QVERIFY(index.open(QIODevice::WriteOnly));
        index.write(SafetensorsFixture::indexJson(shards));
    }

private slots:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void everyDtypeHasItsSize() {
        // 16 elements of each dtype: bits per element from safetensors' Dtype::bitsize.
        const std::vector<Tensor> tensors{
            {u"bool"_s, u"BOOL"_s, {2, 8}, 16},     {u"f4"_s, u"F4"_s, {2, 8}, 8},
            {u"f6a"_s, u"F6_E2M3"_s, {2, 8}, 12},   {u"f6b"_s, u"F6_E3M2"_s, {2, 8}, 12},
            {u"u8"_s, u"U8"_s, {2, 8}, 16},         {u"i8"_s, u"I8"_s, {2, 8}, 16},
            {u"e5m2"_s, u"F8_E5M2"_s, {2, 8}, 16},  {u"e4m3"_s, u"F8_E4M3"_s, {2, 8}, 16},
            {u"e8m0"_s, u"F8_E8M0"_s, {2, 8}, 16},  {u"i16"_s, u"I16"_s, {2, 8}, 32},
            {u"u16"_s, u"U16"_s, {2, 8}, 32},       {u"f16"_s, u"F16"_s, {2, 8}, 32},
            {u"bf16"_s, u"BF16"_s, {2, 8}, 32},     {u"i32"_s, u"I32"_s, {2, 8}, 64},
            {u"u32"_s, u"U32"_s, {2, 8}, 64},       {u"f32"_s, u"F32"_s, {2, 8}, 64},
            {u"c64"_s, u"C64"_s, {2, 8}, 128},      {u"f64"_s, u"F64"_s, {2, 8}, 128},
            {u"i64"_s, u"I64"_s, {2, 8}, 128},      {u"u64"_s, u"U64"_s, {2, 8}, 128},
            {u"scalar"_s, u"F32"_s, {}, 4},         {u"empty"_s, u"F16"_s, {0, 5}, 0},
        };
        const QString file = path(u"dtypes.safetensors"_s);
        QVERIFY(SafetensorsFixture::write(file, tensors));
        const auto header = SafetensorsHeader::fromFile(file);
        QVERIFY2(header.ok(), header.ok() ? "" : header.error().message.c_str());
        QCOMPARE(header->tensorCount(), 22u);
        QCOMPARE(header->dataBytes(), 16u + 8 + 12 + 12 + 16 * 5 + 32 * 4 + 64 * 3 + 128 * 4 + 4);
        QCOMPARE(header->elements(), 20u * 16 + 1);
    }

    void hostileHeaders_data() {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<qulonglong>("data");
        QTest::addColumn<QString>("expected");
        auto one = [](const char *dtype, const char *shape, const char *offsets) -> QByteArray {
            return QByteArray("{\"w\":{\"dtype\":\"") + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":" +
                   offsets + "}}";
        };
        QTest::newRow("bad json") << QByteArray("{\"w\":{\"dtype\":\"F16\",") << 0ull << u"not valid JSON"_s;
        QTest::newRow("not an object") << QByteArray("[1,2]") << 0ull << u"not a JSON object"_s;
        QTest::newRow("unknown dtype") << one("Q4_K", "[2]", "[0,4]") << 4ull << u"dtype \"Q4_K\""_s;
        QTest::newRow("wrong size") << one("F16", "[2,3]", "[0,10]") << 10ull << u"takes 10 bytes but 6 elements of F16 take 12 bytes"_s;
        QTest::newRow("past the end") << one("F16", "[2]", "[0,4]") << 3ull << u"past its end"_s;
        QTest::newRow("end before begin") << one("F16", "[0]", "[4,0]") << 4ull << u"before it begins"_s;
        QTest::newRow("offsets beyond 2^53") << one("F16", "[2]", "[0,18446744073709551615]") << 4ull << u"data_offsets"_s;
        QTest::newRow("shape overflows 64 bits")
            << one("F32", "[4294967296,4294967296,16]", "[0,16]") << 16ull << u"more elements than 64 bits count"_s;
        QTest::newRow("bits overflow") << one("F64", "[4294967296,536870912]", "[0,16]") << 16ull
                                       << u"more elements than 64 bits count"_s;
        QTest::newRow("negative dim") << one("F16", "[-2]", "[0,4]") << 4ull << u"shape entry"_s;
        QTest::newRow("fractional dim") << one("F16", "[2.5]", "[0,5]") << 5ull << u"shape entry"_s;
        QTest::newRow("half a byte") << one("F4", "[3]", "[0,1]") << 1ull << u"not a whole number of bytes"_s;
        QTest::newRow("trailing data") << one("F16", "[2]", "[0,4]") << 8ull << u"cover 4 bytes of the 8 bytes"_s;
        QTest::newRow("gap")
            << QByteArray("{\"a\":{\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[0,4]},\"b\":{\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[6,10]}}")
            << 10ull << u"a gap of 2 bytes lies before tensor \"b\""_s;
        QTest::newRow("overlap")
            << QByteArray("{\"a\":{\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[0,4]},\"b\":{\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[2,6]}}")
            << 6ull << u"tensor \"b\" (bytes 2 to 6) overlaps tensor \"a\""_s;
        QTest::newRow("metadata not strings")
            << QByteArray("{\"__metadata__\":{\"format\":1}}") << 0ull << u"__metadata__ \"format\" is not a string"_s;
        QTest::newRow("no offsets") << QByteArray("{\"w\":{\"dtype\":\"U8\",\"shape\":[4]}}") << 4ull << u"no data_offsets"_s;
    }

    void hostileHeaders() {
        QFETCH(QByteArray, json);
        QFETCH(qulonglong, data);
        QFETCH(QString, expected);
        const QString message = problem(json, data);
        QVERIFY2(message.contains(expected), qPrintable(message));
        QVERIFY2(message.contains(u"hostile.safetensors"_s), qPrintable(message));
    }

    void hostileLengths() {
        const QString file = path(u"length.safetensors"_s);
        auto messageFor = [&](const QByteArray &bytes, qint64 size) {
            QFile out(file);
            if (!out.open(QIODevice::WriteOnly | QIODevice::Truncate)) qFatal("cannot write");
            out.write(bytes);
            out.resize(size);
            out.close();
            const auto header = SafetensorsHeader::fromFile(file);
            return header ? QString() : QString::fromStdString(header.error().message);
        };
        // 2^63: refused from the 8 bytes alone, nothing allocated.
        QVERIFY(messageFor(SafetensorsFixture::lengthPrefix(std::uint64_t{1} << 63), 64)
                    .contains(u"the format allows at most 100,000,000"_s));
        // A header longer than the file.
        QVERIFY(messageFor(SafetensorsFixture::lengthPrefix(1000) + "{}", 64).contains(u"larger than the file (64 bytes)"_s));
        // Within a (sparse) 200 MB file, but past the format's limit.
        QVERIFY(messageFor(SafetensorsFixture::lengthPrefix(150'000'000), 200'000'000)
                    .contains(u"the format allows at most"_s));
        QVERIFY(messageFor("abc", 3).contains(u"shorter than the 8-byte header length"_s));
        QVERIFY(SafetensorsHeader::fromFile(path(u"none.safetensors"_s)).error().message.find("no such file") == 0);
    }

    void shardedFolderGivesExactWeights() {
        const QString folder = path(u"Llama-3.1-8B"_s);
        writeShardedLlama(folder);
        const auto model = ModelFile::read(folder);
        QVERIFY2(model.ok(), model.ok() ? "" : model.error().message.c_str());
        QCOMPARE(*model->weights_bytes, kLlama8bBytes);
        QCOMPARE(*model->parameters, kLlama8bParameters);
        QCOMPARE(model->weights_format, std::string("bf16 + F32 for 65 tensors"));
        QVERIFY2(model->find("weights_bytes")->source.find("model-00001-of-00004.safetensors, ..., "
                                                          "model-00004-of-00004.safetensors (4 files)") !=
                     std::string::npos,
                 model->find("weights_bytes")->source.c_str());
        QVERIFY(model->find("parameters")->source.find("element count of the 291 tensors") != std::string::npos);
        // The layers still come from config.json.
        QCOMPARE(model->model_type, std::string("llama"));
    }

    void quantizedFolderKeepsTheConfigsParameters() {
        // GPTQ int4: 8 weights packed in each I32, so elements are not parameters.
        const QString folder = path(u"gptq"_s);
        QVERIFY(QDir().mkpath(folder));
        copyConfig(folder, u"llama-3.1-8b.json"_s,
                   QJsonObject{{u"quantization_config"_s, QJsonObject{{u"quant_method"_s, u"gptq"_s}, {u"bits"_s, 4}}}});
        const ImportedModel plain = ModelFile::read(QDir(folder).filePath(u"config.json"_s)).value();
        QVERIFY(SafetensorsFixture::write(QDir(folder).filePath(u"model.safetensors"_s),
                                          {{u"qweight"_s, u"I32"_s, {512, 4096}, 512 * 4096 * 4},
                                           {u"scales"_s, u"F16"_s, {32, 4096}, 32 * 4096 * 2}}));
        const auto model = ModelFile::read(folder);
        QVERIFY2(model.ok(), model.ok() ? "" : model.error().message.c_str());
        QCOMPARE(*model->weights_bytes, 512u * 4096 * 4 + 32 * 4096 * 2);
        QCOMPARE(model->weights_format, std::string("i32 + F16 for 1 tensor"));
        QCOMPARE(model->parameters, plain.parameters);
        QVERIFY(model->find("parameters")->source.find("quantization_config") != std::string::npos);
    }

    void folderWithoutSafetensorsKeepsItsSources() {
        const QString folder = path(u"config-only"_s);
        QVERIFY(QDir().mkpath(folder));
        copyConfig(folder, u"qwen3-8b.json"_s);
        const auto fromFolder = ModelFile::read(folder);
        const auto fromFile = ModelFile::read(QDir(folder).filePath(u"config.json"_s));
        QVERIFY(fromFolder.ok() && fromFile.ok());
        QVERIFY(!fromFolder->weights_bytes);
        QCOMPARE(fromFolder->parameters, fromFile->parameters);
        QCOMPARE(fromFolder->provenance, fromFile->provenance);
    }

    void foldersAreNamedAsUsersKnowThem() {
        const QString snapshot = path(u"hub/models--acme--Tiny-1.5B/snapshots/0123456789abcdef0123456789abcdef01234567"_s);
        QVERIFY(QDir().mkpath(snapshot));
        QCOMPARE(ConfigImporter::displayName(snapshot), u"acme/Tiny-1.5B"_s);
        QVERIFY(QDir().mkpath(path(u"Llama-3.1-8B"_s)));
        QCOMPARE(ConfigImporter::displayName(path(u"Llama-3.1-8B"_s)), u"Llama-3.1-8B"_s);
    }

    void brokenFoldersNameTheFile() {
        const QString folder = path(u"broken"_s);
        writeShardedLlama(folder);
        QVERIFY(QFile::remove(QDir(folder).filePath(u"model-00003-of-00004.safetensors"_s)));
        QString message = QString::fromStdString(ModelFile::read(folder).error().message);
        QVERIFY2(message.contains(u"no such file"_s) && message.contains(u"model-00003-of-00004.safetensors"_s),
                 qPrintable(message));

        QFile shard(QDir(folder).filePath(u"model-00002-of-00004.safetensors"_s));
        QVERIFY(shard.resize(shard.size() - 1));
        QVERIFY(SafetensorsFixture::write(QDir(folder).filePath(u"model-00003-of-00004.safetensors"_s), {}));
        message = QString::fromStdString(ModelFile::read(folder).error().message);
        QVERIFY2(message.contains(u"model-00002-of-00004.safetensors: tensor"_s) && message.contains(u"past its end"_s),
                 qPrintable(message));

        const QString escape = path(u"escape"_s);
        QVERIFY(QDir().mkpath(escape));
        copyConfig(escape, u"qwen3-8b.json"_s);
        QFile index(QDir(escape).filePath(u"model.safetensors.index.json"_s));
        QVERIFY(index.open(QIODevice::WriteOnly));
        index.write("{\"weight_map\":{\"w\":\"../outside.safetensors\"}}");
        index.close();
        message = QString::fromStdString(ModelFile::read(escape).error().message);
        QVERIFY2(message.contains(u"weight_map[\"w\"] is not a file name inside the model"_s), qPrintable(message));

        const QString empty = path(u"empty-folder"_s);
        QVERIFY(QDir().mkpath(empty));
        message = QString::fromStdString(ModelFile::read(empty).error().message);
        QVERIFY2(message.contains(u"is a folder without a config.json"_s), qPrintable(message));
    }
};

QTEST_GUILESS_MAIN(TestSafetensors)
#include "tst_safetensors.moc"
