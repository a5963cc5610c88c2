#include "ChartExporter.h"

#include "kvscope/engine.h"

#include <QDir>
#include <QFileInfo>
#include <QIODevice>
#include <algorithm>
#include <functional>

#include "CairoCanvas.h"
#include "CairoDocument.h"
#include "ConfigModel.h"
#include "FigureRenderer.h"
#include "FileBatch.h"
#include "ModelComparison.h"
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

using figure::Canvas;
using figure::Font;
using figure::Rgb;

enum class Align { Left, Right };

// Text in a cell, centred on its height; `wrap` breaks it into lines from the top.
void drawCellText(Canvas &canvas, const QRectF &cell, Align align, const QString &text, const Font &font, Rgb color) {
    const double ascent = canvas.ascent(font), descent = canvas.descent(font);
    const double baseline = cell.top() + (cell.height() - ascent - descent) / 2 + ascent;
    const double x = align == Align::Left ? cell.left() : cell.right() - canvas.textWidth(text, font);
    canvas.drawText(QPointF(x, baseline), text, font, color);
}

// Wrapped text from the top of `box`; returns the height it took.
double drawParagraph(Canvas &canvas, const QRectF &box, const QString &text, const Font &font, Rgb color) {
    const double line = (canvas.ascent(font) + canvas.descent(font)) * 1.15;
    double baseline = box.top() + canvas.ascent(font);
    const QStringList lines = canvas.wrapped(text, font, box.width());
    for (const QString &l : lines) {
        canvas.drawText(QPointF(box.left(), baseline), l, font, color);
        baseline += line;
    }
    return line * static_cast<double>(lines.size());
}

void drawRule(Canvas &canvas, double left, double right, double y) {
    canvas.drawPolyline({QPointF(left, y), QPointF(right, y)}, figure::Pen{0x808080, 0.6});
}

void fillRect(Canvas &canvas, const QRectF &r, Rgb color) {
    canvas.drawPolygon({r.topLeft(), r.topRight(), r.bottomRight(), r.bottomLeft()}, color, std::nullopt);
}

constexpr Rgb kStripe = 0xf2f4f7;

// Two-column key/value table; returns its height.
qreal drawTable(Canvas &canvas, const QRectF &box, const QString &heading,
                const QList<std::pair<QString, QString>> &rows) {
    const qreal rowHeight = 15.0;
    drawCellText(canvas, QRectF(box.left(), box.top(), box.width(), rowHeight + 2), Align::Left, heading, {11, true},
                 0x000000);
    qreal y = box.top() + rowHeight + 4;
    drawRule(canvas, box.left(), box.right(), y - 1);
    const qreal keyWidth = box.width() * 0.48;
    for (qsizetype i = 0; i < rows.size(); ++i) {
        if (i % 2 == 1) fillRect(canvas, QRectF(box.left(), y, box.width(), rowHeight), kStripe);
        drawCellText(canvas, QRectF(box.left() + 4, y, keyWidth - 4, rowHeight), Align::Left, rows[i].first, {9},
                     0x303030);
        // A long value ("vLLM main 5ac2684 (...)") takes a smaller size
        // rather than running over its key.
        const double room = box.width() - 4 - 6 - canvas.textWidth(rows[i].first, {9}) - 4;
        Font valueFont{9};
        while (valueFont.size > 6 && canvas.textWidth(rows[i].second, valueFont) > room) valueFont.size -= 0.25;
        drawCellText(canvas, QRectF(box.left() + keyWidth, y, box.width() - keyWidth - 4, rowHeight), Align::Right,
                     rows[i].second, valueFont, 0x000000);
        y += rowHeight;
    }
    drawRule(canvas, box.left(), box.right(), y);
    return y - box.top();
}

