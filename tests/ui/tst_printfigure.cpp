#include <QAbstractAxis>
#include <QAbstractSeries>
#include <QApplication>
#include <QCategoryAxis>
#include <QGraphicsLayout>
#include <QGraphicsScene>
#include <QLegend>
#include <QLegendMarker>
#include <QLogValueAxis>
#include <QScatterSeries>
#include <QSet>
#include <QValueAxis>
#include <QXYSeries>
#include <QtTest>
#include <cmath>
#include <functional>

#include "ChartTicks.h"
#include "ConfigImporter.h"
#include "ConfigModel.h"
#include "ContextChart.h"
#include "ContextFigure.h"
#include "FigureRenderer.h"
#include "GroupsChart.h"
#include "GroupsFigure.h"
#include "PresetLibrary.h"
#include "CairoCanvas.h"
#include "CairoDocument.h"
#include "FigureSize.h"
#include "FigureTheme.h"

using namespace Qt::StringLiterals;
using figure::FigureRenderer;

namespace {

// ---------------------------------------------------------------------------
// Configurations: the window's chart and the print figure must agree on each.

const QString kGemmaPath = QStringLiteral(KVSCOPE_TEST_DATA_DIR "/configs/gemma-3-27b.json");

bool loadGemma(ConfigModel &m) {
    const auto gemma = ConfigImporter::fromFile(kGemmaPath);
    if (!gemma) return false;
    m.loadModel(*gemma, u"Gemma 3 27B"_s);
    return m.hasModel();
}

bool loadPreset(ConfigModel &m, const QString &name) {
    const auto library = PresetLibrary::builtin();
    if (!library) return false;
    const auto model = library->load(name);
    if (!model) return false;
    m.loadModel(*model, name);
    return m.hasModel();
}

void enableH100(ConfigModel &m, int gpus) {
    // A config.json does not say how many parameters the weights have.
    if (m.hasModel() && !m.parameters()) m.setParameterOverride(27'400'000'000);
    m.setBudgetEnabled(true);
    m.setGpu(u"h100-80gb"_s);
    m.setGpuCount(gpus);
    m.setDtype(u"fp8"_s);
}

// Values the seed's chart cannot compute: the core reports an overflow.
void overflow(ConfigModel &m) {
    m.setNHeads(1024);
    m.setEmbDim(1 << 20);
    m.setNLayers(1024);
    m.setBatchSize(1 << 20);
    m.setContextLength(qint64{1} << 31);
    m.setDtype(u"fp32"_s);
}

// Each returns false when the setup itself did not take (then the test fails
// rather than compare two seed charts).
using Setup = std::function<bool(ConfigModel &)>;

QList<QPair<QString, Setup>> contextConfigs() {
    return {
        {u"seed"_s, [](ConfigModel &) { return true; }},
        {u"extra groups 1 4 8 24"_s,
         [](ConfigModel &m) {
             // Kept sorted; 1 (MHA) and 4 (the current setting) are not drawn twice.
             m.setExtraGroups({24, 8, 4, 1});
             return m.extraGroups() == QList<int>{1, 4, 8, 24};
         }},
        {u"context 1000000"_s,
         [](ConfigModel &m) {
             m.setContextLength(1'000'000);
             return m.contextLength() == 1'000'000;
         }},
        {u"binary units with extras"_s,
         [](ConfigModel &m) {
             m.setBinaryUnits(true);
             m.setExtraGroups({8, 24});
             return m.binaryUnits();
         }},
        {u"gemma, hidden variant, pinned"_s,
         [](ConfigModel &m) {
             if (!loadGemma(m) || !m.pinCurrent()) return false;
             // The pin keeps bf16 while the model moves on: two different curves.
             m.setDtype(u"fp8"_s);
             m.setHiddenVariants({u"no_sliding_window"_s});
             return m.pinnedCurves().size() == 1 && m.modelCurves().size() >= 3;
         }},
        {u"gemma with extra groups"_s,
         [](ConfigModel &m) {
             if (!loadGemma(m)) return false;
             m.setExtraGroups({2, 8});
             return !m.extraGroups().isEmpty();
         }},
        {u"gemma, an extra equal to its groups, all-full hidden, context 1000000"_s,
         [](ConfigModel &m) {
             // The extra g=2 is gemma's own grouping: not drawn, so it must not
             // scale the y axis either (the all-full what-if that equals it is hidden).
             if (!loadGemma(m)) return false;
             m.setContextLength(1'000'000);
             m.setExtraGroups({m.nKvGroups(), 8});
             m.setHiddenVariants({u"no_sliding_window"_s});
             return m.extraGroups().size() == 2;
         }},
        {u"h100 tp1 fp8 seed"_s,
         [](ConfigModel &m) {
             enableH100(m, 1);
             return m.hasPlan() && !m.chartPerGpu();
         }},
        {u"h100 tp2 fp8 seed with extras"_s,
         [](ConfigModel &m) {
             // 24 heads: g=8 (3 K/V heads) and g=24 (1) cannot be split over 2 GPUs.
             m.setExtraGroups({2, 8, 24});
             enableH100(m, 2);
             return m.hasPlan() && m.chartPerGpu();
         }},
        {u"h100 tp2 fp8 seed at context 1000000"_s,
         [](ConfigModel &m) {
             m.setContextLength(1'000'000);
             enableH100(m, 2);
             return m.hasPlan() && m.chartPerGpu();
         }},
        {u"h100 tp1 fp8 gemma"_s,
         [](ConfigModel &m) {
             if (!loadGemma(m)) return false;
             enableH100(m, 1);
             return m.hasPlan();
         }},
        {u"h100 tp2 fp8 gemma, hidden variant, pinned"_s,
         [](ConfigModel &m) {
             if (!loadGemma(m) || !m.pinCurrent()) return false;
             m.setHiddenVariants({u"mha"_s});
             enableH100(m, 2);
             return m.hasPlan() && m.chartPerGpu();
         }},
        {u"direct kv budget"_s,
         [](ConfigModel &m) {
             m.setBudgetEnabled(true);
             m.setKvBudgetBytes(qint64{20} * 1000 * 1000 * 1000);
             return m.hasPlan();
         }},
        {u"direct kv budget, gemma, binary"_s,
         [](ConfigModel &m) {
             if (!loadGemma(m)) return false;
             m.setBinaryUnits(true);
             m.setBudgetEnabled(true);
             m.setKvBudgetBytes(qint64{8} << 30);
             return m.hasPlan();
         }},
        {u"direct kv budget of two blocks"_s,
         [](ConfigModel &m) {
             // 32 tokens fit: the crossing lies left of the sweep, no marker.
             m.setBudgetEnabled(true);
             m.setKvBudgetBytes(2 * 1'585'152);
             return m.hasPlan();
         }},
        {u"overflow error"_s,
         [](ConfigModel &m) {
             overflow(m);
             return !m.estimate().ok() || !m.contextPoints().ok();
         }},
    };
}

QList<QPair<QString, Setup>> groupsConfigs() {
    return {
        {u"seed"_s, [](ConfigModel &) { return true; }},
        {u"groups 8"_s,
         [](ConfigModel &m) {
             m.setNKvGroups(8);
             return m.nKvGroups() == 8;
         }},
        {u"one head"_s,
         [](ConfigModel &m) {
             m.setNHeads(1);
             return m.nHeads() == 1;
         }},
        {u"120 heads"_s,
         [](ConfigModel &m) {
             m.setEmbDim(15360);
             m.setNHeads(120);
             return m.nHeads() == 120;
         }},
        {u"context 1000000"_s,
         [](ConfigModel &m) {
             m.setContextLength(1'000'000);
             return m.contextLength() == 1'000'000;
         }},
        {u"DeepSeek-V3, all MLA: the note says so"_s, [](ConfigModel &m) { return loadPreset(m, u"DeepSeek-V3"_s); }},
        {u"Jamba, Mamba layers: the note says so"_s, [](ConfigModel &m) { return loadPreset(m, u"Jamba v0.1"_s); }},
        {u"gemma, sliding and full: no note"_s, [](ConfigModel &m) { return loadGemma(m); }},
        {u"overflow error"_s,
         [](ConfigModel &m) {
             overflow(m);
             return !m.groupPoints().ok();
         }},
    };
}

// Back to the seed, whatever the previous configuration did.
void resetModel(ConfigModel &m) {
    m.unpinAll();
    m.setHiddenVariants({});
    m.clearModel();
    m.resetToDefaults();
}

// ---------------------------------------------------------------------------
// What the window's chart shows.

void layOut(KvChart *chart) {
    chart->resize(QSizeF(900, 560));
    chart->layout()->activate();
    // The detached legend lays out on its posted layout request, as the
    // window's event loop does before painting: until then the markers of
    // series just (re)added report hidden.
    QCoreApplication::sendPostedEvents();
    chart->legend()->layout()->activate();
}

QXYSeries *xySeries(const KvChart *chart, const QString &name) {
    const auto all = chart->series();
    for (QAbstractSeries *s : all) {
        if (s->name() == name) return qobject_cast<QXYSeries *>(s);
    }
    return nullptr;
}

// The legend as drawn: visible series with a visible legend marker, in series order.
// What the window's legend lists, inside the plot or below the chart.
QStringList legendOf(const KvChart *chart) {
    QStringList names;
    for (const KvChart::LegendEntry &entry : chart->legendEntries()) names.append(entry.label);
    return names;
}

QStringList legendOf(const figure::Figure &f) {
    QStringList names;
    for (const figure::Series &s : f.series) {
        if (!s.name.isEmpty()) names.append(s.name);
    }
    return names;
}

const figure::Series *figureSeries(const figure::Figure &f, const QString &name) {
    for (const figure::Series &s : f.series) {
        if (s.name == name) return &s;
    }
    return nullptr;
}

QValueAxis *valueAxis(const KvChart *chart, Qt::Orientation orientation) {
    const auto axes = chart->axes(orientation);
    for (QAbstractAxis *axis : axes) {
        if (auto *value = qobject_cast<QValueAxis *>(axis)) return value;
    }
    return nullptr;
}

// The ticks a dynamic-ticks QValueAxis draws: anchor + k * interval inside
// the range, labelled with the axis' printf format.
QList<figure::Tick> ticksOf(const QValueAxis *axis) {
    QList<figure::Tick> ticks;
    const QByteArray format = axis->labelFormat().toLatin1();
    const double interval = axis->tickInterval();
    if (!(interval > 0)) return ticks;
    for (double k = std::ceil((axis->min() - axis->tickAnchor()) / interval);; ++k) {
        const double value = axis->tickAnchor() + k * interval;
        if (value > axis->max() + interval * 1e-9) break;
        ticks.append({value, QString::asprintf(format.constData(), value)});
    }
    return ticks;
}

QList<double> tickValues(const QList<figure::Tick> &ticks) {
    QList<double> values;
    for (const figure::Tick &t : ticks) values.append(t.value);
    return values;
}

QStringList tickLabels(const QList<figure::Tick> &ticks) {
    QStringList labels;
    for (const figure::Tick &t : ticks) labels.append(t.label);
    return labels;
}

// Shared by both charts: legend, points, title, error. Call through
// QVERIFY(...) chains: returns early on the first failure.
void compareCommon(const KvChart *chart, const figure::Figure &f) {
    QCOMPARE(f.headline, chart->headline());
    QCOMPARE(f.configLine, chart->configLine());
    QCOMPARE(f.note, chart->note());
    QCOMPARE(f.error, chart->errorText());
    if (!chart->errorText().isEmpty()) {
        // An error replaces the data on both.
        QCOMPARE(legendOf(chart).size(), 0);
        return;
    }
    const QStringList legend = legendOf(chart);
    QVERIFY(!legend.isEmpty());
    QCOMPARE(legendOf(f), legend);
    for (const QString &name : legend) {
        const QXYSeries *xy = xySeries(chart, name);
        const figure::Series *s = figureSeries(f, name);
        QVERIFY2(xy && s, qPrintable(name));
        // Exact: both divide the same integers by the same divisor.
        QCOMPARE(s->points, xy->points());
    }
}

void compareYAxis(const KvChart *chart, const figure::Figure &f) {
    const QValueAxis *y = valueAxis(chart, Qt::Vertical);
    QVERIFY(y);
    QCOMPARE(y->tickType(), QValueAxis::TicksDynamic);
    QCOMPARE(f.y.log2, false);
    QCOMPARE(f.y.title, y->titleText());
    QCOMPARE(f.y.min, y->min());
    QCOMPARE(f.y.max, y->max());
    const QList<figure::Tick> ticks = ticksOf(y);
    QVERIFY(ticks.size() >= 2);
    QCOMPARE(tickValues(f.y.ticks), tickValues(ticks));
    QCOMPARE(tickLabels(f.y.ticks), tickLabels(ticks));
}

// The chart's unnamed scatter series (rings, end labels) in series order.
QList<QScatterSeries *> unnamedScatters(const KvChart *chart) {
    QList<QScatterSeries *> list;
    const auto all = chart->series();
    for (QAbstractSeries *s : all) {
        if (auto *scatter = qobject_cast<QScatterSeries *>(s); scatter && s->name().isEmpty()) list.append(scatter);
    }
    return list;
}

void compareLog2XAxis(const KvChart *chart, const figure::Figure &f) {
    QLogValueAxis *xLog = nullptr;
    QCategoryAxis *xLabels = nullptr;
    const auto horizontal = chart->axes(Qt::Horizontal);
    for (QAbstractAxis *axis : horizontal) {
        if (auto *log = qobject_cast<QLogValueAxis *>(axis)) xLog = log;
        if (auto *labels = qobject_cast<QCategoryAxis *>(axis)) xLabels = labels;
    }
    QVERIFY(xLog && xLabels);
    QVERIFY(f.x.log2);
    QCOMPARE(f.x.title, xLabels->titleText());
    QCOMPARE(f.x.min, xLog->min());
    QCOMPARE(f.x.max, xLog->max());
}

// Titles, legend, data and both axes; false when the caller should stop
// (a failure, or an error drawn instead of the data on both).
bool compareFrame(const KvChart *chart, const figure::Figure &f) {
    compareCommon(chart, f);
    if (QTest::currentTestFailed() || !f.error.isEmpty()) return false;
    compareYAxis(chart, f);
    if (QTest::currentTestFailed()) return false;
    // x: the hidden log axis maps the data; the category axis carries the title.
    compareLog2XAxis(chart, f);
    return !QTest::currentTestFailed();
}

void compareContext(const ContextChart *chart, const ConfigModel &model) {
    const figure::Figure f = ContextFigure::build(model);
    if (!compareFrame(chart, f)) return;

    // The budget line and its markers where the curves cross it.
    const QString markersName = chart->budgetMarkersName();
    QCOMPARE(model.hasPlan(), !markersName.isEmpty());
    if (!markersName.isEmpty()) {
        const figure::Series *markers = figureSeries(f, markersName);
        QVERIFY2(markers, qPrintable(markersName));
        QCOMPARE(markers->marker, figure::Marker::Diamond);
        QCOMPARE(markers->points, chart->seriesPoints(markersName));
        const figure::Series *line = figureSeries(f, chart->budgetLineName());
        QVERIFY(line);
        QCOMPARE(line->points, chart->seriesPoints(chart->budgetLineName()));
    }

    // The rings at the current context: the only unnamed series on both.
    const QList<QScatterSeries *> scatters = unnamedScatters(chart);
    QCOMPARE(scatters.size(), 1);
    QList<const figure::Series *> rings;
    for (const figure::Series &s : f.series) {
        if (s.name.isEmpty()) rings.append(&s);
    }
    QCOMPARE(rings.size(), 1);
    QCOMPARE(rings.constFirst()->marker, figure::Marker::Circle);
    QVERIFY(!rings.constFirst()->line);
    QCOMPARE(rings.constFirst()->points, scatters.constFirst()->points());
}

void compareGroups(const GroupsChart *chart, const ConfigModel &model) {
    const figure::Figure f = GroupsFigure::build(model);
    if (!compareFrame(chart, f)) return;
    // A tick on every plotted group count.
    QCOMPARE(tickValues(f.x.ticks), chart->xTickValues());
    QList<double> plotted;
    for (const auto &p : *model.groupPoints()) plotted.append(p.n_kv_groups);
    QCOMPARE(tickValues(f.x.ticks), plotted);
    // The labels shown are a subset of the ticks, in order, ending on n_heads.
    const QStringList shown = chart->xTickLabels();
    QVERIFY(!shown.isEmpty());
    QCOMPARE(shown.constLast(), QString::number(model.nHeads()));
    const QStringList all = tickLabels(f.x.ticks);
    qsizetype at = 0;
    for (const QString &label : shown) {
        at = all.indexOf(label, at);
        QVERIFY2(at >= 0, qPrintable(label));
    }

    // The end labels ("MHA", "MQA" or "MHA = MQA") on the same points.
    QStringList figureLabels;
    QList<QPointF> figurePoints;
    for (const figure::Series &s : f.series) {
        if (s.pointLabel.isEmpty()) continue;
        figureLabels.append(s.pointLabel);
        figurePoints.append(s.points);
    }
    QCOMPARE(figureLabels, chart->endLabels());
    QCOMPARE(figurePoints, chart->endLabelPoints());
}

// ---------------------------------------------------------------------------
// A canvas that records what the renderer draws, measuring text as the
// exports do (cairo and DejaVu Sans).

struct RecordedText {
    QString text;
    figure::Font font;
    bool vertical = false;
    QRectF box;  // what the text covers, ascent to descent
    friend bool operator==(const RecordedText &a, const RecordedText &b) { return a.text == b.text && a.box == b.box; }
};

struct RecordedLine {
    QList<QPointF> points;
    figure::Pen pen;
};

class RecordingCanvas : public figure::Canvas {
public:
    QList<RecordedText> texts;
    QList<QList<QPointF>> polylines;
    QList<QList<QPointF>> polygons;  // the first is the figure's background
    QList<QPointF> circles;
    // Drawn inside the plot's clip: the data.
    QList<RecordedLine> dataLines;
    QList<QRectF> dataMarkers;
    QList<std::optional<figure::Rgb>> fills;  // of every polygon and circle, in order

    void drawPolyline(const QList<QPointF> &points, const figure::Pen &pen) override {
        polylines.append(points);
        if (m_clipped) dataLines.append({points, pen});
    }
    void drawPolygon(const QList<QPointF> &points, std::optional<figure::Rgb> fill, std::optional<figure::Pen>) override {
        polygons.append(points);
        fills.append(fill);
        if (m_clipped) dataMarkers.append(QPolygonF(points).boundingRect());
    }
    void drawCircle(QPointF center, double radius, std::optional<figure::Rgb> fill, std::optional<figure::Pen>) override {
        circles.append(center);
        fills.append(fill);
        if (m_clipped) dataMarkers.append(QRectF(center - QPointF(radius, radius), center + QPointF(radius, radius)));
    }
    void drawText(QPointF baseline, const QString &text, const figure::Font &font, figure::Rgb,
                  bool vertical) override {
        const double w = textWidth(text, font), a = ascent(font), d = descent(font);
        // Vertical text is turned counter-clockwise about the baseline's
        // left end: it runs upwards, its ascent to the left.
        const QRectF box = vertical ? QRectF(baseline.x() - a, baseline.y() - w, a + d, w)
                                    : QRectF(baseline.x(), baseline.y() - a, w, a + d);
        texts.append({text, font, vertical, box});
    }
    void setClip(const QRectF &) override { m_clipped = true; }
    void clearClip() override { m_clipped = false; }
    double textWidth(const QString &text, const figure::Font &font) const override {
        return m_measure.textWidth(text, font);
    }
    double ascent(const figure::Font &font) const override { return m_measure.ascent(font); }
    double descent(const figure::Font &font) const override { return m_measure.descent(font); }

private:
    bool m_clipped = false;
    figure::CairoDocument m_document{figure::CairoDocument::Kind::Pdf, QSizeF(100, 100), {}};
    figure::CairoCanvas m_measure{m_document.context()};
};

constexpr double kEps = 1e-6;

bool sameFont(const figure::Font &a, const figure::Font &b) { return a.size == b.size && a.bold == b.bold; }

bool inside(const QRectF &inner, const QRectF &outer) {
    return inner.left() >= outer.left() - kEps && inner.right() <= outer.right() + kEps &&
           inner.top() >= outer.top() - kEps && inner.bottom() <= outer.bottom() + kEps;
}

bool overlap(const QRectF &a, const QRectF &b) {
    return a.left() < b.right() - kEps && b.left() < a.right() - kEps && a.top() < b.bottom() - kEps &&
           b.top() < a.bottom() - kEps;
}

QString describe(const QRectF &r) {
    return u"[%1, %2 .. %3, %4]"_s.arg(r.left()).arg(r.top()).arg(r.right()).arg(r.bottom());
}

// The first pair of texts in `texts` that overlap, or an empty string.
QString overlapping(const QList<RecordedText> &texts) {
    for (qsizetype i = 0; i < texts.size(); ++i) {
        for (qsizetype j = i + 1; j < texts.size(); ++j) {
            if (overlap(texts[i].box, texts[j].box))
                return u"'%1' %2 and '%3' %4"_s.arg(texts[i].text, describe(texts[i].box), texts[j].text,
                                                    describe(texts[j].box));
        }
    }
    return {};
}

struct Drawn {
    RecordingCanvas canvas;
    QRectF plot;
    FigureRenderer::LegendBox legendBox;
    QList<RecordedText> xTicks, yTicks, legend;
};

// Draws `f` into `box` and sorts the texts by role: tick labels by font and
// place (below or left of the plot), legend texts by name.
void draw(const figure::Figure &f, const QRectF &box, Drawn &out, const figure::FigureStyle &style = {}) {
    FigureRenderer::draw(f, out.canvas, box, style);
    out.plot = FigureRenderer::plotArea(f, out.canvas, box, style);
    out.legendBox = FigureRenderer::legendBox(f, out.canvas, box, style);
    const FigureRenderer::Fonts fonts = FigureRenderer::fonts(style);
    const QStringList names = legendOf(f);
    for (const RecordedText &t : std::as_const(out.canvas.texts)) {
        if (t.vertical) continue;
        if (sameFont(t.font, out.legendBox.font) && names.contains(t.text) && out.legendBox.rect.contains(t.box.center())) {
            out.legend.append(t);
        } else if (sameFont(t.font, fonts.tick) && t.box.top() >= out.plot.bottom() &&
                   t.box.top() < out.plot.bottom() + 20 + fonts.tick.size) {
            out.xTicks.append(t);
        } else if (sameFont(t.font, fonts.tick) && t.box.right() <= out.plot.left()) {
            out.yTicks.append(t);
        }
    }
}

// Does the segment a-b pass through `rect`? Sampled finely: a test's own
// way, not the renderer's.
bool crosses(QPointF a, QPointF b, const QRectF &rect) {
    const int steps = std::max(2, static_cast<int>(QLineF(a, b).length() * 4));
    for (int i = 0; i <= steps; ++i) {
        if (rect.contains(a + (b - a) * (static_cast<double>(i) / steps))) return true;
    }
    return false;
}

// What of the data the legend covers, described; empty when nothing.
QString legendCovers(const Drawn &d) {
    const QRectF legend = d.legendBox.rect;
    for (const RecordedLine &line : d.canvas.dataLines) {
        for (qsizetype i = 1; i < line.points.size(); ++i) {
            if (crosses(line.points[i - 1], line.points[i], legend))
                return u"a line through %1 and %2"_s.arg(describe(QRectF(line.points[i - 1], QSizeF(0, 0))),
                                                          describe(QRectF(line.points[i], QSizeF(0, 0))));
        }
    }
    for (const QRectF &marker : d.canvas.dataMarkers) {
        if (legend.intersects(marker)) return u"a marker at "_s + describe(marker);
    }
    return {};
}

// Every layout rule a print figure keeps at any size and style.
void checkLayout(const figure::Figure &f, const QRectF &box, const figure::FigureStyle &style = {}) {
    Drawn d;
    draw(f, box, d, style);
    QVERIFY(!d.canvas.texts.isEmpty());
    for (const RecordedText &t : std::as_const(d.canvas.texts)) {
        QVERIFY2(inside(t.box, box), qPrintable(u"'%1' %2 outside the figure %3"_s.arg(t.text, describe(t.box), describe(box))));
    }
    if (!style.title) {
        for (const RecordedText &t : std::as_const(d.canvas.texts)) {
            QVERIFY2(t.text != f.headline && t.text != f.configLine, qPrintable(t.text));
        }
    } else {
    // The two title lines, centred on the figure.
    QVERIFY(d.canvas.texts.size() >= 2);
    const RecordedText &headline = d.canvas.texts[0];
    const RecordedText &configLine = d.canvas.texts[1];
    QCOMPARE(headline.text, f.headline);
    QCOMPARE(configLine.text, f.configLine);
    QVERIFY2(std::abs(headline.box.center().x() - box.center().x()) <= 1.0, qPrintable(describe(headline.box)));
    QVERIFY2(std::abs(configLine.box.center().x() - box.center().x()) <= 1.0, qPrintable(describe(configLine.box)));
    }

    // Every tick label drawn, none on another.
    // Labels thin out where the axis is short; at least two stay.
    const qsizetype xCount = FigureRenderer::labelledTicks(f.x, true, d.canvas, d.plot.width(), style).size();
    const qsizetype yCount = FigureRenderer::labelledTicks(f.y, false, d.canvas, d.plot.height(), style).size();
    QVERIFY(xCount >= 2);
    QVERIFY(yCount >= 2);
    QCOMPARE(d.xTicks.size(), xCount);
    QCOMPARE(d.yTicks.size(), yCount);
    if (f.x.log2 && f.x.ticks.isEmpty()) QCOMPARE(xCount, FigureRenderer::log2TickExponents(f.x, d.canvas, d.plot.width(), style).size());
    QString clash = overlapping(d.xTicks);
    QVERIFY2(clash.isEmpty(), qPrintable(clash));
    clash = overlapping(d.yTicks);
    QVERIFY2(clash.isEmpty(), qPrintable(clash));

    // Point labels ("MHA", "MQA") stay over the plot, off the tick labels.
    for (const figure::Series &series : f.series) {
        if (series.pointLabel.isEmpty()) continue;
        for (const RecordedText &t : std::as_const(d.canvas.texts)) {
            if (t.text != series.pointLabel) continue;
            QVERIFY2(t.box.left() >= d.plot.left() - kEps && t.box.right() <= d.plot.right() + kEps,
                     qPrintable(u"'%1' %2 beside the plot %3"_s.arg(t.text, describe(t.box), describe(d.plot))));
        }
    }
    if (style.legend == figure::LegendPlacement::None) {
        QVERIFY(d.legend.isEmpty());
        return;
    }
    // The legend: one text per named series, each inside its box, none on
    // another. Inside the plot it covers no data (unless asked to be
    // inside); outside it, it stays clear of the plot and every other text.
    QCOMPARE(d.legend.size(), legendOf(f).size());
    const QRectF legend = d.legendBox.rect;
    for (const RecordedText &t : std::as_const(d.legend)) {
        QVERIFY2(inside(t.box, legend), qPrintable(u"legend '%1' %2 outside its box %3"_s.arg(t.text, describe(t.box), describe(legend))));
    }
    clash = overlapping(d.legend);
    QVERIFY2(clash.isEmpty(), qPrintable(clash));
    // (Inside goes outside only when the plot is too small to hold it.)
    if (style.legend == figure::LegendPlacement::Outside) QVERIFY(!d.legendBox.inside);
    if (d.legendBox.inside) {
        QVERIFY2(inside(legend, d.plot), qPrintable(describe(legend) + u" not in the plot "_s + describe(d.plot)));
        if (style.legend == figure::LegendPlacement::Auto) {
            const QString covered = legendCovers(d);
            QVERIFY2(covered.isEmpty(), qPrintable(u"the legend %1 covers %2"_s.arg(describe(legend), covered)));
        }
    } else {
        QVERIFY2(!overlap(legend, d.plot), qPrintable(describe(legend) + u" on the plot "_s + describe(d.plot)));
        for (const RecordedText &t : std::as_const(d.canvas.texts)) {
            if (d.legend.contains(t)) continue;
            QVERIFY2(!overlap(t.box, legend), qPrintable(u"'%1' %2 under the legend %3"_s.arg(t.text, describe(t.box), describe(legend))));
        }
    }
}

const QList<QRectF> kBoxes{QRectF(0, 0, 560, 400), QRectF(0, 0, 1100, 400), QRectF(0, 0, 320, 240),
                           // Not at the origin: a report places figures on a page.
                           QRectF(36, 72, 320, 240)};

}  // namespace

class TestPrintFigure : public QObject {
    Q_OBJECT

private Q_SLOTS:
    // --- parity with the window's charts ----------------------------------

