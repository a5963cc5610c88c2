#include "ChartExporter.h"

#include "kvscope/engine.h"

#include <QDir>
#include <QFileInfo>
#include <QImage>
#include <QPageLayout>
#include <QPageSize>
#include <QPainter>
#include <QPdfWriter>
#include <QTextStream>
#include <algorithm>
#include <memory>

#include "ConfigModel.h"
#include "FigureRenderer.h"
#include "PainterCanvas.h"
#include "ModelCurve.h"
#include "kvscope/dtype.h"
#include "kvscope/format.h"
#include "kvscope/units.h"

using namespace Qt::StringLiterals;

namespace {

// A column heading for a model curve, short enough for seven columns on A4.
QString shortCurveName(const QString &key) {
    if (key == u"mha"_s) return u"as MHA"_s;
    if (key == u"mqa"_s) return u"as MQA"_s;
    if (key == u"no_sliding_window"_s) return u"all full"_s;
    if (key == u"mla"_s) return u"with MLA"_s;
    if (key.startsWith(u"pin"_s)) return u"pin "_s + key.mid(3);
    return key;  // "model"
}

QString quoted(const QString &path) { return u"\""_s + QDir::toNativeSeparators(path) + u"\""_s; }


QString bytesText(std::uint64_t bytes, kvscope::ByteUnit unit) {
    return QString::fromStdString(kvscope::formatBytes(bytes, unit));
}

// Vector text in points: fonts by pixel size, since painter units are points.
QFont reportFont(int size, bool bold = false) {
    QFont font;
    font.setPixelSize(size);
    font.setBold(bold);
    return font;
}

// Two-column key/value table; returns its height.
qreal drawTable(QPainter *painter, const QRectF &box, const QString &heading,
                const QList<std::pair<QString, QString>> &rows) {
    const qreal rowHeight = 15.0;
    painter->setFont(reportFont(11, true));
    painter->setPen(Qt::black);
    painter->drawText(QRectF(box.left(), box.top(), box.width(), rowHeight + 2), Qt::AlignLeft | Qt::AlignVCenter,
                      heading);
    qreal y = box.top() + rowHeight + 4;
    painter->setPen(QPen(QColor(0x80, 0x80, 0x80), 0.6));
    painter->drawLine(QPointF(box.left(), y - 1), QPointF(box.right(), y - 1));
    const qreal keyWidth = box.width() * 0.48;
    for (qsizetype i = 0; i < rows.size(); ++i) {
        if (i % 2 == 1) painter->fillRect(QRectF(box.left(), y, box.width(), rowHeight), QColor(0xf2, 0xf4, 0xf7));
        painter->setPen(QColor(0x30, 0x30, 0x30));
        painter->setFont(reportFont(9));
        painter->drawText(QRectF(box.left() + 4, y, keyWidth - 4, rowHeight), Qt::AlignLeft | Qt::AlignVCenter,
                          rows[i].first);
        painter->setPen(Qt::black);
        painter->drawText(QRectF(box.left() + keyWidth, y, box.width() - keyWidth - 4, rowHeight),
                          Qt::AlignRight | Qt::AlignVCenter, rows[i].second);
        y += rowHeight;
    }
    painter->setPen(QPen(QColor(0x80, 0x80, 0x80), 0.6));
    painter->drawLine(QPointF(box.left(), y), QPointF(box.right(), y));
    return y - box.top();
}

// A table with a header row; every column right-aligned but the first. Returns its height.
qreal drawGrid(QPainter *painter, const QRectF &box, const QString &heading, const QStringList &headers,
               const QList<QStringList> &rows) {
    const qreal rowHeight = 13.0;
    painter->setFont(reportFont(11, true));
    painter->setPen(Qt::black);
    painter->drawText(QRectF(box.left(), box.top(), box.width(), rowHeight + 4), Qt::AlignLeft | Qt::AlignVCenter,
                      heading);
    qreal y = box.top() + rowHeight + 6;
    const qreal columnWidth = box.width() / std::max<qsizetype>(headers.size(), 1);
    auto drawRow = [&](const QStringList &cells, bool bold) {
        painter->setFont(reportFont(8, bold));
        painter->setPen(Qt::black);
        for (qsizetype c = 0; c < cells.size(); ++c) {
            const QRectF cell(box.left() + c * columnWidth + 4, y, columnWidth - 8, rowHeight);
            painter->drawText(cell, (c == 0 ? Qt::AlignLeft : Qt::AlignRight) | Qt::AlignVCenter | Qt::TextDontClip,
                              cells[c]);
        }
        y += rowHeight;
    };
    drawRow(headers, true);
    painter->setPen(QPen(QColor(0x80, 0x80, 0x80), 0.6));
    painter->drawLine(QPointF(box.left(), y), QPointF(box.right(), y));
    for (qsizetype r = 0; r < rows.size(); ++r) {
        if (r % 2 == 1) painter->fillRect(QRectF(box.left(), y, box.width(), rowHeight), QColor(0xf2, 0xf4, 0xf7));
        drawRow(rows[r], false);
    }
    painter->setPen(QPen(QColor(0x80, 0x80, 0x80), 0.6));
    painter->drawLine(QPointF(box.left(), y), QPointF(box.right(), y));
    return y - box.top();
}

}  // namespace

