#include "GroupsChart.h"

#include <QCategoryAxis>
#include <QFontMetricsF>
#include <QGraphicsSimpleTextItem>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QScatterSeries>
#include <QValueAxis>
#include <cmath>

#include "FigureRenderer.h"

#include "ConfigModel.h"
#include "GroupsFigure.h"
#include "kvscope/format.h"

using namespace Qt::StringLiterals;

GroupsChart::GroupsChart(const ConfigModel *model, QGraphicsItem *parent) : KvChart(model, parent) {
    const Log2XAxis x = addLog2XAxis(GroupsFigure::xTitle());
    m_xLog = x.log;
    m_xLabels = x.labels;
    m_y = new QValueAxis(this);
    m_y->setTitleText(u"Savings vs MHA (%)"_s);
    m_y->setRange(GroupsFigure::kYMin, GroupsFigure::kYMax);
    m_y->setTickType(QValueAxis::TicksDynamic);
    m_y->setTickAnchor(0.0);
    m_y->setTickInterval(20.0);
    m_y->setLabelFormat(u"%.0f"_s);
    addAxis(m_y, Qt::AlignLeft);

    m_savings = new QLineSeries(this);
    m_savings->setName(savingsName());
    m_current = new QScatterSeries(this);
    m_current->setName(currentName(4, 75.0));
    for (QXYSeries *s : {static_cast<QXYSeries *>(m_savings), static_cast<QXYSeries *>(m_current)}) {
        addSeries(s);
        s->attachAxis(m_xLog);
        s->attachAxis(m_y);
        adopt(s);
    }
    for (int i = 0; i < 2; ++i) m_endTexts.append(new QGraphicsSimpleTextItem(this));

    setLook(ChartLook::Light);
    refresh();
}

GroupsChart::~GroupsChart() = default;

QString GroupsChart::savingsName() { return GroupsFigure::savingsName(); }

QString GroupsChart::currentName(int groups, double savings) { return GroupsFigure::currentName(groups, savings); }

QString GroupsChart::headlineText() const { return GroupsFigure::headline(); }

QString GroupsChart::configText() const { return GroupsFigure::configText(*model()); }

QString GroupsChart::noteText() const { return GroupsFigure::note(*model()); }

QString GroupsChart::updateSeries() {
    const ConfigModel *m = model();
    const auto &result = m->groupPoints();
    if (!result) {
        m_points.clear();
        return QString::fromStdString(result.error().message);
    }
    m_points = *result;
    if (m_points.empty()) return GroupsFigure::noGroupsError(m->nHeads());

    QList<QPointF> points;
    points.reserve(static_cast<qsizetype>(m_points.size()));
    QPointF current;
    for (const auto &p : m_points) {
        const QPointF point(p.n_kv_groups, p.savings_percent);
        points.append(point);
        if (static_cast<int>(p.n_kv_groups) == m->nKvGroups()) current = point;
    }
    m_savings->replace(points);
    m_current->replace({current});
    m_current->setName(currentName(m->nKvGroups(), current.y()));
    const QStringList ends = GroupsFigure::endLabels(m_points.size());
    m_endPoints = {points.constFirst()};
    if (ends.size() > 1) m_endPoints.append(points.constLast());
    for (qsizetype i = 0; i < m_endTexts.size(); ++i) {
        m_endTexts[i]->setVisible(i < ends.size());
        if (i < ends.size()) m_endTexts[i]->setText(ends[i]);
    }

    const int heads = m->nHeads();
    m_xLog->setRange(GroupsFigure::xMin(heads), GroupsFigure::xMax(heads));
    m_tickValues.clear();
    m_tickTexts.clear();
    for (const figure::Tick &tick : GroupsFigure::xTicks(m_points)) {
        m_tickValues.append(tick.value);
        m_tickTexts.append(tick.label);
    }
    updateXTicks();
    placeEndLabels();
    return {};
}

void GroupsChart::plotAreaResized() {
    updateXTicks();
    placeEndLabels();
}

void GroupsChart::updateXTicks() {
    if (m_tickValues.isEmpty()) return;
    const int heads = model()->nHeads();
    const double low = std::log2(GroupsFigure::xMin(heads));
    const double span = std::log2(GroupsFigure::xMax(heads)) - low;
    const double width = plotArea().width() > 50 ? plotArea().width() : 480.0;
    const QFontMetricsF metrics(tickFont());
    QList<double> fractions, centers, widths;
    for (qsizetype i = 0; i < m_tickValues.size(); ++i) {
        fractions.append((std::log2(m_tickValues[i]) - low) / span);
        centers.append(fractions.constLast() * width);
        widths.append(metrics.horizontalAdvance(m_tickTexts[i]));
    }
    QStringList labels;
    QList<double> positions;
    for (qsizetype i : figure::FigureRenderer::spacedLabels(centers, widths, tickFont().pointSizeF() * 0.5)) {
        labels.append(m_tickTexts[i]);
        positions.append(fractions[i]);
    }
    setCategoryLabels(m_xLabels, labels, positions);
}