    void contextParity_data() {
        QTest::addColumn<int>("index");
        const auto configs = contextConfigs();
        for (qsizetype i = 0; i < configs.size(); ++i)
            QTest::newRow(qPrintable(configs[i].first)) << static_cast<int>(i);
    }

    void contextParity() {
        // A chart built for the configuration, as the window shows after a restart.
        QFETCH(int, index);
        ConfigModel model;
        const auto [name, setup] = contextConfigs()[index];
        QVERIFY2(setup(model), qPrintable(name));
        QGraphicsScene scene;
        auto *chart = new ContextChart(&model);
        scene.addItem(chart);
        layOut(chart);
        QCOMPARE(!chart->errorText().isEmpty(), name.contains(u"error"_s));
        compareContext(chart, model);
        if (QTest::currentTestFailed()) return;
        // Both could agree on a duplicate: an extra equal to MHA or to the
        // current setting is not drawn, and no entry appears twice.
        const QStringList legend = legendOf(chart);
        QCOMPARE(QSet<QString>(legend.begin(), legend.end()).size(), legend.size());
        for (const QString &entry : legend) {
            QVERIFY2(!entry.startsWith(u"GQA (n_kv_groups=1,"_s), qPrintable(entry));
            QVERIFY2(!entry.startsWith(u"GQA (n_kv_groups=%1,"_s.arg(model.nKvGroups())), qPrintable(entry));
        }
        // A curve with no points (one whose K/V heads cannot be split over
        // the GPUs) has no legend entry either; the budget's markers keep
        // theirs, which says what fits even when the crossing is off the chart.
        const figure::Figure figure = ContextFigure::build(model);
        for (const figure::Series &series : figure.series) {
            if (series.line) QVERIFY2(series.name.isEmpty() || !series.points.isEmpty(), qPrintable(series.name));
        }
    }

