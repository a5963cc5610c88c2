#pragma once

#include <QJsonObject>
#include <QString>

// One built-in model: its config keys exactly as its Hugging Face config.json
// names them, so a preset loads through the same importer as a user's file.
struct Preset {
    QString name;    // "Llama 3.1 8B": unique, what --model and the picker take
    QString family;  // "Llama 3.1"
    QString source;  // where the numbers come from (the config.json's address)
    QJsonObject config;
};
