#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <QLayout>
#include <QListWidget>
#include <QRadioButton>
#include <QSet>
#include <QSlider>
#include <QSpinBox>
#include <QClipboard>
#include <QGuiApplication>
#include <QScopeGuard>
#include <QMainWindow>
#include <QStatusBar>
#include <QDoubleSpinBox>
#include <QtTest>

#include "BudgetPanel.h"
#include "ConfigModel.h"
#include "ContextLengthSpinBox.h"
#include "ControlPanel.h"
#include "GroupSelector.h"
#include "LogContextSlider.h"
#include "SliderSpinBox.h"
#include "SpinBoxLocale.h"
#include "kvscope/shape.h"

using namespace Qt::StringLiterals;

namespace {

QList<int> divisorsOf(int n) {
    QList<int> divisors;
    for (int d = 1; d <= n; ++d)
        if (n % d == 0) divisors.append(d);
    return divisors;
}

// Pastes `text` into a spin box as a user does: select all, Ctrl+V, Enter.
void pasteInto(QAbstractSpinBox *box, const QString &text) {
    QGuiApplication::clipboard()->setText(text);
    box->setFocus();
    box->selectAll();
    QTest::keyClick(box, Qt::Key_V, Qt::ControlModifier);
    QTest::keyClick(box, Qt::Key_Return);
}

// Types `text` into a spin box as a user does: select all, type, Enter.
void typeInto(QAbstractSpinBox *box, const QString &text) {
    box->setFocus();
    box->selectAll();
    QTest::keyClicks(box, text);
    QTest::keyClick(box, Qt::Key_Return);
}

}  // namespace

class TestControlPanel : public QObject {
    Q_OBJECT

private:
    ConfigModel *m_model = nullptr;
    ControlPanel *m_panel = nullptr;

private Q_SLOTS:
    void theGroupsSliderKeepsItsLengthInANarrowPanel() {
        QWidget host;  // a plain top-level: the offscreen platform warns about the selector's size hints
        auto *selector = new GroupSelector(&host);
        selector->setOptions({1, 2, 3, 4, 6, 8, 12, 24}, 24);
        const int comboWidth = selector->comboBox()->minimumWidth();
        // Wide: slider and combo box side by side, the slider at least 80 px.
        host.resize(comboWidth + 300, 100);
        selector->setGeometry(0, 0, comboWidth + 200, 60);
        host.show();
        QVERIFY(QTest::qWaitForWindowExposed(&host));
        QTRY_VERIFY(selector->slider()->geometry().right() < selector->comboBox()->geometry().left());
        QVERIFY(selector->slider()->width() >= 80);
        // Narrow: the combo box goes under the slider, which takes the whole width.
        selector->setGeometry(0, 0, comboWidth + 20, 80);
        QTRY_VERIFY(selector->comboBox()->geometry().top() >= selector->slider()->geometry().bottom());
        QVERIFY2(selector->slider()->width() >= comboWidth, qPrintable(QString::number(selector->slider()->width())));
    }