    void contextParityAfterEveryOtherConfiguration() {
        // The window's chart lives through every edit: series come and go
        // and are reordered. It must still draw what the figure draws.
        ConfigModel model;
        QGraphicsScene scene;
        auto *chart = new ContextChart(&model);
        scene.addItem(chart);
        const auto configs = contextConfigs();
        for (int round = 0; round < 2; ++round) {
            for (const auto &[name, setup] : configs) {
                // Round 0 starts each configuration from the seed; round 1
                // piles them on top of each other.
                if (round == 0) {
                    resetModel(model);
                    QVERIFY2(setup(model), qPrintable(name));
                } else {
                    setup(model);
                }
                chart->refresh();
                layOut(chart);
                compareContext(chart, model);
                if (QTest::currentTestFailed()) {
                    qInfo("%s", qPrintable(u"failed at '%1' (round %2)"_s.arg(name).arg(round)));
                    return;
                }
            }
        }
    }

    void contextParityWhenCurvesAreAddedLater() {
        // Curves added to a living chart: extras after a model's curves, a
        // model after extras, a budget last. The legend keeps one order.
        ConfigModel model;
        QGraphicsScene scene;
        auto *chart = new ContextChart(&model);
        scene.addItem(chart);
        layOut(chart);
        const std::vector<std::function<void()>> steps{
            [&] { QVERIFY(loadGemma(model)); },
            [&] { model.setExtraGroups({8}); },
            [&] { QVERIFY(model.pinCurrent()); },
            [&] { model.setExtraGroups({4, 8}); },
            [&] { enableH100(model, 2); },
            [&] { model.setExtraGroups({4, 8, 16}); },
            [&] { model.clearModel(); },
            [&] { model.setExtraGroups({2}); },
            [&] { QVERIFY(loadGemma(model)); },
        };
        for (std::size_t i = 0; i < steps.size(); ++i) {
            steps[i]();
            if (QTest::currentTestFailed()) return;
            chart->refresh();
            layOut(chart);
            compareContext(chart, model);
            if (QTest::currentTestFailed()) {
                qInfo("failed after step %zu", i);
                return;
            }
        }
    }

