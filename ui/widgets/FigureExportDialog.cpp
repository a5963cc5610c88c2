#include "FigureExportDialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPixmap>
#include <QPushButton>
#include <QSettings>
#include <QSignalBlocker>
#include <cmath>

using namespace Qt::StringLiterals;
using figure::FigureSize;
using figure::FigureStyle;

namespace {

const QString kWidthKey = u"figure/width"_s;
const QString kHeightKey = u"figure/height"_s;
const QString kUnitKey = u"figure/unit"_s;
const QString kFontSizeKey = u"figure/fontSize"_s;
const QString kTitleKey = u"figure/title"_s;
const QString kLegendKey = u"figure/legend"_s;
const QString kThemeKey = u"figure/theme"_s;
const QString kDpiKey = u"figure/dpi"_s;

// The preview's box in device-independent pixels.
constexpr QSize kPreviewBox(440, 300);

QString legendLabel(figure::LegendPlacement legend) {
    switch (legend) {
        case figure::LegendPlacement::Auto:
            return QObject::tr("Auto (never over the data)");
        case figure::LegendPlacement::Inside:
            return QObject::tr("Inside the plot");
        case figure::LegendPlacement::Outside:
            return QObject::tr("Outside the plot");
        case figure::LegendPlacement::None:
            return QObject::tr("None");
    }
    return {};
}

QString themeLabel(figure::Theme theme) {
    switch (theme) {
        case figure::Theme::Light:
            return QObject::tr("Light");
        case figure::Theme::Dark:
            return QObject::tr("Dark (slides)");
        case figure::Theme::Print:
            return QObject::tr("Print (grayscale)");
    }
    return {};
}

// The preset box's row for a size: its preset's, else the last ("Custom").
int presetRow(const QComboBox *box, const FigureSize &size) {
    for (int i = 0; i < FigureSize::presets().size(); ++i) {
        if (FigureSize::presets().at(i).size == size) return i;
    }
    return box->count() - 1;
}

}  // namespace

FigureExportDialog::FigureExportDialog(const ConfigModel *model, ChartKind kind, ExportFormat format, QWidget *parent)
    : QDialog(parent), m_model(model), m_kind(kind), m_format(format), m_preset(new QComboBox(this)),
      m_width(new QDoubleSpinBox(this)), m_height(new QDoubleSpinBox(this)), m_unit(new QComboBox(this)),
      m_fontSize(new QDoubleSpinBox(this)), m_title(new QCheckBox(tr("Title lines above the chart"), this)),
      m_legend(new QComboBox(this)), m_theme(new QComboBox(this)), m_dpi(new QDoubleSpinBox(this)),
      m_previewLabel(new QLabel(this)), m_problemLabel(new QLabel(this)),
      m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this)) {
    setObjectName(u"figureExportDialog"_s);
    setWindowTitle(kind == ChartKind::Context ? tr("Export the context chart") : tr("Export the groups chart"));

    for (const figure::FigureSizePreset &preset : FigureSize::presets()) m_preset->addItem(preset.label, preset.name);
    m_preset->addItem(tr("Custom"), u"custom"_s);
    for (QDoubleSpinBox *box : {m_width, m_height}) {
        box->setDecimals(3);
        box->setKeyboardTracking(false);
    }
    const bool png = format == ExportFormat::Png;
    for (const QString &unit : FigureSize::unitNames()) {
        if (unit != u"px"_s || png) m_unit->addItem(unit, unit);
    }
    m_fontSize->setRange(FigureStyle::kMinFontSize, FigureStyle::kMaxFontSize);
    m_fontSize->setDecimals(1);
    m_fontSize->setSuffix(u" pt"_s);
    m_fontSize->setKeyboardTracking(false);
    for (figure::LegendPlacement legend : {figure::LegendPlacement::Auto, figure::LegendPlacement::Inside,
                                           figure::LegendPlacement::Outside, figure::LegendPlacement::None})
        m_legend->addItem(legendLabel(legend), FigureStyle::name(legend));
    for (figure::Theme theme : {figure::Theme::Light, figure::Theme::Dark, figure::Theme::Print})
        m_theme->addItem(themeLabel(theme), FigureStyle::name(theme));
    m_dpi->setRange(ExportOptions::kMinPngScale * 72, ExportOptions::kMaxPngScale * 72);
    m_dpi->setDecimals(0);
    m_dpi->setSuffix(u" dpi"_s);
    m_dpi->setKeyboardTracking(false);

    auto *sizeRow = new QHBoxLayout;
    sizeRow->addWidget(m_width);
    sizeRow->addWidget(new QLabel(u"×"_s, this));
    sizeRow->addWidget(m_height);
    sizeRow->addWidget(m_unit);
    auto *form = new QFormLayout;
    form->addRow(tr("&Size:"), m_preset);
    form->addRow(QString(), sizeRow);
    form->addRow(tr("&Font size:"), m_fontSize);
    form->addRow(QString(), m_title);
    form->addRow(tr("&Legend:"), m_legend);
    form->addRow(tr("&Theme:"), m_theme);
    form->addRow(tr("&Resolution:"), m_dpi);
    m_dpi->setVisible(png);
    if (auto *label = form->labelForField(m_dpi)) label->setVisible(png);

    m_previewLabel->setObjectName(u"preview"_s);
    m_previewLabel->setMinimumSize(kPreviewBox);
    m_previewLabel->setAlignment(Qt::AlignCenter);
    m_problemLabel->setObjectName(u"problem"_s);
    m_problemLabel->setWordWrap(true);
    m_problemLabel->setStyleSheet(u"color: #b00020"_s);
    m_problemLabel->hide();

    auto *columns = new QHBoxLayout;
    columns->addLayout(form);
    columns->addWidget(m_previewLabel, 1);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(columns);
    layout->addWidget(m_problemLabel);
    layout->addWidget(m_buttons);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    connect(m_preset, &QComboBox::currentIndexChanged, this, &FigureExportDialog::presetChosen);
    connect(m_unit, &QComboBox::currentIndexChanged, this, &FigureExportDialog::unitChosen);
    connect(m_width, &QDoubleSpinBox::valueChanged, this, &FigureExportDialog::sizeEdited);
    connect(m_height, &QDoubleSpinBox::valueChanged, this, &FigureExportDialog::sizeEdited);
    for (QDoubleSpinBox *box : {m_fontSize, m_dpi})
        connect(box, &QDoubleSpinBox::valueChanged, this, &FigureExportDialog::updatePreview);
    connect(m_title, &QCheckBox::toggled, this, &FigureExportDialog::updatePreview);
    for (QComboBox *box : {m_legend, m_theme})
        connect(box, &QComboBox::currentIndexChanged, this, &FigureExportDialog::updatePreview);

    setOptions(savedOptions());
}

