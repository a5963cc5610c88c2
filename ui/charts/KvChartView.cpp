#include "KvChartView.h"

#include <QChartView>
#include <QCursor>
#include <QEvent>
#include <QGuiApplication>
#include <QToolTip>
#include <QVBoxLayout>

#include "ConfigModel.h"
#include "KvChart.h"

KvChartView::KvChartView(ConfigModel *model, KvChart *chart, QWidget *parent)
    : QWidget(parent), m_chart(chart), m_view(new QChartView(chart, this)) {
    m_view->setRenderHint(QPainter::Antialiasing);
    m_view->setFrameShape(QFrame::NoFrame);
    // The view's context menu is this widget's (the window adds Copy and Export).
    m_view->setContextMenuPolicy(Qt::NoContextMenu);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_view);

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
