#include "GroupsChart.h"

#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QScatterSeries>
#include <QValueAxis>
#include <cmath>

#include "ConfigModel.h"
#include "GroupsFigure.h"
#include "kvscope/format.h"

using namespace Qt::StringLiterals;

GroupsChart::GroupsChart(const ConfigModel *model, QGraphicsItem *parent) : KvChart(model, parent) {
    m_x = new QValueAxis(this);
    m_x->setTitleText(u"n_kv_groups"_s);
    m_x->setTickType(QValueAxis::TicksDynamic);
    m_x->setTickAnchor(0.0);
    m_x->setLabelFormat(u"%.0f"_s);
    m_y = new QValueAxis(this);
    m_y->setTitleText(u"Savings vs MHA (%)"_s);
    m_y->setRange(GroupsFigure::kYMin, GroupsFigure::kYMax);
    m_y->setTickType(QValueAxis::TicksDynamic);
    m_y->setTickAnchor(0.0);
    m_y->setTickInterval(20.0);
    m_y->setLabelFormat(u"%.0f"_s);
    addAxis(m_x, Qt::AlignBottom);
    addAxis(m_y, Qt::AlignLeft);

    m_savings = new QLineSeries(this);
    m_savings->setName(savingsName());
    m_current = new QScatterSeries(this);
    m_current->setName(currentName(4, 75.0));
    m_mhaEnd = new QScatterSeries(this);
    m_mqaEnd = new QScatterSeries(this);
    for (QXYSeries *s : {static_cast<QXYSeries *>(m_savings), static_cast<QXYSeries *>(m_mhaEnd),
                         static_cast<QXYSeries *>(m_mqaEnd), static_cast<QXYSeries *>(m_current)}) {
        addSeries(s);
        s->attachAxis(m_x);
        s->attachAxis(m_y);
        adopt(s);
    }
    hideFromLegend(m_mhaEnd);
    hideFromLegend(m_mqaEnd);

    setLook(ChartLook::Light);
    refresh();
}

GroupsChart::~GroupsChart() = default;

QString GroupsChart::savingsName() { return GroupsFigure::savingsName(); }

QString GroupsChart::currentName(int groups, double savings) { return GroupsFigure::currentName(groups, savings); }

QString GroupsChart::headlineText() const { return GroupsFigure::headline(); }

QString GroupsChart::configText() const { return GroupsFigure::configText(*model()); }

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
    m_mhaEnd->replace({points.constFirst()});
    m_mqaEnd->replace({points.constLast()});
    const QStringList ends = GroupsFigure::endLabels(m_points.size());
    m_mhaEnd->setPointLabelsFormat(ends.constFirst());
    m_mqaEnd->setPointLabelsVisible(ends.size() > 1);

    const int heads = m->nHeads();
    const double pad = GroupsFigure::xPad(heads);
    setTicks(m_x, 1.0 - pad, heads + pad, GroupsFigure::xStep(heads));
    return {};
}

QList<QPointF> GroupsChart::highlightedPoints() const { return m_current->points(); }

QStringList GroupsChart::endLabels() const {
    QStringList labels{m_mhaEnd->pointLabelsFormat()};
    if (m_mqaEnd->pointLabelsVisible()) labels.append(m_mqaEnd->pointLabelsFormat());
    return labels;
}

QString GroupsChart::describe(const QXYSeries *series, const QPointF &point) const {
    Q_UNUSED(series);
    if (m_points.empty()) return {};
    // Snap to the nearest valid group count.
    const kvscope::GroupPoint *nearest = &m_points.front();
    for (const auto &p : m_points) {
        if (std::abs(p.n_kv_groups - point.x()) < std::abs(nearest->n_kv_groups - point.x())) nearest = &p;
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
    styleAxisFonts(m_x);
    styleAxisFonts(m_y);
    styleLine(m_savings, seriesColor(0), 1.6);
    m_savings->setPointsVisible(true);
    const QColor highlight = seriesColor(3);
    m_current->setMarkerShape(QScatterSeries::MarkerShapeCircle);
    m_current->setMarkerSize(11.0);
    m_current->setColor(highlight);
    m_current->setBorderColor(textColor());
    m_current->setPen(QPen(textColor(), 1.0));
    for (QScatterSeries *end : {m_mhaEnd, m_mqaEnd}) {
        // Invisible markers: these series exist for their point labels.
        end->setColor(Qt::transparent);
        end->setBorderColor(Qt::transparent);
        end->setPen(Qt::NoPen);
        end->setMarkerSize(1.0);
        end->setPointLabelsVisible(end == m_mhaEnd || m_points.size() != 1);
        end->setPointLabelsClipping(false);
        end->setPointLabelsFont(labelFont());
        end->setPointLabelsColor(textColor());
    }
    m_mqaEnd->setPointLabelsFormat(GroupsFigure::endLabels(2).constLast());
}