void GroupsChart::placeEndLabels() {
    // As the print figure places them (FigureRenderer's pointLabelBox):
    // "MHA" left of its point, where the rising curve never runs, and
    // "MQA" above its point; both kept inside the plot.
    const QRectF plot = plotArea();
    // Clear of the current choice's marker, which may sit on either end.
    const double marker = std::max(m_savings->markerSize() * 2, m_current->markerSize());
    for (qsizetype i = 0; i < m_endPoints.size() && i < m_endTexts.size(); ++i) {
        QGraphicsSimpleTextItem *text = m_endTexts[i];
        const QRectF box = text->boundingRect();
        const QPointF at = mapToPosition(m_endPoints[i], m_savings);
        QPointF topLeft;
        if (i == 0 && m_endPoints.size() > 1) {
            topLeft = QPointF(std::max(plot.left(), at.x() - marker / 2 - 3 - box.width()), at.y() - box.height() / 2);
        } else {
            const double left = std::clamp(at.x() - box.width() / 2, plot.left(),
                                           std::max(plot.left(), plot.right() - box.width()));
            topLeft = QPointF(left, at.y() - marker / 2 - 3 - box.height());
        }
        text->setPos(topLeft);
    }
}

QList<QPointF> GroupsChart::highlightedPoints() const { return m_current->points(); }

QStringList GroupsChart::endLabels() const {
    QStringList labels;
    for (qsizetype i = 0; i < m_endPoints.size(); ++i) labels.append(m_endTexts[i]->text());
    return labels;
}

QList<QPointF> GroupsChart::endLabelPoints() const { return m_endPoints; }

QList<QRectF> GroupsChart::endLabelRects() const {
    QList<QRectF> rects;
    for (qsizetype i = 0; i < m_endPoints.size(); ++i) rects.append(m_endTexts[i]->mapRectToParent(m_endTexts[i]->boundingRect()));
    return rects;
}

QStringList GroupsChart::xTickLabels() const { return m_xLabels->categoriesLabels(); }

QString GroupsChart::describe(const QXYSeries *series, const QPointF &point) const {
    Q_UNUSED(series);
    if (m_points.empty()) return {};
    // Snap to the nearest valid group count, on the log axis.
    const double hovered = std::log2(std::max(point.x(), 1e-9));
    const kvscope::GroupPoint *nearest = &m_points.front();
    for (const auto &p : m_points) {
        if (std::abs(std::log2(p.n_kv_groups) - hovered) < std::abs(std::log2(nearest->n_kv_groups) - hovered))
            nearest = &p;
    }
    const ConfigModel *m = model();
    QString kind;
    if (nearest->n_kv_groups == 1) kind = u" (MHA)"_s;
    else if (nearest->n_kv_heads == 1) kind = u" (MQA)"_s;
    const auto giga = kvscope::gigaUnit(m->byteUnit());
    return u"n_kv_groups=%1%2\nK/V heads: %3\nKV cache: %4 bytes (%5 %6)\nSavings vs MHA: %7%"_s
        .arg(QString::number(nearest->n_kv_groups), kind, QString::number(nearest->n_kv_heads),
             thousands(nearest->gqa_bytes))
        .arg(static_cast<double>(nearest->gqa_bytes) / giga.divisor, 0, 'f', 2)
        .arg(QString::fromLatin1(giga.suffix.data(), static_cast<qsizetype>(giga.suffix.size())),
             QString::fromStdString(kvscope::formatFixed2(nearest->savings_percent)));
}

void GroupsChart::styleSeries() {
    styleAxisFonts(m_xLabels);
    styleAxisFonts(m_y);
    styleLine(m_savings, seriesColor(0), 1.6);
    m_savings->setPointsVisible(true);
    const QColor highlight = seriesColor(3);
    m_current->setMarkerShape(QScatterSeries::MarkerShapeCircle);
    m_current->setMarkerSize(11.0);
    m_current->setColor(highlight);
    m_current->setBorderColor(textColor());
    m_current->setPen(QPen(textColor(), 1.0));
    for (QGraphicsSimpleTextItem *text : m_endTexts) {
        text->setFont(labelFont());
        text->setBrush(textColor());
    }
    placeEndLabels();
}
