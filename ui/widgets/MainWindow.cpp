#include "MainWindow.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QClipboard>
#include <QCloseEvent>
#include <QInputDialog>
#include <QLineEdit>
#include <QProgressDialog>
#include <QDesktopServices>
#include <QDir>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QMimeData>
#include <QFileDialog>
#include <QFileInfo>
#include <QGroupBox>
#include <QMenuBar>
#include <QMessageBox>
#include <QScreen>
#include <QScrollArea>
#include <QScrollBar>
#include <QLockFile>
#include <QSettings>
#include <QSignalBlocker>
#include <QSplitter>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTimer>
#include <tuple>
#include <utility>
#include <QUndoStack>
#include <QUrl>
#include <QVBoxLayout>
#include <algorithm>

#include "BudgetPanel.h"
#include "ConfigHistory.h"
#include "ConfigImporter.h"
#include "ConfigModel.h"
#include "ModelDetailsPanel.h"
#include "ModelPickerDialog.h"
#include "PresetLibrary.h"
#include "SettingsFormat.h"
#include "ChartArea.h"
#include "HubModelLoader.h"
#include "ModelFile.h"
#include "ContextChartView.h"
#include "ControlPanel.h"
#include "FigureExportDialog.h"
#include "GroupsChartView.h"
#include "ResultsStrip.h"
#include "SummaryPanel.h"
#include "WheelGuard.h"
#include "WindowShortcuts.h"

using namespace Qt::StringLiterals;

namespace {

const QString kGeometryKey = u"window/geometry"_s;
const QString kStateKey = u"window/state"_s;
const QString kMainSplitterKey = u"window/mainSplitter"_s;
const QString kChartSplitterKey = u"window/chartSplitter"_s;
const QString kExportDirKey = u"export/directory"_s;
const QString kOpenDirKey = u"open/directory"_s;
const QString kRecentFilesKey = u"open/recent"_s;

// The one local .json file a drag carries, or "" when it carries anything else.
// What a drop can open: one local config.json, GGUF file or model folder.
QString droppedConfigPath(const QMimeData *mime) {
    if (!mime || !mime->hasUrls() || mime->urls().size() != 1) return {};
    const QUrl url = mime->urls().constFirst();
    if (!url.isLocalFile()) return {};
    const QString path = url.toLocalFile();
    const bool opens = QFileInfo(path).isDir() || path.endsWith(u".json"_s, Qt::CaseInsensitive) ||
                       path.endsWith(u".gguf"_s, Qt::CaseInsensitive);
    return opens ? path : QString();
}

// Why a drag that droppedConfigPath() refuses cannot be opened.
QString dropRefusal(const QMimeData *mime) {
    if (!mime || !mime->hasUrls())
        return QObject::tr("Only a file or folder can be dropped here: a config.json, a GGUF file or a model folder.");
    if (mime->urls().size() != 1)
        return QObject::tr("%1 files dropped: drop one model at a time.").arg(mime->urls().size());
    const QUrl url = mime->urls().constFirst();
    if (!url.isLocalFile())
        return QObject::tr("%1 is not a local file: download the config.json, then drop it.").arg(url.toDisplayString());
    return QObject::tr("%1 is not a .json or .gguf file: only a Hugging Face config.json, a GGUF file or a model "
                       "folder can be opened.")
        .arg(QFileInfo(url.toLocalFile()).fileName());
}

// A config.json is named after its folder (a downloaded Hugging Face repo:
// "Llama-3.1-8B/config.json"); any other file after itself.
QString displayNameForFile(const QString &path) {
    const QFileInfo info(path);
    if (info.isDir()) return ConfigImporter::displayName(path);
    if (info.fileName().compare(u"config.json"_s, Qt::CaseInsensitive) == 0 && !info.dir().dirName().isEmpty())
        return info.dir().dirName();
    return info.completeBaseName();
}

}  // namespace

