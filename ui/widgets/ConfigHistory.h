#pragma once

#include <QObject>
#include <QString>
#include <QStringList>

#include "ConfigModel.h"

class QUndoStack;

// Undo and redo for every change to the configuration: edits, loads, Reset,
// pins, deployment choices. Each step holds the whole configuration before
// and after (ConfigModel::Snapshot), so any change, however it was made, is
// taken back exactly. Changes are recorded once per event-loop turn, as the
// model reports them; a slider drag between beginGesture() and endGesture()
// is one step.
class ConfigHistory : public QObject {
    Q_OBJECT
public:
    explicit ConfigHistory(ConfigModel *model, QObject *parent = nullptr);
    ~ConfigHistory() override;

    QUndoStack *stack() const { return m_stack; }
    // Records whatever changed since the last step, now (the model's own
    // notice comes one event-loop turn later). Returns the changes in words,
    // all of them or only the user's choices (ConfigModel::ChangeScope).
    QStringList record(ConfigModel::ChangeScope scope = ConfigModel::ChangeScope::Everything);
    // The next recorded step's name in the Edit menu ("Reset to defaults",
    // "Load Llama 3.1 8B") instead of the changes it makes.
    void nameNextStep(const QString &name) { m_nextName = name; }
    void beginGesture();
    void endGesture();

private:
    class Step;
    void apply(const ConfigModel::Snapshot &state);

    ConfigModel *m_model;
    QUndoStack *m_stack;
    ConfigModel::Snapshot m_current;
    QString m_nextName;
    int m_gestureDepth = 0;
    quint64 m_gesture = 0;  // the open gesture's number; 0 outside one
    quint64 m_gestures = 0;
};
