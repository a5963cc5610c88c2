#include "KvChart.h"

#include <QAbstractAxis>
#include <QGraphicsLayout>
#include <QCategoryAxis>
#include <QFontMetricsF>
#include <QGraphicsTextItem>
#include <QLogValueAxis>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QTextDocument>
#include <QTextOption>
#include <QValueAxis>
#include <QXYSeries>
#include <algorithm>
#include <cmath>
#include <optional>

#include "ConfigModel.h"
#include "Figure.h"
#include "kvscope/format.h"

using namespace Qt::StringLiterals;

namespace {

// The window's fonts: the widget font's size for axis titles, a point larger
// (bold) for the headline, a point smaller for the rest.
QFont sizedFont(const QFont &base, qreal size, bool bold = false) {
    QFont font = base;
    font.setPointSizeF(size);
    font.setBold(bold);
    return font;
}

}  // namespace

KvChart::KvChart(const ConfigModel *model, QGraphicsItem *parent) : QChart(parent), m_model(model) {
    m_errorItem = new QGraphicsTextItem(this);
    m_errorItem->setVisible(false);
    m_errorItem->setZValue(10);
    legend()->setShowToolTips(false);
    connect(this, &QGraphicsWidget::geometryChanged, this, [this] { applyTitle(); });
    connect(this, &QChart::plotAreaChanged, this, [this] {
        plotAreaResized();
        placeLegend();
        placeError();
    });
}

KvChart::~KvChart() = default;

void KvChart::refresh() {
    const QString error = updateSeries();
    if (error != m_errorText || m_errorItem->isVisible() != !error.isEmpty()) {
        m_errorText = error;
        m_errorItem->setPlainText(error);
        m_errorItem->setVisible(!error.isEmpty());
        showData(error.isEmpty());
        // Showing every series undid what updateSeries() hides on purpose
        // (the book's curves under a loaded model, curves that cannot be
        // split over the GPUs): let it decide again.
        if (error.isEmpty()) updateSeries();
    }
    applyTitle();
    placeLegend();
    placeError();
}

void KvChart::showData(bool visible) {
    const auto all = series();
    for (QAbstractSeries *s : all) {
        s->setVisible(visible);
        // Showing a series shows its legend marker too: helpers stay out of the legend.
        if (visible && m_legendHidden.contains(s)) {
            for (QLegendMarker *marker : legend()->markers(s)) marker->setVisible(false);
        }
    }
    const auto axesList = axes();
    for (QAbstractAxis *axis : axesList) {
        // Hidden helper axes stay hidden.
        if (axis->property("kvscopeHelper").toBool()) continue;
        axis->setVisible(visible);
    }
    legend()->setVisible(visible);
}

void KvChart::setLook(ChartLook look, const QFont &base) {
    m_look = look;
    // The theme resets colours and fonts of everything; ours are applied after.
    setTheme(look == ChartLook::Dark ? QChart::ChartThemeDark : QChart::ChartThemeLight);
    const qreal size = base.pointSizeF() > 0 ? base.pointSizeF() : 10.0;
    m_titleFont = sizedFont(base, size + 1, true);
    m_subtitleFont = sizedFont(base, size - 1);
    m_labelFont = sizedFont(base, size);
    m_tickFont = sizedFont(base, size - 1);
    m_legendFont = sizedFont(base, size - 1);

    setDropShadowEnabled(false);
    setBackgroundRoundness(0);
    setAnimationOptions(QChart::NoAnimation);
    if (look != ChartLook::Dark) {
        setBackgroundBrush(Qt::white);
        setBackgroundPen(Qt::NoPen);
        setPlotAreaBackgroundVisible(false);
    }
    // Tight margins: the figure's whitespace is the layout's, as in matplotlib's tight_layout.
    setMargins(QMargins(6, 4, 10, 4));
    setTitleFont(m_titleFont);
    setTitleBrush(textColor());

    QLegend *lg = legend();
    lg->setFont(m_legendFont);
    lg->setLabelColor(textColor());
    lg->setBackgroundVisible(true);
    QColor legendFill = look == ChartLook::Dark ? QColor(0x2a, 0x2a, 0x32) : QColor(Qt::white);
    legendFill.setAlphaF(0.85);
    lg->setBrush(legendFill);
    lg->setPen(QPen(look == ChartLook::Dark ? QColor(0x60, 0x60, 0x68) : QColor(0xcc, 0xcc, 0xcc), 0.8));
    lg->setMarkerShape(QLegend::MarkerShapeFromSeries);
    // Qt's default 9 pt padding makes a roomy box; matplotlib's is snug.
    if (lg->layout()) lg->layout()->setContentsMargins(4, 2, 6, 2);

    const auto axesList = axes();
    for (QAbstractAxis *axis : axesList) styleAxisFonts(axis);

    m_errorItem->setFont(m_labelFont);
    m_errorItem->setDefaultTextColor(look == ChartLook::Dark ? QColor(0xff, 0x8a, 0x80) : QColor(0xb0, 0x00, 0x20));

    styleSeries();
    applyTitle();
    placeLegend();
    placeError();
}

