#pragma once

#include <QWidget>

class ConfigModel;
class ContextLengthSpinBox;
class GroupSelector;
class LogContextSlider;
class QCheckBox;
class QComboBox;
class QListWidget;
class QRadioButton;
class QSpinBox;
class SliderSpinBox;

// Every input of the estimator as a control bound both ways to a ConfigModel:
// a user's edit calls the model's setter, and the model's change signals move
// the controls (silently, so nothing loops). After each edit the control
// re-reads the model, so it always shows what the model accepted.
class ControlPanel : public QWidget {
    Q_OBJECT
public:
    explicit ControlPanel(ConfigModel *model, QWidget *parent = nullptr);
    ~ControlPanel() override;

    SliderSpinBox *headsControl() const { return m_heads; }
    GroupSelector *groupSelector() const { return m_groups; }
    SliderSpinBox *layersControl() const { return m_layers; }
    SliderSpinBox *embDimControl() const { return m_embDim; }
    QCheckBox *headDimCheckBox() const { return m_headDimCheck; }
    QSpinBox *headDimSpinBox() const { return m_headDim; }
    LogContextSlider *contextSlider() const { return m_contextSlider; }
    ContextLengthSpinBox *contextSpinBox() const { return m_contextSpin; }
    SliderSpinBox *batchControl() const { return m_batch; }
    QComboBox *dtypeComboBox() const { return m_dtype; }
    QRadioButton *decimalUnitsButton() const { return m_decimalUnits; }
    QRadioButton *binaryUnitsButton() const { return m_binaryUnits; }
    QListWidget *extraGroupsList() const { return m_extraGroups; }

private:
    QWidget *buildShapeGroup();
    QWidget *buildWorkloadGroup();
    QWidget *buildDisplayGroup();
    void bindModel();
    void syncAllFromModel();
    void syncHeads();
    void syncGroups();
    void syncHeadDim();
    void syncContext();
    void syncDtype();
    void syncUnits();
    void rebuildExtraGroups();
    void syncExtraGroups();
    void onExtraGroupToggled();

    ConfigModel *m_model;
    SliderSpinBox *m_heads = nullptr;
    GroupSelector *m_groups = nullptr;
    SliderSpinBox *m_layers = nullptr;
    SliderSpinBox *m_embDim = nullptr;
    QCheckBox *m_headDimCheck = nullptr;
    QSpinBox *m_headDim = nullptr;
    LogContextSlider *m_contextSlider = nullptr;
    ContextLengthSpinBox *m_contextSpin = nullptr;
    SliderSpinBox *m_batch = nullptr;
    QComboBox *m_dtype = nullptr;
    QRadioButton *m_decimalUnits = nullptr;
    QRadioButton *m_binaryUnits = nullptr;
    QListWidget *m_extraGroups = nullptr;
};