    void groupsParity_data() {
        QTest::addColumn<int>("index");
        const auto configs = groupsConfigs();
        for (qsizetype i = 0; i < configs.size(); ++i)
            QTest::newRow(qPrintable(configs[i].first)) << static_cast<int>(i);
    }

    void groupsParity() {
        QFETCH(int, index);
        ConfigModel model;
        const auto [name, setup] = groupsConfigs()[index];
        QVERIFY2(setup(model), qPrintable(name));
        QGraphicsScene scene;
        auto *chart = new GroupsChart(&model);
        scene.addItem(chart);
        layOut(chart);
        QCOMPARE(!chart->errorText().isEmpty(), name.contains(u"error"_s));
        compareGroups(chart, model);
        if (QTest::currentTestFailed()) return;
        // The same chart then lives through every configuration, the first
        // on top of this one, the others from the seed: errors come and go.
        for (const auto &[otherName, otherSetup] : groupsConfigs()) {
            otherSetup(model);
            chart->refresh();
            layOut(chart);
            compareGroups(chart, model);
            if (QTest::currentTestFailed()) {
                qInfo("%s", qPrintable(u"failed at '%1' after '%2'"_s.arg(otherName, name)));
                return;
            }
            resetModel(model);
        }
    }

    // --- the renderer's layout --------------------------------------------