void KvChart::styleAxisFonts(QAbstractAxis *axis) const {
    axis->setTitleFont(m_labelFont);
    axis->setLabelsFont(m_tickFont);
    axis->setTitleBrush(textColor());
    axis->setLabelsBrush(textColor());
    axis->setLabelsColor(textColor());
    QPen line(textColor(), 0.8);
    axis->setLinePen(line);
    QPen grid(gridColor(), 0.6);
    axis->setGridLinePen(grid);
    axis->setShadesVisible(false);
}

void KvChart::setTicks(QValueAxis *axis, double min, double max, double interval) {
    if (interval > axis->tickInterval()) {
        axis->setTickInterval(interval);
        axis->setRange(min, max);
    } else {
        axis->setRange(min, max);
        axis->setTickInterval(interval);
    }
}

KvChart::Log2XAxis KvChart::addLog2XAxis(const QString &title) {
    Log2XAxis axis;
    axis.log = new QLogValueAxis(this);
    axis.log->setBase(2.0);
    axis.log->setVisible(false);
    axis.log->setProperty("kvscopeHelper", true);
    axis.labels = new QCategoryAxis(this);
    axis.labels->setLabelsPosition(QCategoryAxis::AxisLabelsPositionOnValue);
    axis.labels->setTitleText(title);
    // The range stays 0..1 for good: changing it would make Qt Charts lay
    // out the old labels and the whole chart at once.
    axis.labels->setRange(0.0, 1.0);
    axis.labels->setStartValue(0.0);
    addAxis(axis.log, Qt::AlignBottom);
    addAxis(axis.labels, Qt::AlignBottom);
    return axis;
}

void KvChart::setCategoryLabels(QCategoryAxis *axis, const QStringList &labels, const QList<double> &positions) {
    const QStringList shown = axis->categoriesLabels();
    bool same = shown == labels;
    for (qsizetype i = 0; same && i < labels.size(); ++i) same = axis->endValue(labels[i]) == positions[i];
    if (same) return;
    for (const QString &label : shown) axis->remove(label);
    for (qsizetype i = 0; i < labels.size(); ++i) axis->append(labels[i], positions[i]);
}

void KvChart::styleLine(QXYSeries *series, const QColor &color, qreal width, Qt::PenStyle style) const {
    QPen pen(color, width, style);
    pen.setCapStyle(Qt::RoundCap);
    pen.setJoinStyle(Qt::RoundJoin);
    series->setPen(pen);
    series->setColor(color);
    series->setMarkerSize(4.0);  // a radius for line series: the seed's 6 pt dots
}

QColor KvChart::textColor() const {
    return m_look == ChartLook::Dark ? QColor(0xe8, 0xe8, 0xec) : QColor(Qt::black);
}

QColor KvChart::gridColor() const {
    return m_look == ChartLook::Dark ? QColor(0x4a, 0x4a, 0x55) : QColor(0xd0, 0xd0, 0xd0);
}

QColor KvChart::seriesColor(int index) { return QColor::fromRgb(figure::cycleColor(index)); }

QString KvChart::thousands(std::uint64_t bytes) {
    return QString::fromStdString(kvscope::formatThousands(bytes));
}

QString KvChart::headline() const { return headlineText(); }
QString KvChart::configLine() const { return configText(); }
QString KvChart::note() const { return noteText(); }
QString KvChart::documentTitle() const { return headlineText() + u' ' + configText(); }

QString KvChart::wrappedHtml(const QString &text, const QFont &font, qreal width) {
    // At the spaces (after the commas of "(n_heads=24, emb_dim=2048, ...)"),
    // so no part is cut off on a narrow chart; a word wider than the chart
    // stays whole.
    const QFontMetricsF metrics(font);
    QStringList lines;
    QString line;
    for (const QString &word : text.split(u' ')) {
        const QString joined = line.isEmpty() ? word : line + u' ' + word;
        if (!line.isEmpty() && metrics.horizontalAdvance(joined) > width) {
            lines.append(line);
            line = word;
        } else {
            line = joined;
        }
    }
    lines.append(line);
    for (QString &l : lines) l = l.toHtmlEscaped();
    return lines.join(u"<br>"_s);
}