ChartExporter::ChartExporter(const ConfigModel *model) : m_figures(model), m_model(model) {}

std::optional<ExportFormat> ChartExporter::formatForPath(const QString &path) {
    return FigureExporter::formatForPath(path);
}

QString ChartExporter::allowedExtensions() { return FigureExporter::allowedExtensions(); }

QString ChartExporter::documentTitle(ChartKind kind) const { return m_figures.documentTitle(kind); }

std::optional<QString> ChartExporter::csv(ChartKind kind) const { return m_figures.csv(kind); }

std::optional<QString> ChartExporter::exportChart(ChartKind kind, const QString &path,
                                                  const ExportOptions &options) const {
    if (!m_figures.needsGui(kind, path)) return m_figures.exportChart(kind, path, options);
    if (const auto error = m_figures.checkPath(path)) return error;
    const QSizeF size = FigureExporter::figureSize(options);
    const double scale = options.pngScale > 0 && options.pngScale <= 16 ? options.pngScale : 2.0;
    const bool png = formatForPath(path) == ExportFormat::Png;
    return FigureExporter::writeAtomically(path, [&](QIODevice *device) {
        return png ? writePng(kind, device, size, scale) : writePdf(kind, device, size);
    });
}

std::optional<QString> ChartExporter::exportReport(const QString &path) const {
    if (formatForPath(path) != ExportFormat::Pdf)
        return u"Cannot write the report to %1: the report is a PDF; use the .pdf extension."_s.arg(quoted(path));
    if (const auto error = m_figures.configError()) return u"Cannot export to %1: %2"_s.arg(quoted(path), *error);
    return FigureExporter::writeAtomically(path, [this](QIODevice *device) { return writeReport(device); });
}

std::optional<QString> ChartExporter::writePdf(ChartKind kind, QIODevice *device, const QSizeF &size) const {
    // Text the PDF core fonts cannot show: Qt's writer embeds the fonts it needs.
    const figure::Figure figure = m_figures.figure(kind);
    QPdfWriter writer(device);
    writer.setTitle(figure.documentTitle());
    writer.setCreator(FigureExporter::creator());
    // The page is the figure, as matplotlib's savefig makes it: ready to place in a report.
    writer.setPageLayout(QPageLayout(QPageSize(size, QPageSize::Point, QString(), QPageSize::ExactMatch),
                                     QPageLayout::Portrait, QMarginsF(0, 0, 0, 0)));
    QPainter painter;
    if (!painter.begin(&writer)) return u"cannot start the PDF"_s;
    const double toDevice = writer.resolution() / 72.0;
    painter.scale(toDevice, toDevice);  // painter units are points from here on
    PainterCanvas canvas(&painter);
    figure::FigureRenderer::draw(figure, canvas, QRectF(QPointF(0, 0), size));
    if (!painter.end()) return u"cannot finish the PDF"_s;
    return std::nullopt;
}