    void layoutOfTheSeedFigures_data() {
        QTest::addColumn<int>("kind");  // 0: context, 1: groups
        QTest::addColumn<QRectF>("box");
        for (int kind : {0, 1}) {
            for (const QRectF &box : kBoxes) {
                QTest::newRow(qPrintable(u"%1 %2x%3 at %4,%5"_s.arg(kind == 0 ? u"context"_s : u"groups"_s)
                                             .arg(box.width())
                                             .arg(box.height())
                                             .arg(box.left())
                                             .arg(box.top())))
                    << kind << box;
            }
        }
    }

    void layoutOfTheSeedFigures() {
        QFETCH(int, kind);
        QFETCH(QRectF, box);
        ConfigModel model;
        const figure::Figure f = kind == 0 ? ContextFigure::build(model) : GroupsFigure::build(model);
        QVERIFY(f.error.isEmpty());
        checkLayout(f, box);
    }

    void log2LabelsThinOutOnASmallFigure() {
        ConfigModel model;
        model.setContextLength(1'000'000);
        const figure::Figure f = ContextFigure::build(model);
        const QRectF box(0, 0, 320, 240);
        checkLayout(f, box);
        if (QTest::currentTestFailed()) return;
        Drawn d;
        draw(f, box, d);
        // Powers of two in the range: 2^8 .. 2^21 (the sweep runs past twice the context).
        const int powers = static_cast<int>(std::floor(std::log2(f.x.max))) - static_cast<int>(std::ceil(std::log2(f.x.min))) + 1;
        QCOMPARE(powers, 14);
        QVERIFY2(d.xTicks.size() >= 3 && d.xTicks.size() < powers, qPrintable(QString::number(d.xTicks.size())));
        QStringList labels;
        for (const RecordedText &t : std::as_const(d.xTicks)) labels.append(t.text);
        // Thinned to every 2nd, 5th, ... power: 1K and 1M stay labelled.
        QVERIFY2(labels.contains(u"1K"_s) && labels.contains(u"1M"_s), qPrintable(labels.join(u' ')));
        // The wide figure has room for every power.
        Drawn wide;
        draw(f, QRectF(0, 0, 1100, 400), wide);
        QCOMPARE(wide.xTicks.size(), powers);
    }

