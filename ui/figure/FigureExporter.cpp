#include "FigureExporter.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <cmath>

#include "CairoCanvas.h"
#include "CairoDocument.h"
#include "ConfigModel.h"
#include "ContextFigure.h"
#include "FigureRenderer.h"
#include "FileBatch.h"
#include "kvscope/engine.h"
#include "GroupsFigure.h"
#include "ModelCurve.h"

using namespace Qt::StringLiterals;

namespace {

QString quoted(const QString &path) { return u"\""_s + QDir::toNativeSeparators(path) + u"\""_s; }

QString number(std::uint64_t value) { return QString::number(static_cast<qulonglong>(value)); }

// A CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break.
QString csvField(const QString &text) {
    if (!text.contains(u',') && !text.contains(u'"') && !text.contains(u'\n') && !text.contains(u'\r')) return text;
    return u'"' + QString(text).replace(u"\""_s, u"\"\""_s) + u'"';
}

// CSV column of a model or pinned curve: "model_bytes", a pin by its name
// (a compared model's name), a what-if variant as the model's alternative.
QString curveColumn(const ModelCurve &curve) {
    const QString &key = curve.key;
    if (key.startsWith(u"pin")) return csvField(curve.name);
    if (key == u"model") return key + u"_bytes"_s;
    if (key == u"mha" || key == u"mqa") return u"model_as_"_s + key + u"_bytes"_s;
    if (key == u"mla") return u"model_with_mla_bytes"_s;
    return u"model_"_s + key + u"_bytes"_s;
}

}  // namespace

FigureExporter::FigureExporter(const ConfigModel *model) : m_model(model) {}

std::optional<ExportFormat> FigureExporter::formatForPath(const QString &path) {
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix == u"pdf") return ExportFormat::Pdf;
    if (suffix == u"svg") return ExportFormat::Svg;
    if (suffix == u"png") return ExportFormat::Png;
    if (suffix == u"eps") return ExportFormat::Eps;
    if (suffix == u"csv") return ExportFormat::Csv;
    return std::nullopt;
}

QString FigureExporter::allowedExtensions() { return u".pdf, .svg, .png, .eps or .csv"_s; }

QString FigureExporter::creator() { return u"KV Scope "_s + QStringLiteral(KVSCOPE_VERSION); }

figure::Figure FigureExporter::figure(ChartKind kind) const {
    return kind == ChartKind::Context ? ContextFigure::build(*m_model) : GroupsFigure::build(*m_model);
}

std::optional<QString> FigureExporter::configError() const {
    const auto &estimate = m_model->estimate();
    if (!estimate) return QString::fromStdString(estimate.error().message);
    const auto &context = m_model->contextPoints();
    if (!context) return QString::fromStdString(context.error().message);
    const auto &groups = m_model->groupPoints();
    if (!groups) return QString::fromStdString(groups.error().message);
    return std::nullopt;
}

std::optional<QString> FigureExporter::checkPath(const QString &path) const {
    if (!formatForPath(path)) {
        const QString suffix = QFileInfo(path).suffix();
        return u"Cannot export to %1: %2; use %3."_s.arg(
            quoted(path),
            suffix.isEmpty() ? u"the file name has no extension"_s : u"unknown extension \".%1\""_s.arg(suffix),
            allowedExtensions());
    }
    if (const auto error = configError()) return u"Cannot export to %1: %2"_s.arg(quoted(path), *error);
    return std::nullopt;
}

std::optional<QString> FigureExporter::checkOptions(const ExportOptions &options, ExportFormat format) {
    using figure::FigureSize;
    using figure::FigureStyle;
    if (!(options.pngScale >= ExportOptions::kMinPngScale && options.pngScale <= ExportOptions::kMaxPngScale))
        return u"the PNG's pixels per point must be from 0.5 to 16 (36 to 1152 dpi; got %1)"_s.arg(options.pngScale);
    if (options.size.unit == FigureSize::Unit::Px && format != ExportFormat::Png)
        return u"a size in px only applies to a PNG; give a PDF, SVG or EPS size in in, cm, mm or pt"_s;
    const QSizeF points = options.chartSize();
    auto inRange = [](double side) { return side >= FigureSize::kMinPoints && side <= FigureSize::kMaxPoints; };
    if (!inRange(points.width()) || !inRange(points.height())) {
        return u"the figure must be from 1.5 to 50 in (108 to 3600 pt) on each side (got %1 × %2 pt)"_s
            .arg(points.width(), 0, 'f', 1)
            .arg(points.height(), 0, 'f', 1);
    }
    if (format == ExportFormat::Png) {
        const double width = std::round(points.width() * options.pngScale);
        const double height = std::round(points.height() * options.pngScale);
        if (width > figure::CairoDocument::kMaxPixels || height > figure::CairoDocument::kMaxPixels) {
            return u"the PNG would be %1 × %2 pixels; each side must be at most %3 (a smaller size or dpi)"_s.arg(width)
                .arg(height)
                .arg(figure::CairoDocument::kMaxPixels);
        }
    }
    const double font = options.style.fontSize;
    if (!(font >= FigureStyle::kMinFontSize && font <= FigureStyle::kMaxFontSize))
        return u"the font size must be from 5 to 30 pt (got %1)"_s.arg(font);
    return std::nullopt;
}