std::optional<QString> ChartExporter::writePng(ChartKind kind, QIODevice *device, const QSizeF &size,
                                               double scale) const {
    QImage image(qRound(size.width() * scale), qRound(size.height() * scale), QImage::Format_ARGB32_Premultiplied);
    if (image.isNull()) return u"the image is too large"_s;
    image.fill(Qt::white);
    // 72 dpi per point: the PNG prints at the same physical size as the PDF.
    const int dotsPerMeter = qRound(72.0 * scale / 0.0254);
    image.setDotsPerMeterX(dotsPerMeter);
    image.setDotsPerMeterY(dotsPerMeter);
    const figure::Figure figure = m_figures.figure(kind);
    image.setText(u"Title"_s, figure.documentTitle());
    image.setText(u"Software"_s, FigureExporter::creator());
    {
        QPainter painter(&image);
        painter.scale(scale, scale);
        PainterCanvas canvas(&painter);
        figure::FigureRenderer::draw(figure, canvas, QRectF(QPointF(0, 0), size));
    }
    if (!image.save(device, "PNG")) return device->errorString().isEmpty() ? u"cannot encode the PNG"_s
                                                                           : device->errorString();
    return std::nullopt;
}

qreal ChartExporter::drawDeployment(QPainter *painter, const QRectF &box) const {
    const kvscope::ByteUnit unit = m_model->byteUnit();
    auto bytes = [unit](std::uint64_t value) { return bytesText(value, unit); };
    auto count = [](std::uint64_t value) { return QString::fromStdString(kvscope::formatThousands(value)); };
    const kvscope::Deployment d = m_model->deployment();
    const auto params = m_model->parameters();
    const QList<std::pair<QString, QString>> inputs{
        {u"GPU"_s, d.kv_budget_bytes ? u"%1 (KV budget given directly)"_s.arg(m_model->gpuCount())
                                     : u"%1 × %2"_s.arg(m_model->gpuCount()).arg(m_model->gpuLabel())},
        {u"Memory per GPU"_s, d.kv_budget_bytes ? u"—"_s : bytesText(d.gpu_memory_bytes, kvscope::ByteUnit::Binary)},
        {u"Utilization"_s, d.kv_budget_bytes ? u"—"_s : QString::number(m_model->gpuUtilization(), 'g', 6)},
        {u"Parameters"_s, params ? count(*params) : u"unknown"_s},
        {u"Weights format"_s, m_model->weightsDtype()},
        {u"KV format"_s, m_model->dtype()},
        {u"Overhead per GPU"_s, bytesText(d.overhead_bytes, kvscope::ByteUnit::Binary)},
        {u"Engine"_s, QString::fromUtf8(kvscope::engineLabel(m_model->engineId())) + u' ' +
                          QString::fromUtf8(kvscope::engineVersion(m_model->engineId()))},
    };
    const qreal gap = 24;
    const qreal column = (box.width() - gap) / 2;
    const qreal h1 = drawTable(painter, QRectF(box.left(), box.top(), column, 0), u"Deployment"_s, inputs);
    const auto &plan = m_model->plan();
    if (!plan) {
        painter->setFont(reportFont(9, true));
        painter->setPen(QColor(0xb0, 0x1c, 0x1c));
        const QRectF note(box.left() + column + gap, box.top() + 22, column, h1 - 22);
        painter->drawText(note, Qt::AlignLeft | Qt::AlignTop | Qt::TextWordWrap,
                          u"No plan: %1: %2"_s.arg(ConfigModel::budgetFieldLabel(plan.error().field),
                                                   QString::fromStdString(plan.error().message)));
        return h1;
    }
    const kvscope::Plan &p = *plan;
    const QString batch = QString::number(m_model->batchSize());
    const QString context = count(static_cast<std::uint64_t>(m_model->contextLength()));
    const QList<std::pair<QString, QString>> fits{
        {u"Weights per GPU"_s, bytes(p.weights_bytes_per_gpu)},
        {u"KV budget per GPU"_s, bytes(p.kv_budget_bytes)},
        {u"KV blocks per GPU"_s, p.engine == kvscope::Engine::Vllm
                                     ? u"%1 × %2 tokens"_s.arg(count(p.num_blocks)).arg(p.block_size)
                                     : u"— (llama.cpp)"_s},
        // Keys short enough for the table's key column at any context.
        {u"Largest context"_s, (p.max_context_length.value == 0 ? u"none"_s : count(p.max_context_length.value)) +
                                   u" (batch %1)"_s.arg(batch)},
        {u"Largest batch"_s, u"%1 (%2 tokens)"_s.arg(count(p.max_batch_size.value), context)},
        {u"Maximum concurrency"_s, QString::fromStdString(kvscope::formatFixed2(p.max_concurrency)) + u"×"_s},
        {u"This workload per GPU"_s, bytes(p.engine_kv_bytes_per_gpu) + (p.fits ? u" (fits)"_s : u" (does not fit)"_s)},
        {u"GPUs needed"_s, p.gpus_needed ? QString::number(*p.gpus_needed) : u"—"_s},
    };
    const qreal h2 = drawTable(painter, QRectF(box.left() + column + gap, box.top(), column, 0), u"What fits"_s, fits);
    return std::max(h1, h2);
}