    void spacedLabelsKeepTheFirstAndTheLast() {
        // Labels 8 wide, 4 apart at least: 10 touches 0 (6 < 4 + 4), 20 does not.
        QCOMPARE(FigureRenderer::spacedLabels({0, 10, 20, 100}, {8, 8, 8, 8}, 4), (QList<qsizetype>{0, 2, 3}));
        // The last is always kept: 30 makes way for 36 (32 < 34 + 4), 0 does not have to.
        QCOMPARE(FigureRenderer::spacedLabels({0, 30, 36}, {8, 8, 8}, 4), (QList<qsizetype>{0, 2}));
        QCOMPARE(FigureRenderer::spacedLabels({5}, {8}, 4), QList<qsizetype>{0});
        QVERIFY(FigureRenderer::spacedLabels({}, {}, 4).isEmpty());
    }

    void groupsTicksSitOnTheDivisorsAndEndLabelsMissTheCurve_data() {
        QTest::addColumn<int>("heads");
        QTest::addColumn<QRectF>("box");
        for (int heads : {2, 8, 24, 32, 40, 64, 120, 128}) {
            for (const QRectF &box : {QRectF(0, 0, 640, 480), QRectF(0, 0, 360, 260)})
                QTest::newRow(qPrintable(u"%1 heads %2x%3"_s.arg(heads).arg(box.width()).arg(box.height()))) << heads << box;
        }
    }

