#include <QClipboard>
#include <QLabel>
#include <QLayout>
#include <QPushButton>
#include <QtTest>

#include "ConfigImporter.h"
#include "ConfigModel.h"
#include "SummaryPanel.h"
#include "kvscope/format.h"
#include "kvscope/units.h"

using namespace Qt::StringLiterals;

class TestSummaryPanel : public QObject {
    Q_OBJECT

private:
    ConfigModel *m_model = nullptr;
    SummaryPanel *m_panel = nullptr;

    QString value(const char *name) const {
        const auto *label = m_panel->findChild<QLabel *>(QString::fromLatin1(name));
        return label ? label->text() : u"<no label %1>"_s.arg(QString::fromLatin1(name));
    }

private Q_SLOTS:
    void init() {
        m_model = new ConfigModel(this);
        m_panel = new SummaryPanel(m_model);
        // No minimum size on a test window: offscreen warns when it changes.
        m_panel->layout()->setSizeConstraint(QLayout::SetNoConstraint);
        m_panel->resize(420, 260);
        m_panel->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_panel));
    }

    void cleanup() {
        delete m_panel;
        m_panel = nullptr;
        delete m_model;
        m_model = nullptr;
    }

    void showsTheSeedNumbers() {
        QCOMPARE(value("headDimValue"), u"86 = ceil(2048 / 24)"_s);
        QCOMPARE(value("kvHeadsValue"), u"MHA 24 · GQA 6"_s);
        QCOMPARE(value("mhaTotalValue"), u"3.25 GB"_s);  // 3,246,391,296 bytes
        QCOMPARE(value("gqaTotalValue"), u"811.60 MB"_s);
        QCOMPARE(value("ratioValue"), u"4.00×"_s);
        QCOMPARE(value("savingsValue"), u"75.00%"_s);
        QCOMPARE(value("perTokenValue"), u"MHA 396.29 KB · GQA 99.07 KB"_s);
        QVERIFY(m_panel->findChild<QLabel *>(u"mhaTotalValue"_s)->toolTip().contains(u"3,246,391,296 bytes"_s));
    }

    void followsTheModelLive() {
        m_model->setContextLength(131072);
        // The book's example line: MHA=51.94 GB, GQA=12.99 GB.
        QTRY_COMPARE(value("mhaTotalValue"), u"51.94 GB"_s);
        QCOMPARE(value("gqaTotalValue"), u"12.99 GB"_s);
        QVERIFY(m_panel->displayedText().contains(u"MHA total KV cache: 51.94 GB"_s));

        m_model->setNKvGroups(8);
        QTRY_COMPARE(value("ratioValue"), u"8.00×"_s);
        QCOMPARE(value("savingsValue"), u"87.50%"_s);
        QCOMPARE(value("kvHeadsValue"), u"MHA 24 · GQA 3"_s);

        m_model->setExplicitHeadDim(128);
        QTRY_COMPARE(value("headDimValue"), u"128 (explicit)"_s);
    }

    // GPT-2 stops at n_positions 1,024 tokens: the window says so beside the
    // model's numbers, and warns when the context goes past it.
    void showsTheModelsContextLimit() {
        const auto gpt2 = ConfigImporter::fromFile(QStringLiteral(KVSCOPE_TEST_DATA_DIR "/configs/gpt2.json"));
        QVERIFY(gpt2);
        m_model->loadModel(*gpt2, u"gpt2"_s, u"/configs/gpt2.json"_s);
        m_model->setContextLength(1024);
        QTRY_COMPARE(value("modelLimitValue"), u"1,024 tokens"_s);
        m_model->setContextLength(32768);
        QTRY_COMPARE(value("modelLimitValue"), u"⚠ 1,024 tokens: the context is past it"_s);
        m_model->clearModel();
        QTRY_VERIFY(m_panel->findChild<QLabel *>(u"modelLimitValue"_s)->isHidden());
    }

    void followsTheUnitSwitch() {
        m_model->setContextLength(131072);
        m_model->setBinaryUnits(true);
        const auto &e = *m_model->estimate();
        const QString mha = QString::fromStdString(kvscope::formatBytes(e.mha_bytes, kvscope::ByteUnit::Binary));
        QCOMPARE(mha, u"48.38 GiB"_s);
        QTRY_COMPARE(value("mhaTotalValue"), mha);
        QCOMPARE(value("gqaTotalValue"), u"12.09 GiB"_s);
        m_model->setBinaryUnits(false);
        QTRY_COMPARE(value("mhaTotalValue"), u"51.94 GB"_s);
    }

    void showsAnErrorInsteadOfNumbers() {
        // Past 64 bits: the core refuses, the panel says why.
        m_model->setEmbDim(1 << 20);
        m_model->setNHeads(1);
        m_model->setNLayers(1024);
        m_model->setBatchSize(1 << 20);
        m_model->setContextLength(qint64{1} << 31);
        m_model->setDtype(u"fp32"_s);
        QVERIFY(!m_model->estimate().ok());
        auto *error = m_panel->findChild<QLabel *>(u"errorMessage"_s);
        QTRY_VERIFY(error->isVisible());
        QVERIFY(error->text().contains(QString::fromStdString(m_model->estimate().error().message)));
        QVERIFY(!m_panel->findChild<QLabel *>(u"mhaTotalValue"_s)->isVisible());
        QCOMPARE(m_panel->displayedText(), error->text());

        m_model->resetToDefaults();
        QTRY_VERIFY(!error->isVisible());
        QVERIFY(m_panel->findChild<QLabel *>(u"mhaTotalValue"_s)->isVisible());
        QCOMPARE(value("mhaTotalValue"), u"3.25 GB"_s);
    }

    void copyAsTextPutsTheBookReportOnTheClipboard() {
        // The book's own example, byte for byte.
        m_model->setNHeads(32);
        m_model->setEmbDim(4096);
        m_model->setNLayers(32);
        m_model->setContextLength(32768);
        m_model->setNKvGroups(4);
        m_model->setBatchSize(1);
        m_model->setDtype(u"bf16"_s);
        QApplication::clipboard()->clear();
        QTest::mouseClick(m_panel->copyButton(), Qt::LeftButton);
        const QString expected =
            uR"(==== Config ====
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
)"_s;
        QCOMPARE(QApplication::clipboard()->text(), expected);
        QCOMPARE(QApplication::clipboard()->text(), m_model->bookReport());
    }
};

QTEST_MAIN(TestSummaryPanel)
#include "tst_summarypanel.moc"
