#include <QAbstractSeries>
#include <QApplication>
#include <QCategoryAxis>
#include <QFontMetricsF>
#include <QGraphicsLayout>
#include <QGraphicsScene>
#include <QLabel>
#include <QLegend>
#include <QLegendMarker>
#include <QPointer>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QXYSeries>
#include <QtTest>

#include "ChartTicks.h"
#include "ConfigImporter.h"
#include "ConfigModel.h"
#include "ContextChart.h"
#include "ContextChartView.h"
#include "kvscope/sweep.h"

using namespace Qt::StringLiterals;

namespace {

// The points a series must hold: exact totals from the core, in the axis unit.
QList<QPointF> expected(const ConfigModel &model, std::uint64_t kvscope::ContextPoint::*member, double divisor) {
    QList<QPointF> points;
    for (const auto &p : *model.contextPoints())
        points.append(QPointF(static_cast<double>(p.context_length), static_cast<double>(p.*member) / divisor));
    return points;
}

QList<QPointer<QAbstractSeries>> seriesOf(const KvChart *chart) {
    QList<QPointer<QAbstractSeries>> list;
    const auto all = chart->series();
    for (QAbstractSeries *s : all) list.append(s);
    return list;
}

}  // namespace

class TestContextChartView : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void aNarrowChartWrapsItsSubtitleInsteadOfCuttingIt() {
        ConfigModel model;
        QWidget host;  // a plain top-level: the offscreen platform warns about a view's size hints
        host.resize(380, 320);
        ContextChartView view(&model);
        view.setParent(&host);
        view.setGeometry(host.rect());
        host.show();
        QVERIFY(QTest::qWaitForWindowExposed(&host));
        const QString config = view.chart()->configLine();
        QTRY_VERIFY(view.chart()->title().count(u"<br>"_s) >= 2);  // the headline, then two or more lines
        QString title = view.chart()->title();
        // The subtitle's own font: the chart's, not bold, at the size the title's span names.
        const auto size = QRegularExpression(u"font-size:([0-9.]+)pt"_s).match(title);
        QVERIFY(size.hasMatch());
        QFont subtitleFont = static_cast<const QChart *>(view.chart())->titleFont();
        subtitleFont.setBold(false);
        subtitleFont.setPointSizeF(size.captured(1).toDouble());
        title.remove(QRegularExpression(u"<(?!br>)[^>]*>"_s));
        QStringList lines = title.split(u"<br>"_s);
        QCOMPARE(lines.takeFirst(), view.chart()->headline());
        // Every word of the configuration, in order, no line wider than the chart
        QCOMPARE(lines.join(u' '), config);
        const QFontMetricsF metrics(subtitleFont);
        for (const QString &line : std::as_const(lines))
            QVERIFY2(metrics.horizontalAdvance(line) <= view.chart()->size().width(), qPrintable(line));
        // Wide again: one line.
        host.resize(1400, 500);
        view.setGeometry(host.rect());
        QTRY_COMPARE(view.chart()->title().count(u"<br>"_s), 1);
    }

    void holdsTheCoresNumbersForTheSeedModel() {
        ConfigModel model;
        ContextChartView view(&model);
        QCOMPARE(view.contextChart()->yUnit(), u"GB"_s);
        QCOMPARE(view.seriesNames(),
                 (QStringList{u"MHA (KV total)"_s, u"GQA (n_kv_groups=4)"_s, u"context_length=8192"_s}));
        const QList<QPointF> mha = view.seriesPoints(u"MHA (KV total)"_s);
        QCOMPARE(mha, expected(model, &kvscope::ContextPoint::mha_bytes, 1e9));
        QCOMPARE(view.seriesPoints(u"GQA (n_kv_groups=4)"_s), expected(model, &kvscope::ContextPoint::gqa_bytes, 1e9));
        QCOMPARE(mha.size(), 10);
        QCOMPARE(mha.first().x(), 256.0);
        QCOMPARE(mha.last(), QPointF(131072.0, 51942260736.0 / 1e9));
        QCOMPARE(view.contextChart()->headline(), u"KV-cache vs Context Length"_s);
        QCOMPARE(view.contextChart()->configLine(),
                 u"(n_heads=24, emb_dim=2048, n_layers=48, batch=1, n_kv_groups=4, dtype=bf16)"_s);
        // The marker stands at the current context over the whole y range.
        const QList<QPointF> marker = view.seriesPoints(u"context_length=8192"_s);
        QCOMPARE(marker.size(), 2);
        QCOMPARE(marker[0].x(), 8192.0);
        QCOMPARE(marker[1].x(), 8192.0);
    }

    void legendHoldsEveryCurveOfALoadedModelInFull() {
        // A loaded model adds its curve and four what-ifs at once: the legend
        // box must grow to one row per entry, or labels are cut off.
        ConfigModel model;
        ContextChartView view(&model);
        view.resize(900, 500);
        const auto gemma = ConfigImporter::fromFile(QStringLiteral(KVSCOPE_TEST_DATA_DIR "/configs/gemma-3-27b.json"));
        QVERIFY(gemma.ok());
        model.loadModel(*gemma, u"Gemma 3 27B"_s);
        QTRY_VERIFY(view.seriesNames().size() >= 6);
        QLegend *legend = view.chart()->legend();
        const QFontMetricsF metrics(legend->font());
        int shown = 0;
        qreal widest = 0;
        for (QLegendMarker *marker : legend->markers()) {
            if (!marker->series()->isVisible() || marker->label().isEmpty()) continue;
            if (marker->label().startsWith(u"context_length"_s) || marker->label().contains(u"Gemma"_s) ||
                marker->label().startsWith(u"what-if"_s)) {
                ++shown;
                widest = std::max(widest, metrics.horizontalAdvance(marker->label()));
            }
        }
        QVERIFY2(shown >= 5, qPrintable(QString::number(shown)));
        // Where the curves leave no corner free, the entries are listed below
        // the chart instead, each label whole.
        if (!view.chart()->legendInsidePlot()) {
            QVERIFY(!legend->isVisible());
            QTRY_COMPARE(view.outsideLegendLabels().size(), view.chart()->legendEntries().size());
            const auto labels = view.outsideLegend()->findChildren<QLabel *>(u"legendLabel"_s);
            for (const QLabel *label : labels) {
                if (!label->isHidden()) QVERIFY(label->width() >= label->minimumSizeHint().width());
            }
            return;
        }
        const QRectF box = legend->geometry();
        QVERIFY2(box.height() >= shown * metrics.height(), qPrintable(u"legend %1 px tall for %2 entries"_s.arg(box.height()).arg(shown)));
        QVERIFY2(box.width() >= widest, qPrintable(u"legend %1 px wide, label %2"_s.arg(box.width()).arg(widest)));
    }

    void followsTheModelWithoutRebuilding() {
        ConfigModel model;
        ContextChartView view(&model);
        const auto before = seriesOf(view.chart());
        QSignalSpy spy(&model, &ConfigModel::estimateChanged);
        model.setNKvGroups(8);
        model.setNLayers(32);
        model.setContextLength(300000);
        QVERIFY(spy.wait(1000));
        QTRY_VERIFY(view.seriesNames().contains(u"GQA (n_kv_groups=8)"_s));
        QCOMPARE(view.seriesPoints(u"GQA (n_kv_groups=8)"_s), expected(model, &kvscope::ContextPoint::gqa_bytes, 1e9));
        QCOMPARE(view.seriesPoints(u"MHA (KV total)"_s).last().x(), 1048576.0);  // >= 2x the context
        QVERIFY(view.seriesNames().contains(u"context_length=300000"_s));
        // Same series objects: points were replaced, nothing re-created.
        const auto after = seriesOf(view.chart());
        QCOMPARE(after.size(), before.size());
        for (qsizetype i = 0; i < before.size(); ++i) {
            QVERIFY(before[i]);
            QCOMPARE(after[i].data(), before[i].data());
        }
    }

    void unitsFollowTheSwitchAndTheData() {
        ConfigModel model;
        ContextChartView view(&model);
        model.setBinaryUnits(true);
        QTRY_COMPARE(view.contextChart()->yUnit(), u"GiB"_s);
        QCOMPARE(view.seriesPoints(u"MHA (KV total)"_s).last().y(), 51942260736.0 / 1073741824.0);
        model.setBinaryUnits(false);
        model.setNLayers(1);
        model.setContextLength(1024);
        QTRY_COMPARE(view.contextChart()->yUnit(), u"GB"_s);  // 131072 tokens: 1.08 GB
        model.setNLayers(48);
        model.setEmbDim(256);
        QTRY_COMPARE(view.contextChart()->yUnit(), u"GB"_s);
        model.setNLayers(2);
        QTRY_COMPARE(view.contextChart()->yUnit(), u"MB"_s);
    }

    void extraCurvesComeAndGo() {
        ConfigModel model;
        ContextChartView view(&model);
        QPointer<QAbstractSeries> mha = view.chart()->series().constFirst();
        model.setExtraGroups({8, 12, 24});
        const QString g8 = u"GQA (n_kv_groups=8, 8.0\u00d7 compression)"_s;
        QTRY_VERIFY(view.seriesNames().contains(g8));
        QVERIFY(view.seriesNames().contains(u"GQA (n_kv_groups=24, 24.0\u00d7 compression)"_s));
        QCOMPARE(view.contextChart()->extraGroupsShown(), (QList<int>{8, 12, 24}));
        const QList<QPointF> points = view.seriesPoints(g8);
        QCOMPARE(points.size(), 10);
        QCOMPARE(points.last().y(), 6492782592.0 / 1e9);
        // Legend order: curves first, the context marker last.
        QCOMPARE(view.seriesNames().last(), u"context_length=8192"_s);

        model.setExtraGroups({12});
        QTRY_VERIFY(!view.seriesNames().contains(g8));
        QCOMPARE(view.contextChart()->extraGroupsShown(), QList<int>{12});
        model.setExtraGroups({});
        QTRY_COMPARE(view.contextChart()->extraGroupsShown(), QList<int>{});
        QCOMPARE(view.seriesNames().size(), 3);
        QVERIFY(mha);  // the main curves survived
        QCOMPARE(view.chart()->series().constFirst(), mha.data());
    }

    void hoverShowsExactValues() {
        ConfigModel model;
        ContextChartView view(&model);
        const QString text = view.chart()->describePoint(u"MHA (KV total)"_s, QPointF(131000.0, 51.0));
        QVERIFY2(text.contains(u"131,072"_s) && text.contains(u"51,942,260,736 bytes"_s) && text.contains(u"51.94 GB"_s),
                 qPrintable(text));
        const QString gqa = view.chart()->describePoint(u"GQA (n_kv_groups=4)"_s, QPointF(8192.0, 0.8));
        QVERIFY2(gqa.contains(u"8,192"_s) && gqa.contains(u"811,597,824 bytes"_s), qPrintable(gqa));
        // The series' hover signal reaches the view's tooltip.
        auto *series = qobject_cast<QXYSeries *>(view.chart()->series().constFirst());
        QVERIFY(series);
        Q_EMIT series->hovered(QPointF(256.0, 0.1), true);
        QVERIFY(view.lastToolTip().contains(u"101,449,728 bytes"_s));
        Q_EMIT series->hovered(QPointF(256.0, 0.1), false);
        QVERIFY(view.lastToolTip().isEmpty());
    }

    void tickLabelsAreReadableAndDoNotOverlap() {
        ConfigModel model;
        // The chart alone, laid out at a window's size (showing a window
        // offscreen would warn).
        QGraphicsScene scene;
        auto *chart = new ContextChart(&model);
        scene.addItem(chart);
        auto layOut = [chart](QSizeF size) {
            chart->resize(size);
            chart->layout()->activate();
        };
        layOut(QSizeF(900, 500));
        QCOMPARE(chart->xTickLabels(), (QStringList{u"256"_s, u"512"_s, u"1K"_s, u"2K"_s, u"4K"_s, u"8K"_s, u"16K"_s,
                                                   u"32K"_s, u"64K"_s, u"128K"_s}));
        model.setContextLength(qint64{1} << 30);
        chart->refresh();
        layOut(QSizeF(600, 400));
        const QStringList labels = chart->xTickLabels();
        QVERIFY2(labels.contains(u"1K"_s) && labels.contains(u"1M"_s) && labels.contains(u"1G"_s),
                 qPrintable(labels.join(u' ')));
        QVERIFY(labels.size() < 23);  // 2^8 .. 2^31: not every power fits
        const QFontMetricsF metrics(chart->axes(Qt::Horizontal).constLast()->labelsFont());
        double widest = 0;
        for (const QString &l : labels) widest = std::max(widest, metrics.horizontalAdvance(l));
        // Labels sit at equal distances; each gets more room than the widest needs.
        QVERIFY(chart->plotArea().width() / labels.size() > widest * 1.2);
    }

    void tickLabelsStandOnTheirPowersAfterAContextChange() {
        // Each label names the power of two drawn under it, whatever the
        // context did to the sweep's end, and moving back restores the ticks.
        ConfigModel model;
        QGraphicsScene scene;
        auto *chart = new ContextChart(&model);
        scene.addItem(chart);
        chart->resize(QSizeF(1400, 600));
        chart->layout()->activate();
        auto *labelsAxis = qobject_cast<QCategoryAxis *>(chart->axes(Qt::Horizontal).constLast());
        QVERIFY(labelsAxis);
        QAbstractSeries *curve = chart->series().constFirst();
        auto checkPositions = [&](const QStringList &wanted) {
            chart->layout()->activate();
            const QStringList labels = chart->xTickLabels();
            if (!wanted.isEmpty()) QCOMPARE(labels, wanted);
            QVERIFY(!labels.isEmpty());
            const QRectF plot = chart->plotArea();
            for (int e = 0; e < 40; ++e) {
                const QString label = ChartTicks::powerOfTwoLabel(e);
                if (!labels.contains(label)) continue;
                const double fraction =
                    (labelsAxis->endValue(label) - labelsAxis->min()) / (labelsAxis->max() - labelsAxis->min());
                const double labelX = plot.left() + fraction * plot.width();
                const double dataX = chart->mapToPosition(QPointF(std::exp2(e), 0.0), curve).x();
                QVERIFY2(std::abs(labelX - dataX) < 0.5, qPrintable(u"%1: label at %2, data at %3"_s.arg(label)
                                                                       .arg(labelX)
                                                                       .arg(dataX)));
            }
        };
        const QStringList seed{u"256"_s, u"512"_s, u"1K"_s, u"2K"_s, u"4K"_s, u"8K"_s, u"16K"_s, u"32K"_s, u"64K"_s,
                               u"128K"_s};
        checkPositions(seed);
        for (qint64 context : {qint64{1} << 17, qint64{1} << 18, qint64{1} << 20, qint64{1} << 24}) {
            model.setContextLength(context);
            chart->refresh();
            chart->layout()->activate();
            // The sweep runs to twice the context; at this width every power is labelled.
            const QStringList labels = chart->xTickLabels();
            QCOMPARE(labels.constFirst(), u"256"_s);
            QCOMPARE(labels.constLast(), ChartTicks::powerOfTwoLabel(static_cast<int>(std::log2(context)) + 1));
            QCOMPARE(labels.size(), static_cast<int>(std::log2(context)) + 1 - 8 + 1);
            checkPositions({});
        }
        model.setContextLength(8192);
        chart->refresh();
        checkPositions(seed);
        // A control other than the context leaves the ticks as they are.
        model.setNLayers(12);
        chart->refresh();
        checkPositions(seed);
    }

    void overflowShowsTheMessageNotGarbage() {
        ConfigModel model;
        ContextChartView view(&model);
        QVERIFY(view.errorText().isEmpty());
        model.setNHeads(1024);
        model.setEmbDim(1 << 20);
        model.setNLayers(1024);
        model.setBatchSize(1 << 20);
        model.setContextLength(qint64{1} << 31);
        model.setDtype(u"fp32"_s);
        QTRY_VERIFY(!view.errorText().isEmpty());
        QCOMPARE(view.errorText(), QString::fromStdString(model.estimate().error().message));
        const auto all = view.chart()->series();
        for (QAbstractSeries *s : all) QVERIFY(!s->isVisible());
        model.resetToDefaults();
        QTRY_VERIFY(view.errorText().isEmpty());
        QVERIFY(view.chart()->series().constFirst()->isVisible());
    }

    void recoveringFromAnErrorKeepsHiddenCurvesHidden() {
        // With a model loaded the book's two curves are hidden; an error hides
        // everything, and coming back must not show them again.
        ConfigModel model;
        ContextChartView view(&model);
        const auto gemma = ConfigImporter::fromFile(QStringLiteral(KVSCOPE_TEST_DATA_DIR "/configs/gemma-3-27b.json"));
        QVERIFY(gemma.ok());
        model.loadModel(*gemma, u"Gemma 3 27B"_s);
        QTRY_VERIFY(view.seriesNames().size() >= 6);
        auto visibleBookCurves = [&view] {
            int visible = 0;
            const auto all = view.chart()->series();
            for (QAbstractSeries *s : all) {
                if ((s->name().startsWith(u"MHA"_s) || s->name().startsWith(u"GQA"_s)) && s->isVisible()) ++visible;
            }
            return visible;
        };
        QCOMPARE(visibleBookCurves(), 0);
        model.setBatchSize(1 << 20);
        model.setContextLength(qint64{1} << 31);
        model.setDtype(u"fp32"_s);
        QTRY_VERIFY(!view.errorText().isEmpty());
        model.setBatchSize(1);
        model.setContextLength(8192);
        QTRY_VERIFY(view.errorText().isEmpty());
        QCOMPARE(visibleBookCurves(), 0);
        bool modelCurveShown = false;
        const auto all = view.chart()->series();
        for (QAbstractSeries *s : all) modelCurveShown |= s->name().contains(u"Gemma"_s) && s->isVisible();
        QVERIFY(modelCurveShown);
    }

    void followsTheWidgetPalette() {
        ConfigModel model;
        ContextChartView view(&model);
        QCOMPARE(view.chart()->look(), ChartLook::Light);
        QPalette dark = view.palette();
        dark.setColor(QPalette::Window, QColor(0x20, 0x20, 0x24));
        dark.setColor(QPalette::WindowText, Qt::white);
        view.setPalette(dark);
        QCOMPARE(view.chart()->look(), ChartLook::Dark);
        QCOMPARE(view.chart()->theme(), QChart::ChartThemeDark);
        // The data survives a theme change.
        QCOMPARE(view.seriesPoints(u"MHA (KV total)"_s), expected(model, &kvscope::ContextPoint::mha_bytes, 1e9));
    }
};

QTEST_MAIN(TestContextChartView)
#include "tst_contextchartview.moc"