// A table's rows under a rule, on alternate stripes, and a closing rule;
// `drawRow` draws one row at `y` and moves `y` below it.
void drawBody(Canvas &canvas, const QRectF &box, const qreal &y, qreal rowHeight, const QList<QStringList> &rows,
              const std::function<void(const QStringList &)> &drawRow) {
    drawRule(canvas, box.left(), box.right(), y);
    for (qsizetype r = 0; r < rows.size(); ++r) {
        if (r % 2 == 1) fillRect(canvas, QRectF(box.left(), y, box.width(), rowHeight), kStripe);
        drawRow(rows[r]);
    }
    drawRule(canvas, box.left(), box.right(), y);
}

// A table with a header row; every column right-aligned but the first. Returns its height.
qreal drawGrid(Canvas &canvas, const QRectF &box, const QString &heading, const QStringList &headers,
               const QList<QStringList> &rows) {
    const qreal rowHeight = 13.0;
    drawCellText(canvas, QRectF(box.left(), box.top(), box.width(), rowHeight + 4), Align::Left, heading, {11, true},
                 0x000000);
    qreal y = box.top() + rowHeight + 6;
    const qreal columnWidth = box.width() / std::max<qsizetype>(headers.size(), 1);
    auto drawRow = [&](const QStringList &cells, bool bold) {
        for (qsizetype c = 0; c < cells.size(); ++c) {
            const QRectF cell(box.left() + c * columnWidth + 4, y, columnWidth - 8, rowHeight);
            drawCellText(canvas, cell, c == 0 ? Align::Left : Align::Right, cells[c], {8, bold}, 0x000000);
        }
        y += rowHeight;
    };
    drawRow(headers, true);
    drawBody(canvas, box, y, rowHeight, rows, [&](const QStringList &cells) { drawRow(cells, false); });
    return y - box.top();
}

// A table whose columns are as wide as their widest cell (a heading may
// take two lines, split at '\n'), in a font small enough for the row to fit
// `box`'s width; the first two columns left-aligned, the rest right. Returns
// its height.
qreal drawFittedGrid(Canvas &canvas, const QRectF &box, const QStringList &headers, const QList<QStringList> &rows) {
    constexpr double kPadding = 8;
    Font font{8};
    auto widths = [&](const Font &f) {
        std::vector<double> w(static_cast<std::size_t>(headers.size()), 0);
        for (qsizetype c = 0; c < headers.size(); ++c) {
            auto &width = w[static_cast<std::size_t>(c)];
            for (const QString &line : headers[c].split(u'\n'))
                width = std::max(width, canvas.textWidth(line, Font{f.size, true}));
            for (const QStringList &row : rows) width = std::max(width, canvas.textWidth(row.value(c), f));
            width += kPadding;
        }
        return w;
    };
    std::vector<double> w = widths(font);
    double total = 0;
    for (double x : w) total += x;
    if (total > box.width()) {
        font.size = std::max(5.0, font.size * box.width() / total);
        w = widths(font);
        total = 0;
        for (double x : w) total += x;
    }
    // What is left spreads evenly, so the table spans the page.
    const double extra = std::max(0.0, box.width() - total) / static_cast<double>(w.size());
    for (double &x : w) x += extra;
    const double rowHeight = (canvas.ascent(font) + canvas.descent(font)) * 1.6;
    double y = box.top();
    auto drawRow = [&](const QList<QString> &cells, bool bold) {
        double x = box.left();
        for (qsizetype c = 0; c < cells.size(); ++c) {
            const double width = w[static_cast<std::size_t>(c)];
            const QRectF cell(x + kPadding / 2, y, width - kPadding, rowHeight);
            drawCellText(canvas, cell, c < 2 ? Align::Left : Align::Right, cells[c], Font{font.size, bold}, 0x000000);
            x += width;
        }
        y += rowHeight;
    };
    // Headings of two lines are drawn as two rows, bottom-aligned.
    const qsizetype headingLines = std::ranges::any_of(headers, [](const QString &h) { return h.contains(u'\n'); }) ? 2 : 1;
    for (qsizetype line = 0; line < headingLines; ++line) {
        QStringList cells;
        for (const QString &h : headers) {
            const QStringList parts = h.split(u'\n');
            const qsizetype first = headingLines - parts.size();
            cells << (line >= first ? parts.value(line - first) : QString());
        }
        drawRow(cells, true);
    }
    drawBody(canvas, box, y, rowHeight, rows, [&](const QStringList &cells) { drawRow(cells, false); });
    return y - box.top();
}

}  // namespace

