#pragma once

#include <QChart>
#include <QSet>
#include <cstdint>
#include <QFont>
#include <QLineF>
#include <QBrush>
#include <QList>
#include <QPen>
#include <QPointF>
#include <QString>
#include <QStringList>

#include "ChartLook.h"

class ConfigModel;
class QCategoryAxis;
class QGraphicsTextItem;
class QLogValueAxis;
class QValueAxis;
class QXYSeries;

// What the context and groups charts share: the seed figure's look (two-line
// title, markers, grid, a legend inside the plot), fonts sized explicitly so
// an export is legible, hover descriptions and an in-chart error message.
// The window and every export build their charts through these classes, so
// there is one chart-building code path; all Qt Charts code stays behind them.
class KvChart : public QChart {
    Q_OBJECT
public:
    ~KvChart() override;

    // Reads the model again: one replace() per series, axes adjusted.
    void refresh();

    // The window's light or dark palette, with fonts sized from `base` (the
    // widget's font). Exports do not use this chart: they draw a print figure.
    void setLook(ChartLook look, const QFont &base = QFont());
    ChartLook look() const { return m_look; }

    QString headline() const;     // "KV-cache vs Context Length"
    QString configLine() const;   // "(n_heads=24, emb_dim=2048, ...)"
    QString note() const;         // the title's third line, or empty
    QString documentTitle() const;  // both, on one line: for file metadata

    // Names of the series a user sees (legend order) and their points in
    // chart units (x as on the axis, y in the axis unit).
    QStringList seriesNames() const;
    QList<QPointF> seriesPoints(const QString &name) const;
    QString errorText() const { return m_errorText; }  // empty while data is shown
    // Whether the legend sits inside the plot area. False where no corner is
    // free of curves, markers and lines: the view then lists legendEntries()
    // outside the chart.
    bool legendInsidePlot() const { return m_legendInside; }
    struct LegendEntry {
        QString label;
        QPen pen;       // a line's; NoPen for a marker
        QBrush brush;   // a marker's fill
        bool marker = false;
        friend bool operator==(const LegendEntry &, const LegendEntry &) = default;
    };
    QList<LegendEntry> legendEntries() const;
    // What hovering `point` of the named series shows.
    QString describePoint(const QString &seriesName, const QPointF &point) const;

Q_SIGNALS:
    // Text for a tooltip while the mouse is over a point; empty when it leaves.
    void pointHovered(const QString &text);
    // The legend moved inside the plot or out of it, or, outside, its
    // entries changed (not on a slider step that changes none).
    void legendPlacementChanged();

protected:
    // Keeps a helper series (rings, end labels) out of the legend, also
    // after it is removed and added again.
    void hideFromLegend(QAbstractSeries *series);

    KvChart(const ConfigModel *model, QGraphicsItem *parent);

    const ConfigModel *model() const { return m_model; }
    bool isDark() const { return m_look == ChartLook::Dark; }

    // Subclasses: fill the series from the model; return an error to show
    // instead (the chart then hides its data).
    virtual QString updateSeries() = 0;
    virtual QString headlineText() const = 0;
    virtual QString configText() const = 0;
    // A third title line, when the chart needs one said; none by default.
    virtual QString noteText() const { return {}; }
    virtual QString describe(const QXYSeries *series, const QPointF &point) const = 0;
    // Pens, brushes and fonts after a theme change reset them.
    virtual void styleSeries() = 0;
    // Where the legend sits inside the plot area.
    virtual Qt::Alignment legendCorner() const = 0;
    // The plot area moved or resized (tick density may change).
    virtual void plotAreaResized() {}

    // Hover descriptions and look for a series added after construction.
    void adopt(QXYSeries *series);
    void styleAxisFonts(QAbstractAxis *axis) const;
    // A dynamic-ticks axis's new range and tick interval, in the order that
    // never passes through a state with more ticks than before or after: a
    // wide new range with the old fine interval would lay out (and label)
    // thousands of ticks for one slider step.
    static void setTicks(QValueAxis *axis, double min, double max, double interval);
    // A log2 x axis: a hidden QLogValueAxis maps the data, and a category
    // axis spanning the plot as 0..1 carries the title and the labels, each
    // at its fraction of the log2 span (setCategoryLabels()).
    struct Log2XAxis {
        QLogValueAxis *log = nullptr;
        QCategoryAxis *labels = nullptr;
    };
    Log2XAxis addLog2XAxis(const QString &title);
    // Replaces the labels only when they change: most slider steps keep them,
    // and a new set makes Qt Charts lay the whole chart out again.
    static void setCategoryLabels(QCategoryAxis *axis, const QStringList &labels, const QList<double> &positions);
    void styleLine(QXYSeries *series, const QColor &color, qreal width, Qt::PenStyle style = Qt::SolidLine) const;

    QFont titleFont() const { return m_titleFont; }
    QFont labelFont() const { return m_labelFont; }
    QFont tickFont() const { return m_tickFont; }
    QFont legendFont() const { return m_legendFont; }
    QColor textColor() const;
    QColor gridColor() const;
    // matplotlib's default cycle: the seed's figure colours, readable on white and dark.
    static QColor seriesColor(int index);
    static QString thousands(std::uint64_t bytes);

private:
    static QString wrappedHtml(const QString &text, const QFont &font, qreal width);
    void applyTitle();
    void placeLegend();
    // Every drawn line and marker of the visible series, in plot-area fractions.
    QList<QLineF> dataSegments();  // QChart::mapToPosition() is not const
    void placeError();
    void showData(bool visible);

    const ConfigModel *m_model;
    ChartLook m_look = ChartLook::Light;
    QFont m_titleFont;
    QFont m_subtitleFont;
    QFont m_labelFont;
    QFont m_tickFont;
    QFont m_legendFont;
    QString m_errorText;
    QGraphicsTextItem *m_errorItem = nullptr;
    bool m_placingLegend = false;
    bool m_legendInside = true;
    QList<LegendEntry> m_outsideEntries;  // what the view lists below the chart
    QSet<const QAbstractSeries *> m_legendHidden;
};
