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

// Llama 3.1 8B as its checkpoint stores it: hidden 4096, 32 layers, 8 KV
// heads of 128 (k/v 1024 wide), MLP 14336, vocabulary 128256, untied head.
// bf16 weights with the 65 norms in F32: bytes = elements x 2 (x 4 for F32).
inline std::vector<Tensor> llama8bTensors() {
    auto bf16 = [](QString name, std::int64_t rows, std::int64_t cols) {
        return Tensor{std::move(name), QStringLiteral("BF16"), {rows, cols}, static_cast<std::uint64_t>(rows * cols * 2)};
    };
    auto norm = [](QString name) { return Tensor{std::move(name), QStringLiteral("F32"), {4096}, 4096 * 4}; };
    std::vector<Tensor> t{bf16(QStringLiteral("model.embed_tokens.weight"), 128256, 4096)};
    for (int i = 0; i < 32; ++i) {
        const QString p = QStringLiteral("model.layers.") + QString::number(i) + u'.';
        t.push_back(bf16(p + QStringLiteral("self_attn.q_proj.weight"), 4096, 4096));
        t.push_back(bf16(p + QStringLiteral("self_attn.k_proj.weight"), 1024, 4096));
        t.push_back(bf16(p + QStringLiteral("self_attn.v_proj.weight"), 1024, 4096));
        t.push_back(bf16(p + QStringLiteral("self_attn.o_proj.weight"), 4096, 4096));
        t.push_back(bf16(p + QStringLiteral("mlp.gate_proj.weight"), 14336, 4096));
        t.push_back(bf16(p + QStringLiteral("mlp.up_proj.weight"), 14336, 4096));
        t.push_back(bf16(p + QStringLiteral("mlp.down_proj.weight"), 4096, 14336));
        t.push_back(norm(p + QStringLiteral("input_layernorm.weight")));
        t.push_back(norm(p + QStringLiteral("post_attention_layernorm.weight")));
    }
    t.push_back(norm(QStringLiteral("model.norm.weight")));
    t.push_back(bf16(QStringLiteral("lm_head.weight"), 128256, 4096));
    return t;
}

// Meta's published parameter count of Llama 3.1 8B.
inline constexpr std::uint64_t kLlama8bParameters = 8'030'261'248;
// All in bf16, plus 2 more bytes for each of the 65 x 4096 F32 norm elements.
inline constexpr std::uint64_t kLlama8bBytes = kLlama8bParameters * 2 + 65 * 4096 * 2;


struct Shard {
    QString name;
    std::vector<Tensor> tensors;
};

// Llama 3.1 8B in 4 shards of up to 75 tensors, named as the Hub names them.
inline std::vector<Shard> llama8bShards() {
    std::vector<Shard> shards;
    for (const Tensor &t : llama8bTensors()) {
        if (shards.empty() || shards.back().tensors.size() == 75) {
            shards.push_back({QStringLiteral("model-0000%1-of-00004.safetensors").arg(shards.size() + 1), {}});
        }
        shards.back().tensors.push_back(t);
    }
    return shards;
}

inline QByteArray indexJson(const std::vector<Shard> &shards) {
    QJsonObject weightMap;
    for (const Shard &shard : shards) {
        for (const Tensor &t : shard.tensors) weightMap.insert(t.name, shard.name);
    }
    return QJsonDocument(QJsonObject{{QStringLiteral("metadata"), QJsonObject{{QStringLiteral("total_size"), double(kLlama8bBytes)}}},
                                     {QStringLiteral("weight_map"), weightMap}})
        .toJson();
}

// A file's first bytes (length and header) and its whole size.
inline QByteArray prefix(const std::vector<Tensor> &tensors, std::uint64_t *fileSize) {
    std::uint64_t data = 0;
    const QByteArray json = header(tensors, &data);
    *fileSize = 8 + static_cast<std::uint64_t>(json.size()) + data;
    return lengthPrefix(static_cast<std::uint64_t>(json.size())) + json;
}

}  // namespace SafetensorsFixture