MainWindow::MainWindow(QWidget *parent) : QMainWindow(parent), m_model(new ConfigModel(this)) {
    setWindowTitle(tr("KV Scope"));
    setObjectName(u"MainWindow"_s);
    // The saved configuration first, so the views start on it. Whatever it
    // holds that cannot be used is named, and the file kept aside whole
    // before the next save can drop it.
    {
        const QSettings settings;
        QStringList dropped = SettingsFormat::repeatedKeys(settings.fileName());
        dropped += m_model->loadSettings(settings);
        if (!dropped.isEmpty()) m_settingsNotice = SettingsFormat::keepAside(settings.fileName(), dropped);
    }
    setAcceptDrops(true);
    // The saved configuration is where history starts: it is not a step.
    m_history = new ConfigHistory(m_model, this);
    buildCentralWidget();
    buildMenus();
    WindowShortcuts::install(this);
    connect(m_model, &ConfigModel::modelChanged, this, &MainWindow::syncModel);
    connect(m_model, &ConfigModel::estimateChanged, this, &MainWindow::syncModel);
    connect(m_model, &ConfigModel::whatIfStarted, this, [this](const QString &name) {
        statusBar()->showMessage(tr("Shape edited: %1 is now a what-if of it, sized by the book's formula (its own "
                                    "layer kinds are not kept). Undo (Ctrl+Z) brings the model back.")
                                     .arg(name),
                                 15000);
    });
    syncModel();
    statusBar()->showMessage(tr("Drag a slider: the charts and the numbers follow."), 5000);
    if (const auto notice = SettingsFormat::startupNotice()) statusBar()->showMessage(*notice, 20000);
    if (m_settingsNotice) {
        statusBar()->showMessage(*m_settingsNotice, 60000);
        // The line may be wider than the status bar: the whole of it in a
        // message box too, once the window (and any subclass) is complete.
        QTimer::singleShot(0, this, [this] {
            presentMessage(MessageKind::Notice, tr("Saved settings left out"),
                           tr("Part of the saved settings could not be used and was left out."), *m_settingsNotice);
        });
    }

    m_saveTimer = new QTimer(this);
    m_saveTimer->setSingleShot(true);
    m_saveTimer->setInterval(400);
    connect(m_saveTimer, &QTimer::timeout, this, &MainWindow::saveSettings);
    connect(m_model, &ConfigModel::estimateChanged, m_saveTimer, qOverload<>(&QTimer::start));

    // The laptop size the layout is made for, or the screen, if smaller.
    const QSize preferred(1280, 800);
    resize(screen() ? preferred.boundedTo(screen()->availableGeometry().size()) : preferred);
    loadSettings();
    // No value control holds the focus at start: a stray key or wheel turn
    // must not change a number the user has not touched.
    m_contextChart->setFocusPolicy(Qt::ClickFocus);
    m_contextChart->setFocus(Qt::OtherFocusReason);
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
    m_budget = new BudgetPanel(m_model, left);
    auto *summaryBox = new QGroupBox(tr("KV cache"), left);
    m_summary = new SummaryPanel(m_model, summaryBox);
    auto *summaryLayout = new QVBoxLayout(summaryBox);
    summaryLayout->addWidget(m_summary);
    leftLayout->addWidget(m_controls);
    leftLayout->addWidget(m_budget);
    leftLayout->addWidget(summaryBox);
    leftLayout->addStretch(1);
    scroll->setWidget(left);
    // Narrow windows scroll the panel sideways rather than squeezing the charts.
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAsNeeded);
    scroll->setMinimumWidth(std::min(left->sizeHint().width(), 320));
    m_controlsWidth = left->sizeHint().width() + scroll->verticalScrollBar()->sizeHint().width();
    WheelGuard::install(left, scroll);
    // A slider drag is one undo step, however many values it passes.
    const auto sliders = left->findChildren<QAbstractSlider *>();
    for (QAbstractSlider *slider : sliders) {
        if (qobject_cast<QScrollBar *>(slider)) continue;
        connect(slider, &QAbstractSlider::sliderPressed, m_history, &ConfigHistory::beginGesture);
        connect(slider, &QAbstractSlider::sliderReleased, m_history, &ConfigHistory::endGesture);
    }

    // Right: the answer in large figures, then both charts one above the other.
    auto *right = new QWidget(m_mainSplitter);
    auto *rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(0, 0, 0, 0);
    rightLayout->setSpacing(4);
    m_results = new ResultsStrip(m_model, right);
    m_contextChart = new ContextChartView(m_model);
    m_groupsChart = new GroupsChartView(m_model);
    m_charts = new ChartArea(m_contextChart, m_groupsChart, right);
    rightLayout->addWidget(m_results);
    rightLayout->addWidget(m_charts, 1);

    m_mainSplitter->setStretchFactor(0, 0);
    m_mainSplitter->setStretchFactor(1, 1);
    setCentralWidget(m_mainSplitter);

    // Below everything: the per-layer breakdown, provenance and what-ifs.
    auto *dock = new QDockWidget(tr("Layers and provenance"), this);
    dock->setObjectName(u"modelDetailsDock"_s);
    dock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetClosable |
                      QDockWidget::DockWidgetFloatable);
    m_details = new ModelDetailsPanel(m_model, dock);
    dock->setWidget(m_details);
    addDockWidget(Qt::BottomDockWidgetArea, dock);
}

