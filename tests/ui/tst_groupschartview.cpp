#include <QAbstractSeries>
#include <QApplication>
#include <QPointer>
#include <QSignalSpy>
#include <QtTest>

#include "ConfigModel.h"
#include "GroupsChart.h"
#include "GroupsChartView.h"
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
        const QString text = view.chart()->describePoint(u"Savings vs MHA"_s, QPointF(23.2, 90.0));
        QVERIFY2(text.contains(u"n_kv_groups=24 (MQA)"_s) && text.contains(u"K/V heads: 1"_s) &&
                     text.contains(u"135,266,304 bytes"_s) && text.contains(u"95.83%"_s),
                 qPrintable(text));
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
