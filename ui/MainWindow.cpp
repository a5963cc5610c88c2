#include "MainWindow.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QGroupBox>
#include <QInputDialog>
#include <QMenuBar>
#include <QMessageBox>
#include <QScrollArea>
#include <QScrollBar>
#include <QSettings>
#include <QSignalBlocker>
#include <QSplitter>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTimer>
#include <QVBoxLayout>
#include <algorithm>

#include "ConfigModel.h"
#include "ContextChartView.h"
#include "ControlPanel.h"
#include "GroupsChartView.h"
#include "SummaryPanel.h"

using namespace Qt::StringLiterals;

namespace {

const QString kGeometryKey = u"window/geometry"_s;
const QString kStateKey = u"window/state"_s;
const QString kMainSplitterKey = u"window/mainSplitter"_s;
const QString kChartSplitterKey = u"window/chartSplitter"_s;
const QString kExportDirKey = u"export/directory"_s;

}  // namespace

MainWindow::MainWindow(QWidget *parent) : QMainWindow(parent), m_model(new ConfigModel(this)) {
    setWindowTitle(tr("KV Scope"));
    setObjectName(u"MainWindow"_s);
    // The saved configuration first, so the views start on it.
    {
        const QSettings settings;
        m_model->loadSettings(settings);
    }
    buildCentralWidget();
    buildMenus();
    statusBar()->showMessage(tr("Drag a slider: the charts and the numbers follow."), 5000);

    m_saveTimer = new QTimer(this);
    m_saveTimer->setSingleShot(true);
    m_saveTimer->setInterval(400);
    connect(m_saveTimer, &QTimer::timeout, this, &MainWindow::saveSettings);
    connect(m_model, &ConfigModel::estimateChanged, m_saveTimer, qOverload<>(&QTimer::start));

    resize(1280, 800);
    loadSettings();
}

MainWindow::~MainWindow() = default;

void MainWindow::buildCentralWidget() {
    m_mainSplitter = new QSplitter(Qt::Horizontal, this);
    m_mainSplitter->setObjectName(u"mainSplitter"_s);
    m_mainSplitter->setChildrenCollapsible(false);

    // Left: the inputs, then the numbers, scrolling if the window is short.
    auto *scroll = new QScrollArea(m_mainSplitter);
    scroll->setObjectName(u"controlScrollArea"_s);
    scroll->setWidgetResizable(true);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    scroll->setFrameShape(QFrame::NoFrame);
    auto *left = new QWidget(scroll);
    auto *leftLayout = new QVBoxLayout(left);
    m_controls = new ControlPanel(m_model, left);
    auto *summaryBox = new QGroupBox(tr("KV cache"), left);
    m_summary = new SummaryPanel(m_model, summaryBox);
    auto *summaryLayout = new QVBoxLayout(summaryBox);
    summaryLayout->addWidget(m_summary);
    leftLayout->addWidget(m_controls);
    leftLayout->addWidget(summaryBox);
    leftLayout->addStretch(1);
    scroll->setWidget(left);
    // Wide enough for every label and value without the scroll bar.
    scroll->setMinimumWidth(left->sizeHint().width() + scroll->verticalScrollBar()->sizeHint().width());

    // Right: both charts, one above the other.
    m_chartSplitter = new QSplitter(Qt::Vertical, m_mainSplitter);
    m_chartSplitter->setObjectName(u"chartSplitter"_s);
    m_chartSplitter->setChildrenCollapsible(false);
    m_contextChart = new ContextChartView(m_model, m_chartSplitter);
    m_groupsChart = new GroupsChartView(m_model, m_chartSplitter);
    m_chartSplitter->setStretchFactor(0, 1);
    m_chartSplitter->setStretchFactor(1, 1);

    m_mainSplitter->setStretchFactor(0, 0);
    m_mainSplitter->setStretchFactor(1, 1);
    setCentralWidget(m_mainSplitter);
}