void MainWindow::buildMenus() {
    QMenu *file = menuBar()->addMenu(tr("&File"));
    m_open = file->addAction(tr("&Open config.json or GGUF…"));
    m_open->setShortcut(QKeySequence::Open);
    m_open->setStatusTip(tr("Load a Hugging Face config.json or a GGUF file's header: its real layers, sliding "
                            "windows, MLA and all; a GGUF file's weights exactly."));
    connect(m_open, &QAction::triggered, this, &MainWindow::openConfigDialog);
    QAction *openFolder = file->addAction(tr("Open model fol&der…"));
    openFolder->setStatusTip(tr("Load a downloaded model folder: its config.json, and its weights exactly from "
                                "the safetensors headers."));
    connect(openFolder, &QAction::triggered, this, [this] {
        QString dir = m_openDir;
        if (dir.isEmpty() || !QFileInfo(dir).isDir()) dir = QDir::homePath();
        const QString path = QFileDialog::getExistingDirectory(this, tr("Open a model folder"), dir);
        if (!path.isEmpty()) openConfigFile(path);
    });
    QAction *openHub = file->addAction(tr("Open from &Hugging Face…"));
    openHub->setStatusTip(tr("Load a model by its Hugging Face id (ORG/NAME[@REVISION]): from the local cache, "
                             "else its config.json and safetensors headers from the Hub."));
    connect(openHub, &QAction::triggered, this, &MainWindow::openFromHubDialog);
    m_recentMenu = file->addMenu(tr("Open &Recent"));
    // A file moved or deleted since shows as missing the next time the menu opens.
    connect(m_recentMenu, &QMenu::aboutToShow, this, &MainWindow::syncRecentMenu);
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
    m_undo = m_history->stack()->createUndoAction(this, tr("&Undo"));
    m_undo->setShortcuts({QKeySequence(tr("Ctrl+Z"))});
    m_redo = m_history->stack()->createRedoAction(this, tr("&Redo"));
    m_redo->setShortcuts({QKeySequence(tr("Ctrl+Shift+Z")), QKeySequence(tr("Ctrl+Y"))});
    for (QAction *action : {m_undo, m_redo}) {
        // Say what was taken back or done again: a step can change many inputs.
        connect(action, &QAction::triggered, this, [this, action] {
            const QString what = action == m_undo ? m_history->stack()->redoText() : m_history->stack()->undoText();
            statusBar()->showMessage((action == m_undo ? tr("Undone: %1") : tr("Redone: %1")).arg(what), 8000);
        });
    }
    edit->addAction(m_undo);
    edit->addAction(m_redo);
    edit->addSeparator();
    m_copyReport = edit->addAction(tr("&Copy report as text"));
    m_copyReport->setShortcut(QKeySequence(tr("Ctrl+Shift+C")));
    m_copyReport->setStatusTip(
        tr("Copy the report kvscope-cli prints for this configuration (the model's, with its deployment) to the clipboard."));
    connect(m_copyReport, &QAction::triggered, this, [this] {
        m_summary->copyReport();
        statusBar()->showMessage(tr("Report copied to the clipboard."), 5000);
    });
    // Copy Chart: the image and its SVG, for a slide or a chat. Each chart's
    // context menu has the same actions.
    QMenu *copyChartMenu = edit->addMenu(tr("Copy C&hart"));
    m_copyContextChart = copyChartMenu->addAction(tr("&Context chart (KV cache vs context length)"));
    m_copyContextChart->setShortcut(QKeySequence(tr("Ctrl+Alt+C")));
    m_copyContextChart->setStatusTip(tr("Put the context chart on the clipboard as an image and as SVG."));
    connect(m_copyContextChart, &QAction::triggered, this, [this] { copyChart(ChartKind::Context); });
    m_copyGroupsChart = copyChartMenu->addAction(tr("&Groups chart (savings vs n_kv_groups)"));
    m_copyGroupsChart->setStatusTip(tr("Put the groups chart on the clipboard as an image and as SVG."));
    connect(m_copyGroupsChart, &QAction::triggered, this, [this] { copyChart(ChartKind::Groups); });
    for (const auto &[view, copy, kind] : {std::tuple{static_cast<QWidget *>(m_contextChart), m_copyContextChart,
                                                      ChartKind::Context},
                                           std::tuple{static_cast<QWidget *>(m_groupsChart), m_copyGroupsChart,
                                                      ChartKind::Groups}}) {
        auto *exportAction = new QAction(tr("Export chart…"), view);
        connect(exportAction, &QAction::triggered, this, [this, k = kind] { exportChart(k); });
        auto *copyAction = new QAction(tr("Copy chart"), view);
        connect(copyAction, &QAction::triggered, copy, &QAction::trigger);
        view->addActions({copyAction, exportAction});
        view->setContextMenuPolicy(Qt::ActionsContextMenu);
    }
    edit->addSeparator();
    m_reset = edit->addAction(tr("Re&set to defaults"));
    m_reset->setShortcut(QKeySequence(tr("Ctrl+Shift+R")));
    m_reset->setStatusTip(
        tr("Back to the book's model: 24 heads, emb_dim 2048, 48 layers, 4 groups, 8,192 tokens, bf16, no GPU."));
    connect(m_reset, &QAction::triggered, this, &MainWindow::resetToDefaults);

    QMenu *modelMenu = menuBar()->addMenu(tr("&Model"));
    m_chooseModel = modelMenu->addAction(tr("&Choose model…"));
    m_chooseModel->setShortcut(QKeySequence(tr("Ctrl+M")));
    m_chooseModel->setStatusTip(tr("Pick one of the built-in models by name."));
    connect(m_chooseModel, &QAction::triggered, this, [this] {
        ModelPickerDialog *picker = modelPicker();
        picker->open();
        picker->activateFilter();
    });
    modelMenu->addAction(m_open);
    m_clearModel = modelMenu->addAction(tr("&Back to the book's shape"));
    m_clearModel->setStatusTip(tr("Unload the model and keep its shape as a plain book-shape configuration."));
    connect(m_clearModel, &QAction::triggered, m_model, &ConfigModel::clearModel);
    modelMenu->addSeparator();
    m_pin = modelMenu->addAction(tr("&Pin current curve"));
    m_pin->setShortcut(QKeySequence(tr("Ctrl+Shift+P")));
    m_pin->setStatusTip(tr("Keep the current curve on the context chart while you load or change another (up to %1).")
                            .arg(ConfigModel::kMaxPins));
    connect(m_pin, &QAction::triggered, this, &MainWindow::pinCurrentCurve);
    m_unpinMenu = modelMenu->addMenu(tr("U&npin"));
    m_unpinAll = modelMenu->addAction(tr("Unpin &all"));
    connect(m_unpinAll, &QAction::triggered, m_model, &ConfigModel::unpinAll);
    connect(m_model, &ConfigModel::pinsChanged, this, &MainWindow::syncPins);
    syncPins();

    QMenu *view = menuBar()->addMenu(tr("&View"));
    if (auto *dock = findChild<QDockWidget *>(u"modelDetailsDock"_s)) {
        view->addAction(dock->toggleViewAction());
        QAction *compare = view->addAction(tr("Compare pinned curves"));
        compare->setStatusTip(tr("The current model beside every pin: KV per token, at the context, largest context "
                                 "and batch on the chosen GPUs. Rename, hide and reorder pins there."));
        connect(compare, &QAction::triggered, this, [this, dock] {
            dock->show();
            m_details->showCompareTab();
        });
    }
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
    m_userGuide = help->addAction(tr("&User Guide"));
    m_userGuide->setShortcut(QKeySequence::HelpContents);
    m_userGuide->setStatusTip(tr("Open the user guide: every control, every number and how it is computed."));
    connect(m_userGuide, &QAction::triggered, this, &MainWindow::showUserGuide);
    QAction *about = help->addAction(tr("&About KV Scope"));
    about->setMenuRole(QAction::AboutRole);
    connect(about, &QAction::triggered, this, &MainWindow::showAbout);
}

