#include <QAbstractSeries>
#include <QAbstractSpinBox>
#include <QAction>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFile>
#include <QLabel>
#include <QLayout>
#include <QLineEdit>
#include <QProcess>
#include <QRegularExpression>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QToolButton>
#include <QValueAxis>
#include <QtTest>

#include "BudgetPanel.h"
#include "ConfigModel.h"
#include "ContextChart.h"
#include "ContextChartView.h"
#include "ControlPanel.h"
#include "MainWindow.h"
#include "ModelPickerDialog.h"
#include "PresetLibrary.h"
#include "SettingsFormat.h"
#include "SummaryPanel.h"
#include "TextReport.h"
#include "kvscope/plan.h"

using namespace Qt::StringLiterals;

namespace {

// Runs a poppler tool; a missing tool fails the test (the test command installs poppler-utils).
QString run(const QString &program, const QStringList &arguments) {
    if (QStandardPaths::findExecutable(program).isEmpty()) {
        qCritical("%s is missing: install poppler-utils", qPrintable(program));
        return u"<missing %1>"_s.arg(program);
    }
    QProcess process;
    process.start(program, arguments);
    if (!process.waitForFinished(30000) || process.exitCode() != 0) return u"<%1 failed>"_s.arg(program);
    QString text = QString::fromUtf8(process.readAllStandardOutput());
    text.replace(QChar(0xFB01), u"fi"_s);  // the font's "fi" ligature reads as two letters
    return text.replace(QRegularExpression(u"\\s+"_s), u" "_s);
}

// Picks the item holding `data` as a user does: focus, then arrow keys.
bool choose(QComboBox *combo, const QVariant &data) {
    const int target = combo->findData(data);
    if (target < 0) return false;
    combo->setFocus();
    for (int guard = 0; combo->currentIndex() != target && guard < 100; ++guard)
        QTest::keyClick(combo, combo->currentIndex() < target ? Qt::Key_Down : Qt::Key_Up);
    return combo->currentIndex() == target;
}

// The window with its message boxes recorded instead of shown: the offscreen
// platform warns (fatally here) when a QMessageBox fixes its size.
class RecordingWindow : public MainWindow {
public:
    QStringList messages;

protected:
    void presentMessage(MessageKind, const QString &title, const QString &text, const QString &) override {
        messages.append(title + u": "_s + text);
    }
};

// Llama 3.1 70B on 2 x H100 80GB with fp8 KV, computed here without the core:
// per GPU, floor(80 GiB x 0.92) less half the bf16 weights; one token of one
// sequence is 80 layers x 4 K/V heads x 128 x 2 (K and V) x 1 byte per GPU.
constexpr std::uint64_t kLlama70BParameters = 70'553'706'496;
// vLLM's default gpu_memory_utilization, 0.92: 79,027,398,246 bytes.
constexpr std::uint64_t kUsable = (std::uint64_t{80} << 30) * 92 / 100;
constexpr std::uint64_t kWeights = kLlama70BParameters * 2;
constexpr std::uint64_t kBudget = kUsable - (kWeights + 1) / 2;
constexpr std::uint64_t kTokenBytes = 80 * 4 * 128 * 2 * 1;
constexpr std::uint64_t kBlocks = kBudget / (16 * kTokenBytes);
// One request may take every block but vLLM's null block.
constexpr std::uint64_t kMaxContext = (kBlocks - 1) * 16;
static_assert(kBlocks == 6'464 && kMaxContext == 103'408);

}  // namespace