void MainWindow::buildMenus() {
    QMenu *file = menuBar()->addMenu(tr("&File"));
    QMenu *exportMenu = file->addMenu(tr("&Export"));
    QAction *exportContext = exportMenu->addAction(tr("&Context chart (KV cache vs context length)…"));
    exportContext->setShortcut(QKeySequence(tr("Ctrl+E")));
    exportContext->setStatusTip(tr("Save the context chart as PDF, SVG, PNG or CSV."));
    connect(exportContext, &QAction::triggered, this, &MainWindow::exportContextChart);
    QAction *exportGroups = exportMenu->addAction(tr("&Groups chart (savings vs n_kv_groups)…"));
    exportGroups->setShortcut(QKeySequence(tr("Ctrl+Shift+E")));
    exportGroups->setStatusTip(tr("Save the groups chart as PDF, SVG, PNG or CSV."));
    connect(exportGroups, &QAction::triggered, this, &MainWindow::exportGroupsChart);
    QAction *exportReportAction = exportMenu->addAction(tr("Full &report (PDF)…"));
    exportReportAction->setStatusTip(tr("Save both charts and the numbers as one PDF."));
    connect(exportReportAction, &QAction::triggered, this, &MainWindow::exportReport);
    file->addSeparator();
    QAction *quit = file->addAction(tr("&Quit"));
    quit->setShortcut(QKeySequence::Quit);
    quit->setMenuRole(QAction::QuitRole);
    connect(quit, &QAction::triggered, this, &QWidget::close);

    QMenu *edit = menuBar()->addMenu(tr("&Edit"));
    m_copyReport = edit->addAction(tr("&Copy report as text"));
    m_copyReport->setShortcut(QKeySequence(tr("Ctrl+Shift+C")));
    m_copyReport->setStatusTip(tr("Copy the book's report for this configuration to the clipboard."));
    connect(m_copyReport, &QAction::triggered, this, [this] {
        m_summary->copyReport();
        statusBar()->showMessage(tr("Report copied to the clipboard."), 5000);
    });
    edit->addSeparator();
    m_reset = edit->addAction(tr("&Reset to defaults"));
    m_reset->setShortcut(QKeySequence(tr("Ctrl+Shift+R")));
    m_reset->setStatusTip(
        tr("Back to the book's model: 24 heads, emb_dim 2048, 48 layers, 4 groups, 8,192 tokens, bf16."));
    connect(m_reset, &QAction::triggered, m_model, &ConfigModel::resetToDefaults);

    QMenu *view = menuBar()->addMenu(tr("&View"));
    QMenu *units = view->addMenu(tr("&Units"));
    auto *unitGroup = new QActionGroup(this);
    m_decimalUnits = units->addAction(tr("&GB (1000³ bytes)"));
    m_binaryUnits = units->addAction(tr("G&iB (1024³ bytes)"));
    for (QAction *action : {m_decimalUnits, m_binaryUnits}) {
        action->setCheckable(true);
        unitGroup->addAction(action);
    }
    connect(m_binaryUnits, &QAction::toggled, m_model, &ConfigModel::setBinaryUnits);
    connect(m_model, &ConfigModel::binaryUnitsChanged, this, &MainWindow::syncUnitActions);
    syncUnitActions();
    view->addSeparator();
    view->addAction(m_reset);

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    QAction *about = help->addAction(tr("&About KV Scope"));
    about->setMenuRole(QAction::AboutRole);
    connect(about, &QAction::triggered, this, &MainWindow::showAbout);
}

void MainWindow::syncUnitActions() {
    const QSignalBlocker block(m_binaryUnits);
    m_binaryUnits->setChecked(m_model->binaryUnits());
    m_decimalUnits->setChecked(!m_model->binaryUnits());
}

void MainWindow::loadSettings() {
    const QSettings settings;
    if (settings.contains(kGeometryKey)) restoreGeometry(settings.value(kGeometryKey).toByteArray());
    restoreState(settings.value(kStateKey).toByteArray());
    if (!m_mainSplitter->restoreState(settings.value(kMainSplitterKey).toByteArray())) {
        const int left = std::max(m_mainSplitter->widget(0)->minimumWidth(), width() * 2 / 5);
        m_mainSplitter->setSizes({left, width() - left});
    }
    // Both charts the same height unless the user moved the handle: the
    // context chart's taller legend must not squeeze the groups chart.
    if (!m_chartSplitter->restoreState(settings.value(kChartSplitterKey).toByteArray()))
        m_chartSplitter->setSizes({height(), height()});
    m_exportDir = settings.value(kExportDirKey).toString();
}

void MainWindow::saveSettings() const {
    QSettings settings;
    m_model->saveSettings(settings);
    settings.setValue(kGeometryKey, saveGeometry());
    settings.setValue(kStateKey, saveState());
    settings.setValue(kMainSplitterKey, m_mainSplitter->saveState());
    settings.setValue(kChartSplitterKey, m_chartSplitter->saveState());
    if (!m_exportDir.isEmpty()) settings.setValue(kExportDirKey, m_exportDir);
}

void MainWindow::closeEvent(QCloseEvent *event) {
    m_saveTimer->stop();
    saveSettings();
    QMainWindow::closeEvent(event);
}

