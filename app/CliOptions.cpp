#include "CliOptions.h"

#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QRegularExpression>
#include <array>
#include <limits>
#include <optional>

#include "kvscope/dtype.h"
#include "kvscope/estimator.h"
#include "kvscope/format.h"
#include "kvscope/sweep.h"
#include "kvscope/validation.h"

using namespace Qt::StringLiterals;
using kvscope::InputError;
using kvscope::Limits;

namespace {

// The book's defaults for the optional inputs.
constexpr std::uint64_t kDefaultContextLength = 1024;
constexpr std::uint32_t kDefaultBatchSize = 1;
constexpr kvscope::DType kDefaultDType = kvscope::DType::fp16;

// A whole-number flag: its name as the book spells it and its accepted range.
struct NumberFlag {
    QStringView name;
    std::uint64_t min;
    std::uint64_t max;
    bool required;
};

// Required flags first: the order of --help and of error checks.
const std::array<NumberFlag, 7> kNumberFlags{{
    {u"emb_dim", Limits::min_emb_dim, Limits::max_emb_dim, true},
    {u"n_heads", 1, Limits::max_heads, true},
    {u"n_layers", 1, Limits::max_layers, true},
    {u"n_kv_groups", 1, Limits::max_heads, true},  // the real bound, n_heads, is checked with the shape
    {u"context_length", 1, Limits::max_context_length, false},
    {u"batch_size", 1, Limits::max_batch_size, false},
    {u"head_dim", 1, Limits::max_head_dim, false},
}};

std::size_t flagIndex(QStringView name) {
    for (std::size_t i = 0; i < kNumberFlags.size(); ++i) {
        if (kNumberFlags[i].name == name) return i;
    }
    return kNumberFlags.size();  // unreachable: callers pass names from the table
}

QString thousands(std::uint64_t value) { return QString::fromStdString(kvscope::formatThousands(value)); }

QString rangeText(const NumberFlag &flag) { return thousands(flag.min) + u" to "_s + thousands(flag.max); }

// The book's flag and its dashed spelling (--emb-dim), for users used to either.
QStringList spellings(QStringView name) {
    QStringList names{name.toString()};
    if (name.contains(u'_')) names << name.toString().replace(u'_', u'-');
    return names;
}

QString typedValueText(const QString &text) {
    // Shown inside a one-line message: no control characters, bounded length.
    QString shown = text.left(40);
    for (QChar &c : shown) {
        if (c.unicode() < 0x20 || c.unicode() == 0x7f) c = u'?';
    }
    if (text.size() > shown.size()) shown += u"..."_s;
    return shown;
}

// How an unusable value is echoed back: numbers as the core shows them
// (1,025), anything else quoted so an empty or odd value stays visible.
QString gotText(const QString &text) {
    static const QRegularExpression number(u"^([+-]?)0*([0-9]+)$"_s);
    const QRegularExpressionMatch m = number.match(text);
    if (!m.hasMatch() || text.size() > 40) return u'"' + typedValueText(text) + u'"';
    const QString digits = m.captured(2);
    QString grouped;
    for (qsizetype i = 0; i < digits.size(); ++i) {
        if (i != 0 && (digits.size() - i) % 3 == 0) grouped += u',';
        grouped += digits.at(i);
    }
    return (m.captured(1) == u"-"_s && digits != u"0"_s ? u"-"_s : QString()) + grouped;
}

InputError error(QStringView field, const QString &message) {
    return InputError{field.toString().toStdString(), message.toStdString()};
}

InputError numberError(const NumberFlag &flag, const QString &text) {
    return error(flag.name, u"--"_s + flag.name + u" must be a whole number from "_s + rangeText(flag) + u" (got "_s +
                                gotText(text) + u')');
}

// Plain decimal digits, optionally with a leading '+', as Python's int()
// accepts them; anything else (1.5, 12x, 1e3, 0x10, -3) is refused.
kvscope::Result<std::uint64_t> parseNumber(const NumberFlag &flag, const QString &text) {
    qsizetype i = text.startsWith(u'+') ? 1 : 0;
    if (i == text.size()) return numberError(flag, text);
    std::uint64_t value = 0;
    for (; i < text.size(); ++i) {
        const char16_t c = text.at(i).unicode();
        if (c < u'0' || c > u'9') return numberError(flag, text);
        const std::uint64_t digit = c - u'0';
        if (value > (std::numeric_limits<std::uint64_t>::max() - digit) / 10) return numberError(flag, text);
        value = value * 10 + digit;
    }
    if (value < flag.min || value > flag.max) return numberError(flag, text);
    return value;
}

QString helpDescription(const NumberFlag &flag) {
    if (flag.name == u"context_length") {
        return u"Tokens held in the cache, "_s + rangeText(flag) + u". Default: "_s +
               QString::number(kDefaultContextLength) + u'.';
    }
    if (flag.name == u"emb_dim") return u"Model width (hidden size), "_s + rangeText(flag) + u". Required."_s;
    if (flag.name == u"n_heads") return u"Query heads, "_s + rangeText(flag) + u". Required."_s;
    if (flag.name == u"n_layers") return u"Transformer blocks, "_s + rangeText(flag) + u". Required."_s;
    if (flag.name == u"n_kv_groups") {
        return u"Query heads sharing one K/V head; must divide n_heads (1 is MHA, n_heads is MQA). Required."_s;
    }
    if (flag.name == u"batch_size") {
        return u"Sequences in the batch, "_s + rangeText(flag) + u". Default: "_s + QString::number(kDefaultBatchSize) +
               u'.';
    }
    return u"Explicit head size, as models such as Gemma and Qwen3 set it, "_s + rangeText(flag) +
           u". Default: ceil(emb_dim / n_heads)."_s;
}

QString dtypeChoices() { return QString::fromStdString(kvscope::dtypeNameList()); }

void addOptions(QCommandLineParser &parser) {
    parser.setApplicationDescription(
        u"Estimates the KV-cache memory of a transformer with multi-head attention (MHA)\n"
        u"and with grouped-query attention (GQA), and prints the report of the book's\n"
        u"memory_estimator.py. GB means 1000^3 bytes. Flags may also be spelled with\n"
        u"dashes (--emb-dim) and take their value as --flag 5 or --flag=5.\n"
        u"Exit status: 0 on success, 2 on invalid input."_s);
    for (const NumberFlag &flag : kNumberFlags) {
        parser.addOption(QCommandLineOption(spellings(flag.name), helpDescription(flag), u"n"_s));
        if (flag.name == u"batch_size") {  // the workload's flags together
            parser.addOption(QCommandLineOption(u"dtype"_s,
                                                u"Cache element type: "_s + dtypeChoices() + u". Default: "_s +
                                                    QString::fromUtf8(kvscope::dtypeName(kDefaultDType)) + u'.',
                                                u"type"_s));
        }
    }
    parser.addOption(
        QCommandLineOption(u"json"_s, u"Print one JSON object (exact integer byte counts) instead of the report."_s));
    parser.addOption(QCommandLineOption({u"h"_s, u"help"_s}, u"Show this help and exit."_s));
    parser.addOption(QCommandLineOption(u"version"_s, u"Show the version and exit."_s));
}

// The option as the user typed it (--foo or -f), for the error line.
QString typedOption(const QStringList &arguments, const QString &name) {
    for (const QString &argument : arguments.mid(1)) {
        if (argument == u"--"_s) break;
        if (argument == u"--"_s + name || argument.startsWith(u"--"_s + name + u'=')) return u"--"_s + name;
    }
    return u'-' + name;
}

const NumberFlag *numberFlag(QStringView spelledName) {
    for (const NumberFlag &flag : kNumberFlags) {
        if (spellings(flag.name).contains(spelledName.toString())) return &flag;
    }
    return nullptr;
}

// QCommandLineParser's own errors: unknown options and values that are missing
// or not expected. Its wording is kept where no better one exists.
InputError parserError(const QCommandLineParser &parser, const QStringList &arguments) {
    const QStringList unknown = parser.unknownOptionNames();
    if (!unknown.isEmpty()) {
        const QString option = typedOption(arguments, unknown.constFirst());
        return error(option,
                     u"unknown option "_s + typedValueText(option) + u" (kvscope-cli --help lists the flags)"_s);
    }
    // A value-taking flag at the very end has lost its value.
    const QString last = arguments.size() > 1 ? arguments.constLast() : QString();
    if (last.startsWith(u"--"_s)) {
        const QString name = last.mid(2);
        if (const NumberFlag *flag = numberFlag(name)) {
            return error(flag->name,
                         u"--"_s + flag->name + u" needs a value: a whole number from "_s + rangeText(*flag));
        }
        if (name == u"dtype"_s) return error(name, u"--dtype needs a value: one of "_s + dtypeChoices());
    }
    QString text = parser.errorText();
    if (!text.isEmpty()) text[0] = text.at(0).toLower();
    if (text.endsWith(u'.')) text.chop(1);
    return error(QString(), typedValueText(text));
}

}  // namespace

