#include <QFile>
#include <QSet>
#include <QTest>

#include "ConfigImporter.h"
#include "PresetLibrary.h"
#include "kvscope/layout_bytes.h"

using kvscope::DType;
using kvscope::Workload;

class TestPresetLibrary : public QObject {
    Q_OBJECT

private:
    static PresetLibrary library() {
        auto lib = PresetLibrary::builtin();
        if (!lib.ok()) qFatal("%s", lib.error().message.c_str());
        return lib.value();
    }

private Q_SLOTS:
    void builtinHasAtLeastTwentyUniqueModels() {
        const PresetLibrary lib = library();
        QVERIFY(lib.presets().size() >= 20);
        QSet<QString> names;
        for (const QString &name : lib.names()) names.insert(name.toCaseFolded());
        QCOMPARE(names.size(), lib.presets().size());
    }

    void everyPresetLoadsWithAPositiveTotal() {
        const PresetLibrary lib = library();
        for (const Preset &preset : lib.presets()) {
            QVERIFY2(preset.source.startsWith(u"https://"), qPrintable(preset.name));
            QVERIFY2(!preset.family.isEmpty(), qPrintable(preset.name));
            auto model = lib.load(preset.name);
            QVERIFY2(model.ok(), model.ok() ? "" : model.error().message.c_str());
            QVERIFY2(model->warnings.empty(), qPrintable(preset.name));  // every family is a known one
            for (std::uint64_t context : {std::uint64_t{1}, std::uint64_t{4096},
                                          model->max_position_embeddings.value_or(2048)}) {
                auto total = kvscope::layoutTotalBytes(model->layout, Workload{context, 1, DType::bf16});
                QVERIFY2(total.ok(), qPrintable(preset.name));
                QVERIFY2(*total > 0, qPrintable(preset.name));
            }
        }
    }

    void presetsAgreeWithTheirTestConfigs_data() {
        QTest::addColumn<QString>("preset");
        QTest::addColumn<QString>("file");
        QTest::newRow("gpt2") << QStringLiteral("GPT-2") << QStringLiteral("gpt2.json");
        QTest::newRow("llama31") << QStringLiteral("Llama 3.1 8B") << QStringLiteral("llama-3.1-8b.json");
        QTest::newRow("gemma3") << QStringLiteral("Gemma 3 27B") << QStringLiteral("gemma-3-27b.json");
        QTest::newRow("qwen3next") << QStringLiteral("Qwen3-Next 80B-A3B") << QStringLiteral("qwen3-next-80b-a3b.json");
        QTest::newRow("gptoss") << QStringLiteral("gpt-oss-120b") << QStringLiteral("gpt-oss-120b.json");
        QTest::newRow("deepseek") << QStringLiteral("DeepSeek-V3") << QStringLiteral("deepseek-v3.json");
        QTest::newRow("falcon") << QStringLiteral("Falcon 7B") << QStringLiteral("falcon-7b.json");
    }
    void presetsAgreeWithTheirTestConfigs() {
        QFETCH(QString, preset);
        QFETCH(QString, file);
        auto from_preset = library().load(preset);
        auto from_file = ConfigImporter::fromFile(QStringLiteral(KVSCOPE_TEST_DATA_DIR "/configs/") + file);
        QVERIFY(from_preset.ok());
        QVERIFY(from_file.ok());
        QVERIFY(from_preset->layout == from_file->layout);
    }

    void findAndSearch() {
        const PresetLibrary lib = library();
        QVERIFY(lib.find(QStringLiteral("llama 3.1 8b")) != nullptr);
        QCOMPARE(lib.find(QStringLiteral(" LLAMA 3.1 8B "))->name, QStringLiteral("Llama 3.1 8B"));
        QVERIFY(lib.find(QStringLiteral("Llama")) == nullptr);
        QVERIFY(lib.search(QStringLiteral("llama")).size() >= 5);
        QVERIFY(lib.search(QStringLiteral("QWEN3")).contains(QStringLiteral("Qwen3 4B")));
        QVERIFY(lib.search(QStringLiteral("deepseek")).contains(QStringLiteral("DeepSeek-V3")));
        QCOMPARE(lib.search(QString()).size(), lib.presets().size());
        QVERIFY(lib.search(QStringLiteral("no such model")).isEmpty());
    }

    void unknownNameIsAnError() {
        auto model = library().load(QStringLiteral("Llama 9"));
        QVERIFY(!model.ok());
        QCOMPARE(model.error().field, std::string("model"));
        QVERIFY(model.error().message.find("Llama 9") != std::string::npos);
        auto close = library().load(QStringLiteral("gemma 3"));
        QVERIFY2(close.error().message.find("Gemma 3 27B") != std::string::npos, close.error().message.c_str());
    }

    void badPresetFiles() {
        QVERIFY(!PresetLibrary::fromJson("{").ok());
        QVERIFY(!PresetLibrary::fromJson("{}").ok());
        const QByteArray twice = R"({"models": [
            {"name": "A", "source": "s", "config": {"n_layer": 1}},
            {"name": "a", "source": "s", "config": {"n_layer": 1}}]})";
        auto dup = PresetLibrary::fromJson(twice);
        QVERIFY(!dup.ok());
        QVERIFY(dup.error().message.find("two presets") != std::string::npos);
        QVERIFY(!PresetLibrary::fromJson(R"({"models": [{"name": "A", "config": {"n_layer": 1}}]})").ok());
        // A preset with a broken config loads as a library; loading it names the preset.
        auto broken = PresetLibrary::fromJson(R"({"models": [{"name": "B", "source": "s", "config": {"n_layer": 1}}]})");
        QVERIFY(broken.ok());
        auto model = broken->load(QStringLiteral("B"));
        QVERIFY(!model.ok());
        QVERIFY(model.error().message.rfind("B: ", 0) == 0);
    }
};

QTEST_GUILESS_MAIN(TestPresetLibrary)
#include "tst_presetlibrary.moc"
