#include <QAbstractSeries>
#include <QApplication>
#include <QPointer>
#include <QSignalSpy>
#include <QtTest>

#include "ConfigModel.h"
#include "GroupsChart.h"
#include "GroupsChartView.h"
#include "PresetLibrary.h"
#include "kvscope/sweep.h"

using namespace Qt::StringLiterals;

namespace {

QList<QPointF> expected(const ConfigModel &model) {
    QList<QPointF> points;
    for (const auto &p : *model.groupPoints()) points.append(QPointF(p.n_kv_groups, p.savings_percent));
    return points;
}

QList<double> xs(const QList<QPointF> &points) {
    QList<double> list;
    for (const QPointF &p : points) list.append(p.x());
    return list;
}

}  // namespace

class TestGroupsChartView : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void holdsTheValidGroupCountsOfTheSeedModel() {
        ConfigModel model;
        GroupsChartView view(&model);
        const QList<QPointF> points = view.seriesPoints(u"Savings vs MHA"_s);
        QCOMPARE(points, expected(model));
        QCOMPARE(xs(points), (QList<double>{1, 2, 3, 4, 6, 8, 12, 24}));
        QCOMPARE(points.first().y(), 0.0);
        QCOMPARE(points[3].y(), 75.0);
        QCOMPARE(view.groupsChart()->highlightedPoints(), QList<QPointF>{QPointF(4, 75.0)});
        QCOMPARE(view.groupsChart()->endLabels(), (QStringList{u"MHA"_s, u"MQA"_s}));
        QCOMPARE(view.groupsChart()->configLine(),
                 u"(n_heads=24, emb_dim=2048, n_layers=48, batch=1, context=8192, dtype=bf16)"_s);
        QVERIFY(view.seriesNames().contains(u"current: n_kv_groups=4 (75.00%)"_s));
    }

    void theHighlightMovesWithTheModel() {
        ConfigModel model;
        GroupsChartView view(&model);
        QList<QPointer<QAbstractSeries>> before;
        const auto all = view.chart()->series();
        for (QAbstractSeries *s : all) before.append(s);

        QSignalSpy spy(&model, &ConfigModel::estimateChanged);
        model.setNKvGroups(8);
        QVERIFY(spy.wait(1000));
        QTRY_COMPARE(view.groupsChart()->highlightedPoints(), QList<QPointF>{QPointF(8, 87.5)});
        QVERIFY(view.seriesNames().contains(u"current: n_kv_groups=8 (87.50%)"_s));

        model.setNHeads(32);  // groups snap to a divisor of 32
        QTRY_COMPARE(xs(view.seriesPoints(u"Savings vs MHA"_s)), (QList<double>{1, 2, 4, 8, 16, 32}));
        QCOMPARE(view.seriesPoints(u"Savings vs MHA"_s), expected(model));
        QCOMPARE(view.groupsChart()->highlightedPoints().constFirst().x(), double(model.nKvGroups()));
        QVERIFY(view.groupsChart()->configLine().startsWith(u"(n_heads=32,"_s));

        const auto after = view.chart()->series();
        QCOMPARE(after.size(), before.size());
        for (qsizetype i = 0; i < before.size(); ++i) QCOMPARE(after[i], before[i].data());
    }

    void oneHeadIsBothMhaAndMqa() {
        ConfigModel model;
        GroupsChartView view(&model);
        model.setNHeads(1);
        QTRY_COMPARE(view.seriesPoints(u"Savings vs MHA"_s), (QList<QPointF>{QPointF(1, 0.0)}));
        QCOMPARE(view.groupsChart()->endLabels(), QStringList{u"MHA = MQA"_s});
    }

    void hoverShowsExactValues() {
        ConfigModel model;
        GroupsChartView view(&model);
        // Nearest on the log axis: 20 is nearer 24 than 12 (log2 0.26 against 0.74).
        const QString text = view.chart()->describePoint(u"Savings vs MHA"_s, QPointF(20.0, 90.0));
        QVERIFY2(text.contains(u"n_kv_groups=24 (MQA)"_s) && text.contains(u"K/V heads: 1"_s) &&
                     text.contains(u"135,266,304 bytes"_s) && text.contains(u"95.83%"_s),
                 qPrintable(text));
    }

    void ticksOnTheDivisorsAndEndLabelsBesideTheCurve_data() {
        QTest::addColumn<int>("heads");
        QTest::addColumn<QSize>("size");
        for (int heads : {8, 24, 64, 128}) {
            for (const QSize &size : {QSize(900, 500), QSize(420, 300)})
                QTest::newRow(qPrintable(u"%1 heads %2x%3"_s.arg(heads).arg(size.width()).arg(size.height())))
                    << heads << size;
        }
    }

    void ticksOnTheDivisorsAndEndLabelsBesideTheCurve() {
        QFETCH(int, heads);
        QFETCH(QSize, size);
        ConfigModel model;
        model.setNHeads(heads);
        model.setEmbDim(heads * 64);
        // Inside a plain host window: the view's own size hints would reach
        // the platform, which the offscreen one warns about.
        QWidget host;
        host.resize(size);
        GroupsChartView view(&model);
        view.setParent(&host);
        view.setGeometry(host.rect());
        host.show();
        QVERIFY(QTest::qWaitForWindowExposed(&host));
        GroupsChart *chart = view.groupsChart();
        QList<double> divisors;
        for (int d = 1; d <= heads; ++d) {
            if (heads % d == 0) divisors.append(d);
        }
        QTRY_COMPARE(chart->xTickValues(), divisors);
        const QStringList labels = chart->xTickLabels();
        QVERIFY(!labels.isEmpty());
        QCOMPARE(labels.constLast(), QString::number(heads));
        for (const QString &label : labels) QVERIFY2(divisors.contains(label.toDouble()), qPrintable(label));
        // Wide enough, every divisor of 8 and of 24 is labelled.
        if (size.width() >= 900 && heads <= 24) QCOMPARE(labels.size(), divisors.size());

        // "MHA" left of (1, 0 %), "MQA" above (n_heads, max): inside the plot,
        // and no segment of the curve passes through either.
        const QList<QRectF> rects = chart->endLabelRects();
        QCOMPARE(rects.size(), 2);
        const QRectF plot = chart->plotArea();
        QList<QPointF> curve;
        for (const QPointF &p : view.seriesPoints(u"Savings vs MHA"_s)) curve.append(chart->mapToPosition(p));
        const QPointF mha = chart->mapToPosition(chart->endLabelPoints().constFirst());
        QVERIFY2(rects[0].right() < mha.x(), "MHA is left of its point");
        // Clear of the current choice's marker (11 px across) when it sits on MHA.
        model.setNKvGroups(1);
        QTRY_COMPARE(chart->highlightedPoints(), QList<QPointF>{QPointF(1, 0.0)});
        QVERIFY2(chart->endLabelRects().constFirst().right() <= mha.x() - 5.5 - 3 + 0.01, "MHA 3 px clear of the marker");
        for (const QRectF &rect : rects) {
            QVERIFY2(rect.left() >= plot.left() - 0.5 && rect.right() <= plot.right() + 0.5,
                     qPrintable(u"%1 beside the plot"_s.arg(rect.x())));
            QVERIFY(chart->rect().contains(rect));
            for (qsizetype i = 1; i < curve.size(); ++i) {
                for (int k = 0; k <= 200; ++k) {
                    const QPointF at = curve[i - 1] + (curve[i] - curve[i - 1]) * (k / 200.0);
                    QVERIFY2(!rect.adjusted(0.5, 0.5, -0.5, -0.5).contains(at), "an end label crosses the curve");
                }
            }
        }
    }

    void aModelWithoutKvHeadsSaysTheChartIsItsShapeOnly() {
        const auto library = PresetLibrary::builtin();
        QVERIFY(library);
        ConfigModel model;
        GroupsChartView view(&model);
        QCOMPARE(view.groupsChart()->note(), QString());
        // DeepSeek-V3: 61 layers, every one MLA.
        model.loadModel(*library->load(u"DeepSeek-V3"_s), u"DeepSeek-V3"_s);
        QTRY_COMPARE(view.groupsChart()->note(),
                     u"The book's formula on the shape only: DeepSeek-V3's 61 MLA layers cache a latent, not K/V heads"_s);
        QTRY_VERIFY(view.chart()->title().replace(u"<br>"_s, u" "_s).contains(u"61 MLA layers"_s));
        // Jamba v0.1: 32 layers, attention in every 8th (offset 4), Mamba in the other 28.
        model.loadModel(*library->load(u"Jamba v0.1"_s), u"Jamba v0.1"_s);
        QTRY_VERIFY(view.groupsChart()->note().contains(u"Jamba v0.1's 28 linear layers keep a fixed state"_s));
        // Llama 3.1 8B: 32 full GQA layers, to which the chart applies.
        model.loadModel(*library->load(u"Llama 3.1 8B"_s), u"Llama 3.1 8B"_s);
        QTRY_COMPARE(view.groupsChart()->note(), QString());
        QTRY_VERIFY(!view.chart()->title().contains(u"shape only"_s));
    }

    void overflowShowsTheMessage() {
        ConfigModel model;
        GroupsChartView view(&model);
        model.setNHeads(1024);
        model.setEmbDim(1 << 20);
        model.setNLayers(1024);
        model.setBatchSize(1 << 20);
        model.setContextLength(qint64{1} << 31);
        model.setDtype(u"fp32"_s);
        QTRY_VERIFY(!view.errorText().isEmpty());
        model.resetToDefaults();
        QTRY_VERIFY(view.errorText().isEmpty());
        QCOMPARE(view.seriesPoints(u"Savings vs MHA"_s), expected(model));
    }
};

QTEST_MAIN(TestGroupsChartView)
#include "tst_groupschartview.moc"
