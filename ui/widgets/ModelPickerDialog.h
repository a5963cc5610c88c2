#pragma once

#include <QDialog>

class QLabel;
class QLineEdit;
class QListWidget;

// The built-in models, searchable: typing filters the list by name or family,
// Down moves into the list, Return (or a double-click) chooses.
class ModelPickerDialog : public QDialog {
    Q_OBJECT
public:
    explicit ModelPickerDialog(QWidget *parent = nullptr);
    ~ModelPickerDialog() override;

    QLineEdit *filterEdit() const { return m_filter; }
    QListWidget *list() const { return m_list; }
    // Names shown for the current filter, in list order.
    QStringList shownNames() const;
    // Focus the filter with its text selected, ready for typing.
    void activateFilter();

Q_SIGNALS:
    void modelChosen(const QString &name);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void applyFilter(const QString &text);
    void chooseCurrent();

    QLineEdit *m_filter;
    QListWidget *m_list;
    QLabel *m_source;
};