void MainWindow::exportContextChart() { exportChart(ChartKind::Context); }
void MainWindow::exportGroupsChart() { exportChart(ChartKind::Groups); }

QString MainWindow::askSavePath(const QString &title, const QString &fileName, const QStringList &filters) {
    QString dir = m_exportDir;
    if (dir.isEmpty() || !QFileInfo(dir).isDir())
        dir = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    QString selected = filters.first();
    QString path =
        QFileDialog::getSaveFileName(this, title, QDir(dir).filePath(fileName), filters.join(u";;"_s), &selected);
    if (path.isEmpty()) return path;
    // "figure" in the PNG filter means figure.png.
    if (QFileInfo(path).suffix().isEmpty()) {
        const qsizetype star = selected.indexOf(u"*."_s);
        if (star >= 0) path += selected.mid(star + 1, selected.indexOf(u')', star) - star - 1);
    }
    return path;
}

void MainWindow::exportChart(ChartKind kind) {
    const bool context = kind == ChartKind::Context;
    const QString path = askSavePath(
        context ? tr("Export the context chart") : tr("Export the groups chart"),
        context ? u"kv-cache-vs-context.pdf"_s : u"kv-savings-vs-groups.pdf"_s,
        {tr("PDF, vector (*.pdf)"), tr("SVG, vector (*.svg)"), tr("PNG image (*.png)"), tr("CSV data (*.csv)")});
    if (path.isEmpty()) return;
    ExportOptions options;
    if (ChartExporter::formatForPath(path) == ExportFormat::Png) {
        bool ok = false;
        options.pngScale = QInputDialog::getDouble(this, tr("PNG scale"),
                                                   tr("Pixels per point (the figure is %1 × %2 points):")
                                                       .arg(options.chartSize.width())
                                                       .arg(options.chartSize.height()),
                                                   options.pngScale, 0.5, 8.0, 1, &ok);
        if (!ok) return;
    }
    exportChartTo(kind, path, options);
}

void MainWindow::exportReport() {
    const QString path = askSavePath(tr("Export the full report"), u"kvscope-report.pdf"_s, {tr("PDF (*.pdf)")});
    if (!path.isEmpty()) exportReportTo(path);
}

bool MainWindow::exportChartTo(ChartKind kind, const QString &path, const ExportOptions &options) {
    const auto error = ChartExporter(m_model).exportChart(kind, path, options);
    if (error) {
        presentMessage(MessageKind::ExportError, tr("Export failed"), *error, {});
        return false;
    }
    exported(path);
    return true;
}

bool MainWindow::exportReportTo(const QString &path) {
    const auto error = ChartExporter(m_model).exportReport(path);
    if (error) {
        presentMessage(MessageKind::ExportError, tr("Export failed"), *error, {});
        return false;
    }
    exported(path);
    return true;
}

void MainWindow::exported(const QString &path) {
    m_exportDir = QFileInfo(path).absolutePath();
    statusBar()->showMessage(tr("Exported %1").arg(QDir::toNativeSeparators(QFileInfo(path).absoluteFilePath())),
                             10000);
    saveSettings();
}

void MainWindow::showAbout() {
    presentMessage(MessageKind::About, tr("About KV Scope"),
                   tr("<h3>KV Scope %1</h3>"
                      "<p>How much memory an LLM's key-value cache takes, and how much grouped-query "
                      "attention (GQA) saves over multi-head attention (MHA).</p>")
                       .arg(QString::fromLatin1(KVSCOPE_VERSION)),
                   tr("<p>head_dim = ceil(emb_dim / n_heads), unless set explicitly<br>"
                      "n_kv_heads = n_heads (MHA) or n_heads / n_kv_groups (GQA)<br>"
                      "bytes = batch × context × head_dim × n_kv_heads × 2 (K and V) × bytes/elem × n_layers</p>"
                      "<p>GB = 1000³ bytes, GiB = 1024³ bytes. The same numbers and figures without a window: "
                      "<tt>kvscope-cli</tt>.</p>"));
}

void MainWindow::presentMessage(MessageKind kind, const QString &title, const QString &text,
                                const QString &informativeText) {
    auto *box = new QMessageBox(this);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setWindowTitle(title);
    box->setText(text);
    box->setInformativeText(informativeText);
    if (kind == MessageKind::About) {
        box->setObjectName(u"about"_s);
        box->setTextFormat(Qt::RichText);
        box->setIconPixmap(windowIcon().pixmap(64, 64));
    } else {
        box->setObjectName(u"exportError"_s);
        box->setIcon(QMessageBox::Warning);
    }
    box->open();
}
