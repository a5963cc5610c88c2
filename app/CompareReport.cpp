#include "CompareReport.h"

#include <QString>
#include <QStringList>
#include <algorithm>

#include "ModelComparison.h"
#include "kvscope/dtype.h"
#include "kvscope/engine.h"
#include "kvscope/format.h"
#include "kvscope/units.h"

using namespace Qt::StringLiterals;

namespace {

// A dash where a figure needs a GPU or a budget.
const QString kNone = u"—"_s;

QString thousands(std::uint64_t value) { return QString::fromStdString(kvscope::formatThousands(value)); }

// Shown on one line of a terminal: no control characters.
QString printable(QString text) {
    for (QChar &c : text) {
        if (c.unicode() < 0x20 || c.unicode() == 0x7f) c = u'?';
    }
    return text;
}

std::string optionalNumber(const std::optional<std::uint64_t> &value) {
    return value ? std::to_string(*value) : "null";
}

std::optional<std::uint64_t> solvedValue(const std::optional<kvscope::Solved> &s) {
    return s ? std::optional<std::uint64_t>(s->value) : std::nullopt;
}

bool hasBudget(const CliOptions &options) { return options.planning && options.planning->hasBudget; }

std::uint32_t tensorParallel(const CliOptions &options) {
    return options.planning ? options.planning->deployment.tensor_parallel : 1;
}

// What every model shares, as one sentence.
QString sharedText(const CliOptions &options) {
    const kvscope::Workload &w = options.workload;
    const kvscope::Engine engine = options.engine.engine;
    QString text = u"Every model at "_s + thousands(w.context_length) + u" tokens x batch "_s +
                   thousands(w.batch_size) + u", KV dtype "_s + QString::fromUtf8(kvscope::dtypeName(w.dtype)) +
                   u", "_s + QString::fromUtf8(kvscope::engineLabel(engine)) + u' ' +
                   QString::fromUtf8(kvscope::engineVersion(engine));
    if (!options.planning) return text + u"; no GPU or KV budget given, so no largest context or batch."_s;
    const CliOptions::Planning &p = *options.planning;
    const std::uint32_t tp = p.deployment.tensor_parallel;
    QString where = p.deployment.kv_budget_bytes
                        ? u"a KV budget of "_s + thousands(*p.deployment.kv_budget_bytes) + u" bytes per GPU"_s
                        : p.gpuLabel;
    if (!p.hasBudget) where = u"no GPU or KV budget given, so no largest context or batch"_s;
    text += u"; "_s + QString::number(tp) + (tp == 1 ? u" GPU"_s : u" GPUs"_s) + u", "_s + where;
    if (p.hasBudget && !p.deployment.kv_budget_bytes) text += u" (each model with its own weights)"_s;
    return text + u'.';
}

}  // namespace

std::vector<kvscope::CompareModel> comparedModels(const CliOptions &options) {
    std::optional<kvscope::DType> weights;
    if (options.planning && options.planning->weightsDtypeSource == u"--weights-dtype"_s)
        weights = options.planning->deployment.weights_dtype;
    std::vector<kvscope::CompareModel> models;
    for (const CliOptions::Model &m : options.compared) {
        models.push_back(ModelComparison::fromImported(
            m.imported, m.shownName(), weights));
    }
    return models;
}

kvscope::Result<std::vector<kvscope::CompareRow>> compareRows(const CliOptions &options) {
    kvscope::CompareModel main;
    if (options.model) {
        main = ModelComparison::fromImported(
            options.model->imported,
            options.model->shownName());
    } else {
        main.name = "book shape";
        main.layout = options.layout();
    }
    main.model_dtype = options.engine.model_dtype;
    main.max_model_len = options.engine.max_model_len;
    kvscope::CompareBase base;
    base.workload = options.workload;
    base.setup = options.engine;
    if (options.planning) {
        // The main model's plan exactly: its --parameters, its weight format.
        main.parameters = options.planning->parameters;
        main.weights_dtype = options.planning->deployment.weights_dtype;
        main.stored_weights_bytes = options.planning->deployment.stored_weights_bytes;
        base.deployment = options.planning->deployment;
    }
    std::vector<kvscope::CompareModel> models{main};
    for (kvscope::CompareModel &m : comparedModels(options)) models.push_back(std::move(m));
    auto rows = kvscope::compareModels(base, models);
    if (!rows) {
        return kvscope::InputError{"compare", "--compare " + CliOptions::flagError(rows.error(), options.shape).message};
    }
    return rows;
}

