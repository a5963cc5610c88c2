// jsonReport on its own: valid JSON, every key, and integers that survive
// beyond what a double holds.

#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>
#include <limits>

#include "JsonReport.h"
#include "kvscope/estimator.h"

using namespace Qt::StringLiterals;

class TestJsonReport : public QObject {
    Q_OBJECT

private slots:
    void validAndComplete();
    void largestIntegersAreExact();
    void wholeDoublesStayReal();
};

void TestJsonReport::validAndComplete() {
    const kvscope::ModelShape shape;
    const kvscope::Workload workload;
    const auto estimate = kvscope::estimate(shape, workload);
    QVERIFY(estimate.ok());
    const std::string text = jsonReport(shape, workload, *estimate);

    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(QByteArray::fromStdString(text), &error);
    QCOMPARE(error.error, QJsonParseError::NoError);
    const QJsonObject o = doc.object();
    QCOMPARE(o.keys().size(), 18);
    QCOMPARE(o.value(u"context_length"_s).toInteger(), 8192);
    QCOMPARE(o.value(u"dtype"_s).toString(), u"bf16"_s);
    QCOMPARE(o.value(u"head_dim"_s).toInteger(), 86);
    QCOMPARE(o.value(u"n_kv_heads_gqa"_s).toInteger(), 6);
    QCOMPARE(o.value(u"mha_bytes"_s).toInteger(), 3246391296);  // recorded from the book's script
    QCOMPARE(o.value(u"gqa_bytes"_s).toInteger(), 811597824);
}

void TestJsonReport::largestIntegersAreExact() {
    kvscope::KvEstimate estimate;
    estimate.mha_bytes = std::numeric_limits<std::uint64_t>::max();
    estimate.gqa_bytes = (std::uint64_t{1} << 53) + 1;  // the first integer a double cannot hold
    estimate.ratio = 2047.9999999999998;
    estimate.savings_percent = 99.951171875;
    kvscope::Workload workload;
    workload.context_length = std::uint64_t{1} << 31;
    const std::string text = jsonReport(kvscope::ModelShape{}, workload, estimate);
    QVERIFY(text.find("\"mha_bytes\": 18446744073709551615,\n") != std::string::npos);
    QVERIFY(text.find("\"gqa_bytes\": 9007199254740993,\n") != std::string::npos);
    QVERIFY(text.find("\"context_length\": 2147483648,\n") != std::string::npos);
    // Doubles round-trip: the shortest text that reads back as the same value.
    QVERIFY(text.find("\"ratio\": 2047.9999999999998,\n") != std::string::npos);
    QVERIFY(text.find("\"savings_percent\": 99.951171875\n") != std::string::npos);
    QVERIFY(!QJsonDocument::fromJson(QByteArray::fromStdString(text)).isNull());
}

void TestJsonReport::wholeDoublesStayReal() {
    kvscope::KvEstimate estimate;
    estimate.ratio = 4.0;
    estimate.savings_percent = std::numeric_limits<double>::quiet_NaN();
    const std::string text = jsonReport(kvscope::ModelShape{}, kvscope::Workload{}, estimate);
    QVERIFY(text.find("\"ratio\": 4.0,\n") != std::string::npos);
    QVERIFY(text.find("\"savings_percent\": null\n") != std::string::npos);  // JSON has no nan
    QVERIFY(!QJsonDocument::fromJson(QByteArray::fromStdString(text)).isNull());
}

QTEST_MAIN(TestJsonReport)
#include "tst_jsonreport.moc"