ChartExporter::ChartExporter(const ConfigModel *model) : m_figures(model), m_model(model) {}

void ChartExporter::setComparedModels(std::vector<kvscope::CompareModel> models) { m_compared = std::move(models); }

std::vector<kvscope::CompareModel> ChartExporter::comparedModels() const {
    return m_compared.empty() ? m_model->pinComparisons() : m_compared;
}

void ChartExporter::drawComparison(figure::Canvas &canvas, const QRectF &page) const {
    const kvscope::ByteUnit unit = m_model->byteUnit();
    auto count = [](std::uint64_t value) { return QString::fromStdString(kvscope::formatThousands(value)); };
    const kvscope::Workload workload = m_model->workload();
    const QString context = count(workload.context_length);
    const QString engine = QString::fromUtf8(kvscope::engineLabel(m_model->engineId()));
    const bool budget = m_model->budgetEnabled();
    const kvscope::Deployment d = m_model->deployment();
    const bool perGpu = budget && d.tensor_parallel > 1;

    qreal y = page.top();
    drawCellText(canvas, QRectF(page.left(), y, page.width(), 22), Align::Left, u"Comparison"_s, {16, true}, 0x000000);
    y += 26;
    QString where = u"no GPU or KV budget chosen, so no largest context or batch (—)"_s;
    if (budget) {
        where = d.kv_budget_bytes ? u"%1 GPU(s) with a KV budget of %2 each"_s.arg(d.tensor_parallel)
                                        .arg(bytesText(*d.kv_budget_bytes, unit))
                                  : u"%1 × %2, each model with its own weights"_s.arg(d.tensor_parallel)
                                        .arg(m_model->gpuLabel());
    }
    y += drawParagraph(canvas, QRectF(page.left(), y, page.width(), 0),
                       u"Every model at %1 tokens × batch %2 in %3, on %4 %5; %6."_s.arg(context)
                           .arg(workload.batch_size)
                           .arg(m_model->dtype(), engine,
                                QString::fromUtf8(kvscope::engineVersion(m_model->engineId())), where),
                       {9}, 0x404040) +
         10;

    const auto rows = ModelComparison::rows(*m_model, comparedModels());
    if (!rows) {
        drawParagraph(canvas, QRectF(page.left(), y, page.width(), 0),
                      u"No comparison: "_s + QString::fromStdString(rows.error().message), {9, true}, 0xb01c1c);
        return;
    }
    QStringList headers{u"Model"_s, u"Layers"_s, u"dtype"_s, u"Engine"_s, u"KV per\ntoken (bytes)"_s,
                        u"KV at\n%1 tokens"_s.arg(context)};
    if (perGpu) headers << u"KV per GPU\nat %1 tokens"_s.arg(context);
    headers << u"Largest context\n(batch %1)"_s.arg(workload.batch_size) << u"Largest batch\n(%1 tokens)"_s.arg(context);
    QList<QStringList> cells;
    QStringList notes;
    for (const kvscope::CompareRow &row : *rows) {
        const QString name = QString::fromStdString(row.name);
        QStringList line{name, QString::fromStdString(row.layers), m_model->dtype(), engine,
                         count(row.kv_bytes_per_token), bytesText(row.kv_bytes, unit)};
        if (perGpu) line << (row.kv_bytes_per_gpu ? bytesText(*row.kv_bytes_per_gpu, unit) : u"—"_s);
        const auto solved = [&](const std::optional<kvscope::Solved> &s) {
            if (!s) return u"—"_s;
            return s->value == 0 ? u"none"_s : count(s->value);
        };
        line << solved(row.max_context_length) << solved(row.max_batch_size);
        cells.append(line);
        if (budget && !row.plan_error.empty())
            notes << u"%1: no plan on these GPUs: %2"_s.arg(name, QString::fromStdString(row.plan_error));
        if (row.past_model_limit) notes << u"%1: %2 tokens are past the model's context limit."_s.arg(name, context);
    }
    y += drawFittedGrid(canvas, QRectF(page.left(), y, page.width(), 0), headers, cells) + 8;
    notes << (perGpu ? u"KV per GPU is one GPU's share under tensor parallelism; the other sizes are whole-model totals."_s
                     : u"KV sizes are whole-model totals."_s) +
                 (unit == kvscope::ByteUnit::Binary ? u" GiB = 2^30 bytes."_s : u" GB = 10^9 bytes."_s);
    for (const QString &note : notes) y += drawParagraph(canvas, QRectF(page.left(), y, page.width(), 0), note, {8}, 0x505050) + 3;
}

