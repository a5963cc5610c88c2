#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include "ConfigModel.h"
#include "PresetLibrary.h"
#include "kvscope/format.h"

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
        // The workload keeps the model; a shape edit lets it go, and says which.
        QSignalSpy cleared(&model, &ConfigModel::modelClearedByShapeEdit);
        model.setBatchSize(4);
        model.setDtype(u"fp8"_s);
        QVERIFY(model.hasModel());
        model.setNHeads(16);
        QVERIFY(!model.hasModel());
        QCOMPARE(cleared.count(), 1);
        QCOMPARE(cleared.front().front().toString(), u"Gemma 3 27B"_s);
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