kvscope::Result<CliOptions> CliOptions::parse(const QStringList &arguments) {
    QCommandLineParser parser;
    addOptions(parser);
    // -emb_dim is read as --emb_dim rather than as the short options -e -m -b ...
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    if (!parser.parse(arguments)) return parserError(parser, arguments);

    CliOptions options;
    if (parser.isSet(u"help"_s)) {
        options.action = Action::Help;
        return options;
    }
    if (parser.isSet(u"version"_s)) {
        options.action = Action::Version;
        return options;
    }
    if (parser.isSet(u"json"_s)) options.action = Action::Json;

    // Each given value against its own range first, so the message names the
    // flag the user typed; a repeated flag counts with its last value.
    std::array<std::optional<std::uint64_t>, kNumberFlags.size()> values;
    QStringList missing;
    for (std::size_t i = 0; i < kNumberFlags.size(); ++i) {
        const NumberFlag &flag = kNumberFlags[i];
        const QStringList given = parser.values(flag.name.toString());
        if (given.isEmpty()) {
            if (flag.required) missing << u"--"_s + flag.name;
            continue;
        }
        auto value = parseNumber(flag, given.constLast());
        if (!value) return value.error();
        values[i] = *value;
    }
    options.workload.dtype = kDefaultDType;
    if (parser.isSet(u"dtype"_s)) {
        const QString text = parser.values(u"dtype"_s).constLast();
        const auto dtype = kvscope::parseDType(text.toStdString());
        if (!dtype) {
            return error(u"dtype", u"--dtype must be one of "_s + dtypeChoices() + u" (got \""_s +
                                       typedValueText(text) + u"\")"_s);
        }
        options.workload.dtype = *dtype;
    }
    if (const QStringList extra = parser.positionalArguments(); !extra.isEmpty()) {
        return error(QString(), u"unexpected argument \""_s + typedValueText(extra.constFirst()) +
                                    u"\"; every value follows its flag, as in --n_heads 32"_s);
    }
    if (!missing.isEmpty()) {
        return error(
            missing.constFirst().mid(2),
            (missing.size() == 1 ? u"missing required flag "_s : u"missing required flags "_s) + missing.join(u", "_s));
    }

    // Every value is within its flag's range, so the narrowing casts are exact.
    auto value = [&values](QStringView name) { return values.at(flagIndex(name)); };
    options.shape.emb_dim = static_cast<std::uint32_t>(*value(u"emb_dim"));
    options.shape.n_heads = static_cast<std::uint32_t>(*value(u"n_heads"));
    options.shape.n_layers = static_cast<std::uint32_t>(*value(u"n_layers"));
    options.shape.n_kv_groups = static_cast<std::uint32_t>(*value(u"n_kv_groups"));
    if (const auto headDim = value(u"head_dim")) options.shape.head_dim = static_cast<std::uint32_t>(*headDim);
    options.workload.context_length = value(u"context_length").value_or(kDefaultContextLength);
    options.workload.batch_size = static_cast<std::uint32_t>(value(u"batch_size").value_or(kDefaultBatchSize));

    // The shape as a whole (n_kv_groups against n_heads) and the totals'
    // 64-bit range, so main() never starts output it cannot finish.
    if (auto e = kvscope::validate(options.shape, options.workload)) return flagError(*e, options.shape);
    if (auto e = kvscope::estimate(options.shape, options.workload); !e) return flagError(e.error(), options.shape);
    return options;
}