    void groupsTicksSitOnTheDivisorsAndEndLabelsMissTheCurve() {
        QFETCH(int, heads);
        QFETCH(QRectF, box);
        ConfigModel model;
        model.setNHeads(heads);
        model.setEmbDim(heads * 64);
        const figure::Figure f = GroupsFigure::build(model);
        QVERIFY(f.error.isEmpty());
        QList<double> divisors;
        for (int d = 1; d <= heads; ++d) {
            if (heads % d == 0) divisors.append(d);
        }
        QCOMPARE(tickValues(f.x.ticks), divisors);
        checkLayout(f, box);
        if (QTest::currentTestFailed()) return;
        Drawn d;
        draw(f, box, d);
        // Labelled ticks: divisors, n_heads among them, none touching the next.
        QVERIFY(!d.xTicks.isEmpty());
        QCOMPARE(d.xTicks.constLast().text, QString::number(heads));
        for (qsizetype i = 0; i < d.xTicks.size(); ++i) {
            QVERIFY(divisors.contains(d.xTicks[i].text.toDouble()));
            if (i > 0) QVERIFY2(d.xTicks[i].box.left() > d.xTicks[i - 1].box.right(), qPrintable(d.xTicks[i].text));
        }
        // Each divisor's label sits where log2 puts it.
        for (const RecordedText &t : std::as_const(d.xTicks)) {
            const double x = d.plot.left() + (std::log2(t.text.toDouble()) - std::log2(f.x.min)) /
                                                 (std::log2(f.x.max) - std::log2(f.x.min)) * d.plot.width();
            QVERIFY2(std::abs(t.box.center().x() - x) < 0.01, qPrintable(t.text));
        }
        // "MHA" and "MQA" cross no part of the curve.
        QList<QPointF> curve;
        for (const RecordedLine &line : std::as_const(d.canvas.dataLines)) {
            if (line.points.size() > 1) curve = line.points;
        }
        QCOMPARE(curve.size(), divisors.size());
        for (const RecordedText &t : std::as_const(d.canvas.texts)) {
            if (t.text != u"MHA"_s && t.text != u"MQA"_s) continue;
            QVERIFY2(t.box.left() >= d.plot.left() - kEps && t.box.right() <= d.plot.right() + kEps, qPrintable(t.text));
            for (qsizetype i = 1; i < curve.size(); ++i)
                QVERIFY2(!crosses(curve[i - 1], curve[i], t.box), qPrintable(t.text + u' ' + describe(t.box)));
        }
        // With the current choice on MHA, its larger marker stays clear of the label too.
        model.setNKvGroups(1);
        Drawn onMha;
        draw(GroupsFigure::build(model), box, onMha);
        for (const RecordedText &t : std::as_const(onMha.canvas.texts)) {
            if (t.text != u"MHA"_s) continue;
            for (const QRectF &marker : std::as_const(onMha.canvas.dataMarkers))
                QVERIFY2(!overlap(t.box, marker), qPrintable(describe(t.box) + u" on "_s + describe(marker)));
        }
    }

    void anErrorIsDrawnInsteadOfTheData() {
        // The overflow the chart shows as an error, and a long message on a
        // figure that still holds series: only the words are drawn.
        ConfigModel model;
        overflow(model);
        figure::Figure fromModel = ContextFigure::build(model);
        QVERIFY(!fromModel.error.isEmpty());
        figure::Figure seeded = ContextFigure::build(ConfigModel());
        QVERIFY(!seeded.series.empty());
        seeded.error = u"The configuration cannot be drawn: n_kv_groups must divide n_heads, and this message is long "
                       u"enough to need several lines on a small figure."_s;
        for (const figure::Figure &f : {fromModel, seeded}) {
            for (const QRectF &box : kBoxes) {
                Drawn d;
                draw(f, box, d);
                const QList<RecordedText> &texts = d.canvas.texts;
                QVERIFY(texts.size() >= 3);
                QCOMPARE(texts[0].text, f.headline);
                QCOMPARE(texts[1].text, f.configLine);
                QStringList lines;
                for (qsizetype i = 2; i < texts.size(); ++i) {
                    lines.append(texts[i].text);
                    QVERIFY2(texts[i].box.width() < d.plot.width(),
                             qPrintable(u"'%1' %2 wide, plot %3"_s.arg(texts[i].text).arg(texts[i].box.width()).arg(d.plot.width())));
                    QVERIFY2(inside(texts[i].box, box), qPrintable(describe(texts[i].box)));
                }
                // The message, whole, in wrapped lines.
                QCOMPARE(lines.join(u' '), f.error.simplified());
                // Too long for one line in the plot: wrapped (always so at 320 pt).
                if (d.canvas.textWidth(f.error, FigureRenderer::kLabelFont) > d.plot.width() * 0.8 || box.width() < 400)
                    QVERIFY2(lines.size() >= 2, qPrintable(lines.join(u'|')));
                QVERIFY(d.canvas.polylines.isEmpty());
                QCOMPARE(d.canvas.polygons.size(), 1);  // the background alone
                QVERIFY(d.canvas.circles.isEmpty());
            }
        }
    }

    // --- figure options ---------------------------------------------------

