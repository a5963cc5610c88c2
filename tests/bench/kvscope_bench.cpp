// kvscope-bench: the figures behind the speed targets, printed as
// "name: value" lines (medians of repeated runs). Targets are checked by
// reading these figures, never by timed assertions in tests: shared machines
// are too noisy for that.
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <spawn.h>
#include <unistd.h>

#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QImage>
#include <QPainter>
#include <QSlider>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "ConfigModel.h"
#include "ContextChartView.h"
#include "ControlPanel.h"
#include "GroupSelector.h"
#include "GroupsChartView.h"
#include "LogContextSlider.h"
#include "MainWindow.h"
#include "SettingsFormat.h"
#include "SliderSpinBox.h"
#include "kvscope/estimator.h"

using namespace Qt::StringLiterals;

namespace {

double percentile(std::vector<double> values, double p) {
    if (values.empty()) return 0.0;
    std::sort(values.begin(), values.end());
    const auto index = static_cast<std::size_t>(p * static_cast<double>(values.size() - 1) + 0.5);
    return values[std::min(index, values.size() - 1)];
}

void print(const char *name, double value, const char *format = "%.3f") {
    std::printf("%s: ", name);
    std::printf(format, value);
    std::printf("\n");
    std::fflush(stdout);
}

// One step of a slider as a user's arrow key makes it, bouncing at the ends.
void stepSlider(QSlider *slider, int &direction) {
    if (slider->value() >= slider->maximum()) direction = -1;
    if (slider->value() <= slider->minimum()) direction = 1;
    slider->triggerAction(direction > 0 ? QAbstractSlider::SliderSingleStepAdd
                                        : QAbstractSlider::SliderSingleStepSub);
}

std::vector<QSlider *> sliders(const MainWindow &window) {
    const ControlPanel *panel = window.controlPanel();
    return {panel->headsControl()->slider(), panel->groupSelector()->slider(), panel->layersControl()->slider(),
            panel->embDimControl()->slider(), panel->contextSlider(),         panel->batchControl()->slider()};
}

void benchSliderToCharts(MainWindow &window, const char *p50Name, const char *p99Name) {
    std::vector<QSlider *> controls = sliders(window);
    std::vector<int> directions(controls.size(), 1);
    std::vector<double> ms;
    constexpr int kSteps = 1000;
    ms.reserve(kSteps);
    QCoreApplication::processEvents();
    for (int step = 0; step < kSteps; ++step) {
        const std::size_t which = static_cast<std::size_t>(step) % controls.size();
        QElapsedTimer timer;
        timer.start();
        stepSlider(controls[which], directions[which]);
        // Deliver only the queued estimateChanged(): the chart views replace
        // their series points in it. Painting is measured separately.
        QCoreApplication::sendPostedEvents(nullptr, QEvent::MetaCall);
        ms.push_back(static_cast<double>(timer.nsecsElapsed()) / 1e6);
        QCoreApplication::processEvents();
    }
    print(p50Name, percentile(ms, 0.5));
    print(p99Name, percentile(ms, 0.99));
}

void benchChartPaint(MainWindow &window) {
    window.model()->resetToDefaults();
    window.resize(1920, 1080);
    QCoreApplication::processEvents();
    QWidget *chartArea = window.contextChartView()->parentWidget();
    QImage image(1920, 1080, QImage::Format_ARGB32_Premultiplied);
    std::vector<double> ms;
    for (int run = 0; run < 60; ++run) {
        image.fill(Qt::white);
        QElapsedTimer timer;
        timer.start();
        QPainter painter(&image);
        chartArea->render(&painter);
        painter.end();
        ms.push_back(static_cast<double>(timer.nsecsElapsed()) / 1e6);
    }
    print("chart_paint_ms_p50", percentile(ms, 0.5));
}

void benchDragCoalescing(MainWindow &window) {
    QSlider *layers = window.controlPanel()->layersControl()->slider();
    std::vector<double> perTurn;
    for (int run = 0; run < 5; ++run) {
        QCoreApplication::processEvents();
        const int before = window.model()->recomputeCount();
        int direction = 1;
        for (int event = 0; event < 200; ++event) stepSlider(layers, direction);
        QCoreApplication::processEvents();
        perTurn.push_back(window.model()->recomputeCount() - before);
    }
    print("drag_coalescing", percentile(perTurn, 0.5), "%.0f");
}

void benchCoreEstimates() {
    // A sweep of shapes, so nothing is constant-folded away.
    std::vector<double> rates;
    for (int run = 0; run < 5; ++run) {
        std::uint64_t checksum = 0;
        std::uint64_t count = 0;
        const auto start = std::chrono::steady_clock::now();
        for (std::uint32_t heads : {8u, 16u, 24u, 32u, 64u, 128u}) {
            for (std::uint32_t groups : {1u, 2u, 4u, 8u}) {
                for (std::uint32_t layers = 1; layers <= 128; ++layers) {
                    for (std::uint64_t context = 256; context <= (1u << 20); context *= 2) {
                        kvscope::ModelShape shape{heads * 128, heads, groups, layers, std::nullopt};
                        kvscope::Workload workload{context, 1, kvscope::DType::bf16};
                        auto estimate = kvscope::estimate(shape, workload);
                        checksum += estimate ? estimate->gqa_bytes : 1;
                        ++count;
                    }
                }
            }
        }
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        if (checksum == 42) std::printf("#\n");  // keeps the loop observable
        rates.push_back(static_cast<double>(count) / seconds);
    }
    print("core_estimates_per_s", percentile(rates, 0.5), "%.0f");
}

struct ChildRun {
    double ms = 0.0;
    long peakRssKb = 0;
    int status = -1;
};

// Runs a program and reports its wall time to exit and peak resident memory.
// Its standard output goes nowhere: only the figures are printed here.
ChildRun runChild(const std::vector<std::string> &args) {
    std::vector<char *> argv;
    for (const std::string &arg : args) argv.push_back(const_cast<char *>(arg.c_str()));
    argv.push_back(nullptr);
    ChildRun run;
    posix_spawn_file_actions_t quiet;
    posix_spawn_file_actions_init(&quiet);
    posix_spawn_file_actions_addopen(&quiet, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    const auto start = std::chrono::steady_clock::now();
    pid_t pid = 0;
    const int spawned = posix_spawn(&pid, argv[0], &quiet, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&quiet);
    if (spawned != 0) return run;
    int status = 0;
    rusage usage{};
    wait4(pid, &status, 0, &usage);
    run.ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    run.peakRssKb = usage.ru_maxrss;
    run.status = status;
    return run;
}

void benchCliSeedFigures(const QString &binDir) {
    QTemporaryDir dir;
    const std::string cli = QDir(binDir).filePath(u"kvscope-cli"_s).toStdString();
    const std::string context = dir.filePath(u"kv_bytes_vs_context_length.pdf"_s).toStdString();
    const std::string groups = dir.filePath(u"savings_vs_n_kv_groups.pdf"_s).toStdString();
    std::vector<double> ms;
    for (int run = 0; run < 7; ++run) {
        const ChildRun child = runChild({cli, "--emb_dim", "2048", "--n_heads", "24", "--n_layers", "48",
                                         "--n_kv_groups", "4", "--context_length", "8192", "--batch_size", "1",
                                         "--dtype", "bf16", "--chart", "context", "--out", context, "--chart",
                                         "groups", "--out", groups});
        if (child.status != 0) {
            std::fprintf(stderr, "kvscope-bench: kvscope-cli failed (status %d)\n", child.status);
            return;
        }
        ms.push_back(child.ms);
    }
    print("cli_seed_figures_ms", percentile(ms, 0.5));
}

// The seed's figures (both PDFs and the report, from the book's flags)
// beside the book's matplotlib script writing its two PDFs, in turns, when
// python3 with matplotlib (Debian: python3-matplotlib) is there.
void benchAgainstMatplotlib(const QString &binDir) {
    const QString python = QStandardPaths::findExecutable(u"python3"_s, {u"/usr/bin"_s});
    if (python.isEmpty() || runChild({python.toStdString(), "-c", "import matplotlib"}).status != 0) {
        std::printf("matplotlib_seed_figures_ms: not measured (no python3-matplotlib)\n");
        return;
    }
    QTemporaryDir dir;
    const std::string cli = QDir(binDir).filePath(u"kvscope-cli"_s).toStdString();
    const std::string script = KVSCOPE_BENCH_DIR "/book_plot_memory_estimates.py";
    std::vector<double> ours, book;
    // The script writes its PDFs into the current folder.
    const QString previous = QDir::currentPath();
    QDir::setCurrent(dir.path());
    for (int run = 0; run < 5; ++run) {
        const ChildRun figures = runChild({cli, "--emb_dim", "2048", "--n_heads", "24", "--n_layers", "48",
                                           "--n_kv_groups", "4", "--context_length", "8192", "--batch_size", "1",
                                           "--dtype", "bf16", "--chart", "context", "--out", "context.pdf", "--chart",
                                           "groups", "--out", "groups.pdf", "--report", "report.pdf"});
        const ChildRun matplotlib = runChild({python.toStdString(), script});
        if (figures.status != 0 || matplotlib.status != 0) {
            std::fprintf(stderr, "kvscope-bench: a seed figure run failed (status %d, %d)\n", figures.status,
                         matplotlib.status);
            QDir::setCurrent(previous);
            return;
        }
        ours.push_back(figures.ms);
        book.push_back(matplotlib.ms);
    }
    QDir::setCurrent(previous);
    print("seed_figures_with_report_ms", percentile(ours, 0.5));
    print("matplotlib_seed_figures_ms", percentile(book, 0.5));
    print("seed_figures_speedup", percentile(book, 0.5) / percentile(ours, 0.5));
}

void benchStartup(const QString &binDir) {
    const std::string app = QDir(binDir).filePath(u"kvscope"_s).toStdString();
    QTemporaryDir home;
    // A fresh settings folder each run, so the start is a first start.
    qputenv("XDG_CONFIG_HOME", home.path().toLocal8Bit());
    std::vector<double> ms;
    std::vector<double> rss;
    for (int run = 0; run < 7; ++run) {
        const ChildRun child = runChild({app, "-platform", "offscreen", "--exit-after-first-frame"});
        if (child.status != 0) {
            std::fprintf(stderr, "kvscope-bench: kvscope failed (status %d)\n", child.status);
            return;
        }
        ms.push_back(child.ms);
        rss.push_back(static_cast<double>(child.peakRssKb) / 1024.0);
    }
    print("startup_to_first_frame_ms", percentile(ms, 0.5));
    print("peak_rss_mb", percentile(rss, 0.5), "%.1f");
}

}  // namespace

int main(int argc, char **argv) {
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
    QTemporaryDir settingsHome;
    qputenv("XDG_CONFIG_HOME", settingsHome.path().toLocal8Bit());  // never touch the user's settings
    QApplication app(argc, argv);
    QApplication::setOrganizationName(u"KVScopeBench"_s);
    QApplication::setApplicationName(u"kvscope-bench"_s);
    SettingsFormat::install();  // the window's own settings format, as kvscope uses it
    const QString binDir = QCoreApplication::applicationDirPath();
    // Arguments pick figures by the start of their names ("slider", "cli"),
    // to repeat one under a profiler; none runs them all.
    const QStringList only = QCoreApplication::arguments().mid(1);
    auto wanted = [&only](const char *name) {
        if (only.isEmpty()) return true;
        for (const QString &prefix : only) {
            if (QString::fromLatin1(name).startsWith(prefix)) return true;
        }
        return false;
    };

    if (wanted("core_estimates")) benchCoreEstimates();
    if (wanted("slider_to_charts") || wanted("drag_coalescing") || wanted("chart_paint")) {
        MainWindow window;
        window.resize(1280, 800);
        window.show();
        QCoreApplication::processEvents();
        if (wanted("slider_to_charts")) {
            benchSliderToCharts(window, "slider_to_charts_ms_p50", "slider_to_charts_ms_p99");
            // The same steps with a GPU budget: the plan, its solvers and the
            // budget line and markers join every step.
            window.model()->resetToDefaults();
            window.model()->setGpu(u"h100-80gb"_s);
            window.model()->setBudgetEnabled(true);
            benchSliderToCharts(window, "slider_to_charts_with_budget_ms_p50", "slider_to_charts_with_budget_ms_p99");
            window.model()->resetToDefaults();
        }
        if (wanted("drag_coalescing")) benchDragCoalescing(window);
        if (wanted("chart_paint")) benchChartPaint(window);
    }
    if (wanted("cli_seed_figures")) benchCliSeedFigures(binDir);
    if (wanted("seed_figures_with_report") || wanted("matplotlib")) benchAgainstMatplotlib(binDir);
    if (wanted("startup_to_first_frame") || wanted("peak_rss")) benchStartup(binDir);
    return 0;
}
