#include <QDir>
#include <QFile>
#include <QLocale>
#include <QSettings>
#include <QSize>
#include <QTemporaryDir>
#include <QtTest>
#include <csignal>
#include <limits>
#include <sys/resource.h>

#include "SettingsFormat.h"

using namespace Qt::StringLiterals;

namespace {

QByteArray fileBytes(const QString &path) {
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

// Every file this process writes stops at `bytes` while it lives; write()
// then fails with EFBIG (SIGXFSZ ignored), as on a disk that fills up.
class FileSizeLimit {
public:
    explicit FileSizeLimit(rlim_t bytes) {
        m_oldHandler = std::signal(SIGXFSZ, SIG_IGN);
        ::getrlimit(RLIMIT_FSIZE, &m_old);
        const rlimit limit{bytes, m_old.rlim_max};
        ::setrlimit(RLIMIT_FSIZE, &limit);
    }
    ~FileSizeLimit() {
        ::setrlimit(RLIMIT_FSIZE, &m_old);
        std::signal(SIGXFSZ, m_oldHandler);
    }
    FileSizeLimit(const FileSizeLimit &) = delete;
    FileSizeLimit &operator=(const FileSizeLimit &) = delete;

private:
    rlimit m_old{};
    void (*m_oldHandler)(int) = nullptr;
};

}  // namespace

// The window's settings file: what it holds comes back exactly, a failed
// write leaves the previous file, and an older INI file is carried over.
class TestSettingsFormat : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;

    QString iniPath() const { return m_dir.filePath(u"KVScope/kvscope-test.conf"_s); }
    QString jsonPath() const { return m_dir.filePath(u"KVScope/kvscope-test.json"_s); }

