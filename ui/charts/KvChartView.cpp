#include "KvChartView.h"

#include <QChartView>
#include <QCursor>
#include <QEvent>
#include <QGridLayout>
#include <QGuiApplication>
#include <QLabel>
#include <QPainter>
#include <QPixmap>
#include <QToolTip>
#include <QVBoxLayout>

#include "ConfigModel.h"
#include "KvChart.h"

using namespace Qt::StringLiterals;

KvChartView::KvChartView(ConfigModel *model, KvChart *chart, QWidget *parent)
    : QWidget(parent), m_chart(chart), m_view(new QChartView(chart, this)), m_outsideLegend(new QWidget(this)) {
    m_view->setRenderHint(QPainter::Antialiasing);
    m_view->setFrameShape(QFrame::NoFrame);
    // The view's context menu is this widget's (the window adds Copy and Export).
    m_view->setContextMenuPolicy(Qt::NoContextMenu);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(m_view, 1);
    m_outsideLegend->setObjectName(u"outsideLegend"_s);
    m_outsideLegend->hide();
    new QGridLayout(m_outsideLegend);
    layout->addWidget(m_outsideLegend);
    // Queued: the placement changes while the chart is being laid out, and
    // the strip's labels must not be replaced in the middle of that.
    connect(m_chart, &KvChart::legendPlacementChanged, this, &KvChartView::syncOutsideLegend, Qt::QueuedConnection);

    connect(model, &ConfigModel::estimateChanged, m_chart, &KvChart::refresh);
    connect(m_chart, &KvChart::pointHovered, this, &KvChartView::showToolTip);
    followPalette();
}

KvChartView::~KvChartView() = default;

QStringList KvChartView::seriesNames() const { return m_chart->seriesNames(); }

QList<QPointF> KvChartView::seriesPoints(const QString &seriesName) const { return m_chart->seriesPoints(seriesName); }

QString KvChartView::errorText() const { return m_chart->errorText(); }

void KvChartView::changeEvent(QEvent *event) {
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange || event->type() == QEvent::FontChange) followPalette();
}

void KvChartView::followPalette() {
    const bool dark = palette().color(QPalette::Window).lightness() < 128;
    m_chart->setLook(dark ? ChartLook::Dark : ChartLook::Light, font());
    m_view->setBackgroundBrush(m_chart->backgroundBrush());
    // The legend below the chart reads as part of it.
    QPalette legendPalette = m_outsideLegend->palette();
    legendPalette.setBrush(QPalette::Window, m_chart->backgroundBrush());
    legendPalette.setColor(QPalette::WindowText, m_chart->titleBrush().color());
    m_outsideLegend->setPalette(legendPalette);
    m_outsideLegend->setAutoFillBackground(true);
    syncOutsideLegend();
}

void KvChartView::showToolTip(const QString &text) {
    m_lastToolTip = text;
    // Nothing to show on a hidden view (and the offscreen platform warns on tooltips).
    if (!isVisible() || QGuiApplication::platformName() == u"offscreen") return;
    if (text.isEmpty())
        QToolTip::hideText();
    else
        QToolTip::showText(QCursor::pos(), text, m_view);
}

QStringList KvChartView::outsideLegendLabels() const {
    QStringList labels;
    if (m_outsideLegend->isHidden()) return labels;
    // The labels in the strip's layout (replaced ones may await deletion).
    const QLayout *grid = m_outsideLegend->layout();
    for (int i = 0; i < grid->count(); ++i) {
        const auto *label = qobject_cast<QLabel *>(grid->itemAt(i)->widget());
        if (label && label->objectName() == u"legendLabel"_s) labels.append(label->text());
    }
    return labels;
}

void KvChartView::syncOutsideLegend() {
    const bool outside = !m_chart->legendInsidePlot();
    auto *grid = static_cast<QGridLayout *>(m_outsideLegend->layout());
    while (QLayoutItem *item = grid->takeAt(0)) {
        if (QWidget *widget = item->widget()) {
            widget->hide();
            widget->deleteLater();
        }
        delete item;
    }
    m_outsideLegend->setVisible(outside);
    if (!outside) return;
    const QList<KvChart::LegendEntry> entries = m_chart->legendEntries();
    // Two columns of full labels: nothing elided, nothing over the curves.
    constexpr int kColumns = 2;
    grid->setContentsMargins(12, 0, 12, 4);
    grid->setHorizontalSpacing(6);
    grid->setVerticalSpacing(0);
    const qreal ratio = devicePixelRatioF();
    for (qsizetype i = 0; i < entries.size(); ++i) {
        const KvChart::LegendEntry &entry = entries.at(i);
        QPixmap swatch(QSize(24, 12) * ratio);
        swatch.setDevicePixelRatio(ratio);
        swatch.fill(Qt::transparent);
        QPainter painter(&swatch);
        painter.setRenderHint(QPainter::Antialiasing);
        if (entry.marker) {
            painter.setPen(Qt::NoPen);
            painter.setBrush(entry.brush);
            painter.drawEllipse(QRectF(8, 2, 8, 8));
        } else {
            painter.setPen(entry.pen);
            painter.drawLine(QPointF(1, 6), QPointF(23, 6));
        }
        painter.end();
        auto *icon = new QLabel(m_outsideLegend);
        icon->setPixmap(swatch);
        auto *label = new QLabel(entry.label, m_outsideLegend);
        label->setObjectName(u"legendLabel"_s);
        label->setWordWrap(true);
        const int row = static_cast<int>(i / kColumns), column = static_cast<int>(i % kColumns) * 2;
        grid->addWidget(icon, row, column);
        grid->addWidget(label, row, column + 1);
    }
    for (int column = 0; column < kColumns; ++column) grid->setColumnStretch(column * 2 + 1, 1);
}