    void layoutAtEveryPresetFontSizeAndLegend() {
        // The figures a paper, a design doc or a slide asks for: every size
        // preset, small to large type, each legend placement, with and
        // without the title, on configurations with few and many curves.
        const QList<QPair<QString, Setup>> configs{
            {u"seed"_s, [](ConfigModel &) { return true; }},
            {u"extras, context 1000000"_s,
             [](ConfigModel &m) {
                 m.setContextLength(1'000'000);
                 m.setExtraGroups({2, 8, 12, 24});
                 return m.extraGroups().size() == 4;
             }},
            {u"gemma, pinned, h100 tp2"_s,
             [](ConfigModel &m) {
                 if (!loadGemma(m) || !m.pinCurrent()) return false;
                 enableH100(m, 2);
                 return m.hasPlan();
             }},
        };
        using figure::FigureStyle;
        using figure::LegendPlacement;
        int checked = 0;
        for (const auto &[name, setup] : configs) {
            ConfigModel model;
            QVERIFY2(setup(model), qPrintable(name));
            for (const figure::Figure &f : {ContextFigure::build(model), GroupsFigure::build(model)}) {
                for (const figure::FigureSizePreset &preset : figure::FigureSize::presets()) {
                    const QRectF box(QPointF(0, 0), preset.size.points());
                    for (double fontSize : {8.0, 10.0, 12.0}) {
                        for (LegendPlacement legend : {LegendPlacement::Auto, LegendPlacement::Inside,
                                                       LegendPlacement::Outside, LegendPlacement::None}) {
                            for (bool title : {true, false}) {
                                FigureStyle style;
                                style.fontSize = fontSize;
                                style.legend = legend;
                                style.title = title;
                                checkLayout(f, box, style);
                                if (QTest::currentTestFailed()) {
                                    qInfo("%s", qPrintable(u"%1, %2, %3 at %4 pt, legend %5%6"_s.arg(
                                                    name, f.headline, preset.name)
                                                    .arg(fontSize)
                                                    .arg(FigureStyle::name(legend), title ? QString() : u", no title"_s)));
                                    return;
                                }
                                ++checked;
                            }
                        }
                    }
                }
            }
        }
        QCOMPARE(checked, 3 * 2 * 4 * 3 * 4 * 2);
    }

    void autoLegendGoesOutsideWhenInsideWouldCover() {
        // A slide-sized chart with four extra curves across the whole plot
        // and an H100 budget line from edge to edge: no corner is free.
        ConfigModel model;
        model.setExtraGroups({2, 3, 8, 24});
        enableH100(model, 1);
        QVERIFY(model.hasPlan());
        const figure::Figure f = ContextFigure::build(model);
        const QRectF box(QPointF(0, 0), figure::FigureSize::preset(u"single").value().points());
        const QRectF slide(QPointF(0, 0), figure::FigureSize::preset(u"slide").value().points());
        Drawn forced;
        figure::FigureStyle style;
        style.legend = figure::LegendPlacement::Inside;
        draw(f, slide, forced, style);
        QVERIFY(forced.legendBox.inside);
        QVERIFY2(!legendCovers(forced).isEmpty(), "the test needs a figure whose every corner holds data");
        Drawn automatic;
        draw(f, box, automatic);
        QVERIFY(!automatic.legendBox.inside);
        QCOMPARE(legendCovers(automatic), QString());
        // Narrow: below the plot, in columns, inside the figure.
        QVERIFY(automatic.legendBox.rect.top() > automatic.plot.bottom());
        QVERIFY(automatic.legendBox.columns >= 1);
        QVERIFY(inside(automatic.legendBox.rect, box));
        // Wide (a slide) with short entries: to the right of the plot.
        Drawn wide;
        style.legend = figure::LegendPlacement::Outside;
        draw(ContextFigure::build(ConfigModel()), slide, wide, style);
        QVERIFY(!wide.legendBox.inside);
        QVERIFY2(wide.legendBox.rect.left() > wide.plot.right(),
                 qPrintable(describe(wide.legendBox.rect) + u" plot "_s + describe(wide.plot)));
        QCOMPARE(wide.legendBox.rect.top(), wide.plot.top());
    }

    void fontSizeScalesEveryText() {
        ConfigModel model;
        const figure::Figure f = ContextFigure::build(model);
        figure::FigureStyle style;
        style.fontSize = 14;
        Drawn d;
        draw(f, QRectF(0, 0, 720, 405), d, style);
        QVERIFY(!d.xTicks.isEmpty() && !d.yTicks.isEmpty() && !d.legend.isEmpty());
        QCOMPARE(d.xTicks.constFirst().font.size, 14 * 0.9);
        QCOMPARE(d.legend.constFirst().font.size, 14 * 0.9);
        const RecordedText &headline = d.canvas.texts.constFirst();
        QCOMPARE(headline.text, f.headline);
        QCOMPARE(headline.font.size, 14 * 1.1);
        QVERIFY(headline.font.bold);
    }

    void printThemeTellsCurvesApartWithoutColour() {
        ConfigModel model;
        QVERIFY(loadGemma(model));
        QVERIFY(model.pinCurrent());
        model.setExtraGroups({8});
        const figure::Figure f = ContextFigure::build(model);
        const figure::FigureTheme print = figure::FigureTheme::of(figure::Theme::Print);
        QSet<QPair<int, int>> looks;  // (dash, marker) of each curve
        int curves = 0;
        for (const figure::Series &s : f.series) {
            const figure::Series styled = print.styled(s, s.curve ? curves : 0);
            auto isGray = [](figure::Rgb c) { return ((c >> 16) & 0xFF) == ((c >> 8) & 0xFF) && ((c >> 8) & 0xFF) == (c & 0xFF); };
            if (styled.line) QVERIFY2(isGray(styled.line->color), qPrintable(s.name));
            if (styled.markerFill) QVERIFY2(isGray(*styled.markerFill), qPrintable(s.name));
            if (!s.curve) continue;
            ++curves;
            QVERIFY(styled.line);
            QVERIFY(styled.marker != figure::Marker::None);
            looks.insert({static_cast<int>(styled.line->dash), static_cast<int>(styled.marker)});
        }
        QVERIFY(curves >= 4);
        QCOMPARE(looks.size(), curves);  // no two curves look alike
    }

    void darkThemePaintsADarkBackground() {
        ConfigModel model;
        figure::FigureStyle style;
        style.theme = figure::Theme::Dark;
        Drawn d;
        draw(ContextFigure::build(model), QRectF(0, 0, 560, 400), d, style);
        QVERIFY(!d.canvas.fills.isEmpty());
        const figure::Rgb background = d.canvas.fills.constFirst().value_or(0xffffff);
        QVERIFY2(qGray(static_cast<QRgb>(background)) < 60, qPrintable(QString::number(background, 16)));
    }
};

QTEST_MAIN(TestPrintFigure)
#include "tst_printfigure.moc"