void KvChart::applyTitle() {
    // Two lines like the seed's figure: the figure's name, then its
    // configuration, smaller, wrapped to the chart's width.
    // Qt Charts elides a title line past the chart's width less its margins.
    const qreal width = std::max<qreal>(120.0, size().width() - 60.0);
    QString sub = wrappedHtml(configText(), m_subtitleFont, width);
    if (const QString note = noteText(); !note.isEmpty()) sub += u"<br>"_s + wrappedHtml(note, m_subtitleFont, width);
    const QString title = u"<center>"_s + headlineText().toHtmlEscaped() +
                          u"<br><span style=\"font-weight:normal; font-size:"_s +
                          QString::number(m_subtitleFont.pointSizeF()) + u"pt\">"_s + sub + u"</span></center>"_s;
    // setTitle() invalidates the chart's layout even for the same text, and
    // the rich-text title is costly to lay out; most slider steps keep it.
    if (title != this->title()) setTitle(title);
}

void KvChart::adopt(QXYSeries *series) {
    connect(series, &QXYSeries::hovered, this, [this, series](const QPointF &point, bool state) {
        Q_EMIT pointHovered(state ? describe(series, point) : QString());
    });
}

QStringList KvChart::seriesNames() const {
    QStringList names;
    const auto all = series();
    for (QAbstractSeries *s : all) {
        if (!s->name().isEmpty()) names.append(s->name());
    }
    return names;
}

QList<QPointF> KvChart::seriesPoints(const QString &name) const {
    const auto all = series();
    for (QAbstractSeries *s : all) {
        if (s->name() == name) {
            if (auto *xy = qobject_cast<QXYSeries *>(s)) return xy->points();
        }
    }
    return {};
}

QString KvChart::describePoint(const QString &seriesName, const QPointF &point) const {
    const auto all = series();
    for (QAbstractSeries *s : all) {
        if (s->name() == seriesName) {
            if (auto *xy = qobject_cast<QXYSeries *>(s)) return describe(xy, point);
        }
    }
    return {};
}

void KvChart::hideFromLegend(QAbstractSeries *series) {
    m_legendHidden.insert(series);
    for (QLegendMarker *marker : legend()->markers(series)) marker->setVisible(false);
}

namespace {

// Whether the segment a-b passes through `box` (Liang-Barsky clipping).
bool segmentCrosses(QPointF a, QPointF b, const QRectF &box) {
    const double dx = b.x() - a.x(), dy = b.y() - a.y();
    double t0 = 0, t1 = 1;
    const double p[4] = {-dx, dx, -dy, dy};
    const double q[4] = {a.x() - box.left(), box.right() - a.x(), a.y() - box.top(), box.bottom() - a.y()};
    for (int i = 0; i < 4; ++i) {
        if (p[i] == 0) {
            if (q[i] < 0) return false;
            continue;
        }
        const double t = q[i] / p[i];
        if (p[i] < 0) t0 = std::max(t0, t);
        else t1 = std::min(t1, t);
        if (t0 > t1) return false;
    }
    return true;
}

}  // namespace

QList<KvChart::LegendEntry> KvChart::legendEntries() const {
    QList<LegendEntry> entries;
    if (!m_errorText.isEmpty()) return entries;  // the message replaces the data
    const auto markers = legend()->markers();
    for (QLegendMarker *marker : markers) {
        if (!marker->series()->isVisible() || m_legendHidden.contains(marker->series())) continue;
        auto *line = qobject_cast<QLineSeries *>(marker->series());
        entries.append({marker->label(), line ? line->pen() : QPen(Qt::NoPen),
                        line ? QBrush() : marker->brush(), !line});
    }
    return entries;
}

QList<QLineF> KvChart::dataSegments() {
    // In plot-area fractions (0..1 across, 0..1 down): they do not move when
    // the plot area shrinks to make room for a legend beside it.
    const QRectF area = plotArea();
    QList<QLineF> segments;
    if (area.width() <= 0 || area.height() <= 0) return segments;
    auto fraction = [&area](QPointF p) {
        return QPointF((p.x() - area.left()) / area.width(), (p.y() - area.top()) / area.height());
    };
    const auto all = series();
    for (QAbstractSeries *s : all) {
        auto *xy = qobject_cast<QXYSeries *>(s);
        if (!xy || !xy->isVisible()) continue;
        const QList<QPointF> points = xy->points();
        for (qsizetype i = 0; i < points.size(); ++i) {
            const QPointF here = fraction(mapToPosition(points.at(i), xy));
            // A scatter point is a segment of no length: its marker counts too.
            const QPointF previous = i > 0 && qobject_cast<QLineSeries *>(xy)
                                         ? fraction(mapToPosition(points.at(i - 1), xy))
                                         : here;
            segments.append(QLineF(previous, here));
        }
    }
    return segments;
}