std::optional<QString> ChartExporter::writeReport(QIODevice *device) const {
    const kvscope::KvEstimate &e = *m_model->estimate();
    const kvscope::ModelShape shape = m_model->shape();
    const kvscope::Workload workload = m_model->workload();
    const kvscope::ByteUnit unit = m_model->byteUnit();

    const QString config = u"n_heads=%1, emb_dim=%2, n_layers=%3, batch=%4, n_kv_groups=%5, context=%6, dtype=%7"_s
                               .arg(m_model->nHeads())
                               .arg(m_model->embDim())
                               .arg(m_model->nLayers())
                               .arg(m_model->batchSize())
                               .arg(m_model->nKvGroups())
                               .arg(m_model->contextLength())
                               .arg(m_model->dtype());
    QPdfWriter writer(device);
    writer.setTitle(u"KV Scope report (%1)"_s.arg(config));
    writer.setCreator(FigureExporter::creator());
    const QMarginsF margins(42, 42, 42, 42);
    writer.setPageLayout(QPageLayout(QPageSize(QPageSize::A4), QPageLayout::Portrait, margins, QPageLayout::Point));

    QPainter painter;
    if (!painter.begin(&writer)) return u"cannot start the PDF"_s;
    const double toDevice = writer.resolution() / 72.0;
    painter.scale(toDevice, toDevice);
    // The painter's origin is the content rect's corner; work in points.
    const QRectF page(QPointF(0, 0), QPageSize(QPageSize::A4).sizePoints() -
                                         QSizeF(margins.left() + margins.right(), margins.top() + margins.bottom()));

    qreal y = 0;
    painter.setPen(Qt::black);
    painter.setFont(reportFont(16, true));
    painter.drawText(QRectF(0, y, page.width(), 22), Qt::AlignLeft | Qt::AlignVCenter, u"KV-cache report"_s);
    y += 24;
    painter.setFont(reportFont(9));
    painter.setPen(QColor(0x40, 0x40, 0x40));
    painter.drawText(QRectF(0, y, page.width(), 14), Qt::AlignLeft | Qt::AlignVCenter, u"("_s + config + u")"_s);
    y += 24;

    const QString bpe = QString::fromStdString(kvscope::bytesPerElemText(workload.dtype));
    QList<std::pair<QString, QString>> configRows{
        {u"context_length"_s, QString::number(m_model->contextLength())},
        {u"emb_dim"_s, QString::number(shape.emb_dim)},
        {u"n_heads"_s, QString::number(shape.n_heads)},
        {u"n_layers"_s, QString::number(shape.n_layers)},
        {u"n_kv_groups"_s, QString::number(shape.n_kv_groups)},
        {u"batch_size"_s, QString::number(workload.batch_size)},
        {u"dtype"_s, m_model->dtype() + u" ("_s + bpe + u" Bytes/elem)"_s},
        {u"head_dim"_s, QString::number(e.head_dim) + (shape.head_dim ? u" (explicit)"_s : QString())},
    };
    QList<std::pair<QString, QString>> totalRows{
        {u"MHA K/V heads"_s, QString::number(e.n_kv_heads_mha)},
        {u"GQA K/V heads"_s, QString::number(e.n_kv_heads_gqa)},
        {u"MHA total KV cache"_s, bytesText(e.mha_bytes, unit)},
        {u"GQA total KV cache"_s, bytesText(e.gqa_bytes, unit)},
        {u"Ratio (MHA / GQA)"_s, QString::fromStdString(kvscope::formatFixed2(e.ratio)) + u"x"_s},
        {u"Savings (GQA vs MHA)"_s, QString::fromStdString(kvscope::formatFixed2(e.savings_percent)) + u"%"_s},
        {u"MHA bytes per token"_s, QString::fromStdString(kvscope::formatThousands(e.mha_bytes_per_token))},
        {u"GQA bytes per token"_s, QString::fromStdString(kvscope::formatThousands(e.gqa_bytes_per_token))},
    };
    // A loaded model's own cache leads; the book's numbers describe only its
    // shape (for MLA or sliding layers they are far from the real cache).
    const kvscope::Result<ModelEstimate> &modelEstimate = m_model->modelEstimate();
    if (m_model->hasModel() && modelEstimate) {
        const ModelEstimate &me = *modelEstimate;
        QList<std::pair<QString, QString>> modelRows{
            {u"Model total KV cache"_s, bytesText(me.bytes.total, unit)},
            {u"Model bytes per token"_s, QString::fromStdString(kvscope::formatThousands(me.bytes_per_token))},
        };
        for (const ModelEstimate::Variant &v : me.variants) {
            modelRows.append({u"What-if "_s + shortCurveName(QString::fromStdString(v.key)),
                              v.bytes ? bytesText(*v.bytes, unit) : u"over 2^64 bytes"_s});
        }
        for (auto &row : totalRows) {
            if (row.first.startsWith(u"MHA total"_s) || row.first.startsWith(u"GQA total"_s))
                row.first = u"Book "_s + row.first.left(3) + u" (its shape)"_s;
        }
        totalRows = modelRows + totalRows.mid(2, 4);
    }
    const qreal gap = 24;
    const qreal column = (page.width() - gap) / 2;
    const qreal h1 = drawTable(&painter, QRectF(0, y, column, 0), u"Configuration"_s, configRows);
    const qreal h2 = drawTable(&painter, QRectF(column + gap, y, column, 0), u"KV-cache totals across all layers"_s,
                               totalRows);
    y += std::max(h1, h2) + 10;
    if (m_model->budgetEnabled()) y += drawDeployment(&painter, QRectF(0, y, page.width(), 0)) + 10;
    painter.setFont(reportFont(8));
    painter.setPen(QColor(0x50, 0x50, 0x50));
    const QString exactTotals =
        m_model->hasModel() && modelEstimate
            ? u"Exact total: model %1 bytes (its real layers)."_s.arg(
                  QString::fromStdString(kvscope::formatThousands(modelEstimate->bytes.total)))
            : u"Exact totals: MHA %1 bytes, GQA %2 bytes."_s.arg(
                  QString::fromStdString(kvscope::formatThousands(e.mha_bytes)),
                  QString::fromStdString(kvscope::formatThousands(e.gqa_bytes)));
    painter.drawText(QRectF(0, y, page.width(), 24), Qt::AlignLeft | Qt::TextWordWrap,
                     u"%1 %2 = 10^9 bytes as in the book; bytes per token count one sequence across all layers."_s
                         .arg(exactTotals,
                              unit == kvscope::ByteUnit::Binary ? u"GiB = 2^30 bytes; GB"_s : u"GB"_s));
    y += 34;

    // Each chart fills the content width at the figure's aspect ratio.
    const QSizeF figure = ExportOptions{}.chartSize;
    const QSizeF chartSize(page.width(), page.width() * figure.height() / figure.width());
    PainterCanvas canvas(&painter);
    figure::FigureRenderer::draw(m_figures.figure(ChartKind::Context), canvas, QRectF(QPointF(0, y), chartSize));
    if (y + chartSize.height() * 2 + 12 > page.height()) {
        if (!writer.newPage()) return u"cannot add a page to the PDF"_s;
        y = 0;
    } else {
        y += chartSize.height() + 12;
    }
    figure::FigureRenderer::draw(m_figures.figure(ChartKind::Groups), canvas, QRectF(QPointF(0, y), chartSize));
    y += chartSize.height() + 16;

    // The numbers behind the context chart, for readers who want values, not pixels.
    const auto &sweep = *m_model->contextPoints();
    const QList<int> extra = m_model->extraGroups();
    QStringList headers{u"context_length"_s, u"MHA"_s, u"GQA g=%1"_s.arg(shape.n_kv_groups)};
    for (int g : extra) headers.append(u"GQA g=%1"_s.arg(g));
    if (headers.size() > 7) headers = headers.mid(0, 7);  // the page holds four extra columns
    QList<QStringList> rows;
    QString tableTitle = u"KV cache by context length (g = n_kv_groups, current %1; batch %2, %3)"_s.arg(
        shape.n_kv_groups).arg(workload.batch_size).arg(m_model->dtype());
    const std::vector<ModelCurve> &curves = m_model->modelCurves();
    if (m_model->hasModel() && !curves.empty()) {
        // The model's curves as the chart draws them: its real layers first,
        // then the shown what-ifs and pins (a curve past 64 bits ends early).
        headers = QStringList{u"context_length"_s};
        for (const ModelCurve &c : curves) headers.append(shortCurveName(c.key));
        if (headers.size() > 7) headers = headers.mid(0, 7);
        std::vector<std::uint64_t> lengths;
        for (const kvscope::LayoutPoint &p : curves.front().points) lengths.push_back(p.context_length);
        for (std::uint64_t length : lengths) {
            QStringList row{QString::fromStdString(kvscope::formatThousands(length))};
            for (const ModelCurve &c : curves) {
                if (row.size() >= headers.size()) break;
                const auto at = std::ranges::find(c.points, length, &kvscope::LayoutPoint::context_length);
                row.append(at == c.points.end() ? u"over 2^64"_s : bytesText(at->bytes, unit));
            }
            rows.append(row);
        }
        tableTitle = u"KV cache by context length (%1; batch %2, %3)"_s.arg(m_model->modelName())
                         .arg(workload.batch_size)
                         .arg(m_model->dtype());
    } else {
        for (const auto &p : sweep) {
            QStringList row{QString::fromStdString(kvscope::formatThousands(p.context_length)),
                            bytesText(p.mha_bytes, unit), bytesText(p.gqa_bytes, unit)};
            for (std::size_t i = 0; i < p.extra_gqa_bytes.size() && row.size() < headers.size(); ++i)
                row.append(bytesText(p.extra_gqa_bytes[i], unit));
            rows.append(row);
        }
    }
    const qreal tableHeight = 13.0 * (rows.size() + 2) + 8;
    if (y + tableHeight > page.height()) {
        if (!writer.newPage()) return u"cannot add a page to the PDF"_s;
        y = 0;
    }
    drawGrid(&painter, QRectF(0, y, page.width(), 0), tableTitle, headers, rows);
    if (!painter.end()) return u"cannot finish the PDF"_s;
    return std::nullopt;
}
