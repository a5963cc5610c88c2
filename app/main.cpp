// kvscope: the window. The same numbers and figures without a display come
// from kvscope-cli.

#if defined(__unix__)
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#endif

#include <QApplication>
#include <QEvent>
#include <QIcon>
#include <QTimer>
#include <csignal>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "MainWindow.h"
#include "SettingsFormat.h"

using namespace Qt::StringLiterals;

namespace {

constexpr std::string_view kUsage =
    "Usage: kvscope [Qt options] [config.json]\n"
    "\n"
    "KV Scope: how much memory an LLM's KV cache takes, and how much grouped-query\n"
    "attention saves over multi-head attention, as you drag sliders.\n"
    "\n"
    "Options:\n"
    "  -h, --help     Show this help and exit.\n"
    "  -v, --version  Show the version and exit.\n"
    "  --exit-after-first-frame\n"
    "                 Quit as soon as the window has painted once (start-up benchmarks).\n"
    "\n"
    "A Hugging Face config.json given as the first argument is loaded at start.\n"
    "The last configuration and window geometry are remembered between runs.\n"
    "Without a display, use kvscope-cli for the same numbers and figures.\n";

bool envSet(const char *name) {
    const char *value = std::getenv(name);
    return value && *value;
}

// Qt aborts with a trace when it cannot open a display; say it in one line
// instead. A platform chosen explicitly (QT_QPA_PLATFORM, -platform) is
// trusted.
#if defined(Q_OS_UNIX) && !defined(Q_OS_MACOS)
// Whether a local X server answers at DISPLAY (":0", "unix:0", ":0.0").
// Remote displays (host:0) are left for Qt to try.
bool x11DisplayAnswers(std::string_view display) {
    const std::size_t colon = display.rfind(':');
    if (colon == std::string_view::npos) return false;
    const std::string_view host = display.substr(0, colon);
    if (!host.empty() && host != "unix") return true;
    std::string_view number = display.substr(colon + 1);
    number = number.substr(0, number.find('.'));
    if (number.empty() || number.find_first_not_of("0123456789") != std::string_view::npos) return false;
    const std::string path = "/tmp/.X11-unix/X" + std::string(number);
    // Linux X servers listen on an abstract socket and on the file; try both.
    for (bool abstract : {true, false}) {
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        std::memcpy(address.sun_path + (abstract ? 1 : 0), path.data(), path.size());
        const auto length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size() + (abstract ? 1 : 0));
        const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) return false;
        const bool connected = ::connect(fd, reinterpret_cast<const sockaddr *>(&address), length) == 0;
        ::close(fd);
        if (connected) return true;
    }
    return false;
}
#endif

bool displayAvailable(int argc, char **argv) {
#if defined(Q_OS_UNIX) && !defined(Q_OS_MACOS)
    if (envSet("WAYLAND_DISPLAY") || envSet("QT_QPA_PLATFORM")) return true;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg == "-platform" || arg == "--platform" || arg.starts_with("-platform=")) return true;
    }
    // Qt aborts with a trace when DISPLAY names a server that is not there.
    return envSet("DISPLAY") && x11DisplayAnswers(std::getenv("DISPLAY"));
#else
    Q_UNUSED(argc);
    Q_UNUSED(argv);
    return true;
#endif
}

// Quits once the window's first paint has finished, so a benchmark can time
// start-up to the first frame from outside the process.
class FirstFrameQuitter : public QObject {
public:
    using QObject::QObject;

protected:
    bool eventFilter(QObject *watched, QEvent *event) override {
        if (event->type() == QEvent::Paint) {
            watched->removeEventFilter(this);
            QTimer::singleShot(0, qApp, &QCoreApplication::quit);
        }
        return false;
    }
};

}  // namespace

int main(int argc, char **argv) {
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg == "-h" || arg == "--help") {
            std::fwrite(kUsage.data(), 1, kUsage.size(), stdout);
            return 0;
        }
        if (arg == "-v" || arg == "--version") {
            std::printf("kvscope %s\n", KVSCOPE_VERSION);
            return 0;
        }
    }
    if (!displayAvailable(argc, argv)) {
        std::fputs(
            "kvscope: no display available; use kvscope-cli for the same numbers and figures without a "
            "window\n",
            stderr);
        return 1;
    }

    // Past a file size limit (ulimit -f) a save or an export fails with EFBIG
    // and says so; the signal would end the window and lose the session.
    std::signal(SIGXFSZ, SIG_IGN);
    QApplication app(argc, argv);
    QApplication::setOrganizationName(u"KVScope"_s);
    QApplication::setApplicationName(u"kvscope"_s);
    QApplication::setApplicationDisplayName(u"KV Scope"_s);
    QApplication::setApplicationVersion(QString::fromLatin1(KVSCOPE_VERSION));
    QApplication::setWindowIcon(QIcon(u":/icons/kvscope.svg"_s));
    // kvscope.json, written whole or not at all (see SettingsFormat.h).
    SettingsFormat::install();
    if (const auto notice = SettingsFormat::startupNotice()) std::fprintf(stderr, "kvscope: %s\n", qUtf8Printable(*notice));

    MainWindow window;
    if (const auto notice = window.settingsNotice()) std::fprintf(stderr, "kvscope: %s\n", qUtf8Printable(*notice));
    if (QCoreApplication::arguments().contains(u"--exit-after-first-frame"_s)) {
        window.installEventFilter(new FirstFrameQuitter(&window));
    }
    window.show();
    // The desktop entry runs "kvscope %f": the first positional argument is
    // a config.json (Qt has already taken its own options out).
    const QStringList arguments = QCoreApplication::arguments().mid(1);
    for (const QString &argument : arguments) {
        if (argument.startsWith(u'-')) continue;
        window.openConfigFile(argument);
        break;
    }
    const int status = QApplication::exec();
    // However the event loop ended, the configuration is kept for next time;
    // when it cannot be, the previous file stays and the user is told why.
    if (const auto error = window.saveSettings()) std::fprintf(stderr, "kvscope: %s\n", qUtf8Printable(*error));
    return status;
}