std::optional<ExportFormat> ChartExporter::formatForPath(const QString &path) {
    return FigureExporter::formatForPath(path);
}

QString ChartExporter::allowedExtensions() { return FigureExporter::allowedExtensions(); }

QString ChartExporter::documentTitle(ChartKind kind) const { return m_figures.documentTitle(kind); }

std::optional<QString> ChartExporter::csv(ChartKind kind) const { return m_figures.csv(kind); }

std::optional<QString> ChartExporter::exportChart(ChartKind kind, const QString &path,
                                                  const ExportOptions &options) const {
    return m_figures.exportChart(kind, path, options);
}

std::optional<QString> ChartExporter::exportChart(ChartKind kind, const QString &path, const ExportOptions &options,
                                                  FileBatch &batch) const {
    return m_figures.exportChart(kind, path, options, batch);
}

std::optional<QString> ChartExporter::render(ChartKind kind, ExportFormat format, const ExportOptions &options,
                                             QByteArray *bytes) const {
    return m_figures.render(kind, format, options, bytes);
}

std::optional<QString> ChartExporter::exportReport(const QString &path, const figure::FigureStyle &style) const {
    FileBatch batch;
    if (const auto error = exportReport(path, style, batch)) return error;
    return batch.commit();
}

std::optional<QString> ChartExporter::exportReport(const QString &path, const figure::FigureStyle &style,
                                                   FileBatch &batch) const {
    if (formatForPath(path) != ExportFormat::Pdf)
        return u"Cannot write the report to %1: the report is a PDF; use the .pdf extension."_s.arg(quoted(path));
    if (const auto error = m_figures.configError()) return u"Cannot export to %1: %2"_s.arg(quoted(path), *error);
    ExportOptions options;
    options.style = style;
    if (const auto error = FigureExporter::checkOptions(options, ExportFormat::Pdf))
        return u"Cannot export to %1: %2."_s.arg(quoted(path), *error);
    batch.add(path, [this, style](QIODevice *device) -> std::optional<QString> {
        QByteArray bytes;
        if (const auto error = writeReport(&bytes, style)) return error;
        if (device->write(bytes) != bytes.size()) return device->errorString();
        return std::nullopt;
    });
    return std::nullopt;
}

qreal ChartExporter::drawDeployment(figure::Canvas &canvas, const QRectF &box) const {
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
        // The version without its date note: the full one is too wide for the column.
        {u"Engine"_s, QString::fromUtf8(kvscope::engineLabel(m_model->engineId())) + u' ' +
                          QString::fromUtf8(kvscope::engineVersion(m_model->engineId())).section(u" ("_s, 0, 0)},
    };
    const qreal gap = 24;
    const qreal column = (box.width() - gap) / 2;
    const qreal h1 = drawTable(canvas, QRectF(box.left(), box.top(), column, 0), u"Deployment"_s, inputs);
    const auto &plan = m_model->plan();
    if (!plan) {
        const QRectF note(box.left() + column + gap, box.top() + 22, column, h1 - 22);
        drawParagraph(canvas, note,
                      u"No plan: %1: %2"_s.arg(ConfigModel::budgetFieldLabel(plan.error().field),
                                               QString::fromStdString(plan.error().message)),
                      {9, true}, 0xb01c1c);
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
    const qreal h2 = drawTable(canvas, QRectF(box.left() + column + gap, box.top(), column, 0), u"What fits"_s, fits);
    return std::max(h1, h2);
}

