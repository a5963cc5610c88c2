#pragma once

#include <QJsonObject>
#include <QString>
#include <cstdint>
#include <optional>

// One built-in model: its config keys exactly as its Hugging Face config.json
// names them, so a preset loads through the same importer as a user's file.
struct Preset {
    QString name;    // "Llama 3.1 8B": unique, what --model and the picker take
    QString family;  // "Llama 3.1"
    QString source;  // where the numbers come from (the config.json's address)
    QJsonObject config;
    // The published total parameter count, for models whose count the config
    // cannot give (experts, MLA, a vision tower); it wins over a computed one.
    std::optional<std::uint64_t> parameters;
    QString parameters_source;  // where that count is published
};