QString CliOptions::helpText() {
    QCommandLineParser parser;
    addOptions(parser);
    // Qt's usage line names argv[0] and no flags; ours shows the required ones.
    QString text = parser.helpText();
    text.replace(0, text.indexOf(u'\n'),
                 u"Usage: kvscope-cli --emb_dim <n> --n_heads <n> --n_layers <n> --n_kv_groups <n> [options]"_s);
    return text +
           u"\nExample (the book's):\n"
           u"  kvscope-cli --emb_dim 4096 --n_heads 32 --n_layers 32 --n_kv_groups 4 \\\n"
           u"              --context_length 32768 --batch_size 1 --dtype bf16\n"_s;
}

InputError CliOptions::flagError(const InputError &coreError, const kvscope::ModelShape &shape) {
    if (coreError.field == "n_kv_groups" && shape.n_heads > 0) {
        // The book's sentence, then what would work for this n_heads.
        QStringList valid;
        for (std::uint32_t g : kvscope::validGroupCounts(shape.n_heads)) valid << QString::number(g);
        return error(u"n_kv_groups", QString::fromUtf8(kvscope::kGroupsMustDivide) + u" With --n_heads "_s +
                                         QString::number(shape.n_heads) + u", --n_kv_groups must be one of "_s +
                                         valid.join(u", "_s) + u" (got "_s + thousands(shape.n_kv_groups) + u')');
    }
    // The core names fields as the book spells them; here they are flags.
    static const QRegularExpression field(
        u"(?<![\\w-])(context_length|emb_dim|n_heads|n_layers|n_kv_groups|batch_size|dtype|head_dim)\\b"_s);
    QString message = QString::fromStdString(coreError.message);
    message.replace(field, u"--\\1"_s);
    return InputError{coreError.field, message.toStdString()};
}