std::string compareSection(const CliOptions &options, const std::vector<kvscope::CompareRow> &rows) {
    const kvscope::ByteUnit unit = options.binaryUnits ? kvscope::ByteUnit::Binary : kvscope::ByteUnit::Decimal;
    const bool perGpu = tensorParallel(options) > 1;
    const bool budget = hasBudget(options);
    QStringList headers{u"model"_s, u"layers"_s, u"KV per token"_s, u"KV at context"_s};
    if (perGpu) headers << u"KV per GPU"_s;
    headers << u"largest context"_s << u"largest batch"_s;

    QList<QStringList> table{headers};
    QStringList notes;
    for (const kvscope::CompareRow &row : rows) {
        QStringList cells{printable(QString::fromStdString(row.name)), QString::fromStdString(row.layers),
                          thousands(row.kv_bytes_per_token),
                          QString::fromStdString(kvscope::formatBytes(row.kv_bytes, unit))};
        if (perGpu) {
            cells << (row.kv_bytes_per_gpu ? QString::fromStdString(kvscope::formatBytes(*row.kv_bytes_per_gpu, unit))
                                           : kNone);
        }
        const auto solved = [&](const std::optional<kvscope::Solved> &s) {
            if (!s) return kNone;
            return s->value == 0 ? u"none"_s : thousands(s->value);
        };
        cells << solved(row.max_context_length) << solved(row.max_batch_size);
        table.append(cells);
        const QString name = printable(QString::fromStdString(row.name));
        if (!row.plan_error.empty() && (budget || perGpu)) {
            notes << name + u": no plan on these GPUs: "_s +
                         printable(QString::fromStdString(row.plan_error));
        }
        if (row.past_model_limit) {
            notes << name + u": --context_length "_s + thousands(options.workload.context_length) +
                         u" is past the model's context limit"_s;
        }
    }
    std::vector<qsizetype> widths(static_cast<std::size_t>(headers.size()), 0);
    for (const QStringList &cells : table) {
        for (qsizetype c = 0; c < cells.size(); ++c) {
            widths[static_cast<std::size_t>(c)] = std::max(widths[static_cast<std::size_t>(c)], cells[c].size());
        }
    }
    // Names and layers to the left, figures to the right, two spaces apart.
    QString text = u"\n==== Comparison ====\n"_s + sharedText(options) + u'\n';
    for (const QStringList &cells : table) {
        QString line;
        for (qsizetype c = 0; c < cells.size(); ++c) {
            const int width = static_cast<int>(widths[static_cast<std::size_t>(c)]);
            if (c != 0) line += u"  "_s;
            line += c < 2 ? cells[c].leftJustified(width) : cells[c].rightJustified(width);
        }
        while (line.endsWith(u' ')) line.chop(1);
        text += line + u'\n';
    }
    for (const QString &note : notes) text += note + u'\n';
    return text.toStdString();
}

JsonFields compareJsonFields(const CliOptions &options, const std::vector<kvscope::CompareRow> &rows) {
    const std::string dtype = jsonString(kvscope::dtypeName(options.workload.dtype));
    const std::string engine = jsonString(kvscope::engineName(options.engine.engine));
    std::vector<std::string> items;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const kvscope::CompareRow &row = rows[i];
        items.push_back(jsonObjectLine({
            {"name", jsonString(row.name)},
            {"main", i == 0 ? "true" : "false"},
            {"layers", jsonString(row.layers)},
            {"dtype", dtype},
            {"engine", engine},
            {"kv_bytes", std::to_string(row.kv_bytes)},
            {"kv_bytes_per_token", std::to_string(row.kv_bytes_per_token)},
            {"kv_bytes_per_gpu", optionalNumber(row.kv_bytes_per_gpu)},
            {"max_context_length", optionalNumber(solvedValue(row.max_context_length))},
            {"max_batch_size", optionalNumber(solvedValue(row.max_batch_size))},
            {"past_model_limit", row.past_model_limit ? "true" : "false"},
            {"plan_error", row.plan_error.empty() ? "null" : jsonString(row.plan_error)},
        }));
    }
    return {{"compare", jsonArray(items)}};
}
