#pragma once

#include <QByteArray>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QString>
#include <cstdint>
#include <vector>

// Writes .safetensors files for tests: the real header, then the data section
// left sparse (QFile::resize), so a multi-gigabyte model costs a few KiB.
// Each tensor's byte size is given by the test, worked out by hand from its
// shape and dtype, so a reader that sizes dtypes wrongly is caught.
namespace SafetensorsFixture {

struct Tensor {
    QString name;
    QString dtype;
    std::vector<std::int64_t> shape;
    std::uint64_t bytes;
};

inline QByteArray header(const std::vector<Tensor> &tensors, std::uint64_t *dataBytes = nullptr) {
    QJsonObject root;
    std::uint64_t offset = 0;
    for (const Tensor &t : tensors) {
        QJsonArray shape;
        for (std::int64_t d : t.shape) shape.append(static_cast<double>(d));
        root.insert(t.name, QJsonObject{{QStringLiteral("dtype"), t.dtype},
                                        {QStringLiteral("shape"), shape},
                                        {QStringLiteral("data_offsets"),
                                         QJsonArray{static_cast<double>(offset), static_cast<double>(offset + t.bytes)}}});
        offset += t.bytes;
    }
    root.insert(QStringLiteral("__metadata__"), QJsonObject{{QStringLiteral("format"), QStringLiteral("pt")}});
    if (dataBytes) *dataBytes = offset;
    return QJsonDocument(root).toJson(QJsonDocument::Compact);
}

inline QByteArray lengthPrefix(std::uint64_t n) {
    QByteArray bytes(8, '\0');
    for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>((n >> (8 * i)) & 0xff);
    return bytes;
}

// A file of the given header JSON and `dataBytes` of (sparse) data.
inline bool writeRaw(const QString &path, const QByteArray &json, std::uint64_t dataBytes) {
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate)) return false;
    file.write(lengthPrefix(static_cast<std::uint64_t>(json.size())));
    file.write(json);
    return file.resize(8 + json.size() + static_cast<qint64>(dataBytes));
}

inline bool write(const QString &path, const std::vector<Tensor> &tensors) {
    std::uint64_t data = 0;
    const QByteArray json = header(tensors, &data);
    return writeRaw(path, json, data);
}

}  // namespace SafetensorsFixture