void MainWindow::syncUnitActions() {
    const QSignalBlocker block(m_binaryUnits);
    m_binaryUnits->setChecked(m_model->binaryUnits());
    m_decimalUnits->setChecked(!m_model->binaryUnits());
}

void MainWindow::syncModel() {
    // "Gemma 3 27B — KV Scope": the platform adds nothing more to a title
    // that already ends in the application's display name.
    const QString name = m_model->hasModel() ? m_model->modelName() : m_model->whatIfName();
    setWindowTitle(name.isEmpty() ? tr("KV Scope") : tr("%1 — KV Scope").arg(name));
    if (m_clearModel) m_clearModel->setEnabled(m_model->hasModel() || !m_model->whatIfOf().isEmpty());
}

QString MainWindow::recordStep(const QString &name) {
    m_history->nameNextStep(name);
    // The load itself and the model's own shape are in the message already;
    // the rest is what it replaced of the user's choices.
    const QStringList changes = m_history->record(ConfigModel::ChangeScope::Choices);
    if (changes.isEmpty()) return {};
    return u' ' + tr("Also changed: %1. Undo (Ctrl+Z) takes it back.").arg(changes.join(u"; "_s));
}

void MainWindow::resetToDefaults() {
    m_history->record();
    m_model->resetToDefaults();
    m_history->nameNextStep(tr("Reset to defaults"));
    const QStringList changes = m_history->record();
    statusBar()->showMessage(changes.isEmpty()
                                 ? tr("Already at the defaults: nothing to reset.")
                                 : tr("Reset to the book's model: %1. Undo (Ctrl+Z) takes it back.")
                                       .arg(changes.join(u"; "_s)),
                             15000);
}