    // Every value type the window and the config model store.
    static QSettings::SettingsMap everyType() {
        QSettings::SettingsMap map;
        map.insert(u"config/dtype"_s, u"bf16"_s);
        map.insert(u"config/model_name"_s, QString());
        map.insert(u"config/model_origin"_s, u"/home/ü ser/Llama-3.1 \"8B\"/config.json"_s);
        map.insert(u"config/binary_units"_s, true);
        map.insert(u"config/budget_enabled"_s, false);
        map.insert(u"config/n_layers"_s, 48);
        map.insert(u"config/negative"_s, -7);
        map.insert(u"config/context_length"_s, qlonglong(8192));
        map.insert(u"config/parameters"_s, qlonglong(9007199254740993));  // 2^53 + 1: no double holds it
        map.insert(u"config/kv_budget_bytes"_s, std::numeric_limits<qlonglong>::min());
        map.insert(u"config/unsigned"_s, std::numeric_limits<qulonglong>::max());
        map.insert(u"config/uint"_s, 4000000000u);
        map.insert(u"config/gpu_utilization"_s, 0.9);
        map.insert(u"config/custom_gpu_memory_gib"_s, 80.0);  // a whole double stays a double
        map.insert(u"config/tiny"_s, 1e-300);
        map.insert(u"config/infinite"_s, std::numeric_limits<double>::infinity());
        map.insert(u"config/hidden_variants"_s, QStringList{u"MHA"_s, u"GQA, 8 groups"_s});
        map.insert(u"config/no_strings"_s, QStringList{});
        map.insert(u"config/extra_groups"_s, QVariantList{2, 4, 16});
        map.insert(u"config/no_groups"_s, QVariantList{});
        map.insert(u"window/geometry"_s, QByteArray("\x01\xd9\xd0\xcb\x00\x03\x00\x00\x00\x00", 10));
        map.insert(u"window/empty_state"_s, QByteArray());
        map.insert(u"window/size"_s, QSize(1280, 800));  // any other type
        map.insert(u"window/nothing"_s, QVariant());
        return map;
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_dir.isValid());
        QCoreApplication::setOrganizationName(u"KVScope"_s);
        QCoreApplication::setApplicationName(u"kvscope-test"_s);
        QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_dir.path());
        QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, m_dir.path());
    }

    void init() {
        QFile::remove(iniPath());
        QFile::remove(jsonPath());
    }

    void everyStoredTypeComesBackExactly() {
        const QSettings::SettingsMap map = everyType();
        const QByteArray json = SettingsFormat::serialize(map);
        const auto parsed = SettingsFormat::parse(json);
        QVERIFY(parsed);
        QCOMPARE(parsed->keys(), map.keys());
        for (auto it = map.cbegin(); it != map.cend(); ++it) {
            const QVariant back = parsed->value(it.key());
            QVERIFY2(back.metaType() == it.value().metaType(), qPrintable(it.key()));
            QVERIFY2(back == it.value(), qPrintable(it.key()));
        }
        // Readable by a person: plain values stay plain.
        QVERIFY(json.contains("\"config/n_layers\": 48"));
        QVERIFY(json.contains("\"config/dtype\": \"bf16\""));
        QVERIFY(json.contains("\"config/binary_units\": true"));
        QCOMPARE(SettingsFormat::serialize(*parsed), json);
    }

    void theSameThroughQSettings() {
        const QSettings::Format format = SettingsFormat::format();
        QCOMPARE(SettingsFormat::format(), format);  // registered once
        const QSettings::SettingsMap map = everyType();
        {
            QSettings settings(jsonPath(), format);
            for (auto it = map.cbegin(); it != map.cend(); ++it) settings.setValue(it.key(), it.value());
            QCOMPARE(SettingsFormat::sync(settings), std::nullopt);
        }
        const QSettings settings(jsonPath(), format);
        QCOMPARE(settings.status(), QSettings::NoError);
        QCOMPARE(settings.allKeys().size(), map.size());
        for (auto it = map.cbegin(); it != map.cend(); ++it) {
            QVERIFY2(settings.value(it.key()).metaType() == it.value().metaType(), qPrintable(it.key()));
            QVERIFY2(settings.value(it.key()) == it.value(), qPrintable(it.key()));
        }
    }

    void aCutOrDamagedFileIsNotRead() {
        const QByteArray json = SettingsFormat::serialize(everyType());
        QVERIFY(!SettingsFormat::parse(json.left(json.size() / 2)));
        QVERIFY(!SettingsFormat::parse("[1, 2]"));
        QVERIFY(!SettingsFormat::parse("{\"a\": {\"bytes\": 5}}"));
        QVERIFY(!SettingsFormat::parse("{\"a\": {\"qlonglong\": \"12x\"}}"));
        QVERIFY(!SettingsFormat::parse("{\"a\": {\"unknown\": 1}}"));
        QVERIFY(!SettingsFormat::parse("{\"a\": [1]}"));
        // A hand-edited fraction where an int was stays a number.
        QCOMPARE(SettingsFormat::parse("{\"a\": 1.5}")->value(u"a"_s), QVariant(1.5));
    }

    // The disk fills up halfway through the write: the previous file keeps
    // its bytes, no temporary file is left, and the reason is given.
    void aWriteFailingMidwayKeepsThePreviousFile() {
        const QSettings::Format format = SettingsFormat::format();
        {
            QSettings settings(jsonPath(), format);
            settings.setValue(u"config/n_layers"_s, 48);
            settings.setValue(u"window/geometry"_s, QByteArray(3000, 'g'));
            QCOMPARE(SettingsFormat::sync(settings), std::nullopt);
        }
        const QByteArray before = fileBytes(jsonPath());
        QVERIFY(before.size() > 4000);
        std::optional<QString> error;
        {
            QSettings settings(jsonPath(), format);
            settings.setValue(u"config/n_layers"_s, 7);
            const FileSizeLimit limit(2048);
            error = SettingsFormat::sync(settings);
        }
        QCOMPARE(error, u"%1: File too large"_s.arg(QDir::toNativeSeparators(jsonPath())));
        QCOMPARE(fileBytes(jsonPath()), before);
        QCOMPARE(QDir(m_dir.filePath(u"KVScope"_s)).entryList(QDir::Files | QDir::Hidden),
                 QStringList{u"kvscope-test.json"_s});
        // Once there is room again, the pending change is written.
        QSettings settings(jsonPath(), format);
        settings.setValue(u"config/n_layers"_s, 7);
        QCOMPARE(SettingsFormat::sync(settings), std::nullopt);
        QCOMPARE(QSettings(jsonPath(), format).value(u"config/n_layers"_s), QVariant(7));
    }

    // Users of a version that wrote kvscope.conf keep their configuration.
    void anOlderIniFileIsCarriedOverOnce() {
        {
            QSettings old(QSettings::NativeFormat, QSettings::UserScope, u"KVScope"_s, u"kvscope-test"_s);
            QCOMPARE(old.fileName(), iniPath());
            old.setValue(u"config/n_layers"_s, 7);
            old.setValue(u"config/dtype"_s, u"fp8"_s);
            old.setValue(u"config/extra_groups"_s, QVariantList{2, 4});
            old.setValue(u"window/geometry"_s, QByteArray("\x01\x00\xff", 3));
        }
        const QByteArray oldBytes = fileBytes(iniPath());
        QCOMPARE(SettingsFormat::install(), SettingsFormat::format());
        QCOMPARE(QSettings::defaultFormat(), SettingsFormat::format());
        {
            const QSettings settings;
            QCOMPARE(settings.fileName(), jsonPath());
            QVERIFY(QFile::exists(jsonPath()));
            QCOMPARE(settings.value(u"config/n_layers"_s).toInt(), 7);
            QCOMPARE(settings.value(u"config/dtype"_s).toString(), u"fp8"_s);
            QCOMPARE(settings.value(u"config/extra_groups"_s).toList(), (QVariantList{2, 4}));
            QCOMPARE(settings.value(u"window/geometry"_s).toByteArray(), QByteArray("\x01\x00\xff", 3));
        }
        QCOMPARE(fileBytes(iniPath()), oldBytes);  // left for an older version
        // Only once: later starts keep what the new file says.
        {
            QSettings settings;
            settings.setValue(u"config/n_layers"_s, 9);
        }
        SettingsFormat::install();
        QCOMPARE(QSettings().value(u"config/n_layers"_s).toInt(), 9);
        QSettings::setDefaultFormat(QSettings::NativeFormat);
    }

    void aDamagedFileIsKeptAsideNotOverwritten() {
        // Read as empty, a damaged file would be replaced by the next save.
        const QByteArray damaged("{\"config/n_layers\": 48, \"config/dtype\": \"bf");
        {
            QFile file(jsonPath());
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write(damaged);
        }
        SettingsFormat::install();
        const auto notice = SettingsFormat::startupNotice();
        QVERIFY(notice.has_value());
        QVERIFY2(notice->contains(jsonPath() + u".damaged"_s), qPrintable(*notice));
        QCOMPARE(fileBytes(jsonPath() + u".damaged"_s), damaged);
        QVERIFY(!QFile::exists(jsonPath()));
        {
            QSettings settings;
            settings.setValue(u"config/n_layers"_s, 12);
            QCOMPARE(SettingsFormat::sync(settings), std::nullopt);
        }
        QCOMPARE(fileBytes(jsonPath() + u".damaged"_s), damaged);
        // A good file is left where it is, with nothing to tell.
        SettingsFormat::install();
        QVERIFY(!SettingsFormat::startupNotice().has_value());
        QCOMPARE(QSettings().value(u"config/n_layers"_s).toInt(), 12);
        QFile::remove(jsonPath() + u".damaged"_s);
        QSettings::setDefaultFormat(QSettings::NativeFormat);
    }

    // A file past the cap is not read at all: moved aside whole, named.
    void anOversizedFileIsKeptAsideUnread() {
        const QByteArray big = "{\"config/n_layers\": 48, \"config/junk\": \"" +
                               QByteArray(SettingsFormat::kMaxFileBytes, 'x') + "\"}";
        {
            QFile file(jsonPath());
            QVERIFY(file.open(QIODevice::WriteOnly));
            QCOMPARE(file.write(big), big.size());
        }
        {
            // Not parsed by any QSettings either (a 200 MB file once took 10 s and 1.4 GB).
            QSettings::setDefaultFormat(SettingsFormat::format());
            const QSettings reader(jsonPath(), SettingsFormat::format());
            QCOMPARE(reader.status(), QSettings::FormatError);
            QVERIFY(reader.allKeys().isEmpty());
        }
        SettingsFormat::install();
        const auto notice = SettingsFormat::startupNotice();
        QVERIFY(notice.has_value());
        QCOMPARE(*notice, u"Settings file %1 is %2 bytes, over the 4 MiB a settings file may have; kept as %1.damaged "
                          u"unread, starting from the defaults"_s.arg(jsonPath(), QLocale(QLocale::English).toString(big.size())));
        QCOMPARE(fileBytes(jsonPath() + u".damaged"_s), big);
        QVERIFY(!QFile::exists(jsonPath()));
        QFile::remove(jsonPath() + u".damaged"_s);
        QSettings::setDefaultFormat(QSettings::NativeFormat);
    }

    // Keys the window does not use are left out once, the file kept aside
    // first; then a save writes only the window's keys, not the junk again.
    void unknownKeysLeaveTheSavePath() {
        QSettings::SettingsMap map;
        map.insert(u"config/n_layers"_s, 48);
        map.insert(u"window/geometry"_s, QByteArray("\x01\x02", 2));
        constexpr int kJunk = 20000;
        for (int i = 0; i < kJunk; ++i) map.insert(u"junk/key%1"_s.arg(i), i);
        const QByteArray original = SettingsFormat::serialize(map);
        {
            QFile file(jsonPath());
            QVERIFY(file.open(QIODevice::WriteOnly));
            QCOMPARE(file.write(original), original.size());
        }
        SettingsFormat::install();
        const auto notice = SettingsFormat::startupNotice();
        QVERIFY(notice.has_value());
        QVERIFY2(notice->contains(u"20,000 keys KV Scope does not use were left out"_s), qPrintable(*notice));
        QVERIFY2(notice->contains(jsonPath() + u".damaged"_s), qPrintable(*notice));
        QCOMPARE(fileBytes(jsonPath() + u".damaged"_s), original);
        {
            const QSettings settings;
            QCOMPARE(settings.allKeys(), (QStringList{u"config/n_layers"_s, u"window/geometry"_s}));
            QCOMPARE(settings.value(u"config/n_layers"_s).toInt(), 48);
        }
        // Ten saves write the window's keys ten times, not 20,002 keys each.
        const quint64 before = SettingsFormat::keysWritten();
        for (int i = 0; i < 10; ++i) {
            QSettings settings;
            settings.setValue(u"config/n_layers"_s, 12 + i);
            QCOMPARE(SettingsFormat::sync(settings), std::nullopt);
        }
        QCOMPARE(SettingsFormat::keysWritten() - before, quint64{10 * 2});
        // The next start has nothing to say.
        SettingsFormat::install();
        QVERIFY(!SettingsFormat::startupNotice().has_value());
        QFile::remove(jsonPath() + u".damaged"_s);
        QSettings::setDefaultFormat(QSettings::NativeFormat);
    }

    // A second unreadable file is kept beside the first one's backup, under
    // the next free number: no backup is ever replaced.
    void backupsAreNumbered() {
        const QByteArray first("{\"config/n_layers\": 4");
        const QByteArray second("not json at all");
        for (const QByteArray &damaged : {first, second}) {
            QFile file(jsonPath());
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write(damaged);
            file.close();
            SettingsFormat::install();
        }
        QVERIFY2(SettingsFormat::startupNotice()->contains(jsonPath() + u".damaged.1"_s),
                 qPrintable(*SettingsFormat::startupNotice()));
        QCOMPARE(fileBytes(jsonPath() + u".damaged"_s), first);
        QCOMPARE(fileBytes(jsonPath() + u".damaged.1"_s), second);
        QCOMPARE(SettingsFormat::keptAsidePath(jsonPath()), jsonPath() + u".damaged.2"_s);
        // keepAside() copies: the file stays for the window to load and save.
        {
            QFile file(jsonPath());
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write("{}");
        }
        QCOMPARE(SettingsFormat::keepAside(jsonPath(), {u"pin 1 left out"_s}),
                 u"Settings file %1: pin 1 left out; the file as it was is kept as %1.damaged.2"_s.arg(
                     QDir::toNativeSeparators(jsonPath())));
        QCOMPARE(fileBytes(jsonPath()), QByteArray("{}"));
        QCOMPARE(fileBytes(jsonPath() + u".damaged.2"_s), QByteArray("{}"));
        for (const QString &suffix : {u".damaged"_s, u".damaged.1"_s, u".damaged.2"_s})
            QFile::remove(jsonPath() + suffix);
        QSettings::setDefaultFormat(QSettings::NativeFormat);
    }

    // JSON lets a key stand twice; reading keeps one value, so the others
    // are named (however the key is escaped), not dropped in silence.
    void repeatedKeysAreNamed() {
        {
            QFile file(jsonPath());
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write("{\"config/pins/size\": 2, \"a\": {\"list\": [{\"uint\": 1}]}, \"b\": \"config/pins/size\",\n"
                       " \"config\\/pins/size\": 1, \"a\": \"x\", \"a\": \"y\"}");
        }
        QCOMPARE(SettingsFormat::repeatedKeys(jsonPath()),
                 QStringList({u"config/pins/size is given 2 times; only the last value is read"_s,
                              u"a is given 3 times; only the last value is read"_s}));
        QCOMPARE(SettingsFormat::parse(fileBytes(jsonPath()))->value(u"config/pins/size"_s), QVariant(1));
        QCOMPARE(SettingsFormat::parse(fileBytes(jsonPath()))->value(u"a"_s), QVariant(u"y"_s));
        // A file written here never repeats a key.
        QCOMPARE(SettingsFormat::repeatedKeys(jsonPath() + u".missing"_s), QStringList{});
        {
            QSettings settings(jsonPath(), SettingsFormat::format());
            settings.setValue(u"a"_s, 1);
            QCOMPARE(SettingsFormat::sync(settings), std::nullopt);
        }
        QCOMPARE(SettingsFormat::repeatedKeys(jsonPath()), QStringList{});
    }
};

QTEST_GUILESS_MAIN(TestSettingsFormat)
#include "tst_settingsformat.moc"
