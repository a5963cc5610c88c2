#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include "ConfigModel.h"
#include "FigureExportDialog.h"
#include "SettingsFormat.h"

using namespace Qt::StringLiterals;

namespace {

double meanLuminance(const QImage &image) {
    double sum = 0;
    for (int y = 0; y < image.height(); ++y) {
        for (int x = 0; x < image.width(); ++x) sum += qGray(image.pixel(x, y));
    }
    return sum / (255.0 * image.width() * image.height());
}

QPushButton *okButton(const FigureExportDialog &dialog) {
    return dialog.findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok);
}

}  // namespace

// The export dialog driven as a user drives it: each control changes the
// options and the live preview, which is the chart as it will be written.
class TestFigureExportDialog : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_settingsDir;

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_settingsDir.isValid());
        QCoreApplication::setOrganizationName(u"KVScope"_s);
        QCoreApplication::setApplicationName(u"kvscope-test"_s);
        QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_settingsDir.path());
        QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, m_settingsDir.path());
        SettingsFormat::install();
    }

    void init() { QSettings().clear(); }

    void startsOnTheDefaultsWithAPreview() {
        ConfigModel model;
        FigureExportDialog dialog(&model, ChartKind::Context, ExportFormat::Pdf);
        QCOMPARE(dialog.presetBox()->currentData().toString(), u"default"_s);
        QCOMPARE(dialog.widthBox()->value(), 560.0);
        QCOMPARE(dialog.heightBox()->value(), 400.0);
        QCOMPARE(dialog.unitBox()->currentData().toString(), u"pt"_s);
        QCOMPARE(dialog.fontSizeBox()->value(), 10.0);
        QVERIFY(dialog.titleBox()->isChecked());
        QCOMPARE(dialog.options().size, figure::FigureSize{});
        QCOMPARE(dialog.options().style, figure::FigureStyle{});
        // The preview has the figure's aspect ratio and fits its box.
        const QImage preview = dialog.preview();
        QVERIFY(!preview.isNull());
        QVERIFY(std::abs(double(preview.width()) / preview.height() - 560.0 / 400.0) < 0.02);
        QVERIFY(meanLuminance(preview) > 0.8);
        // A vector file takes no px and no dpi.
        QCOMPARE(dialog.unitBox()->findData(u"px"_s), -1);
        QVERIFY(dialog.dpiBox()->isHidden());
        QVERIFY(okButton(dialog)->isEnabled());
    }

    void presetsUnitsAndThemeChangeThePreview() {
        ConfigModel model;
        FigureExportDialog dialog(&model, ChartKind::Groups, ExportFormat::Png);
        QSignalSpy updates(&dialog, &FigureExportDialog::previewUpdated);
        dialog.presetBox()->setCurrentIndex(dialog.presetBox()->findData(u"single"_s));
        QCOMPARE(dialog.unitBox()->currentData().toString(), u"in"_s);
        QCOMPARE(dialog.widthBox()->value(), 3.5);
        QCOMPARE(dialog.heightBox()->value(), 2.625);
        QVERIFY(updates.count() >= 1);
        QVERIFY(std::abs(double(dialog.preview().width()) / dialog.preview().height() - 3.5 / 2.625) < 0.02);
        // The same size in cm, then in px at the PNG's dpi.
        dialog.unitBox()->setCurrentIndex(dialog.unitBox()->findData(u"cm"_s));
        QCOMPARE(dialog.widthBox()->value(), 8.89);
        QCOMPARE(dialog.presetBox()->currentData().toString(), u"custom"_s);
        dialog.dpiBox()->setValue(300);
        dialog.unitBox()->setCurrentIndex(dialog.unitBox()->findData(u"px"_s));
        QCOMPARE(dialog.widthBox()->value(), 1050.0);  // 3.5 in at 300 dpi
        QCOMPARE(dialog.options().chartSize().toSize(), QSize(252, 189));
        // Dark: the preview is the dark figure.
        const int before = updates.count();
        dialog.themeBox()->setCurrentIndex(dialog.themeBox()->findData(u"dark"_s));
        QCOMPARE(updates.count(), before + 1);
        QVERIFY2(meanLuminance(dialog.preview()) < 0.3, qPrintable(QString::number(meanLuminance(dialog.preview()))));
        QCOMPARE(dialog.options().style.theme, figure::Theme::Dark);
        dialog.titleBox()->setChecked(false);
        dialog.legendBox()->setCurrentIndex(dialog.legendBox()->findData(u"none"_s));
        dialog.fontSizeBox()->setValue(8);
        QCOMPARE(dialog.options().style.legend, figure::LegendPlacement::None);
        QVERIFY(!dialog.options().style.title);
        QCOMPARE(dialog.options().style.fontSize, 8.0);
    }

    void aPngTooLargeIsRefusedWithItsRange() {
        ConfigModel model;
        FigureExportDialog dialog(&model, ChartKind::Context, ExportFormat::Png);
        dialog.unitBox()->setCurrentIndex(dialog.unitBox()->findData(u"in"_s));
        dialog.widthBox()->setValue(40);
        dialog.dpiBox()->setValue(1000);
        QVERIFY2(dialog.problem().contains(u"16384"_s), qPrintable(dialog.problem()));
        QVERIFY(!okButton(dialog)->isEnabled());
        dialog.dpiBox()->setValue(144);
        QCOMPARE(dialog.problem(), QString());
        QVERIFY(okButton(dialog)->isEnabled());
    }

    void theLastChoicesAreRemembered() {
        ExportOptions chosen;
        chosen.size = {9, 6, figure::FigureSize::Unit::Cm};
        chosen.style = {12.0, false, figure::LegendPlacement::Outside, figure::Theme::Print};
        chosen.pngScale = 3;
        FigureExportDialog::saveOptions(chosen);
        const ExportOptions saved = FigureExportDialog::savedOptions();
        QCOMPARE(saved.size, chosen.size);
        QCOMPARE(saved.style, chosen.style);
        QCOMPARE(saved.pngScale, 3.0);
        ConfigModel model;
        FigureExportDialog dialog(&model, ChartKind::Context, ExportFormat::Pdf);
        QCOMPARE(dialog.unitBox()->currentData().toString(), u"cm"_s);
        QCOMPARE(dialog.widthBox()->value(), 9.0);
        QCOMPARE(dialog.themeBox()->currentData().toString(), u"print"_s);
        // A value out of range in the file (edited by hand) gives the defaults, not a guess.
        QSettings().setValue(u"figure/fontSize"_s, 99);
        QCOMPARE(FigureExportDialog::savedOptions().style, figure::FigureStyle{});
    }
};

QTEST_MAIN(TestFigureExportDialog)
#include "tst_figureexportdialog.moc"