bool MainWindow::pinCurrentCurve() {
    if (const auto refusal = m_model->pinRefusal()) {
        const bool full = m_model->pinNames().size() >= ConfigModel::kMaxPins;
        presentMessage(MessageKind::Notice, tr("Cannot pin this curve"), *refusal,
                       full ? tr("Unpin one (Model > Unpin) to pin \"%1\".").arg(m_model->currentCurveName())
                            : tr("Change the model, shape or workload to pin another curve."));
        return false;
    }
    m_model->pinCurrent();
    statusBar()->showMessage(
        tr("Pinned %1. View > Compare pinned curves lists it beside the current model.").arg(m_model->pinNames().constLast()),
        8000);
    return true;
}

void MainWindow::syncPins() {
    m_unpinMenu->clear();
    const QStringList names = m_model->pinNames();
    for (int i = 0; i < names.size(); ++i) {
        QAction *action = m_unpinMenu->addAction(names.at(i));
        connect(action, &QAction::triggered, m_model, [this, i] { m_model->unpin(i); });
    }
    m_unpinMenu->setEnabled(!names.isEmpty());
    m_unpinAll->setEnabled(!names.isEmpty());
}

ModelPickerDialog *MainWindow::modelPicker() {
    if (!m_picker) {
        m_picker = new ModelPickerDialog(this);
        connect(m_picker, &ModelPickerDialog::modelChosen, this, &MainWindow::loadPreset);
    }
    return m_picker;
}

bool MainWindow::loadPreset(const QString &name) {
    const auto library = PresetLibrary::builtin();
    const auto model = library ? library->load(name) : kvscope::Result<ImportedModel>(library.error());
    if (!model) {
        presentMessage(MessageKind::ImportError, tr("Cannot load the model %1").arg(name),
                       QString::fromStdString(model.error().message), {});
        return false;
    }
    const QString shown = library->find(name)->name;
    m_history->record();
    m_model->loadModel(*model, shown, ConfigModel::originForPreset(shown));
    statusBar()->showMessage(tr("Loaded %1 (%2).").arg(shown, library->find(name)->source) +
                                 recordStep(tr("Load %1").arg(shown)),
                             15000);
    return true;
}

bool MainWindow::openConfigFile(const QString &path) {
    const auto model = ModelFile::read(path);
    const QString fileName = QDir::toNativeSeparators(QFileInfo(path).absoluteFilePath());
    if (!model) {
        const kvscope::InputError &error = model.error();
        presentMessage(MessageKind::ImportError, tr("Cannot open %1").arg(QFileInfo(path).fileName()),
                       tr("Cannot load %1: %2").arg(fileName, QString::fromStdString(error.message)),
                       error.field.empty() ? QString()
                                           : tr("Key: %1").arg(QString::fromStdString(error.field)));
        return false;
    }
    m_history->record();
    m_model->loadModel(*model, displayNameForFile(path), QFileInfo(path).absoluteFilePath());
    m_openDir = QFileInfo(path).absolutePath();
    addRecentFile(path);
    QString message = tr("Loaded %1.").arg(fileName);
    if (!model->warnings.empty())
        message += u' ' + tr("Assumed: %1").arg(QString::fromStdString(model->warnings.front()));
    statusBar()->showMessage(message + recordStep(tr("Load %1").arg(displayNameForFile(path))), 15000);
    return true;
}

void MainWindow::openConfigDialog() {
    QString dir = m_openDir;
    if (dir.isEmpty() || !QFileInfo(dir).isDir()) dir = QDir::homePath();
    const QString path = QFileDialog::getOpenFileName(this, tr("Open a Hugging Face config.json or a GGUF file"), dir,
                                                      tr("Models (*.json *.gguf);;All files (*)"));
    if (!path.isEmpty()) openConfigFile(path);
}

