#pragma once

#include <QString>
#include <functional>
#include <optional>
#include <vector>

class QIODevice;

// Several files written as one: either every file gets its new bytes or
// none does. Each file is made in memory first; then each one replacing a
// regular file (or making a new one) is written in full to a temporary file
// beside it, and only when all of those are complete are they renamed over
// their targets. Any failure before the renames removes every temporary file
// and leaves every old file as it was. A FIFO or a device node is written
// into directly (a renamed file would replace the pipe or the device), after
// the temporary files and before the renames.
class FileBatch {
public:
    // Writes the file's bytes into `device`; returns why not.
    using Writer = std::function<std::optional<QString>(QIODevice *device)>;

    void add(const QString &path, Writer write);

    // Writes everything; nullopt when every file was written, else one line
    // naming the file that failed: "Cannot write "<path>": <why>.".
    std::optional<QString> commit();

private:
    struct Entry {
        QString path;
        Writer write;
    };
    std::vector<Entry> m_entries;
};
