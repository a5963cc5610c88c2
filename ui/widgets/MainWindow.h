#pragma once

#include <QMainWindow>
#include <QString>
#include <optional>

#include "ChartExporter.h"
#include "ChartKind.h"

class BudgetPanel;
class ConfigHistory;
class ConfigModel;
class ChartArea;
class HubModelLoader;
class QProgressDialog;
struct HubResult;
class ContextChartView;
class ControlPanel;
class GroupsChartView;
class ModelDetailsPanel;
class ModelPickerDialog;
class QAction;
class QMenu;
class QSplitter;
class QTimer;
class ResultsStrip;
class SummaryPanel;

// The window: the control panel and the summary on the left, the two live
// charts on the right, File > Export for figures and the report. The
// configuration and the window's geometry persist through QSettings (the
// application's organization and name, in SettingsFormat once installed),
// saved on every change and on close.
class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    ConfigModel *model() const { return m_model; }
    ControlPanel *controlPanel() const { return m_controls; }
    BudgetPanel *budgetPanel() const { return m_budget; }
    SummaryPanel *summaryPanel() const { return m_summary; }
    ResultsStrip *resultsStrip() const { return m_results; }
    ContextChartView *contextChartView() const { return m_contextChart; }
    ChartArea *chartArea() const { return m_charts; }
    GroupsChartView *groupsChartView() const { return m_groupsChart; }
    ModelDetailsPanel *modelDetails() const { return m_details; }

    QAction *copyReportAction() const { return m_copyReport; }
    QAction *resetAction() const { return m_reset; }
    QAction *undoAction() const { return m_undo; }
    QAction *redoAction() const { return m_redo; }
    ConfigHistory *history() const { return m_history; }
    QAction *decimalUnitsAction() const { return m_decimalUnits; }
    QAction *binaryUnitsAction() const { return m_binaryUnits; }

    // Export without dialogs: on failure a message box names the reason
    // (window-modal, not blocking), on success the status bar says where.
    // The report's charts take the last figure options' style.
    bool exportChartTo(ChartKind kind, const QString &path, const ExportOptions &options = {});
    bool exportReportTo(const QString &path);
    // Puts the chart on the clipboard as a PNG image and as SVG
    // (image/svg+xml), drawn with the last figure options.
    bool copyChart(ChartKind kind);
    QAction *copyContextChartAction() const { return m_copyContextChart; }
    QAction *copyGroupsChartAction() const { return m_copyGroupsChart; }

    // Loads a Hugging Face config.json (File > Open, a drop, the command
    // line). A bad file is reported in a message box naming it and the key;
    // the current configuration is kept.
    bool openConfigFile(const QString &path);
    // Loads ORG/NAME[@REVISION] in the background (HubModelLoader); a test
    // points HF_ENDPOINT at its own server and waits for the model.
    void openFromHub(const QString &id);
    HubModelLoader *hubLoader() const { return m_hubLoader; }
    // Loads a built-in model by name (the model picker).
    bool loadPreset(const QString &name);
    ModelPickerDialog *modelPicker();
    QAction *openAction() const { return m_open; }
    // File > Open Recent: the config files opened last, newest first, kept in
    // the settings (open/recent); one that is gone shows disabled.
    QMenu *recentMenu() const { return m_recentMenu; }
    QStringList recentFiles() const { return m_recentFiles; }
    static constexpr int kMaxRecentFiles = 8;
    // The guide Help > User Guide opens: the installed one, else the source
    // tree's; "" when neither is there.
    static QString userGuidePath();
    QAction *userGuideAction() const { return m_userGuide; }
    QAction *chooseModelAction() const { return m_chooseModel; }
    QAction *pinAction() const { return m_pin; }
    QAction *unpinAllAction() const { return m_unpinAll; }
    QMenu *unpinMenu() const { return m_unpinMenu; }

public Q_SLOTS:
    // Pins the current curve; the seventh is refused with a message.
    bool pinCurrentCurve();

    // What loading the saved settings left out and where the file was kept
    // ("Settings file <file>: pin 2 ... left out: ...; the file as it was is
    // kept as <file>.damaged"); nothing when everything loaded.
    std::optional<QString> settingsNotice() const { return m_settingsNotice; }