void MainWindow::openFromHubDialog() {
    bool ok = false;
    const QString id = QInputDialog::getText(this, tr("Open from Hugging Face"),
                                             tr("Model id (ORG/NAME, or ORG/NAME@REVISION):"), QLineEdit::Normal,
                                             m_lastHubId, &ok)
                           .trimmed();
    if (ok && !id.isEmpty()) openFromHub(id);
}

void MainWindow::openFromHub(const QString &id) {
    m_lastHubId = id;
    if (!m_hubLoader) {
        m_hubLoader = new HubModelLoader(this);
        m_hubProgress = new QProgressDialog(this);
        m_hubProgress->setWindowModality(Qt::WindowModal);
        m_hubProgress->setMinimumDuration(300);
        m_hubProgress->setAutoReset(false);
        m_hubProgress->setAutoClose(false);
        m_hubProgress->reset();
        connect(m_hubProgress, &QProgressDialog::canceled, m_hubLoader, &HubModelLoader::cancel);
        connect(m_hubLoader, &HubModelLoader::progress, this, [this](qint64 done, qint64 total) {
            m_hubProgress->setMaximum(static_cast<int>(std::max<qint64>(total, 1)));
            m_hubProgress->setValue(static_cast<int>(done));
        });
        connect(m_hubLoader, &HubModelLoader::finished, this, &MainWindow::hubModelLoaded);
    }
    m_hubProgress->setLabelText(tr("Reading %1 from the Hugging Face cache or the Hub…").arg(id));
    m_hubProgress->setRange(0, 0);  // busy until the first answer says how many requests
    m_hubProgress->setValue(0);
    m_hubLoader->start(id);
    statusBar()->showMessage(tr("Loading %1…").arg(id));
}

void MainWindow::hubModelLoaded(const HubResult &result) {
    // reset() hides the dialog only with autoClose, which would also close it at its first full bar.
    m_hubProgress->reset();
    m_hubProgress->hide();
    const QString id = result.id.display();
    if (result.cancelled) {
        statusBar()->showMessage(tr("Loading %1 cancelled; nothing changed.").arg(id), 10000);
        return;
    }
    if (result.error) {
        presentMessage(MessageKind::ImportError, tr("Cannot open %1").arg(id),
                       QString::fromStdString(result.error->message), QString());
        statusBar()->showMessage(tr("%1 not loaded.").arg(id), 10000);
        return;
    }
    m_history->record();
    // The origin names the snapshot: a restart reads it again from the cache alone.
    m_model->loadModel(result.model, id, ConfigModel::originForHub(result.id.repo, result.commit));
    QString message = tr("Loaded %1 (%2, snapshot %3).")
                          .arg(id, result.fromCache ? tr("from the Hugging Face cache") : tr("from the Hub"),
                               result.commit.left(12));
    if (!result.model.warnings.empty())
        message += u' ' + tr("Assumed: %1").arg(QString::fromStdString(result.model.warnings.front()));
    statusBar()->showMessage(message + recordStep(tr("Load %1").arg(id)), 15000);
}

void MainWindow::dragEnterEvent(QDragEnterEvent *event) {
    if (!droppedConfigPath(event->mimeData()).isEmpty()) {
        event->acceptProposedAction();
        return;
    }
    // Refused while it is dragged over: the status bar says why.
    event->ignore();
    statusBar()->showMessage(dropRefusal(event->mimeData()), 10000);
}

void MainWindow::dropEvent(QDropEvent *event) {
    const QString path = droppedConfigPath(event->mimeData());
    if (path.isEmpty()) {
        statusBar()->showMessage(dropRefusal(event->mimeData()), 10000);
        return;
    }
    event->acceptProposedAction();
    openConfigFile(path);
}

void MainWindow::addRecentFile(const QString &path) {
    const QString file = QFileInfo(path).absoluteFilePath();
    m_recentFiles.removeAll(file);
    m_recentFiles.prepend(file);
    m_recentFiles = m_recentFiles.mid(0, kMaxRecentFiles);
    syncRecentMenu();
    saveSettings();
}