class TestBudgetPanel : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_settingsDir;
    QTemporaryDir m_dir;

    static std::unique_ptr<RecordingWindow> showWindow() {
        auto window = std::make_unique<RecordingWindow>();
        // No minimum size: the offscreen platform warns whenever a window's minimum changes.
        window->layout()->setSizeConstraint(QLayout::SetNoConstraint);
        window->show();
        if (!QTest::qWaitForWindowExposed(window.get())) return nullptr;
        return window;
    }

    static QLabel *summaryLabel(MainWindow *window, const char *name) {
        return window->summaryPanel()->findChild<QLabel *>(QString::fromLatin1(name));
    }

    // Llama 3.1 70B from the model picker, then 2 x H100 80GB and fp8 KV.
    static bool pickTheDoneScenario(MainWindow *window) {
        ModelPickerDialog *picker = window->modelPicker();
        picker->layout()->setSizeConstraint(QLayout::SetNoConstraint);
        window->chooseModelAction()->trigger();
        if (!QTest::qWaitFor([picker] { return picker->isVisible(); })) return false;
        QTest::keyClicks(picker->filterEdit(), u"Llama 3.1 70B"_s);
        if (picker->shownNames().value(0) != u"Llama 3.1 70B"_s) return false;
        QTest::keyClick(picker->filterEdit(), Qt::Key_Down);
        QTest::keyClick(picker->filterEdit(), Qt::Key_Return);
        if (window->model()->modelName() != u"Llama 3.1 70B"_s) return false;
        BudgetPanel *budget = window->budgetPanel();
        return choose(budget->gpuComboBox(), u"h100-80gb"_s) && choose(budget->gpuCountComboBox(), 2) &&
               choose(window->controlPanel()->dtypeComboBox(), u"fp8"_s);
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_settingsDir.isValid());
        QVERIFY(m_dir.isValid());
        QCoreApplication::setOrganizationName(u"KVScope"_s);
        QCoreApplication::setApplicationName(u"kvscope-budget-test"_s);
        QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_settingsDir.path());
        QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, m_settingsDir.path());
        SettingsFormat::install();  // as app/main.cpp does
    }

    void init() { QSettings().clear(); }

    void noGpuIsTodaysWindow() {
        ConfigModel model;
        BudgetPanel panel(&model);
        panel.layout()->setSizeConstraint(QLayout::SetNoConstraint);  // no minimum size: see showWindow()
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        QCOMPARE(panel.gpuComboBox()->currentIndex(), 0);
        QVERIFY(!panel.memorySpinBox()->isVisible());
        QVERIFY(!panel.parametersEdit()->isVisible());
        QVERIFY(panel.messageText().isEmpty());
        QVERIFY(!model.budgetEnabled());
        // Choosing a GPU shows the rest; None hides it again.
        QVERIFY(choose(panel.gpuComboBox(), u"l40s"_s));
        QVERIFY(model.budgetEnabled());
        QCOMPARE(model.gpu(), u"l40s"_s);
        QVERIFY(panel.memorySpinBox()->isVisible());
        // 48 GiB, in the GB of the default units: 51,539,607,552 bytes.
        QCOMPARE(panel.memorySpinBox()->value(), 51.54);
        QCOMPARE(panel.memorySpinBox()->suffix(), u" GB"_s);
        QVERIFY(!panel.memorySpinBox()->isEnabled());
        QVERIFY(choose(panel.gpuComboBox(), QString()));
        QVERIFY(!model.budgetEnabled());
        QVERIFY(!panel.memorySpinBox()->isVisible());
    }

    void offersOnlyTensorParallelCountsTheHeadsAllow() {
        ConfigModel model;  // the book's 24 heads with 6 K/V heads
        BudgetPanel panel(&model);
        model.setBudgetEnabled(true);
        QStringList counts;
        for (int i = 0; i < panel.gpuCountComboBox()->count(); ++i)
            counts.append(panel.gpuCountComboBox()->itemText(i));
        QCOMPARE(counts, (QStringList{u"1"_s, u"2"_s, u"3"_s, u"6"_s, u"12"_s, u"24"_s}));
        // A count the new heads do not allow stays, marked, and is explained.
        model.setGpuCount(3);
        model.setNHeads(32);  // 32 heads, 8 K/V heads
        QTRY_VERIFY(panel.gpuCountComboBox()->currentText() == u"3 (invalid)"_s);
        QVERIFY(panel.messageText().startsWith(u"⚠ GPUs: tensor_parallel (3)"_s));
        QVERIFY(panel.messageText().contains(u"valid counts: 1, 2, 4, 8"_s));
        QVERIFY(!model.plan().ok());
    }

    void parameterCountShowsWhereItCameFrom() {
        ConfigModel model;
        BudgetPanel panel(&model);
        panel.layout()->setSizeConstraint(QLayout::SetNoConstraint);  // no minimum size: see showWindow()
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        QVERIFY(choose(panel.gpuComboBox(), u"rtx-4090"_s));
        QCOMPARE(panel.parametersSourceLabel()->text(), u"computed"_s);
        QVERIFY(!panel.parametersAutoButton()->isVisible());
        QLineEdit *edit = panel.parametersEdit();
        edit->setFocus();
        edit->selectAll();
        QTest::keyClicks(edit, u"8B"_s);
        QTest::keyClick(edit, Qt::Key_Return);
        QCOMPARE(model.parameters(), std::optional<std::uint64_t>(8'000'000'000));
        QCOMPARE(panel.parametersSourceLabel()->text(), u"entered"_s);
        QVERIFY(panel.parametersAutoButton()->isVisible());
        // The panel grew rows since it was shown (no minimum size here: see showWindow()).
        panel.resize(panel.sizeHint());
        QTRY_VERIFY(!panel.parametersAutoButton()->rect().isEmpty());
        QTest::mouseClick(panel.parametersAutoButton(), Qt::LeftButton);
        QCOMPARE(model.parameterOverride(), 0);
        QCOMPARE(panel.parametersSourceLabel()->text(), u"computed"_s);
        QCOMPARE(BudgetPanel::parseParameters(u"70,553,706,496"_s), std::optional<std::uint64_t>(70'553'706'496));
        QCOMPARE(BudgetPanel::parseParameters(u"70.6 B"_s), std::optional<std::uint64_t>(70'600'000'000));
        QCOMPARE(BudgetPanel::parseParameters(u"8e9"_s), std::optional<std::uint64_t>(8'000'000'000));
        QCOMPARE(BudgetPanel::parseParameters(u"lots"_s), std::nullopt);
        QCOMPARE(BudgetPanel::parseParameters(u"-5"_s), std::nullopt);
    }

    void kvBudgetGivenDirectlyGivesVllmsBlocks() {
        // vLLM logs "# GPU blocks: 5691" for Llama 3.1 8B in bf16: 5,691 blocks of 2 MiB.
        ConfigModel model;
        const auto llama = PresetLibrary::builtin()->load(u"Llama 3.1 8B"_s);
        QVERIFY(llama);
        model.loadModel(*llama, u"Llama 3.1 8B"_s, ConfigModel::originForPreset(u"Llama 3.1 8B"_s));
        model.setBinaryUnits(true);  // as vLLM logs them: the box in MiB
        BudgetPanel panel(&model);
        panel.layout()->setSizeConstraint(QLayout::SetNoConstraint);  // no minimum size: see showWindow()
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        // The item below Custom: it starts from the budget the GPU above it gave
        // (80 GiB custom) in the whole MiB the box shows, and memory no longer counts.
        QVERIFY(choose(panel.gpuComboBox(), ConfigModel::kCustomGpu));
        const std::uint64_t fromGpu = model.plan()->kv_budget_bytes;
        QVERIFY(choose(panel.gpuComboBox(), u"kv-budget"_s));
        QCOMPARE(static_cast<std::uint64_t>(model.kvBudgetBytes()), fromGpu >> 20 << 20);
        QCOMPARE(panel.kvBudgetSpinBox()->value(), static_cast<int>(fromGpu >> 20));
        QCOMPARE(panel.kvBudgetSpinBox()->suffix(), u" MiB"_s);
        QVERIFY(panel.kvBudgetSpinBox()->isVisible());
        QVERIFY(!panel.memorySpinBox()->isVisible());
        QSpinBox *budget = panel.kvBudgetSpinBox();
        budget->setFocus();
        budget->selectAll();
        QTest::keyClicks(budget, u"11382"_s);
        QTest::keyClick(budget, Qt::Key_Return);
        QCOMPARE(model.kvBudgetBytes(), qint64{5691} * 2 * 1024 * 1024);
        QVERIFY(model.plan().ok());
        QCOMPARE(model.plan()->num_blocks, 5691u);
        QCOMPARE(QString::number(model.plan()->max_concurrency, 'f', 2), u"11.12"_s);  // at 8,192 tokens
        const QString copied = TextReport::forConfig(model);
        // In the unit the window shows, as kvscope-cli prints it (--binary-units for GiB).
        const QString budgetLine = model.binaryUnits()
                                       ? u"KV budget per GPU   : 11.12 GiB (11,934,892,032 bytes), from --kv-budget-bytes\n"_s
                                       : u"KV budget per GPU   : 11.93 GB (11,934,892,032 bytes), from --kv-budget-bytes\n"_s;
        QVERIFY2(copied.contains(budgetLine),
                 qPrintable(copied));
        QVERIFY(!copied.contains(u"NVIDIA"_s));
        // A GPU again: the budget comes from its memory.
        QVERIFY(choose(panel.gpuComboBox(), u"l40s"_s));
        QCOMPARE(model.kvBudgetBytes(), 0);
        QVERIFY(!panel.kvBudgetSpinBox()->isVisible());
    }

    // What the plan uses shows as it is, however it came in (a settings file,
    // setDeployment()): a finer utilization gets six decimals, a budget that
    // is not whole MiB names its remaining bytes.
    void valuesInUseShowAsTheyAre() {
        ConfigModel model;
        model.setBinaryUnits(true);
        BudgetPanel panel(&model);
        QDoubleSpinBox *utilization = panel.utilizationSpinBox();
        QSpinBox *budget = panel.kvBudgetSpinBox();
        model.setGpuUtilization(0.9005);
        QCOMPARE(model.deployment().utilization_ppm, 900'500u);
        QCOMPARE(utilization->decimals(), 6);
        QCOMPARE(utilization->value(), 0.9005);
        model.setGpuUtilization(0.0005);
        QCOMPARE(utilization->value(), 0.0005);
        model.setGpuUtilization(0.95);
        QCOMPARE(utilization->decimals(), 3);
        QCOMPARE(utilization->value(), 0.95);
        // 5,000,000,000 bytes = 4,768 MiB (4,999,610,368 bytes) + 389,632 bytes.
        model.setKvBudgetBytes(5'000'000'000);
        QCOMPARE(budget->value(), 4768);
        QCOMPARE(budget->suffix(), u" MiB + 389,632 bytes"_s);
        // Less than one MiB: 0 MiB and the bytes.
        model.setKvBudgetBytes(1330);
        QCOMPARE(budget->value(), 0);
        QCOMPARE(budget->suffix(), u" MiB + 1,330 bytes"_s);
        // A typed value is whole MiB again.
        budget->setValue(2);
        QCOMPARE(model.kvBudgetBytes(), qint64{2} << 20);
        QCOMPARE(budget->suffix(), u" MiB"_s);
        QCOMPARE(budget->minimum(), 1);
        // In GB, the box counts MB (1000² bytes), the bytes past them named the same way.
        model.setBinaryUnits(false);
        QCOMPARE(budget->value(), 2);
        QCOMPARE(budget->suffix(), u" MB + 97,152 bytes"_s);  // 2,097,152 bytes
        model.setKvBudgetBytes(5'000'000'000);
        QCOMPARE(budget->value(), 5000);
        QCOMPARE(budget->suffix(), u" MB"_s);
        budget->setValue(7);
        QCOMPARE(model.kvBudgetBytes(), 7'000'000);
    }

    void oneGpuKeepsTheCurvesAndMoreSplitThem() {
        ConfigModel model;  // the book's 24 heads, 6 K/V heads
        model.setExtraGroups({8});  // 3 K/V heads: no even split over 2 GPUs
        ContextChartView view(&model);
        ContextChart *chart = view.contextChart();
        model.setBudgetEnabled(true);
        model.setGpu(u"rtx-4090"_s);
        QTRY_VERIFY(!chart->budgetLineName().isEmpty());
        // One GPU: the curves are the totals, as without a budget.
        QCOMPARE(chart->yUnit(), u"GB"_s);
        QList<QPointF> totals;
        for (const auto &p : *model.contextPoints())
            totals.append(QPointF(static_cast<double>(p.context_length), static_cast<double>(p.gqa_bytes) / 1e9));
        QCOMPARE(chart->seriesPoints(ContextChart::gqaName(4)), totals);
        QVERIFY(chart->seriesNames().contains(ContextChart::extraName(8, 8.0)));
        QCOMPARE(chart->axes(Qt::Vertical).constFirst()->titleText(), u"Total KV cache (GB)"_s);
        // Two GPUs: per GPU, half of the 6 K/V heads; g=8 cannot be split and leaves.
        model.setGpuCount(2);
        QTRY_COMPARE(chart->axes(Qt::Vertical).constFirst()->titleText(), u"KV cache per GPU (GB)"_s);
        const QList<QPointF> perGpu = chart->seriesPoints(ContextChart::gqaName(4));
        QCOMPARE(perGpu.first().y() * 2, totals.first().y());
        const auto all = chart->series();
        const auto g8 = std::find_if(all.begin(), all.end(), [](const QAbstractSeries *series) {
            return series->name() == ContextChart::extraName(8, 8.0);
        });
        QVERIFY(g8 != all.end());
        QVERIFY(!(*g8)->isVisible());
        QVERIFY(chart->seriesPoints(ContextChart::extraName(8, 8.0)).isEmpty());
        QVERIFY(model.budgetCurve(u"book_g8"_s) == nullptr);
        // The current curve's marker is the plan's largest context.
        const QStringList keys = chart->budgetMarkerKeys();
        QVERIFY(keys.contains(u"book_gqa"_s));
        const QList<QPointF> markers = chart->seriesPoints(chart->budgetMarkersName());
        QCOMPARE(markers.at(keys.indexOf(u"book_gqa"_s)).x(),
                 static_cast<double>(model.plan()->max_context_length.value));
    }

    void llama70bOnTwoH100sAtFp8() {
        auto window = showWindow();
        QVERIFY(window);
        QVERIFY(pickTheDoneScenario(window.get()));
        ConfigModel *model = window->model();
        QCOMPARE(model->parameters(), std::optional<std::uint64_t>(kLlama70BParameters));
        QTRY_COMPARE(window->budgetPanel()->parametersSourceLabel()->text(), u"preset"_s);

        // The core says what this test computed by hand.
        const auto plan = kvscope::plan(model->layout(), model->workload(), model->deployment());
        QVERIFY(plan.ok());
        QCOMPARE(plan->kv_budget_bytes, kBudget);
        QCOMPARE(plan->num_blocks, kBlocks);
        QCOMPARE(plan->max_context_length.value, kMaxContext);

        // The summary.
        QTRY_COMPARE(summaryLabel(window.get(), "maxContextValue")->text(), u"103,408 tokens at batch 1"_s);
        QVERIFY(summaryLabel(window.get(), "maxContextValue")->isVisible());
        QCOMPARE(summaryLabel(window.get(), "blocksValue")->text().left(16), u"6,464 × 16 token"_s);
        QCOMPARE(summaryLabel(window.get(), "gpusNeededValue")->text(), u"2 for this workload"_s);
        QVERIFY(window->budgetPanel()->messageText().isEmpty());

        // The chart: per GPU, a line at the budget, a marker at the largest context.
        ContextChart *chart = window->contextChartView()->contextChart();
        QCOMPARE(chart->yUnit(), u"GB"_s);
        const auto axes = chart->axes(Qt::Vertical);
        QCOMPARE(axes.size(), 1);
        QCOMPARE(axes.constFirst()->titleText(), u"KV cache per GPU (GB)"_s);
        const double budgetY = static_cast<double>(kBudget) / 1e9;
        QCOMPARE(chart->budgetLineName(), u"KV budget: 8.47 GB per GPU (2 × NVIDIA H100 80GB)"_s);
        const QList<QPointF> line = chart->seriesPoints(chart->budgetLineName());
        QCOMPARE(line.size(), 2);
        QCOMPARE(line[0].y(), budgetY);
        QCOMPARE(line[1].y(), budgetY);
        QCOMPARE(chart->budgetMarkersName(), u"largest context that fits: 103,408 tokens at batch 1"_s);
        const QList<QPointF> markers = chart->seriesPoints(chart->budgetMarkersName());
        QVERIFY(markers.contains(QPointF(static_cast<double>(kMaxContext), budgetY)));
        const QString hover = chart->describePoint(chart->budgetMarkersName(), QPointF(103000, budgetY));
        QVERIFY2(hover.contains(u"Largest context that fits at batch 1: 103,408 tokens"_s), qPrintable(hover));
        const QString lineHover = chart->describePoint(chart->budgetLineName(), QPointF(1000, budgetY));
        QVERIFY2(lineHover.startsWith(u"KV budget per GPU: 8,473,691,750 bytes (8.47 GB)\n= 79.03 GB usable − 70.55 GB weights\n"
                                      "6,464 blocks of 16 tokens\nvLLM: 80 layers in one group; blocks of 16 tokens"_s),
                 qPrintable(lineHover));
        // The model's curve is one GPU's half of the K/V heads.
        const QList<QPointF> curve = chart->seriesPoints(u"Llama 3.1 70B (real layers)"_s);
        QVERIFY(!curve.isEmpty());
        QCOMPARE(curve.first(), QPointF(256.0, static_cast<double>(256 * kTokenBytes) / 1e9));

        // Copy as text: the model's report, then the plan, as kvscope-cli prints them.
        window->summaryPanel()->copyReport();
        const QString copied = QGuiApplication::clipboard()->text();
        QVERIFY(copied.startsWith(u"==== Model ====\nmodel            : Llama 3.1 70B\n"_s));
        QVERIFY2(copied.contains(u"Largest context     : 103,408 tokens at batch 1\n"_s), qPrintable(copied));

        // Exports draw and list the budget.
        const QString pdf = m_dir.filePath(u"context.pdf"_s);
        QVERIFY(window->exportChartTo(ChartKind::Context, pdf));
        const QString pdfText = run(u"pdftotext"_s, {pdf, u"-"_s});
        QVERIFY2(pdfText.contains(u"KV budget: 8.47 GB per GPU (2 × NVIDIA H100 80GB)"_s), qPrintable(pdfText));
        QVERIFY2(pdfText.contains(u"largest context that fits: 103,408 tokens at batch 1"_s), qPrintable(pdfText));
        QVERIFY2(pdfText.contains(u"KV cache per GPU (GB)"_s), qPrintable(pdfText));
        QVERIFY(!pdfText.contains(u"..."_s) && !pdfText.contains(QChar(0x2026)));
        const QString report = m_dir.filePath(u"report.pdf"_s);
        QVERIFY(window->exportReportTo(report));
        const QString reportText = run(u"pdftotext"_s, {report, u"-"_s});
        QVERIFY2(reportText.contains(u"What fits"_s), qPrintable(reportText));
        QVERIFY2(reportText.contains(u"Largest context 103,408 (batch 1)"_s), qPrintable(reportText));
        QVERIFY2(reportText.contains(u"2 × NVIDIA H100 80GB"_s), qPrintable(reportText));
        const QString csv = m_dir.filePath(u"context.csv"_s);
        QVERIFY(window->exportChartTo(ChartKind::Context, csv));
        QFile file(csv);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QStringList rows = QString::fromUtf8(file.readAll()).split(u'\n', Qt::SkipEmptyParts);
        QVERIFY(rows.first().endsWith(u",kv_budget_per_gpu_bytes,model_per_gpu_bytes,engine,engine_version"_s));
        QCOMPARE(rows.at(1).section(u',', -4),
                 u"%1,%2,vllm,main 5ac2684 (2026-08-07; after v0.26.0)"_s.arg(kBudget).arg(256 * kTokenBytes));
        QVERIFY(window->messages.isEmpty());
    }

    // The engine selector and its options, driven as a user drives them.
    void engineSelectorFollowsTheEngine() {
        auto window = showWindow();
        QVERIFY(window);
        QVERIFY(pickTheDoneScenario(window.get()));
        BudgetPanel *panel = window->budgetPanel();
        ConfigModel *model = window->model();
        QCOMPARE(panel->engineComboBox()->currentData().toString(), u"vllm"_s);
        QVERIFY(panel->maxNumBatchedTokensSpinBox()->isVisible());
        QVERIFY(!panel->swaFullCheckBox()->isVisible());
        QVERIFY(panel->blockSizeComboBox()->isVisible());
        QCOMPARE(panel->blockSizeComboBox()->currentData().toInt(), 0);  // Auto
        QTRY_COMPARE(summaryLabel(window.get(), "engineRuleValue")->text(),
                     u"vLLM: 80 layers in one group; blocks of 16 tokens"_s);

        // llama.cpp: its own options, no blocks, utilization 1; fp8 is not a
        // cache type it has, so the plan says so and names the field.
        QSignalSpy engineSpy(model, &ConfigModel::engineChanged);
        QVERIFY(choose(panel->engineComboBox(), u"llama.cpp"_s));
        QCOMPARE(engineSpy.count(), 1);
        QCOMPARE(model->engine(), u"llama.cpp"_s);
        QTRY_VERIFY(panel->swaFullCheckBox()->isVisible());
        QVERIFY(!panel->maxNumBatchedTokensSpinBox()->isVisible());
        QVERIFY(!panel->blockSizeComboBox()->isVisible());
        QCOMPARE(panel->utilizationSpinBox()->value(), 1.0);
        QTRY_VERIFY(panel->messageText().contains(u"not a KV cache type llama.cpp has"_s));
        QVERIFY(choose(window->controlPanel()->dtypeComboBox(), u"fp16"_s));
        QTRY_VERIFY(panel->messageText().isEmpty());
        QVERIFY(model->plan().ok());
        // Llama 3.1 70B at the window's 8,192 tokens, f16: 80 layers x 8,192 cells x 8 x 128 x 2 x 2 bytes =
        // 2,684,354,560, shared by two GPUs.
        QCOMPARE(model->plan()->engine_kv_bytes, 2'684'354'560u);
        QCOMPARE(model->plan()->engine_kv_bytes_per_gpu, 1'342'177'280u);
        QTRY_VERIFY(summaryLabel(window.get(), "engineRuleValue")->text().startsWith(u"llama.cpp: -c 8,192 -np 1"_s));
        QVERIFY(!summaryLabel(window.get(), "blocksValue")->isVisible());
        // An option goes to the model and comes back from it.
        panel->kvUnifiedCheckBox()->click();
        QVERIFY(model->llamaCppOptions().kv_unified);
        kvscope::LlamaCppOptions options = model->llamaCppOptions();
        options.n_ubatch = 1024;
        model->setLlamaCppOptions(options);
        QCOMPARE(panel->ubatchSpinBox()->value(), 1024);
        // Back to vLLM: its default utilization again.
        QVERIFY(choose(panel->engineComboBox(), u"vllm"_s));
        QCOMPARE(model->gpuUtilization(), 0.92);
        panel->prefixCachingCheckBox()->click();
        QVERIFY(!model->vllmOptions().prefix_caching);
        QVERIFY(window->messages.isEmpty());
    }

    // Every size the panel shows, in the unit View > Units chooses: the
    // boxes, the labels, the GPUs' tooltips and the plan's message. A GPU's
    // name keeps its marketed size ("H100 80GB").
    void everySizeFollowsTheUnits() {
        auto window = showWindow();
        QVERIFY(window);
        QVERIFY(pickTheDoneScenario(window.get()));
        BudgetPanel *panel = window->budgetPanel();
        QVERIFY(choose(panel->gpuCountComboBox(), 1));  // the weights leave no room: the message
        const auto texts = [panel] {
            QStringList out;
            const auto labels = panel->findChildren<QLabel *>();
            for (const QLabel *label : labels)
                if (label->isVisibleTo(panel)) out << label->text() << label->toolTip();
            const auto spins = panel->findChildren<QAbstractSpinBox *>();
            for (const QAbstractSpinBox *spin : spins)
                if (spin->isVisibleTo(panel)) out << spin->text() << spin->toolTip();
            for (int i = 0; i < panel->gpuComboBox()->count(); ++i)
                out << panel->gpuComboBox()->itemData(i, Qt::ToolTipRole).toString();
            return out.join(u'\n');
        };
        const QRegularExpression binary(u"\\b[KMGTP]iB\\b"_s), decimal(u"\\b[kKMGTP]B\\b"_s);
        const auto gb = [](double bytes) -> QString { return QString::number(bytes / 1e9, 'f', 2) + u" GB"_s; };
        const auto gib = [](double bytes) -> QString { return QString::number(bytes / double(1 << 30), 'f', 2) + u" GiB"_s; };
        const double h100 = double(std::uint64_t{80} << 30);
        for (const bool binaryUnits : {false, true, false}) {
            (binaryUnits ? window->binaryUnitsAction() : window->decimalUnitsAction())->trigger();
            QTRY_VERIFY(panel->messageText().contains(binaryUnits ? u"GiB"_s : u" GB"_s));
            const QString all = texts();
            const auto size = binaryUnits ? gib : gb;
            const qsizetype mixed = all.indexOf(binaryUnits ? decimal : binary);
            QVERIFY2(mixed < 0, qPrintable(all.mid(std::max<qsizetype>(mixed - 80, 0), 160)));
            QCOMPARE(panel->memorySpinBox()->text(), size(h100));  // 85.90 GB, 80.00 GiB
            QCOMPARE(panel->overheadSpinBox()->text(), size(0));
            QVERIFY2(panel->messageText().startsWith(u"⚠ GPU memory: the weights need %1 per GPU, leaving no room "
                                                     u"for the KV cache in the %2 usable (%3 x 0.92)"_s
                                                         .arg(size(double(kWeights)), size(double(kUsable)), size(h100))),
                     qPrintable(panel->messageText()));
            const int h100Item = panel->gpuComboBox()->findData(u"h100-80gb"_s);
            QCOMPARE(panel->gpuComboBox()->itemText(h100Item), u"NVIDIA H100 80GB"_s);
            QCOMPARE(panel->gpuComboBox()->itemData(h100Item, Qt::ToolTipRole).toString(),
                     size(h100) + u" per GPU (--gpu h100-80gb)"_s);
        }
        // A custom size typed in GB is kept (to the MiB) and shown back in GB.
        QVERIFY(choose(panel->gpuComboBox(), ConfigModel::kCustomGpu));
        QDoubleSpinBox *memory = panel->memorySpinBox();
        memory->setFocus();
        memory->selectAll();
        QTest::keyClicks(memory, u"96"_s);
        QTest::keyClick(memory, Qt::Key_Return);
        // 96 GB = 91,552.73 MiB, kept as 91,553 MiB.
        QCOMPARE(window->model()->deployment().gpu_memory_bytes, std::uint64_t{91'553} << 20);
        QCOMPARE(memory->text(), u"96.00 GB"_s);
        QCOMPARE(window->model()->gpuLabel(), u"Custom GPU (96.00 GB)"_s);
        window->binaryUnitsAction()->trigger();
        QCOMPARE(memory->text(), u"89.41 GiB"_s);
        QCOMPARE(window->model()->gpuLabel(), u"Custom GPU (89.41 GiB)"_s);
    }

    void budgetTooSmallIsExplainedWithoutAMarker() {
        auto window = showWindow();
        QVERIFY(window);
        QVERIFY(pickTheDoneScenario(window.get()));
        ContextChart *chart = window->contextChartView()->contextChart();
        QTRY_VERIFY(!chart->budgetLineName().isEmpty());
        // One H100 cannot hold 141 GB of bf16 weights.
        QVERIFY(choose(window->budgetPanel()->gpuCountComboBox(), 1));
        QTRY_VERIFY(!window->budgetPanel()->messageText().isEmpty());
        const QString message = window->budgetPanel()->messageText();
        QVERIFY2(message.startsWith(u"⚠ GPU memory: the weights need 141.11 GB per GPU"_s), qPrintable(message));
        QVERIFY2(message.endsWith(u"; needs 2 GPUs"_s), qPrintable(message));
        QTRY_VERIFY(chart->budgetLineName().isEmpty());
        QVERIFY(chart->budgetMarkersName().isEmpty());
        QVERIFY(!chart->seriesNames().join(u'\n').contains(u"KV budget"_s));
        QVERIFY(!summaryLabel(window.get(), "maxContextValue")->isVisible());
        QCOMPARE(chart->axes(Qt::Vertical).constFirst()->titleText(), u"Total KV cache (GB)"_s);
        // A custom GPU so small not even a block fits: said, not a zero or negative budget.
        QVERIFY(choose(window->budgetPanel()->gpuComboBox(), ConfigModel::kCustomGpu));
        window->model()->setKvBudgetBytes(1000);
        QTRY_VERIFY(window->budgetPanel()->messageText().startsWith(u"⚠ KV budget:"_s));
        QVERIFY(window->budgetPanel()->messageText().contains(u"does not hold one token's 1 block of 16 tokens"_s));
        QVERIFY(chart->budgetLineName().isEmpty());
        // The report says why there is no plan.
        const QString report = m_dir.filePath(u"no-plan.pdf"_s);
        QVERIFY(window->exportReportTo(report));
        QVERIFY(run(u"pdftotext"_s, {report, u"-"_s}).contains(u"No plan: KV budget:"_s));
    }
};

QTEST_MAIN(TestBudgetPanel)
#include "tst_budgetpanel.moc"