public Q_SLOTS:
    // Writes the configuration and the window's layout, merging pins with
    // another window's (ConfigModel::saveSettings()). When that fails, the
    // previous file stays, the status bar says why, and so does the result:
    // "Settings not saved: <file>: <reason>". When a pin could not be kept,
    // the file as it was is kept aside and the result names the pin.
    std::optional<QString> saveSettings() const;
    void exportContextChart();
    void exportGroupsChart();
    void exportReport();
    // Asks for a file, then (but for CSV) the figure options with a preview.
    void exportChart(ChartKind kind);
    void showAbout();
    // File > Open from Hugging Face: the id asked for, then loaded in the
    // background with a progress dialog and Cancel; the window stays usable.
    void openFromHubDialog();
    void hubModelLoaded(const HubResult &result);
    // Opens userGuidePath() with the desktop's viewer; says so when it cannot.
    bool showUserGuide();

protected:
    void showEvent(QShowEvent *event) override;
    void closeEvent(QCloseEvent *event) override;
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dropEvent(QDropEvent *event) override;

    enum class MessageKind { ExportError, ImportError, Notice, About };
    // Shows a window-modal, non-blocking message box. A test overrides it to
    // record the message: the offscreen platform cannot show a QMessageBox
    // without a warning.
    virtual void presentMessage(MessageKind kind, const QString &title, const QString &text,
                                const QString &informativeText);
    // The export dialog (FigureExportDialog); false when cancelled. A test
    // overrides it to choose without a modal dialog.
    virtual bool askFigureOptions(ChartKind kind, ExportFormat format, ExportOptions *options);
    // The file dialog; an empty path when cancelled.
    virtual QString askSavePath(const QString &title, const QString &fileName, const QStringList &filters);

private:
    void buildCentralWidget();
    void buildMenus();
    void loadSettings();
    void exported(const QString &path);
    void syncUnitActions();
    void openConfigDialog();
    void addRecentFile(const QString &path);
    void syncRecentMenu();
    void syncModel();
    void syncPins();
    void resetToDefaults();
    // Records the step just made under `name`; the other choices it changed, as a sentence for the status bar.
    QString recordStep(const QString &name);

    ConfigModel *m_model;
    ControlPanel *m_controls = nullptr;
    BudgetPanel *m_budget = nullptr;
    SummaryPanel *m_summary = nullptr;
    ResultsStrip *m_results = nullptr;
    int m_controlsWidth = 0;  // the control panel's width without scrolling
    bool m_defaultSplit = false;  // no saved split: placed at the first show
    ContextChartView *m_contextChart = nullptr;
    GroupsChartView *m_groupsChart = nullptr;
    QSplitter *m_mainSplitter = nullptr;
    ChartArea *m_charts = nullptr;
    HubModelLoader *m_hubLoader = nullptr;
    QProgressDialog *m_hubProgress = nullptr;
    QString m_lastHubId;
    QTimer *m_saveTimer = nullptr;
    QAction *m_copyReport = nullptr;
    QAction *m_copyContextChart = nullptr;
    QAction *m_copyGroupsChart = nullptr;
    QAction *m_reset = nullptr;
    QAction *m_undo = nullptr;
    QAction *m_redo = nullptr;
    ConfigHistory *m_history = nullptr;
    QAction *m_decimalUnits = nullptr;
    QAction *m_binaryUnits = nullptr;
    QAction *m_open = nullptr;
    QAction *m_chooseModel = nullptr;
    QAction *m_userGuide = nullptr;
    QMenu *m_recentMenu = nullptr;
    QStringList m_recentFiles;
    QAction *m_clearModel = nullptr;
    QAction *m_pin = nullptr;
    QAction *m_unpinAll = nullptr;
    QMenu *m_unpinMenu = nullptr;
    ModelPickerDialog *m_picker = nullptr;
    ModelDetailsPanel *m_details = nullptr;
    QString m_exportDir;
    QString m_openDir;
    std::optional<QString> m_settingsNotice;
};