    void init() {
        m_model = new ConfigModel(this);
        m_panel = new ControlPanel(m_model);
        // The offscreen platform warns (fatally here) when a window's minimum
        // size changes after it exists; a test window needs no minimum.
        m_panel->layout()->setSizeConstraint(QLayout::SetNoConstraint);
        m_panel->resize(460, 600);
        m_panel->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_panel));
    }

    void cleanup() {
        delete m_panel;
        m_panel = nullptr;
        delete m_model;
        m_model = nullptr;
    }

    void startsOnTheSeedModel() {
        QCOMPARE(m_panel->headsControl()->value(), 24);
        QCOMPARE(m_panel->groupSelector()->groups(), 4);
        QCOMPARE(m_panel->layersControl()->value(), 48);
        QCOMPARE(m_panel->embDimControl()->value(), 2048);
        QCOMPARE(m_panel->contextSpinBox()->contextLength(), 8192);
        QCOMPARE(m_panel->contextSlider()->contextLength(), 8192);
        QCOMPARE(m_panel->batchControl()->value(), 1);
        QCOMPARE(m_panel->dtypeComboBox()->currentData().toString(), u"bf16"_s);
        QVERIFY(m_panel->decimalUnitsButton()->isChecked());
        QVERIFY(!m_panel->headDimCheckBox()->isChecked());
        QVERIFY(!m_panel->headDimSpinBox()->isEnabled());
        QCOMPARE(m_panel->headDimSpinBox()->value(), 86);  // ceil(2048 / 24), shown as a hint
    }

    void groupLabelsNameTheKvHeadsAndTheEnds() {
        QComboBox *combo = m_panel->groupSelector()->comboBox();
        QCOMPARE(combo->count(), 8);  // 1 2 3 4 6 8 12 24
        QCOMPARE(combo->itemText(0), u"1 (MHA) → 24 K/V heads"_s);
        QCOMPARE(combo->currentText(), u"4 → 6 K/V heads"_s);
        QCOMPARE(combo->itemText(7), u"24 (MQA) → 1 K/V head"_s);
        QCOMPARE(GroupSelector::labelFor(1, 1), u"1 (MHA = MQA) → 1 K/V head"_s);
    }

    void headsSliderByKeyboardKeepsGroupsValid() {
        QSlider *slider = m_panel->headsControl()->slider();
        slider->setFocus();
        QTest::keyClick(slider, Qt::Key_Right);
        QCOMPARE(m_model->nHeads(), 25);
        QCOMPARE(m_panel->headsControl()->spinBox()->value(), 25);
        // 4 does not divide 25: the nearest divisor is 5.
        QCOMPARE(m_model->nKvGroups(), 5);
        QCOMPARE(m_panel->groupSelector()->groups(), 5);
        QCOMPARE(m_panel->groupSelector()->offeredGroups(), QList<int>({1, 5, 25}));
        QTest::keyClick(slider, Qt::Key_End);
        QCOMPARE(m_model->nHeads(), 128);
        QTest::keyClick(slider, Qt::Key_Home);
        QCOMPARE(m_model->nHeads(), 1);
        QCOMPARE(m_model->nKvGroups(), 1);
        QCOMPARE(m_panel->groupSelector()->offeredGroups(), QList<int>({1}));
    }

    void headsSpinBoxTakesTypedValues() {
        typeInto(m_panel->headsControl()->spinBox(), u"32"_s);
        QCOMPARE(m_model->nHeads(), 32);
        QCOMPARE(m_panel->headsControl()->slider()->value(), 32);
        QCOMPARE(m_model->nKvGroups(), 4);  // divides 32: kept; typing never passed through "3"
        QCOMPARE(m_panel->groupSelector()->offeredGroups(), divisorsOf(32));
    }

    void groupControlNeverOffersOrTakesAnInvalidValue() {
        QSpinBox *heads = m_panel->headsControl()->spinBox();
        GroupSelector *groups = m_panel->groupSelector();
        for (int n = 1; n <= 128; ++n) {
            heads->setValue(n);  // emits valueChanged like a user's edit
            QCOMPARE(m_model->nHeads(), n);
            QCOMPARE(groups->offeredGroups(), divisorsOf(n));
            QCOMPARE(groups->groups(), m_model->nKvGroups());
            QVERIFY(n % groups->groups() == 0);
            // Walk every slider position by keyboard: each lands on a divisor.
            QSlider *slider = groups->slider();
            slider->setFocus();
            QTest::keyClick(slider, Qt::Key_Home);
            QCOMPARE(m_model->nKvGroups(), 1);
            for (int i = 1; i < groups->offeredGroups().size(); ++i) {
                QTest::keyClick(slider, Qt::Key_Right);
                QCOMPARE(m_model->nKvGroups(), divisorsOf(n).at(i));
                QCOMPARE(groups->comboBox()->currentData().toInt(), m_model->nKvGroups());
            }
            QCOMPARE(m_model->nKvGroups(), n);  // MQA at the end
        }
    }

    void groupComboSelection() {
        QComboBox *combo = m_panel->groupSelector()->comboBox();
        combo->setFocus();
        QTest::keyClick(combo, Qt::Key_Down);
        QCOMPARE(m_model->nKvGroups(), 6);
        QCOMPARE(m_panel->groupSelector()->slider()->value(), 4);
        combo->setCurrentIndex(combo->findData(24));
        QCOMPARE(m_model->nKvGroups(), 24);
        QCOMPARE(m_model->estimate()->n_kv_heads_gqa, 1u);
    }

    void modelSnapsShowInTheControl() {
        m_model->setNKvGroups(12);
        QCOMPARE(m_panel->groupSelector()->groups(), 12);
        m_model->setNHeads(32);  // 12 does not divide 32: the model snaps, the control follows
        QCOMPARE(m_panel->headsControl()->value(), 32);
        QCOMPARE(m_panel->groupSelector()->groups(), m_model->nKvGroups());
        QVERIFY(32 % m_panel->groupSelector()->groups() == 0);
    }

    void layersEmbDimAndBatch() {
        QSlider *layers = m_panel->layersControl()->slider();
        layers->setFocus();
        QTest::keyClick(layers, Qt::Key_Left);
        QCOMPARE(m_model->nLayers(), 47);
        typeInto(m_panel->layersControl()->spinBox(), u"256"_s);
        QCOMPARE(m_model->nLayers(), 256);
        QCOMPARE(layers->value(), 256);

        QSlider *emb = m_panel->embDimControl()->slider();
        emb->setFocus();
        QTest::keyClick(emb, Qt::Key_Right);
        QCOMPARE(m_model->embDim(), 2112);  // the slider moves in steps of 64
        typeInto(m_panel->embDimControl()->spinBox(), u"4000"_s);
        QCOMPARE(m_model->embDim(), 4000);  // the box takes any value
        QCOMPARE(m_panel->embDimControl()->spinBox()->value(), 4000);
        QTest::keyClick(emb, Qt::Key_End);
        QCOMPARE(m_model->embDim(), 65536);

        QSpinBox *batch = m_panel->batchControl()->spinBox();
        batch->setFocus();
        QTest::keyClick(batch, Qt::Key_Up);
        QCOMPARE(m_model->batchSize(), 2);
        QCOMPARE(m_panel->batchControl()->slider()->value(), 2);
        m_panel->batchControl()->slider()->setValue(1024);
        QCOMPARE(m_model->batchSize(), 1024);
        QCOMPARE(batch->value(), 1024);
    }

    // Every value the core accepts shows as it is: the boxes span the core's
    // limits, and a slider stretches to a value past its usual end.
    void controlsShowValuesUpToTheCoreLimits() {
        using kvscope::Limits;
        m_model->setNHeads(static_cast<int>(Limits::max_heads));
        m_model->setNKvGroups(static_cast<int>(Limits::max_heads));
        m_model->setNLayers(static_cast<int>(Limits::max_layers));
        m_model->setEmbDim(static_cast<int>(Limits::max_emb_dim));
        m_model->setBatchSize(static_cast<int>(Limits::max_batch_size));
        m_model->setContextLength(static_cast<qint64>(Limits::max_context_length));
        m_model->setExplicitHeadDim(static_cast<int>(Limits::max_head_dim));
        QCOMPARE(m_panel->headsControl()->value(), 1024);
        QCOMPARE(m_panel->headsControl()->slider()->value(), 1024);
        QCOMPARE(m_panel->groupSelector()->groups(), 1024);
        QCOMPARE(m_panel->layersControl()->value(), 1024);
        QCOMPARE(m_panel->layersControl()->slider()->value(), 1024);
        QCOMPARE(m_panel->embDimControl()->value(), 1'048'576);
        QCOMPARE(m_panel->embDimControl()->slider()->value() * 64, 1'048'576);
        QCOMPARE(m_panel->batchControl()->value(), 1'048'576);
        QCOMPARE(m_panel->batchControl()->slider()->value(), 1'048'576);
        QCOMPARE(m_panel->contextSpinBox()->contextLength(), qint64{1} << 31);
        QCOMPARE(m_panel->headDimSpinBox()->value(), 65536);
        // And the lower ends: emb_dim 1 is a valid width.
        m_model->setEmbDim(1);
        m_model->setExplicitHeadDim(0);
        QCOMPARE(m_panel->embDimControl()->value(), 1);
        QCOMPARE(m_panel->headDimSpinBox()->value(), 1);  // ceil(1 / 1024)

        // Typed by a user as well, past the sliders' usual ends.
        typeInto(m_panel->headsControl()->spinBox(), u"232"_s);
        QCOMPARE(m_model->nHeads(), 232);
        QCOMPARE(m_panel->headsControl()->slider()->value(), 232);
        typeInto(m_panel->batchControl()->spinBox(), u"4096"_s);
        QCOMPARE(m_model->batchSize(), 4096);
        typeInto(m_panel->layersControl()->spinBox(), u"1000"_s);
        QCOMPARE(m_model->nLayers(), 1000);
        // The slider, stretched, still moves by its steps from there.
        QSlider *heads = m_panel->headsControl()->slider();
        heads->setFocus();
        QTest::keyClick(heads, Qt::Key_Left);
        QCOMPARE(m_model->nHeads(), 231);
        QCOMPARE(m_panel->headsControl()->value(), 231);
    }

    void contextSliderSnapsToPowersOfTwo() {
        LogContextSlider *slider = m_panel->contextSlider();
        slider->setFocus();
        QTest::keyClick(slider, Qt::Key_Right);
        QCOMPARE(m_model->contextLength(), 16384);
        QCOMPARE(m_panel->contextSpinBox()->contextLength(), 16384);
        QTest::keyClick(slider, Qt::Key_End);
        QCOMPARE(m_model->contextLength(), 1048576);
        QTest::keyClick(slider, Qt::Key_Home);
        QCOMPARE(m_model->contextLength(), 256);
        for (int position = slider->minimum(); position <= slider->maximum(); ++position) {
            slider->setValue(position);  // a drag lands on a position
            const qint64 length = m_model->contextLength();
            QVERIFY2((length & (length - 1)) == 0, qPrintable(QString::number(length)));
            QVERIFY(length >= 256 && length <= 1048576);
        }
    }

    void contextSpinBoxTakesAnyValue() {
        ContextLengthSpinBox *spin = m_panel->contextSpinBox();
        typeInto(spin, u"100000"_s);
        QCOMPARE(m_model->contextLength(), 100000);
        QCOMPARE(spin->contextLength(), 100000);
        QCOMPARE(m_panel->contextSlider()->contextLength(), 131072);  // nearest on the log scale
        QTest::keyClick(spin, Qt::Key_Up);                            // arrows step to the next power of two
        QCOMPARE(m_model->contextLength(), 131072);
        QTest::keyClick(spin, Qt::Key_Down);
        QCOMPARE(m_model->contextLength(), 65536);
        typeInto(spin, u"2147483648"_s);  // 2^31: past int
        QCOMPARE(m_model->contextLength(), qint64{1} << 31);
        QCOMPARE(spin->contextLength(), qint64{1} << 31);
        QCOMPARE(m_panel->contextSlider()->contextLength(), 1048576);
        QVERIFY(!(spin->stepEnabled() & QAbstractSpinBox::StepUpEnabled));
        typeInto(spin, u"1"_s);
        QCOMPARE(m_model->contextLength(), 1);
        m_model->setContextLength(131072);  // model -> control
        QCOMPARE(spin->contextLength(), 131072);
        QCOMPARE(spin->text(), QLocale(spin->locale()).toString(131072));
    }

    // Typing past a box's range keeps every digit and clamps to the range,
    // with a note in the window's status bar naming the field and the range;
    // a pasted number with the locale's group separators reads as the number
    // it shows. In English, then in German, where "4.096" is 4096.
    void typedValuesPastTheRangeClampWithANote_data() {
        QTest::addColumn<QLocale>("locale");
        QTest::newRow("English") << QLocale(QLocale::English, QLocale::UnitedStates);
        QTest::newRow("German") << QLocale(QLocale::German, QLocale::Germany);
    }

    void typedValuesPastTheRangeClampWithANote() {
        QFETCH(QLocale, locale);
        const QLocale previous;
        QLocale::setDefault(locale);
        const auto restore = qScopeGuard([&previous] { QLocale::setDefault(previous); });
        const QLocale shown = spinBoxLocale(locale);
        const auto n = [&shown](qint64 value) { return shown.toString(value); };
        ConfigModel model;
        QMainWindow window;
        auto *panel = new ControlPanel(&model, &window);
        window.setCentralWidget(panel);
        // As in init(): no minimum size that changes after the window exists.
        panel->layout()->setSizeConstraint(QLayout::SetNoConstraint);
        window.layout()->setSizeConstraint(QLayout::SetNoConstraint);
        window.resize(460, 700);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QStatusBar *status = window.statusBar();

        auto *layers = panel->findChild<SliderSpinBox *>(u"nLayers"_s);
        typeInto(layers->spinBox(), u"1025"_s);
        QCOMPARE(model.nLayers(), 1024);  // not 102: the last digit is not dropped
        QCOMPARE(status->currentMessage(), u"Layers (n_layers): %1 is past the range 1 to %2; set to %2"_s.arg(
                                               n(1025), n(1024)));

        status->clearMessage();
        ContextLengthSpinBox *context = panel->contextSpinBox();
        typeInto(context, u"2147483649"_s);
        QCOMPARE(model.contextLength(), qint64{1} << 31);  // not 214,748,364
        QCOMPARE(status->currentMessage(), u"Context length (tokens): %1 is past the range 1 to %2; set to %2"_s.arg(
                                               n(2147483649), n(2147483648)));

        // A value in range says nothing; pasted with the locale's separator.
        status->clearMessage();
        auto *emb = panel->findChild<SliderSpinBox *>(u"embDim"_s);
        pasteInto(emb->spinBox(), n(4096));
        QCOMPARE(model.embDim(), 4096);  // not 40
        QCOMPARE(status->currentMessage(), QString());
        pasteInto(context, n(100000));
        QCOMPARE(model.contextLength(), 100000);

        auto *heads = panel->findChild<SliderSpinBox *>(u"nHeads"_s);
        pasteInto(heads->spinBox(), n(4096));
        QCOMPARE(model.nHeads(), 1024);
        QCOMPARE(status->currentMessage(), u"Query heads (n_heads): %1 is past the range 1 to %2; set to %2"_s.arg(
                                               n(4096), n(1024)));

        // Not a number: refused, the value stays.
        pasteInto(emb->spinBox(), u"12abc"_s);
        QCOMPARE(model.embDim(), 4096);

        // The explicit head_dim keeps every digit too.
        status->clearMessage();
        panel->findChild<QCheckBox *>(u"explicitHeadDimCheck"_s)->setChecked(true);
        auto *headDim = panel->findChild<QSpinBox *>(u"explicitHeadDim"_s);
        typeInto(headDim, u"70000"_s);
        QCOMPARE(model.explicitHeadDim(), 65536);  // not 7,000
        QVERIFY2(status->currentMessage().contains(u"%1 is past the range 1 to %2; set to %2"_s.arg(n(70000), n(65536))),
                 qPrintable(status->currentMessage()));
    }

    void typedBudgetValuesPastTheRangeClampWithANote_data() { typedValuesPastTheRangeClampWithANote_data(); }

    void typedBudgetValuesPastTheRangeClampWithANote() {
        QFETCH(QLocale, locale);
        const QLocale previous;
        QLocale::setDefault(locale);
        const auto restore = qScopeGuard([&previous] { QLocale::setDefault(previous); });
        ConfigModel model;
        model.setBinaryUnits(true);  // the memory box in GiB
        model.setGpu(ConfigModel::kCustomGpu);
        model.setBudgetEnabled(true);
        QMainWindow window;
        auto *panel = new BudgetPanel(&model, &window);
        window.setCentralWidget(panel);
        panel->layout()->setSizeConstraint(QLayout::SetNoConstraint);
        window.layout()->setSizeConstraint(QLayout::SetNoConstraint);
        window.resize(520, 800);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QStatusBar *status = window.statusBar();
        const QString point = spinBoxLocale(locale).decimalPoint();

        // Utilization 1.5: set to 1 and said, not cut to "1." in silence.
        QDoubleSpinBox *utilization = panel->utilizationSpinBox();
        typeInto(utilization, u"1"_s + point + u"5"_s);
        QCOMPARE(model.gpuUtilization(), 1.0);
        QVERIFY2(status->currentMessage().contains(u"is past the range"_s), qPrintable(status->currentMessage()));
        // In range, in the locale's own way of writing it.
        status->clearMessage();
        typeInto(utilization, u"0"_s + point + u"875"_s);
        QCOMPARE(model.gpuUtilization(), 0.875);
        QCOMPARE(status->currentMessage(), QString());

        // A custom GPU's memory past its range keeps every digit, then clamps.
        QDoubleSpinBox *memory = panel->memorySpinBox();
        QVERIFY(memory->isEnabled());
        typeInto(memory, u"99999999"_s);
        QCOMPARE(memory->value(), memory->maximum());
        QVERIFY2(status->currentMessage().contains(u"is past the range"_s), qPrintable(status->currentMessage()));
        status->clearMessage();
        typeInto(memory, u"96"_s);
        QCOMPARE(model.customGpuMemoryGib(), 96.0);
    }

    void dtypeSelector() {
        QComboBox *combo = m_panel->dtypeComboBox();
        QStringList names;
        for (int i = 0; i < combo->count(); ++i) names.append(combo->itemData(i).toString());
        QCOMPARE(names, QStringList({u"fp32"_s, u"bf16"_s, u"fp16"_s, u"fp8"_s, u"int8"_s, u"int4"_s, u"q8_0"_s, u"q4_0"_s}));
        combo->setFocus();
        QTest::keyClick(combo, Qt::Key_Up);
        QCOMPARE(m_model->dtype(), u"fp32"_s);
        combo->setCurrentIndex(combo->findData(u"int8"_s));
        QCOMPARE(m_model->dtype(), u"int8"_s);
        m_model->setDtype(u"fp16"_s);
        QCOMPARE(combo->currentData().toString(), u"fp16"_s);
    }

    void unitsSwitch() {
        QTest::mouseClick(m_panel->binaryUnitsButton(), Qt::LeftButton);
        QVERIFY(m_model->binaryUnits());
        QVERIFY(!m_panel->decimalUnitsButton()->isChecked());
        m_model->setBinaryUnits(false);
        QVERIFY(m_panel->decimalUnitsButton()->isChecked());
    }

    void extraGroupCurves() {
        QListWidget *list = m_panel->extraGroupsList();
        QStringList offered;
        for (int i = 0; i < list->count(); ++i) offered.append(list->item(i)->text());
        QCOMPARE(offered, QStringList({u"2"_s, u"3"_s, u"4"_s, u"6"_s, u"8"_s, u"12"_s, u"24"_s}));
        list->setFocus();
        list->setCurrentRow(4);  // "8"
        QTest::keyClick(list, Qt::Key_Space);
        QCOMPARE(m_model->extraGroups(), QList<int>({8}));
        list->item(6)->setCheckState(Qt::Checked);
        QCOMPARE(m_model->extraGroups(), QList<int>({8, 24}));
        m_model->setNHeads(32);  // 24 is no longer valid; the list follows
        offered.clear();
        for (int i = 0; i < list->count(); ++i) offered.append(list->item(i)->text());
        QCOMPARE(offered, QStringList({u"2"_s, u"4"_s, u"8"_s, u"16"_s, u"32"_s}));
        QCOMPARE(m_model->extraGroups(), QList<int>({8}));
        QCOMPARE(list->item(2)->checkState(), Qt::Checked);
    }

    void explicitHeadDim() {
        QCheckBox *check = m_panel->headDimCheckBox();
        QTest::mouseClick(check, Qt::LeftButton);
        QCOMPARE(m_model->explicitHeadDim(), 86);
        QVERIFY(m_panel->headDimSpinBox()->isEnabled());
        typeInto(m_panel->headDimSpinBox(), u"128"_s);
        QCOMPARE(m_model->explicitHeadDim(), 128);
        QCOMPARE(m_model->estimate()->head_dim, 128u);
        QTest::mouseClick(check, Qt::LeftButton);
        QCOMPARE(m_model->explicitHeadDim(), 0);
        QCOMPARE(m_panel->headDimSpinBox()->value(), 86);
        m_model->setExplicitHeadDim(256);
        QVERIFY(check->isChecked());
        QCOMPARE(m_panel->headDimSpinBox()->value(), 256);
    }

    void resetRestoresEveryControl() {
        m_model->setNHeads(32);
        m_model->setNLayers(12);
        m_model->setContextLength(100000);
        m_model->setDtype(u"fp32"_s);
        m_model->setBinaryUnits(true);
        m_model->resetToDefaults();
        startsOnTheSeedModel();
    }

    void everyControlHasATooltipAndIsReachableByTab() {
        const QList<QWidget *> controls = {
            m_panel->headsControl()->slider(),  m_panel->headsControl()->spinBox(),
            m_panel->groupSelector()->slider(), m_panel->groupSelector()->comboBox(),
            m_panel->layersControl()->slider(), m_panel->layersControl()->spinBox(),
            m_panel->embDimControl()->slider(), m_panel->embDimControl()->spinBox(),
            m_panel->headDimCheckBox(),         m_panel->contextSlider(),
            m_panel->contextSpinBox(),          m_panel->batchControl()->slider(),
            m_panel->batchControl()->spinBox(), m_panel->dtypeComboBox(),
            m_panel->decimalUnitsButton(),      m_panel->extraGroupsList(),
        };
        for (QWidget *control : controls) {
            QVERIFY2(!control->toolTip().isEmpty(), qPrintable(control->objectName()));
            QVERIFY(control->focusPolicy() & Qt::TabFocus);
        }
        // Tab order follows the layout, top to bottom.
        QList<QWidget *> chain;
        QWidget *w = controls.first();
        for (int i = 0; i < 200 && chain.size() < controls.size(); ++i) {
            if (controls.contains(w) && !chain.contains(w)) chain.append(w);
            w = w->nextInFocusChain();
        }
        QCOMPARE(chain, controls);
    }

    void mnemonicsFocusTheirControls() {
        activate();
        QTest::keyClick(m_panel, Qt::Key_L, Qt::AltModifier);
        QCOMPARE(QApplication::focusWidget(), m_panel->layersControl()->spinBox());
        QTest::keyClick(m_panel, Qt::Key_C, Qt::AltModifier);
        QCOMPARE(QApplication::focusWidget(), m_panel->contextSpinBox());
        QTest::keyClick(m_panel, Qt::Key_K, Qt::AltModifier);
        QCOMPARE(QApplication::focusWidget(), m_panel->groupSelector()->comboBox());
    }

private:
    void activate() {
        m_panel->activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(m_panel));
    }
};

QTEST_MAIN(TestControlPanel)
#include "tst_controlpanel.moc"