void MainWindow::syncRecentMenu() {
    if (!m_recentMenu) return;
    m_recentMenu->clear();
    for (int i = 0; i < m_recentFiles.size(); ++i) {
        const QString file = m_recentFiles.at(i);
        const bool exists = QFileInfo::exists(file);
        // "&1 Llama-3.1-8B  (…/Llama-3.1-8B/config.json)": a digit for each entry.
        const QString where =
            fontMetrics().elidedText(QDir::toNativeSeparators(file), Qt::ElideMiddle, fontMetrics().averageCharWidth() * 60);
        QString text = u"&%1 %2  (%3)"_s.arg(i + 1).arg(displayNameForFile(file), where);
        text.replace(u'&', u"&&"_s).replace(0, 2, u"&"_s);  // only the digit is a mnemonic
        if (!exists) text += u' ' + tr("— missing");
        QAction *action = m_recentMenu->addAction(text);
        action->setEnabled(exists);
        action->setStatusTip(exists ? QDir::toNativeSeparators(file)
                                    : tr("%1 is no longer there.").arg(QDir::toNativeSeparators(file)));
        connect(action, &QAction::triggered, this, [this, file] {
            if (!QFileInfo::exists(file)) {
                statusBar()->showMessage(tr("%1 is no longer there.").arg(QDir::toNativeSeparators(file)), 10000);
                syncRecentMenu();
                return;
            }
            openConfigFile(file);
        });
    }
    if (!m_recentFiles.isEmpty()) m_recentMenu->addSeparator();
    QAction *clear = m_recentMenu->addAction(tr("&Clear list"));
    clear->setEnabled(!m_recentFiles.isEmpty());
    connect(clear, &QAction::triggered, this, [this] {
        m_recentFiles.clear();
        syncRecentMenu();
        saveSettings();
        statusBar()->showMessage(tr("The list of recent files is cleared."), 5000);
    });
}

void MainWindow::loadSettings() {
    const QSettings settings;
    if (settings.contains(kGeometryKey)) restoreGeometry(settings.value(kGeometryKey).toByteArray());
    if (!restoreState(settings.value(kStateKey).toByteArray())) {
        // The charts and the numbers come first: the layers and provenance
        // wait under View until asked for.
        if (auto *dock = findChild<QDockWidget *>(u"modelDetailsDock"_s)) {
            resizeDocks({dock}, {190}, Qt::Vertical);
            dock->hide();
        }
    }
    // Without a saved split, it is placed at the first show, at the size shown.
    m_defaultSplit = !m_mainSplitter->restoreState(settings.value(kMainSplitterKey).toByteArray());
    m_charts->restoreSplit(settings.value(kChartSplitterKey).toByteArray());
    m_exportDir = settings.value(kExportDirKey).toString();
    m_openDir = settings.value(kOpenDirKey).toString();
    m_recentFiles = settings.value(kRecentFilesKey).toStringList().mid(0, kMaxRecentFiles);
    syncRecentMenu();
}

std::optional<QString> MainWindow::saveSettings() const {
    // Another window may save to the same file: one read, merge and write at
    // a time, so neither drops the other's pins.
    const auto lock = SettingsFormat::lockForSaving(QSettings().fileName());
    QSettings settings;
    const QStringList lost = m_model->saveSettings(settings);
    // What the file holds now, before this save drops anything from it.
    const std::optional<QString> lossNotice =
        lost.isEmpty() ? std::nullopt : std::optional(SettingsFormat::keepAside(settings.fileName(), lost));
    settings.setValue(kGeometryKey, saveGeometry());
    settings.setValue(kStateKey, saveState());
    settings.setValue(kMainSplitterKey, m_mainSplitter->saveState());
    // A split the user chose is kept; the balanced one is placed anew.
    if (const QByteArray split = m_charts->savedSplit(); !split.isEmpty()) settings.setValue(kChartSplitterKey, split);
    else settings.remove(kChartSplitterKey);
    if (!m_exportDir.isEmpty()) settings.setValue(kExportDirKey, m_exportDir);
    if (!m_openDir.isEmpty()) settings.setValue(kOpenDirKey, m_openDir);
    if (m_recentFiles.isEmpty()) settings.remove(kRecentFilesKey);
    else settings.setValue(kRecentFilesKey, m_recentFiles);
    const auto error = SettingsFormat::sync(settings);
    if (!error) {
        if (lossNotice) statusBar()->showMessage(*lossNotice, 20000);
        return lossNotice;
    }
    const QString message = tr("Settings not saved: %1").arg(*error);
    statusBar()->showMessage(message, 10000);
    return message;
}

