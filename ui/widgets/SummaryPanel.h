#pragma once

#include <QWidget>

class ConfigModel;
class QLabel;
class QPushButton;
class QWidget;

// The numbers of the book's report for the current configuration, live:
// head_dim, K/V heads, MHA and GQA totals, ratio, savings, plus bytes per
// token, in the model's unit (GB or GiB). With a real model loaded, its own
// total and growth per token come first; the book's rows then show its shape.
// With a GPU budget, the plan follows: the largest context and batch that fit,
// the paged blocks, maximum concurrency, weights and KV budget per GPU and the
// GPUs needed. An impossible configuration (a total past 64 bits) shows the
// model's message instead of numbers.
class SummaryPanel : public QWidget {
    Q_OBJECT
public:
    explicit SummaryPanel(ConfigModel *model, QWidget *parent = nullptr);
    ~SummaryPanel() override;

    // The panel as plain text, one "name: value" line per row (for tests and
    // accessibility); the error message when there is one.
    QString displayedText() const;
    QPushButton *copyButton() const { return m_copyButton; }

public Q_SLOTS:
    void refresh();
    void copyReport();

protected:
    void changeEvent(QEvent *event) override;

private:
    QLabel *addRow(const QString &name, const QString &objectName);
    void setRowVisible(QLabel *value, bool visible);
    void refreshModelRows();
    void refreshPlanRows();
    void updateErrorColor();

    ConfigModel *m_model;
    QWidget *m_numbers;
    QLabel *m_error;
    QPushButton *m_copyButton;
    QList<QLabel *> m_names;
    QList<QLabel *> m_values;
    QLabel *m_modelName = nullptr;
    QLabel *m_modelLayers = nullptr;
    QLabel *m_modelTotal = nullptr;
    QLabel *m_modelPerToken = nullptr;
    QLabel *m_headDim = nullptr;
    QLabel *m_kvHeads = nullptr;
    QLabel *m_mhaTotal = nullptr;
    QLabel *m_gqaTotal = nullptr;
    QLabel *m_ratio = nullptr;
    QLabel *m_savings = nullptr;
    QLabel *m_perToken = nullptr;
    // The deployment plan (while a GPU is chosen and the core has a plan).
    QLabel *m_maxContext = nullptr;
    QLabel *m_maxBatch = nullptr;
    QLabel *m_blocks = nullptr;
    QLabel *m_concurrency = nullptr;
    QLabel *m_workloadFits = nullptr;
    QLabel *m_weightsPerGpu = nullptr;
    QLabel *m_kvBudget = nullptr;
    QLabel *m_engineRule = nullptr;
    QLabel *m_modelLimit = nullptr;
    QLabel *m_gpusNeeded = nullptr;
};
