#include "ConfigHistory.h"

#include <QUndoCommand>
#include <QUndoStack>
#include <utility>

using namespace Qt::StringLiterals;

namespace {

// The Edit menu's "Undo <text>": the first few changes, in words.
QString stepText(const QStringList &changes) {
    constexpr qsizetype kShown = 3;
    QString text = changes.mid(0, kShown).join(u", "_s);
    if (changes.size() > kShown) text += QObject::tr(" and %n more", nullptr, static_cast<int>(changes.size() - kShown));
    return text;
}

}  // namespace

class ConfigHistory::Step : public QUndoCommand {
public:
    // `text` is the step's name, or its changes in words (already described by record()).
    Step(ConfigHistory *history, ConfigModel::Snapshot before, ConfigModel::Snapshot after, QString name,
         const QString &text, quint64 gesture)
        : m_history(history),
          m_before(std::move(before)),
          m_after(std::move(after)),
          m_name(std::move(name)),
          m_gesture(gesture) {
        setText(text);
    }

    // The change is made already when the step is pushed.
    void redo() override {
        if (std::exchange(m_pushed, true)) m_history->apply(m_after);
    }
    void undo() override { m_history->apply(m_before); }
    int id() const override { return 1; }
    // Steps of one slider drag become one.
    bool mergeWith(const QUndoCommand *other) override {
        const auto *next = static_cast<const Step *>(other);
        if (m_gesture == 0 || next->m_gesture != m_gesture) return false;
        m_after = next->m_after;
        setText(m_name.isEmpty() ? stepText(ConfigModel::describeChanges(m_before, m_after)) : m_name);
        return true;
    }

private:
    ConfigHistory *m_history;
    ConfigModel::Snapshot m_before;
    ConfigModel::Snapshot m_after;
    QString m_name;
    quint64 m_gesture;
    bool m_pushed = false;
};

ConfigHistory::ConfigHistory(ConfigModel *model, QObject *parent)
    : QObject(parent), m_model(model), m_stack(new QUndoStack(this)), m_current(model->snapshot()) {
    connect(model, &ConfigModel::estimateChanged, this, [this] { record(); });
}

ConfigHistory::~ConfigHistory() = default;

QStringList ConfigHistory::record(ConfigModel::ChangeScope scope) {
    ConfigModel::Snapshot now = m_model->snapshot();
    if (now == m_current) return {};
    const QStringList changes = ConfigModel::describeChanges(m_current, now);
    const QStringList said = scope == ConfigModel::ChangeScope::Everything
                                 ? changes
                                 : ConfigModel::describeChanges(m_current, now, scope);
    ConfigModel::Snapshot before = std::exchange(m_current, now);
    QString name = std::exchange(m_nextName, {});
    const QString text = name.isEmpty() ? stepText(changes) : name;
    m_stack->push(new Step(this, std::move(before), std::move(now), std::move(name), text, m_gesture));
    return said;
}

void ConfigHistory::beginGesture() {
    if (m_gestureDepth++ > 0) return;
    record();  // what came before the drag is a step of its own
    m_gesture = ++m_gestures;
}

void ConfigHistory::endGesture() {
    if (m_gestureDepth == 0 || --m_gestureDepth > 0) return;
    record();  // the drag's last move may not have been reported yet
    m_gesture = 0;
}

void ConfigHistory::apply(const ConfigModel::Snapshot &state) {
    m_current = state;
    m_model->restore(state);
}