ExportOptions FigureExportDialog::options() const {
    ExportOptions o;
    o.pngScale = m_dpi->value() / 72.0;
    o.size = {m_width->value(), m_height->value(), m_shownUnit};
    o.style.fontSize = m_fontSize->value();
    o.style.title = m_title->isChecked();
    o.style.legend = FigureStyle::legendFromName(m_legend->currentData().toString()).value_or(figure::LegendPlacement::Auto);
    o.style.theme = FigureStyle::themeFromName(m_theme->currentData().toString()).value_or(figure::Theme::Light);
    return o;
}

void FigureExportDialog::setOptions(const ExportOptions &options) {
    m_updating = true;
    m_dpi->setValue(options.pngScale * 72.0);
    FigureSize size = options.size;
    // px only for a PNG: other formats see the same size in points.
    if (size.unit == FigureSize::Unit::Px && m_format != ExportFormat::Png) {
        const QSizeF points = size.points(options.pngScale);
        size = {points.width(), points.height(), FigureSize::Unit::Pt};
    }
    setSizeBoxes(size);
    m_fontSize->setValue(options.style.fontSize);
    m_title->setChecked(options.style.title);
    m_legend->setCurrentIndex(m_legend->findData(FigureStyle::name(options.style.legend)));
    m_theme->setCurrentIndex(m_theme->findData(FigureStyle::name(options.style.theme)));
    m_updating = false;
    updatePreview();
}

void FigureExportDialog::setSizeBoxes(const FigureSize &size) {
    const QSignalBlocker blockUnit(m_unit), blockWidth(m_width), blockHeight(m_height), blockPreset(m_preset);
    m_shownUnit = size.unit;
    m_unit->setCurrentIndex(m_unit->findData(FigureSize::name(size.unit)));
    // The range in this unit: 1.5 to 50 in, or the PNG's pixel limit.
    const double perUnit = FigureSize::pointsPerUnit(size.unit);
    const double low = perUnit > 0 ? FigureSize::kMinPoints / perUnit : 1;
    const double high = perUnit > 0 ? FigureSize::kMaxPoints / perUnit : 16384;
    for (QDoubleSpinBox *box : {m_width, m_height}) {
        box->setRange(low, high);
        box->setDecimals(size.unit == FigureSize::Unit::Px || size.unit == FigureSize::Unit::Pt ? 1 : 3);
        box->setSuffix(u' ' + FigureSize::name(size.unit));
    }
    m_width->setValue(size.width);
    m_height->setValue(size.height);
    m_preset->setCurrentIndex(presetRow(m_preset, size));
}

