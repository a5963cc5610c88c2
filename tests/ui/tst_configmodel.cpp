#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include "ConfigImporter.h"
#include "ConfigModel.h"
#include "LayoutSettings.h"
#include "PresetLibrary.h"
#include "kvscope/format.h"
#include "kvscope/plan.h"
#include "kvscope/weights.h"

using namespace Qt::StringLiterals;

class TestConfigModel : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void startsOnTheSeedModel() {
        ConfigModel model;
        QCOMPARE(model.nHeads(), 24);
        QCOMPARE(model.embDim(), 2048);
        QCOMPARE(model.nLayers(), 48);
        QCOMPARE(model.nKvGroups(), 4);
        QCOMPARE(model.contextLength(), 8192);
        QCOMPARE(model.batchSize(), 1);
        QCOMPARE(model.dtype(), u"bf16"_s);
        QVERIFY(model.estimate().ok());
        QCOMPARE(model.estimate()->head_dim, 86u);
    }

    void settersEmitOnlyOnRealChange() {
        ConfigModel model;
        QSignalSpy spy(&model, &ConfigModel::nLayersChanged);
        model.setNLayers(48);
        QCOMPARE(spy.count(), 0);
        model.setNLayers(32);
        QCOMPARE(spy.count(), 1);
        QCOMPARE(spy.at(0).at(0).toInt(), 32);
        model.setNLayers(32);
        QCOMPARE(spy.count(), 1);
    }

    void estimateChangedIsCoalescedPerEventLoopTurn() {
        ConfigModel model;
        QSignalSpy spy(&model, &ConfigModel::estimateChanged);
        const int before = model.recomputeCount();
        for (int layers = 1; layers <= 200; ++layers) model.setNLayers(layers);
        QCOMPARE(spy.count(), 0);  // not yet: queued
        QVERIFY(spy.wait(1000));
        QCOMPARE(spy.count(), 1);
        model.estimate();
        QCOMPARE(model.recomputeCount() - before, 1);
        QCoreApplication::processEvents();
        QCOMPARE(spy.count(), 1);
    }

    void loadingAModelIsOneRecomputeAndShapeEditsClearIt() {
        ConfigModel model;
        const auto gemma = PresetLibrary::builtin()->load(u"Gemma 3 27B"_s);
        QVERIFY(gemma);
        QSignalSpy estimate(&model, &ConfigModel::estimateChanged);
        QSignalSpy changed(&model, &ConfigModel::modelChanged);
        const int before = model.recomputeCount();
        model.loadModel(*gemma, u"Gemma 3 27B"_s, ConfigModel::originForPreset(u"Gemma 3 27B"_s));
        model.setContextLength(131072);
        QCOMPARE(changed.count(), 1);
        QVERIFY(estimate.wait(1000));
        QCOMPARE(estimate.count(), 1);
        // Its book view on the sliders: 62 layers, 32 heads, 16 K/V heads, head_dim 128.
        QCOMPARE(model.nLayers(), 62);
        QCOMPARE(model.nHeads(), 32);
        QCOMPARE(model.nKvGroups(), 2);
        QCOMPARE(model.explicitHeadDim(), 128);
        QCOMPARE(model.modelEstimate()->bytes.total, 11'173'625'856u);  // (52 * 1024 + 10 * 131072) * 8192
        QCOMPARE(model.layoutBytes()->total, 11'173'625'856u);
        QCOMPARE(model.recomputeCount() - before, 1);
        QVERIFY(!model.provenance().empty());
        // The workload keeps the model; a shape edit makes a what-if of it, and says which.
        QSignalSpy cleared(&model, &ConfigModel::whatIfStarted);
        model.setBatchSize(4);
        model.setDtype(u"fp8"_s);
        QVERIFY(model.hasModel());
        model.setNHeads(16);
        QVERIFY(!model.hasModel());
        QCOMPARE(cleared.count(), 1);
        QCOMPARE(cleared.front().front().toString(), u"Gemma 3 27B"_s);
        QCOMPARE(model.whatIfName(), u"Gemma 3 27B what-if: n_heads 16"_s);
        QVERIFY(!model.modelEstimate());
        QVERIFY(model.modelCurves().empty());
    }

    void gettersAreFreshWithoutAnEventLoop() {
        ConfigModel model;
        model.setContextLength(131072);
        QCOMPARE(kvscope::formatGB(model.estimate()->mha_bytes), "51.94 GB");
        QCOMPARE(kvscope::formatGB(model.estimate()->gqa_bytes), "12.99 GB");
        model.setNKvGroups(8);
        QCOMPARE(model.estimate()->gqa_bytes, model.estimate()->mha_bytes / 8);
    }

    void groupsStayADivisorOfHeads() {
        ConfigModel model;
        QSignalSpy groupsSpy(&model, &ConfigModel::nKvGroupsChanged);
        model.setNKvGroups(5);  // not a divisor of 24: nearest valid is 4 (unchanged)
        QCOMPARE(model.nKvGroups(), 4);
        QCOMPARE(groupsSpy.count(), 0);
        model.setNKvGroups(7);  // 6 and 8 tie: the smaller
        QCOMPARE(model.nKvGroups(), 6);
        model.setNHeads(32);  // 6 does not divide 32: nearest divisor is 8 (4 and 8 are 2 away: 4)
        QCOMPARE(model.nKvGroups(), 4);
        model.setNHeads(7);
        QVERIFY(7 % model.nKvGroups() == 0);
        for (int heads = 1; heads <= 128; ++heads) {
            model.setNHeads(heads);
            QVERIFY2(heads % model.nKvGroups() == 0, qPrintable(QString::number(heads)));
            QVERIFY(model.estimate().ok());
        }
    }

    void extraGroupsKeepOnlyValidCounts() {
        ConfigModel model;
        model.setExtraGroups({24, 8, 5, 12, 8});
        QCOMPARE(model.extraGroups(), (QList<int>{8, 12, 24}));
        model.setNHeads(32);
        QCOMPARE(model.extraGroups(), (QList<int>{8}));
        QVERIFY(model.contextPoints().ok());
        QCOMPARE(model.contextPoints()->front().extra_gqa_bytes.size(), 1u);
    }

    void clampsToCoreLimits() {
        ConfigModel model;
        model.setNHeads(0);
        QCOMPARE(model.nHeads(), 1);
        model.setNHeads(100000);
        QCOMPARE(model.nHeads(), 1024);
        model.setContextLength(-5);
        QCOMPARE(model.contextLength(), 1);
        model.setContextLength(qint64{1} << 40);
        QCOMPARE(model.contextLength(), qint64{1} << 31);
        model.setDtype(u"fp4"_s);  // unknown: ignored
        QCOMPARE(model.dtype(), u"bf16"_s);
    }

    void overflowIsAnErrorNotANumber() {
        ConfigModel model;
        model.setNHeads(1);
        model.setEmbDim(1 << 20);
        model.setNLayers(1024);
        model.setBatchSize(1 << 20);
        model.setContextLength(qint64{1} << 31);
        QVERIFY(!model.estimate().ok());
        QVERIFY(model.bookReport().contains(u"64 bits"_s));
    }

    void sweepsFollowTheConfig() {
        ConfigModel model;
        QCOMPARE(model.chartContextLengths().front(), 256u);
        QCOMPARE(model.chartContextLengths().back(), 131072u);
        QCOMPARE(model.groupPoints()->size(), 8u);
        model.setContextLength(1 << 20);
        QCOMPARE(model.chartContextLengths().back(), 1u << 21);
    }

    void settingsRoundTrip() {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"kvscope.ini"_s);
        {
            ConfigModel model;
            model.setNHeads(32);
            model.setEmbDim(4096);
            model.setNKvGroups(8);
            model.setNLayers(32);
            model.setContextLength(32768);
            model.setBatchSize(3);
            model.setDtype(u"fp8"_s);
            model.setBinaryUnits(true);
            model.setExtraGroups({2, 16});
            QSettings settings(path, QSettings::IniFormat);
            model.saveSettings(settings);
        }
        ConfigModel loaded;
        QSettings settings(path, QSettings::IniFormat);
        loaded.loadSettings(settings);
        QCOMPARE(loaded.nHeads(), 32);
        QCOMPARE(loaded.embDim(), 4096);
        QCOMPARE(loaded.nKvGroups(), 8);
        QCOMPARE(loaded.nLayers(), 32);
        QCOMPARE(loaded.contextLength(), 32768);
        QCOMPARE(loaded.batchSize(), 3);
        QCOMPARE(loaded.dtype(), u"fp8"_s);
        QVERIFY(loaded.binaryUnits());
        QCOMPARE(loaded.extraGroups(), (QList<int>{2, 16}));
    }

    void damagedSettingsGiveAValidConfig() {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"kvscope.ini"_s);
        {
            QSettings settings(path, QSettings::IniFormat);
            settings.setValue(u"config/n_heads"_s, u"banana"_s);
            settings.setValue(u"config/n_kv_groups"_s, 7);
            settings.setValue(u"config/context_length"_s, -1);
            settings.setValue(u"config/dtype"_s, u"fp64"_s);
        }
        ConfigModel model;
        QSettings settings(path, QSettings::IniFormat);
        model.loadSettings(settings);
        QCOMPARE(model.nHeads(), 1);  // "banana" reads as 0, clamped
        QCOMPARE(model.nKvGroups(), 1);
        QCOMPARE(model.contextLength(), 1);
        QCOMPARE(model.dtype(), u"bf16"_s);
        QVERIFY(model.estimate().ok());
    }

    // Pins come back exactly after a restart, whatever their layers: sliding
    // windows, MLA latents, linear states, one group per layer.
    void pinsRoundTripThroughSettings() {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"kvscope.ini"_s);
        ConfigModel model;
        model.setContextLength(131072);
        for (const QString &name : {u"Gemma 3 27B"_s, u"DeepSeek-V3"_s, u"Qwen3-Next 80B-A3B"_s, u"gpt-oss-120b"_s}) {
            const auto preset = PresetLibrary::builtin()->load(name);
            QVERIFY2(preset, qPrintable(name));
            model.loadModel(*preset, name, ConfigModel::originForPreset(name));
            model.setBatchSize(2);
            model.setDtype(u"fp8"_s);
            QVERIFY(model.pinCurrent());
        }
        model.clearModel();
        model.setBatchSize(1);
        QVERIFY(model.pinCurrent());  // the book's shape
        {
            QSettings settings(path, QSettings::IniFormat);
            model.saveSettings(settings);
        }
        ConfigModel loaded;
        QSignalSpy pinsChanged(&loaded, &ConfigModel::pinsChanged);
        {
            const QSettings settings(path, QSettings::IniFormat);
            loaded.loadSettings(settings);
        }
        QCOMPARE(pinsChanged.count(), 1);
        QCOMPARE(loaded.pinNames(), model.pinNames());
        QCOMPARE(loaded.pinNames().size(), 5);
        QCOMPARE(loaded.pinNames().front(), u"Gemma 3 27B (fp8, batch 2)"_s);
        const auto &before = model.pinnedCurves();
        const auto &after = loaded.pinnedCurves();
        QCOMPARE(after.size(), before.size());
        for (std::size_t i = 0; i < before.size(); ++i) {
            QCOMPARE(after[i].key, before[i].key);
            QCOMPARE(after[i].points.size(), before[i].points.size());
            for (std::size_t j = 0; j < before[i].points.size(); ++j)
                QCOMPARE(after[i].points[j].bytes, before[i].points[j].bytes);
        }
        // Gemma at fp8, batch 2 past its window: (52 * 1024 + 10 * 131072) * 4096 * 2.
        QCOMPARE(after.front().points.back().context_length, 262144u);
        QCOMPARE(after.front().points.back().bytes, (52ull * 1024 + 10ull * 262144) * 4096 * 2);
        // Fewer pins saved later leave no stale entries behind.
        loaded.unpin(0);
        loaded.unpinAll();
        {
            QSettings settings(path, QSettings::IniFormat);
            loaded.saveSettings(settings);
        }
        ConfigModel empty;
        const QSettings settings(path, QSettings::IniFormat);
        empty.loadSettings(settings);
        QVERIFY(empty.pinNames().isEmpty());
        QVERIFY(!settings.contains(u"config/pins/1/name"_s));
    }

    // A hand-edited or damaged pin is left out; the others still load.
    void damagedPinsAreLeftOut() {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"kvscope.ini"_s);
        ConfigModel model;
        for (int layers : {10, 20, 30, 40, 50, 60}) {
            model.setNLayers(layers);
            QVERIFY(model.pinCurrent());
        }
        {
            QSettings settings(path, QSettings::IniFormat);
            model.saveSettings(settings);
            settings.setValue(u"config/pins/1/layers/1/kind"_s, u"banana"_s);
            settings.setValue(u"config/pins/2/layers/1/n_kv_heads"_s, 4096);  // more K/V heads than heads
            settings.setValue(u"config/pins/3/batch_size"_s, 0);
            settings.remove(u"config/pins/4/layers/1/k_head_dim"_s);
            settings.setValue(u"config/pins/5/layers/1/count"_s, u"49.6"_s);
            // A huge count is not walked: at most six entries are read.
            settings.setValue(u"config/pins/size"_s, 2147483647);
        }
        ConfigModel loaded;
        const QSettings settings(path, QSettings::IniFormat);
        const QStringList leftOut = loaded.loadSettings(settings);
        QCOMPARE(loaded.pinNames(), QStringList{model.pinNames().back()});
        QCOMPARE(loaded.pinnedCurves().size(), 1u);
        QVERIFY(loaded.estimate().ok());
        // Each one left out is named: the pin, the key and what is wrong.
        const QString pin = u"pin %1 \"n_heads=24, n_kv_groups=4, n_layers=%2 (bf16, batch 1)\" left out: "_s;
        QCOMPARE(
            leftOut,
            QStringList({u"pins past the 6th left out: config/pins/size is 2,147,483,647, and at most 6 are kept"_s,
                         pin.arg(1).arg(10) + u"config/pins/1/layers/1/kind \"banana\" is not a layer kind"_s,
                         pin.arg(2).arg(20) + u"config/pins/2/layers: layer 0: n_kv_heads must be a whole "
                                              u"number from 1 to 24 (got 4,096)"_s,
                         pin.arg(3).arg(30) + u"config/pins/3/batch_size 0 is not a whole number from 1 to "
                                              u"1,048,576"_s,
                         pin.arg(4).arg(40) + u"config/pins/4/layers/1/k_head_dim is missing"_s,
                         pin.arg(5).arg(50) + u"config/pins/5/layers/1/count \"49.6\" is not a whole number "
                                              u"from 0 to 4,294,967,295"_s}));
        // Numbers as the settings file may hold them.
        QCOMPARE(LayoutSettings::unsignedValue(QVariant(7)), 7u);
        QCOMPARE(LayoutSettings::unsignedValue(QVariant(qlonglong{1} << 40)), std::uint64_t{1} << 40);
        QCOMPARE(LayoutSettings::unsignedValue(QVariant(u" 12 "_s)), 12u);
        QCOMPARE(LayoutSettings::unsignedValue(QVariant(-1)), std::nullopt);
        QCOMPARE(LayoutSettings::unsignedValue(QVariant(u"-1"_s)), std::nullopt);
        QCOMPARE(LayoutSettings::unsignedValue(QVariant(127.6)), std::nullopt);
        QCOMPARE(LayoutSettings::unsignedValue(QVariant(true)), std::nullopt);
        QCOMPARE(LayoutSettings::unsignedValue(QVariant()), std::nullopt);
    }

    // Two windows share one settings file: each one's save keeps what the
    // other saved, its own unpins still count, and nothing is lost silently.
    void twoModelsSavingToOneFileKeepEachOthersPins() {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"kvscope.ini"_s);
        const auto save = [&path](const ConfigModel &model) {
            QSettings settings(path, QSettings::IniFormat);
            return model.saveSettings(settings);
        };
        const auto load = [&path](ConfigModel &model) {
            const QSettings settings(path, QSettings::IniFormat);
            return model.loadSettings(settings);
        };
        const auto pinsOnDisk = [&path] {
            ConfigModel reader;
            const QSettings settings(path, QSettings::IniFormat);
            reader.loadSettings(settings);
            return reader.pinNames();
        };
        const QString name = u"n_heads=24, n_kv_groups=4, n_layers=%1 (bf16, batch 1)"_s;
        ConfigModel a;
        ConfigModel b;
        QVERIFY(load(a).isEmpty());
        QVERIFY(load(b).isEmpty());
        a.setNLayers(10);
        QVERIFY(a.pinCurrent());
        QVERIFY(save(a).isEmpty());
        b.setNLayers(20);
        QVERIFY(b.pinCurrent());
        QVERIFY(save(b).isEmpty());  // b never saw a's pin: it stays all the same
        QCOMPARE(pinsOnDisk(), QStringList({name.arg(10), name.arg(20)}));
        QCOMPARE(b.pinNames(), QStringList{name.arg(20)});  // each window shows its own
        // An unpin counts, though the other window still shows the pin.
        a.unpinAll();
        QVERIFY(save(a).isEmpty());
        QVERIFY(save(b).isEmpty());
        QCOMPARE(pinsOnDisk(), QStringList{name.arg(20)});
        // The same curve pinned in both windows is saved once.
        a.setNLayers(20);
        QVERIFY(a.pinCurrent());
        QVERIFY(save(a).isEmpty());
        QCOMPARE(pinsOnDisk(), QStringList{name.arg(20)});
        // Past six, a pin is not saved, and says so once.
        for (int layers : {21, 22}) {
            b.setNLayers(layers);
            QVERIFY(b.pinCurrent());
        }
        QVERIFY(save(b).isEmpty());
        for (int layers : {31, 32, 33, 34, 35}) {
            a.setNLayers(layers);
            QVERIFY(a.pinCurrent());
        }
        const QString notSaved = u"pin \"%1\" not saved: 6 pins are saved already (another window's among them)"_s;
        QCOMPARE(save(a), QStringList({notSaved.arg(name.arg(34)), notSaved.arg(name.arg(35))}));
        QVERIFY(save(a).isEmpty());
        QCOMPARE(pinsOnDisk(), QStringList({name.arg(20), name.arg(21), name.arg(22), name.arg(31), name.arg(32),
                                            name.arg(33)}));
    }

    void resetToDefaults() {
        ConfigModel model;
        model.setNHeads(64);
        model.setBinaryUnits(true);
        model.setExtraGroups({2});
        model.resetToDefaults();
        QCOMPARE(model.shape(), kvscope::ModelShape{});
        QCOMPARE(model.workload(), kvscope::Workload{});
        QVERIFY(!model.binaryUnits());
        QVERIFY(model.extraGroups().isEmpty());
    }

    void budgetSettersEmitOnceAndOnlyOnChange() {
        ConfigModel model;
        // Each setter: a new value emits once, the same value (or one that
        // snaps to it) not at all.
        auto check = [&model](auto signal, auto set, auto value, auto same) {
            QSignalSpy spy(&model, signal);
            (model.*set)(value);
            QCOMPARE(spy.count(), 1);
            (model.*set)(value);
            (model.*set)(same);
            QCOMPARE(spy.count(), 1);
        };
        check(&ConfigModel::budgetEnabledChanged, &ConfigModel::setBudgetEnabled, true, true);
        check(&ConfigModel::gpuChanged, &ConfigModel::setGpu, u"mi300x"_s, u"MI300X"_s);
        QCOMPARE(model.gpu(), u"mi300x"_s);
        check(&ConfigModel::gpuChanged, &ConfigModel::setGpu, u"h100"_s, u"NVIDIA H100 80GB"_s);  // alias, label
        QCOMPARE(model.gpu(), u"h100-80gb"_s);
        check(&ConfigModel::gpuCountChanged, &ConfigModel::setGpuCount, 2, 2);
        check(&ConfigModel::customGpuMemoryGibChanged, &ConfigModel::setCustomGpuMemoryGib, 96.0, 96.0001);
        check(&ConfigModel::gpuUtilizationChanged, &ConfigModel::setGpuUtilization, 0.85, 0.8500001);
        check(&ConfigModel::weightsDtypeChanged, &ConfigModel::setWeightsDtype, u"q4_0"_s, u"nonsense"_s);
        check(&ConfigModel::parameterOverrideChanged, &ConfigModel::setParameterOverride, qint64{8'030'261'248},
              qint64{8'030'261'248});
        check(&ConfigModel::overheadGibChanged, &ConfigModel::setOverheadGib, 1.5, 1.5);
        check(&ConfigModel::blockSizeChanged, &ConfigModel::setBlockSize, 32, 33);  // 33 snaps to 32
        check(&ConfigModel::kvBudgetBytesChanged, &ConfigModel::setKvBudgetBytes, qint64{1} << 30, qint64{1} << 30);
        // Unknown GPUs and impossible values leave or clamp, never break.
        QSignalSpy gpu(&model, &ConfigModel::gpuChanged);
        model.setGpu(u"tpu-v9"_s);
        QCOMPARE(gpu.count(), 0);
        model.setGpuCount(0);
        QCOMPARE(model.gpuCount(), 1);
        model.setGpuUtilization(-3);
        QVERIFY(model.gpuUtilization() > 0);
        model.setCustomGpuMemoryGib(-1);
        QVERIFY(model.customGpuMemoryGib() > 0);
    }

    void budgetEditsAreOneRecompute() {
        ConfigModel model;
        QSignalSpy spy(&model, &ConfigModel::estimateChanged);
        const int before = model.recomputeCount();
        model.setBudgetEnabled(true);
        model.setGpuCount(2);
        model.setWeightsDtype(u"fp8"_s);
        model.setBlockSize(32);
        QVERIFY(spy.wait(1000));
        QCOMPARE(spy.count(), 1);
        QVERIFY(model.plan().ok());
        QCOMPARE(model.recomputeCount() - before, 1);
    }

    void planIsTheCoresForTheBooksShape() {
        ConfigModel model;
        QVERIFY(!model.budgetEnabled());
        QVERIFY(!model.plan().ok());
        QCOMPARE(model.plan().error().field, std::string("gpu"));
        QVERIFY(model.budgetCurves().empty());
        model.setBudgetEnabled(true);
        model.setGpu(u"rtx-4090"_s);
        // The book's GPTModel of this shape, counted by the core.
        QCOMPARE(model.parameterSource(), ConfigModel::ParameterSource::Computed);
        const auto count = kvscope::denseParameterCount(kvscope::bookDenseShape(2048, 24, 6, 86, 48));
        QVERIFY(count.ok());
        QCOMPARE(model.parameters(), std::optional<std::uint64_t>(*count));
        const auto expected = kvscope::plan(model.layout(), model.workload(), model.deployment());
        QVERIFY(expected.ok());
        QVERIFY(model.plan().ok());
        QCOMPARE(model.plan()->kv_budget_bytes, expected->kv_budget_bytes);
        QCOMPARE(model.plan()->max_context_length.value, expected->max_context_length.value);
        QCOMPARE(model.plan()->num_blocks, expected->num_blocks);
        // The current curve's marker is the plan's figure.
        const ConfigModel::BudgetCurve *gqa = model.budgetCurve(model.primaryCurveKey());
        QVERIFY(gqa && gqa->max_context);
        QCOMPARE(gqa->max_context->value, expected->max_context_length.value);
        QVERIFY(model.budgetCurve(u"book_mha"_s));
        // The chart reaches past the largest context that fits.
        QVERIFY(model.chartContextLengths().back() > expected->max_context_length.value);
        // An entered count wins until a model is loaded.
        model.setParameterOverride(1'000'000'000);
        QCOMPARE(model.parameterSource(), ConfigModel::ParameterSource::Entered);
        QCOMPARE(model.deployment().parameters, 1'000'000'000u);
        const auto llama = PresetLibrary::builtin()->load(u"Llama 3.1 8B"_s);
        QVERIFY(llama);
        model.loadModel(*llama, u"Llama 3.1 8B"_s, ConfigModel::originForPreset(u"Llama 3.1 8B"_s));
        QCOMPARE(model.parameterOverride(), 0);
        QCOMPARE(model.parameterSource(), ConfigModel::ParameterSource::Preset);
        QCOMPARE(model.parameters(), llama->parameters);
        QCOMPARE(model.primaryCurveKey(), u"model"_s);
    }

    void budgetSettingsRoundTripAndReset() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString file = dir.filePath(u"budget.ini"_s);
        {
            ConfigModel model;
            model.setBudgetEnabled(true);
            model.setGpu(ConfigModel::kCustomGpu);
            model.setCustomGpuMemoryGib(96.5);
            model.setGpuCount(4);
            model.setGpuUtilization(0.925);
            model.setWeightsDtype(u"int4"_s);
            model.setParameterOverride(123'456'789'012);
            model.setOverheadGib(2.25);
            model.setBlockSize(128);
            model.setKvBudgetBytes(5'000'000'000);
            QSettings settings(file, QSettings::IniFormat);
            model.saveSettings(settings);
        }
        ConfigModel model;
        {
            const QSettings settings(file, QSettings::IniFormat);
            model.loadSettings(settings);
        }
        QVERIFY(model.budgetEnabled());
        QCOMPARE(model.gpu(), ConfigModel::kCustomGpu);
        QCOMPARE(model.customGpuMemoryGib(), 96.5);
        QCOMPARE(model.gpuCount(), 4);
        QCOMPARE(model.gpuUtilization(), 0.925);
        QCOMPARE(model.deployment().utilization_ppm, 925'000u);
        QCOMPARE(model.weightsDtype(), u"int4"_s);
        QCOMPARE(model.parameterOverride(), 123'456'789'012);
        QCOMPARE(model.overheadGib(), 2.25);
        QCOMPARE(model.blockSize(), 128);
        QCOMPARE(model.kvBudgetBytes(), 5'000'000'000);
        QCOMPARE(model.deployment().kv_budget_bytes, std::optional<std::uint64_t>(5'000'000'000));

        model.resetToDefaults();
        const ConfigModel fresh;
        QVERIFY(!model.budgetEnabled());
        QCOMPARE(model.deployment(), fresh.deployment());
        QCOMPARE(model.gpu(), u"h100-80gb"_s);
        QCOMPARE(model.gpuUtilization(), 0.92);  // vLLM's default gpu_memory_utilization
        QCOMPARE(model.blockSize(), 0);          // the attention backend's own
        QCOMPARE(model.engine(), u"vllm"_s);
        QCOMPARE(model.parameterOverride(), 0);
    }

    void aConfigWithoutAParameterCountAsksForOne() {
        // DeepSeek-V3's config.json does not describe every expert's weights.
        const auto deepseek = ConfigImporter::fromFile(QStringLiteral(KVSCOPE_TEST_DATA_DIR "/configs/deepseek-v3.json"));
        QVERIFY(deepseek);
        QVERIFY(!deepseek->parameters);
        ConfigModel model;
        model.loadModel(*deepseek, u"DeepSeek-V3"_s, u"/configs/deepseek-v3.json"_s);
        model.setBudgetEnabled(true);
        model.setGpu(u"h200"_s);
        model.setGpuCount(8);
        model.setWeightsDtype(u"fp8"_s);  // as DeepSeek ships it: 84 GB per GPU
        QCOMPARE(model.parameterSource(), ConfigModel::ParameterSource::Unknown);
        QVERIFY(!model.plan().ok());
        QCOMPARE(model.plan().error().field, std::string("parameters"));
        QVERIFY(QString::fromStdString(model.plan().error().message).startsWith(u"DeepSeek-V3 does not state"_s));
        model.setParameterOverride(671'026'419'200);
        QCOMPARE(model.parameterSource(), ConfigModel::ParameterSource::Entered);
        QVERIFY(model.plan().ok());
        // An MLA latent is not split: each of the 8 GPUs holds all of it.
        QCOMPARE(model.plan()->kv_bytes_per_gpu, model.plan()->kv_bytes);
    }

    void loadingAModelStoresItsWeightsAsItsConfigSays() {
        ConfigModel model;
        model.setWeightsDtype(u"int4"_s);
        // Gemma 2 9B's config says float32.
        const auto gemma = ConfigImporter::fromFile(QStringLiteral(KVSCOPE_TEST_DATA_DIR "/configs/gemma-2-9b.json"));
        QVERIFY(gemma);
        model.loadModel(*gemma, u"gemma-2-9b"_s, u"/configs/gemma-2-9b.json"_s);
        // vLLM serves a float32 checkpoint in bf16, its KV cache too
        // (vllm/config/model.py _resolve_auto_dtype).
        QCOMPARE(model.weightsDtype(), u"bf16"_s);
        QCOMPARE(model.dtype(), u"bf16"_s);
        // llama.cpp's KV cache is f16 whatever the checkpoint.
        model.setEngine(u"llama.cpp"_s);
        model.loadModel(*gemma, u"gemma-2-9b"_s, u"/configs/gemma-2-9b.json"_s);
        QCOMPARE(model.dtype(), u"fp16"_s);
    }

    void engineFollowsThroughThePlan() {
        // Gemma 3 27B on 2 x H100 at 32,768 tokens: vLLM groups its layers,
        // llama.cpp allocates -c 32768 -np 1 with a 1,536-cell window cache.
        const auto gemma = ConfigImporter::fromFile(QStringLiteral(KVSCOPE_TEST_DATA_DIR "/configs/gemma-3-27b.json"));
        QVERIFY(gemma);
        ConfigModel model;
        model.loadModel(*gemma, u"gemma-3-27b"_s, u"/configs/gemma-3-27b.json"_s);
        model.setContextLength(32768);
        model.setBudgetEnabled(true);
        model.setGpu(u"h100-80gb"_s);
        model.setGpuCount(2);
        model.setParameterOverride(27'432'406'640);
        QSignalSpy engineSpy(&model, &ConfigModel::engineChanged);
        QVERIFY(model.plan().ok());
        QCOMPARE(model.plan()->engine, kvscope::Engine::Vllm);
        QCOMPARE(model.plan()->blocks_per_request, 8582u);  // 2,048 + 6 x 1,089 on an H100
        QCOMPARE(model.gpuUtilization(), 0.92);
        model.setEngine(u"llama.cpp"_s);
        QCOMPARE(engineSpy.count(), 1);
        QCOMPARE(model.gpuUtilization(), 1.0);  // the default follows the engine
        model.setDtype(u"fp16"_s);
        QVERIFY(model.plan().ok());
        QCOMPARE(model.plan()->engine, kvscope::Engine::LlamaCpp);
        // 3,338,665,984 bytes over two GPUs.
        QCOMPARE(model.plan()->engine_kv_bytes, 3'338'665'984u);
        QCOMPARE(model.plan()->engine_kv_bytes_per_gpu, 1'669'332'992u);
        QCOMPARE(model.plan()->num_blocks, 0u);
        // An option of the engine changes the plan: --swa-full holds every window whole.
        kvscope::LlamaCppOptions full = model.llamaCppOptions();
        full.swa_full = true;
        model.setLlamaCppOptions(full);
        QCOMPARE(model.plan()->engine_kv_bytes, 16'642'998'272u);
        // Saved and read back.
        QTemporaryDir dir;
        QSettings settings(dir.filePath(u"engine.ini"_s), QSettings::IniFormat);
        model.saveSettings(settings);
        settings.sync();
        ConfigModel restored;
        restored.loadSettings(settings);
        QCOMPARE(restored.engine(), u"llama.cpp"_s);
        QVERIFY(restored.llamaCppOptions().swa_full);
        // A name no engine has leaves the choice as it was.
        restored.setEngine(u"tgi"_s);
        QCOMPARE(restored.engine(), u"llama.cpp"_s);
    }

    void setDeploymentTakesTheCliFlags() {
        ConfigModel model;
        kvscope::Deployment d;
        d.gpu_memory_bytes = std::uint64_t{141} << 30;
        d.tensor_parallel = 8;
        d.utilization_ppm = 950'000;
        d.weights_dtype = kvscope::DType::fp8;
        d.parameters = 405'000'000'000;
        d.block_size = 32;
        model.setDeployment(d, u"h200"_s);
        QVERIFY(model.budgetEnabled());
        QCOMPARE(model.deployment(), d);
    }

    void bookReportMatchesTheCore() {
        ConfigModel model;
        model.setNHeads(32);
        model.setEmbDim(4096);
        model.setNLayers(32);
        model.setContextLength(32768);
        QVERIFY(model.bookReport().contains(u"MHA total KV cache  : 17.18 GB\n"_s));
        QVERIFY(model.bookReport().contains(u"Savings (GQA vs MHA): 75.00%\n"_s));
    }
};

QTEST_GUILESS_MAIN(TestConfigModel)
#include "tst_configmodel.moc"
