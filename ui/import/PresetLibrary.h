#pragma once

#include <QByteArrayView>
#include <QList>
#include <QString>
#include <QStringList>

#include "ImportedModel.h"
#include "Preset.h"
#include "kvscope/result.h"

// The built-in models, shipped as data (resources/presets/models.json,
// compiled into this library as :/kvscope/presets/models.json) rather than
// code. Listable, searchable by substring, loadable by name.
class PresetLibrary {
public:
    // The models compiled into the application.
    static kvscope::Result<PresetLibrary> builtin();
    // A presets file: {"models": [{"name", "family", "source", "config": {...}}, ...]}; a model may add
    // "parameters" (its published total count) with "parameters_source".
    static kvscope::Result<PresetLibrary> fromJson(QByteArrayView json);

    const QList<Preset> &presets() const { return m_presets; }
    QStringList names() const;

    // Exact name, ignoring case; nullptr when there is none.
    const Preset *find(const QString &name) const;

    // Names whose name or family contains `text` (ignoring case), in file
    // order; every name for an empty text.
    QStringList search(const QString &text) const;

    // The named model through ConfigImporter; an unknown name is an error
    // listing close matches.
    kvscope::Result<ImportedModel> load(const QString &name) const;

private:
    QList<Preset> m_presets;
};