void MainWindow::showEvent(QShowEvent *event) {
    if (std::exchange(m_defaultSplit, false)) {
        // Every control without a scroll bar where the window is wide enough;
        // otherwise the charts keep at least half of it.
        const int minimum = m_mainSplitter->widget(0)->minimumWidth();
        const int left = std::clamp(m_controlsWidth, minimum, std::max(minimum, width() / 2));
        m_mainSplitter->setSizes({left, width() - left});
    }
    QMainWindow::showEvent(event);
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
        {tr("PDF, vector (*.pdf)"), tr("SVG, vector (*.svg)"), tr("PNG image (*.png)"),
         tr("EPS, vector for LaTeX (*.eps)"), tr("CSV data (*.csv)")});
    if (path.isEmpty()) return;
    const auto format = ChartExporter::formatForPath(path);
    ExportOptions options = FigureExportDialog::savedOptions();
    if (format && *format != ExportFormat::Csv) {
        if (!askFigureOptions(kind, *format, &options)) return;
        FigureExportDialog::saveOptions(options);
    }
    exportChartTo(kind, path, options);
}

bool MainWindow::askFigureOptions(ChartKind kind, ExportFormat format, ExportOptions *options) {
    FigureExportDialog dialog(m_model, kind, format, this);
    dialog.setOptions(*options);
    if (dialog.exec() != QDialog::Accepted) return false;
    *options = dialog.options();
    return true;
}

bool MainWindow::copyChart(ChartKind kind) {
    ExportOptions options = FigureExportDialog::savedOptions();
    const ChartExporter exporter(m_model);
    QByteArray png, svg;
    auto error = exporter.render(kind, ExportFormat::Png, options, &png);
    if (!error) {
        // SVG sizes are in points: a size in px is the PNG's, taken back to points.
        const QSizeF points = options.chartSize();
        options.size = {points.width(), points.height(), figure::FigureSize::Unit::Pt};
        error = exporter.render(kind, ExportFormat::Svg, options, &svg);
    }
    if (error) {
        presentMessage(MessageKind::ExportError, tr("Copy failed"), tr("Cannot copy the chart: %1").arg(*error), {});
        return false;
    }
    auto *mime = new QMimeData;
    mime->setImageData(QImage::fromData(png, "PNG"));
    mime->setData(u"image/png"_s, png);
    mime->setData(u"image/svg+xml"_s, svg);
    QGuiApplication::clipboard()->setMimeData(mime);
    statusBar()->showMessage(tr("Chart copied to the clipboard (image and SVG)."), 5000);
    return true;
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
    const auto error = ChartExporter(m_model).exportReport(path, FigureExportDialog::savedOptions().style);
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

QString MainWindow::userGuidePath() {
    // Where the package installs it (share/doc/kvscope beside bin/), else, in
    // a build tree, the source tree's.
    const QString installed =
        QDir::cleanPath(QCoreApplication::applicationDirPath() + u"/../share/doc/kvscope/guide.md"_s);
    if (QFileInfo::exists(installed)) return installed;
    const QString source = QStringLiteral(KVSCOPE_SOURCE_GUIDE);
    return QFileInfo::exists(source) ? source : QString();
}

bool MainWindow::showUserGuide() {
    const QString guide = userGuidePath();
    if (guide.isEmpty()) {
        statusBar()->showMessage(tr("The user guide is not installed: it belongs in %1.")
                                     .arg(QDir::toNativeSeparators(QDir::cleanPath(
                                         QCoreApplication::applicationDirPath() + u"/../share/doc/kvscope"_s))),
                                 15000);
        return false;
    }
    if (!QDesktopServices::openUrl(QUrl::fromLocalFile(guide))) {
        statusBar()->showMessage(
            tr("No application opens %1: open it with a text viewer.").arg(QDir::toNativeSeparators(guide)), 15000);
        return false;
    }
    statusBar()->showMessage(tr("Opened the user guide, %1.").arg(QDir::toNativeSeparators(guide)), 5000);
    return true;
}

void MainWindow::showAbout() {
    const QString guide = userGuidePath();
    const QString guideLink = !guide.isEmpty()
                                  ? u"<a href=\"%1\">%2</a>"_s.arg(QUrl::fromLocalFile(guide).toString(),
                                                                    guide.toHtmlEscaped())
                                  : u"docs/guide.md"_s;
    presentMessage(MessageKind::About, tr("About KV Scope"),
                   tr("<h3>KV Scope %1</h3>"
                      "<p>How much memory an LLM's key-value cache takes, and how much grouped-query "
                      "attention (GQA) saves over multi-head attention (MHA).</p>"
                      "<p>MIT License. The user guide, with how every number is computed: %2</p>")
                       .arg(QString::fromLatin1(KVSCOPE_VERSION), guideLink),
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
        box->setObjectName(kind == MessageKind::ImportError ? u"importError"_s
                           : kind == MessageKind::Notice    ? u"notice"_s
                                                            : u"exportError"_s);
        box->setIcon(QMessageBox::Warning);
    }
    box->open();
}