void FigureExportDialog::presetChosen() {
    if (const auto size = FigureSize::preset(m_preset->currentData().toString())) {
        setSizeBoxes(*size);
        updatePreview();
    }
}

void FigureExportDialog::unitChosen() {
    // The same figure in the new unit.
    const auto unit = FigureSize::unitFromName(m_unit->currentData().toString());
    if (!unit || *unit == m_shownUnit) return;
    const double scale = m_dpi->value() / 72.0;
    const QSizeF points = FigureSize{m_width->value(), m_height->value(), m_shownUnit}.points(scale);
    const double perUnit = FigureSize::pointsPerUnit(*unit);
    const QSizeF converted = perUnit > 0 ? points / perUnit : points * scale;
    setSizeBoxes({std::round(converted.width() * 1000) / 1000, std::round(converted.height() * 1000) / 1000, *unit});
    updatePreview();
}

void FigureExportDialog::sizeEdited() {
    const QSignalBlocker block(m_preset);
    m_preset->setCurrentIndex(presetRow(m_preset, {m_width->value(), m_height->value(), m_shownUnit}));
    updatePreview();
}

void FigureExportDialog::updatePreview() {
    if (m_updating) return;
    const ExportOptions chosen = options();
    const auto problem = FigureExporter::checkOptions(chosen, m_format);
    m_problem = problem.value_or(QString());
    m_problemLabel->setText(m_problem);
    m_problemLabel->setVisible(problem.has_value());
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(!problem);
    if (problem) return;
    // The figure in points, drawn to fit the preview box (on a sharp screen
    // at its pixel ratio).
    const QSizeF points = chosen.chartSize();
    const double ratio = devicePixelRatioF();
    ExportOptions preview = chosen;
    preview.size = {points.width(), points.height(), FigureSize::Unit::Pt};
    preview.pngScale = std::clamp(std::min(kPreviewBox.width() / points.width(), kPreviewBox.height() / points.height()) *
                                      ratio,
                                  ExportOptions::kMinPngScale, ExportOptions::kMaxPngScale);
    QByteArray png;
    if (FigureExporter(m_model).render(m_kind, ExportFormat::Png, preview, &png)) return;
    m_preview = QImage::fromData(png, "PNG");
    QPixmap pixmap = QPixmap::fromImage(m_preview);
    pixmap.setDevicePixelRatio(ratio);
    m_previewLabel->setPixmap(pixmap);
    Q_EMIT previewUpdated();
}

ExportOptions FigureExportDialog::savedOptions() {
    const QSettings settings;
    ExportOptions o;
    const auto unit = FigureSize::unitFromName(settings.value(kUnitKey).toString());
    if (unit && settings.contains(kWidthKey) && settings.contains(kHeightKey))
        o.size = {settings.value(kWidthKey).toDouble(), settings.value(kHeightKey).toDouble(), *unit};
    o.style.fontSize = settings.value(kFontSizeKey, o.style.fontSize).toDouble();
    o.style.title = settings.value(kTitleKey, o.style.title).toBool();
    o.style.legend = FigureStyle::legendFromName(settings.value(kLegendKey).toString()).value_or(o.style.legend);
    o.style.theme = FigureStyle::themeFromName(settings.value(kThemeKey).toString()).value_or(o.style.theme);
    o.pngScale = settings.value(kDpiKey, o.pngScale * 72).toDouble() / 72.0;
    // Saved by hand or by an older version and out of range: the defaults.
    if (FigureExporter::checkOptions(o, o.size.unit == FigureSize::Unit::Px ? ExportFormat::Png : ExportFormat::Pdf))
        return {};
    return o;
}

void FigureExportDialog::saveOptions(const ExportOptions &options) {
    QSettings settings;
    settings.setValue(kWidthKey, options.size.width);
    settings.setValue(kHeightKey, options.size.height);
    settings.setValue(kUnitKey, FigureSize::name(options.size.unit));
    settings.setValue(kFontSizeKey, options.style.fontSize);
    settings.setValue(kTitleKey, options.style.title);
    settings.setValue(kLegendKey, FigureStyle::name(options.style.legend));
    settings.setValue(kThemeKey, FigureStyle::name(options.style.theme));
    settings.setValue(kDpiKey, options.pngScale * 72);
}