void KvChart::placeLegend() {
    if (m_placingLegend) return;
    m_placingLegend = true;
    QLegend *lg = legend();
    // The legend's own size hint covers one entry; the box must hold every
    // visible one, or the detached layout starts a second column.
    // Counted from the series, not marker->isVisible(): markers of series
    // just added (a loaded model's curves) report hidden until the legend's
    // next layout, and a box sized without them cuts their labels.
    int visible = 0;
    const auto markers = lg->markers();
    for (QLegendMarker *marker : markers) {
        if (marker->series()->isVisible() && !m_legendHidden.contains(marker->series())) ++visible;
    }
    qreal left = 0, top = 0, right = 0, bottom = 0;
    if (lg->layout()) lg->layout()->getContentsMargins(&left, &top, &right, &bottom);
    const QSizeF hint = lg->effectiveSizeHint(Qt::PreferredSize);
    const qreal rowHeight = hint.height() - top - bottom;
    const QSizeF size(std::ceil(hint.width()) + 2, std::ceil(rowHeight * visible + top + bottom) + 1);

    const QRectF area = plotArea();
    // A chart not laid out yet, or squeezed to a sliver, has no room to
    // judge: the legend stays where it is (inside: in the chart's own corner).
    const bool laidOut = area.width() >= 50 && area.height() >= 50;
    const qreal inset = 6;
    // A corner where the box crosses no curve, marker or line; the chart's own first.
    const Qt::Alignment preferred = legendCorner();
    QList<Qt::Alignment> corners{preferred};
    for (Qt::Alignment corner : {Qt::AlignTop | Qt::AlignLeft, Qt::AlignTop | Qt::AlignRight,
                                 Qt::AlignBottom | Qt::AlignRight, Qt::AlignBottom | Qt::AlignLeft}) {
        if (corner != preferred) corners.append(corner);
    }
    const QList<QLineF> segments = dataSegments();
    std::optional<QRectF> inside;
    for (Qt::Alignment corner : std::as_const(corners)) {
        const qreal x = corner & Qt::AlignRight ? area.right() - size.width() - inset : area.left() + inset;
        const qreal y = corner & Qt::AlignBottom ? area.bottom() - size.height() - inset : area.top() + inset;
        const QRectF box(QPointF(x, y), size);
        if (!laidOut) {
            if (m_legendInside) inside = box;
            break;
        }
        if (box.width() + 2 * inset > area.width() || box.height() + 2 * inset > area.height()) break;
        // The box in plot-area fractions, with a little air around it.
        const QRectF fractions((box.left() - 2 - area.left()) / area.width(), (box.top() - 2 - area.top()) / area.height(),
                               (box.width() + 4) / area.width(), (box.height() + 4) / area.height());
        const bool crosses = std::any_of(segments.begin(), segments.end(), [&fractions](const QLineF &line) {
            return segmentCrosses(line.p1(), line.p2(), fractions);
        });
        if (!crosses) {
            inside = box;
            break;
        }
    }
    // Inside the plot area like matplotlib's legend, one entry per row (a
    // detached legend aligned left stacks its entries). Where no corner is
    // free, the view shows the entries beside the chart instead.
    lg->setAlignment(Qt::AlignLeft);
    if (lg->isAttachedToChart()) lg->detachFromChart();
    lg->setVisible(inside.has_value());
    if (inside) lg->setGeometry(*inside);
    QList<LegendEntry> outside = inside ? QList<LegendEntry>{} : legendEntries();
    if (m_legendInside != inside.has_value() || outside != m_outsideEntries) {
        m_legendInside = inside.has_value();
        m_outsideEntries = std::move(outside);
        Q_EMIT legendPlacementChanged();
    }
    lg->update();
    m_placingLegend = false;
}

void KvChart::placeError() {
    if (!m_errorItem->isVisible()) return;
    const QRectF area = plotArea();
    m_errorItem->setTextWidth(area.width() * 0.8);
    QTextOption option = m_errorItem->document()->defaultTextOption();
    option.setAlignment(Qt::AlignHCenter);
    m_errorItem->document()->setDefaultTextOption(option);
    const QRectF box = m_errorItem->boundingRect();
    m_errorItem->setPos(area.center() - QPointF(box.width() / 2, box.height() / 2));
}
