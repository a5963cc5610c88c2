#pragma once

#include <QDialog>
#include <QImage>

#include "ChartKind.h"
#include "FigureExporter.h"

class ConfigModel;
class QCheckBox;
class QComboBox;
class QDialogButtonBox;
class QDoubleSpinBox;
class QLabel;

// File > Export's figure options, with a live preview of the chart as it
// will be written: a size preset or a width and height in a unit, the font
// size, the title, the legend's place, the theme and, for PNG, the dpi. The
// window keeps the last choices in QSettings (savedOptions/saveOptions) and
// copies charts with them too.
class FigureExportDialog : public QDialog {
    Q_OBJECT
public:
    FigureExportDialog(const ConfigModel *model, ChartKind kind, ExportFormat format, QWidget *parent = nullptr);

    ExportOptions options() const;
    void setOptions(const ExportOptions &options);
    // Why these options cannot be written (named range), or empty.
    QString problem() const { return m_problem; }
    // The preview as last drawn, at the figure's aspect ratio.
    QImage preview() const { return m_preview; }

    QComboBox *presetBox() const { return m_preset; }
    QDoubleSpinBox *widthBox() const { return m_width; }
    QDoubleSpinBox *heightBox() const { return m_height; }
    QComboBox *unitBox() const { return m_unit; }
    QDoubleSpinBox *fontSizeBox() const { return m_fontSize; }
    QCheckBox *titleBox() const { return m_title; }
    QComboBox *legendBox() const { return m_legend; }
    QComboBox *themeBox() const { return m_theme; }
    QDoubleSpinBox *dpiBox() const { return m_dpi; }

    static ExportOptions savedOptions();
    static void saveOptions(const ExportOptions &options);

Q_SIGNALS:
    void previewUpdated();

private:
    void presetChosen();
    void unitChosen();
    void sizeEdited();
    void updatePreview();
    void setSizeBoxes(const figure::FigureSize &size);

    const ConfigModel *m_model;
    ChartKind m_kind;
    ExportFormat m_format;
    figure::FigureSize::Unit m_shownUnit = figure::FigureSize::Unit::Pt;
    QComboBox *m_preset;
    QDoubleSpinBox *m_width;
    QDoubleSpinBox *m_height;
    QComboBox *m_unit;
    QDoubleSpinBox *m_fontSize;
    QCheckBox *m_title;
    QComboBox *m_legend;
    QComboBox *m_theme;
    QDoubleSpinBox *m_dpi;
    QLabel *m_previewLabel;
    QLabel *m_problemLabel;
    QDialogButtonBox *m_buttons;
    QImage m_preview;
    QString m_problem;
    bool m_updating = false;
};