std::optional<QString> FigureExporter::csv(ChartKind kind) const {
    if (configError()) return std::nullopt;
    QString text;
    if (kind == ChartKind::Context) {
        const QList<int> extra = m_model->extraGroups();
        // The loaded model's shown curves, then the pinned ones, each a column
        // after the book's: model_bytes, model_as_mha_bytes, ..., then each pin's name.
        std::vector<const ModelCurve *> curves;
        for (const ModelCurve &curve : m_model->modelCurves()) {
            if (!m_model->hiddenVariants().contains(curve.key)) curves.push_back(&curve);
        }
        for (const ModelCurve &curve : m_model->pinnedCurves()) curves.push_back(&curve);

        // With a plan: the per-GPU KV budget on every row and, under tensor
        // parallelism, the current curve per GPU as the chart draws it.
        const auto &plan = m_model->plan();
        const ConfigModel::BudgetCurve *perGpu =
            m_model->chartPerGpu() ? m_model->budgetCurve(m_model->primaryCurveKey()) : nullptr;

        text += u"context_length,mha_bytes,gqa_bytes"_s;
        for (int g : extra) text += u",gqa_g%1_bytes"_s.arg(g);
        for (const ModelCurve *curve : curves) text += u',' + curveColumn(*curve);
        if (plan) text += u",kv_budget_per_gpu_bytes"_s;
        if (perGpu) text += m_model->hasModel() ? u",model_per_gpu_bytes"_s : u",gqa_per_gpu_bytes"_s;
        // The engine whose rules a model's states and the plan follow; the
        // book's shape alone is the same under every engine.
        const bool engineMatters = plan.ok() || m_model->hasModel();
        if (engineMatters) text += u",engine,engine_version"_s;
        text += u'\n';
        const QString engine =
            engineMatters ? u',' + m_model->engine() + u',' +
                                QString::fromUtf8(kvscope::engineVersion(m_model->engineId())).replace(u',', u';')
                          : QString();
        for (const auto &p : *m_model->contextPoints()) {
            text += number(p.context_length) + u',' + number(p.mha_bytes) + u',' + number(p.gqa_bytes);
            for (std::uint64_t bytes : p.extra_gqa_bytes) text += u',' + number(bytes);
            for (const ModelCurve *curve : curves) {
                // A curve that ends earlier (its total passed 64 bits) leaves the cell empty.
                text += u',';
                for (const kvscope::LayoutPoint &point : curve->points) {
                    if (point.context_length == p.context_length) text += number(point.bytes);
                }
            }
            if (plan) text += u',' + number(plan->kv_budget_bytes);
            if (perGpu) {
                text += u',';
                for (const kvscope::LayoutPoint &point : perGpu->per_gpu) {
                    if (point.context_length == p.context_length) text += number(point.bytes);
                }
            }
            text += engine + u'\n';
        }
    } else {
        text += u"n_kv_groups,n_kv_heads,gqa_bytes,savings_percent\n"_s;
        for (const auto &p : *m_model->groupPoints()) {
            // Shortest text that reads back as the same double.
            text += number(p.n_kv_groups) + u',' + number(p.n_kv_heads) + u',' + number(p.gqa_bytes) + u',' +
                    QString::number(p.savings_percent, 'g', QLocale::FloatingPointShortest) + u'\n';
        }
    }
    return text;
}

std::optional<QString> FigureExporter::render(ChartKind kind, ExportFormat format, const ExportOptions &options,
                                              QByteArray *bytes) const {
    if (format == ExportFormat::Csv) {
        const auto text = csv(kind);
        if (!text) return configError().value_or(u"the configuration cannot be computed"_s);
        *bytes = text->toUtf8();
        return std::nullopt;
    }
    if (const auto error = checkOptions(options, format)) return error;
    using Kind = figure::CairoDocument::Kind;
    const Kind document = format == ExportFormat::Pdf   ? Kind::Pdf
                          : format == ExportFormat::Svg ? Kind::Svg
                          : format == ExportFormat::Eps ? Kind::Eps
                                                        : Kind::Png;
    const figure::Figure f = figure(kind);
    const QSizeF size = options.chartSize();
    figure::CairoDocument file(document, size, {f.documentTitle(), creator()}, options.pngScale);
    if (const auto error = file.error()) return error;
    figure::CairoCanvas canvas(file.context());
    figure::FigureRenderer::draw(f, canvas, QRectF(QPointF(0, 0), size), options.style);
    return file.finish(bytes);
}

std::optional<QString> FigureExporter::exportChart(ChartKind kind, const QString &path,
                                                   const ExportOptions &options) const {
    FileBatch batch;
    if (const auto error = exportChart(kind, path, options, batch)) return error;
    return batch.commit();
}

std::optional<QString> FigureExporter::exportChart(ChartKind kind, const QString &path, const ExportOptions &options,
                                                   FileBatch &batch) const {
    if (const auto error = checkPath(path)) return error;
    const ExportFormat format = *formatForPath(path);
    if (const auto error = checkOptions(options, format)) return u"Cannot export to %1: %2."_s.arg(quoted(path), *error);
    batch.add(path, [this, kind, format, options](QIODevice *device) -> std::optional<QString> {
        QByteArray bytes;
        if (const auto error = render(kind, format, options, &bytes)) return error;
        if (device->write(bytes) != bytes.size()) return device->errorString();
        return std::nullopt;
    });
    return std::nullopt;
}