std::optional<QString> ChartExporter::writeReport(QByteArray *bytes, const figure::FigureStyle &chartStyle) const {
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
    // The heading and the PDF's title name what the report is about: the
    // loaded model, or the book's shape by its numbers.
    const QString subject = m_model->hasModel() ? m_model->modelName() : u"book shape ("_s + config + u')';
    const QString title = u"KV cache report: "_s + subject;
    // A4 in points, with 42 pt margins; the origin is the content's corner.
    constexpr double kMargin = 42;
    const QSizeF a4(595.276, 841.89);
    figure::CairoDocument document(figure::CairoDocument::Kind::Pdf, a4, {title, FigureExporter::creator()});
    if (const auto error = document.error()) return error;
    document.setOrigin(QPointF(kMargin, kMargin));
    figure::CairoCanvas canvas(document.context());
    const QRectF page(QPointF(0, 0), a4 - QSizeF(2 * kMargin, 2 * kMargin));
    // The report is printed on white paper: its charts are never dark.
    figure::FigureStyle style = chartStyle;
    if (style.theme == figure::Theme::Dark) style.theme = figure::Theme::Light;

    qreal y = 0;
    const qreal titleHeight = drawParagraph(canvas, QRectF(0, y, page.width(), 0),
                                            m_model->hasModel() ? title : u"KV cache report: book shape"_s, {16, true},
                                            0x000000);
    y += titleHeight + 2;
    drawCellText(canvas, QRectF(0, y, page.width(), 14), Align::Left, u"("_s + config + u")"_s, {9}, 0x404040);
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
                row.first = u"Book "_s + row.first.left(3) + u" (shape only)"_s;
        }
        totalRows = modelRows + totalRows.mid(2, 4);
    }
    const qreal gap = 24;
    const qreal column = (page.width() - gap) / 2;
    const qreal h1 = drawTable(canvas, QRectF(0, y, column, 0), u"Configuration"_s, configRows);
    const qreal h2 = drawTable(canvas, QRectF(column + gap, y, column, 0), u"KV-cache totals across all layers"_s,
                               totalRows);
    y += std::max(h1, h2) + 10;
    if (m_model->budgetEnabled()) y += drawDeployment(canvas, QRectF(0, y, page.width(), 0)) + 10;
    const QString exactTotals =
        m_model->hasModel() && modelEstimate
            ? u"Exact total: model %1 bytes (its real layers)."_s.arg(
                  QString::fromStdString(kvscope::formatThousands(modelEstimate->bytes.total)))
            : u"Exact totals: MHA %1 bytes, GQA %2 bytes."_s.arg(
                  QString::fromStdString(kvscope::formatThousands(e.mha_bytes)),
                  QString::fromStdString(kvscope::formatThousands(e.gqa_bytes)));
    const double noteHeight = drawParagraph(
        canvas, QRectF(0, y, page.width(), 0),
        u"%1 %2 = 10^9 bytes as in the book; bytes per token count one sequence across all layers."_s.arg(
            exactTotals, unit == kvscope::ByteUnit::Binary ? u"GiB = 2^30 bytes; GB"_s : u"GB"_s),
        {8}, 0x505050);
    y += std::max(34.0, noteHeight + 10);

    // Each chart fills the content width at the default figure's aspect ratio.
    const QSizeF figure = ExportOptions{}.chartSize();
    const QSizeF chartSize(page.width(), page.width() * figure.height() / figure.width());
    figure::FigureRenderer::draw(m_figures.figure(ChartKind::Context), canvas, QRectF(QPointF(0, y), chartSize), style);
    if (y + chartSize.height() * 2 + 12 > page.height()) {
        document.newPage();
        y = 0;
    } else {
        y += chartSize.height() + 12;
    }
    figure::FigureRenderer::draw(m_figures.figure(ChartKind::Groups), canvas, QRectF(QPointF(0, y), chartSize), style);
    y += chartSize.height() + 16;

    // The numbers behind the context chart, for readers who want values, not pixels.
    const auto &sweep = *m_model->contextPoints();
    const QList<int> extra = m_model->extraGroups();
    QStringList headers{u"context_length"_s, u"MHA"_s, u"GQA g=%1"_s.arg(shape.n_kv_groups)};
    for (int g : extra) headers.append(u"GQA g=%1"_s.arg(g));
    if (headers.size() > 7) headers = headers.mid(0, 7);  // the page holds four extra columns
    QList<QStringList> rows;
    // Under tensor parallelism the chart above draws one GPU's share; the
    // table shows the same figures, and says so.
    const bool perGpu = m_model->chartPerGpu();
    const QString perGpuNote = perGpu ? u", per GPU of %1"_s.arg(m_model->gpuCount()) : QString();
    // A curve's figure at one context: the whole cache, or one GPU's share
    // ("—" where the curve cannot be split over the GPUs).
    const auto cell = [this, perGpu, unit](const QString &key, std::uint64_t length, std::uint64_t total) {
        if (!perGpu) return bytesText(total, unit);
        const ConfigModel::BudgetCurve *curve = m_model->budgetCurve(key);
        if (!curve) return u"—"_s;
        const auto at = std::ranges::find(curve->per_gpu, length, &kvscope::LayoutPoint::context_length);
        return at == curve->per_gpu.end() ? u"—"_s : bytesText(at->bytes, unit);
    };
    QString tableTitle = u"KV cache by context length (g = n_kv_groups, current %1; batch %2, %3%4)"_s.arg(
        shape.n_kv_groups).arg(workload.batch_size).arg(m_model->dtype(), perGpuNote);
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
                row.append(at == c.points.end() ? u"over 2^64"_s : cell(c.key, length, at->bytes));
            }
            rows.append(row);
        }
        tableTitle = u"KV cache by context length (%1; batch %2, %3%4)"_s.arg(m_model->modelName())
                         .arg(workload.batch_size)
                         .arg(m_model->dtype(), perGpuNote);
    } else {
        for (const auto &p : sweep) {
            QStringList row{QString::fromStdString(kvscope::formatThousands(p.context_length)),
                            cell(u"book_mha"_s, p.context_length, p.mha_bytes),
                            cell(u"book_gqa"_s, p.context_length, p.gqa_bytes)};
            for (std::size_t i = 0; i < p.extra_gqa_bytes.size() && row.size() < headers.size(); ++i)
                row.append(cell(u"book_g%1"_s.arg(extra.at(static_cast<qsizetype>(i))), p.context_length,
                                p.extra_gqa_bytes[i]));
            rows.append(row);
        }
    }
    const qreal tableHeight = 13.0 * (rows.size() + 2) + 8;
    if (y + tableHeight > page.height()) {
        document.newPage();
        y = 0;
    }
    const qreal gridHeight = drawGrid(canvas, QRectF(0, y, page.width(), 0), tableTitle, headers, rows);
    const bool unsplit = std::ranges::any_of(rows, [](const QStringList &row) { return row.contains(u"—"_s); });
    if (perGpu && unsplit && y + gridHeight + 30 <= page.height()) {
        drawParagraph(canvas, QRectF(0, y + gridHeight + 6, page.width(), 0),
                      u"— : a curve whose K/V heads do not split evenly over %1 GPUs (not on the chart either)."_s.arg(
                          m_model->gpuCount()),
                      {8}, 0x505050);
    }
    // The models compared (kvscope-cli --compare), or the window's pins.
    if (!comparedModels().empty()) {
        document.newPage();
        drawComparison(canvas, page);
    }
    return document.finish(bytes);
}
