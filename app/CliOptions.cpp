#include "CliOptions.h"

#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>
#include <QRegularExpression>
#include <QSet>
#include <algorithm>
#include <array>
#include <bit>
#include <limits>
#include <optional>
#include <span>

#include "FigureExporter.h"
#include "ConfigImporter.h"
#include "HubModelId.h"
#include "HubModelLoader.h"
#include "ModelFile.h"
#include "OllamaStore.h"
#include "CompareReport.h"
#include "PlanReport.h"
#include "PresetLibrary.h"
#include "kvscope/dtype.h"
#include "kvscope/estimator.h"
#include "kvscope/format.h"
#include "kvscope/gpu.h"
#include "kvscope/layout_bytes.h"
#include "kvscope/units.h"
#include "kvscope/sweep.h"
#include "kvscope/validation.h"
#include "kvscope/weights.h"

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

// The flag and its other spelling: the book's --emb_dim also as --emb-dim,
// the newer --list-models also as --list_models, for users used to either.
QStringList spellings(QStringView name) {
    QStringList names{name.toString()};
    if (name.contains(u'_')) names << name.toString().replace(u'_', u'-');
    else if (name.contains(u'-')) names << name.toString().replace(u'-', u'_');
    return names;
}

// The engines' own flag names are long: --help lists the dash spelling and
// the parser takes the underscore one as a hidden alias, so the help's option
// column does not wrap.
void addLongOption(QCommandLineParser &parser, QStringView name, const QString &description,
                   const QString &valueName = {}) {
    parser.addOption(QCommandLineOption(name.toString(), description, valueName));
    QCommandLineOption alias(spellings(name).constLast(), description, valueName);
    alias.setFlags(QCommandLineOption::HiddenFromHelp);
    if (alias.names().constFirst() != name.toString()) parser.addOption(alias);
}

bool isSetAny(const QCommandLineParser &parser, QStringView name) {
    for (const QString &spelling : spellings(name)) {
        if (parser.isSet(spelling)) return true;
    }
    return false;
}

QString lastValueAny(const QCommandLineParser &parser, QStringView name) {
    QString value;
    for (const QString &spelling : spellings(name)) {
        if (parser.isSet(spelling)) value = parser.values(spelling).constLast();
    }
    return value;
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
    const QString required = u" Required unless --config or --model gives the model."_s;
    if (flag.name == u"context_length") {
        return u"Tokens held in the cache, "_s + rangeText(flag) + u". Default: "_s +
               QString::number(kDefaultContextLength) + u'.';
    }
    if (flag.name == u"emb_dim") return u"Model width (hidden size), "_s + rangeText(flag) + u'.' + required;
    if (flag.name == u"n_heads") return u"Query heads, "_s + rangeText(flag) + u'.' + required;
    if (flag.name == u"n_layers") return u"Transformer blocks, "_s + rangeText(flag) + u'.' + required;
    if (flag.name == u"n_kv_groups") {
        return u"Query heads sharing one K/V head; must divide n_heads (1 is MHA, n_heads is MQA)."_s + required;
    }
    if (flag.name == u"batch_size") {
        return u"Sequences in the batch, "_s + rangeText(flag) + u". Default: "_s + QString::number(kDefaultBatchSize) +
               u'.';
    }
    return u"Explicit head size, as models such as Gemma and Qwen3 set it, "_s + rangeText(flag) +
           u". Default: ceil(emb_dim / n_heads)."_s;
}

QString dtypeChoices() { return QString::fromStdString(kvscope::dtypeNameList()); }

QString gpuChoices() { return QString::fromStdString(kvscope::gpuNameList()); }

// Flags that are not whole numbers, by their first spelling.
constexpr QStringView kConfig = u"config";
constexpr QStringView kModel = u"model";
constexpr QStringView kCompare = u"compare";
constexpr QStringView kListModels = u"list-models";
constexpr QStringView kChart = u"chart";
constexpr QStringView kOut = u"out";
constexpr QStringView kReport = u"report";
constexpr QStringView kExtraGroups = u"extra-groups";
constexpr QStringView kBinaryUnits = u"binary-units";
constexpr QStringView kPngScale = u"png-scale";
constexpr QStringView kFigureSize = u"figure-size";
constexpr QStringView kFontSize = u"font-size";
constexpr QStringView kNoTitle = u"no-title";
constexpr QStringView kLegend = u"legend";
constexpr QStringView kTheme = u"theme";
constexpr QStringView kDpi = u"dpi";
// Deployment planning.
constexpr QStringView kGpu = u"gpu";
constexpr QStringView kListGpus = u"list-gpus";
constexpr QStringView kGpuMemoryGib = u"gpu-memory-gib";
constexpr QStringView kGpuUtilization = u"gpu-utilization";
constexpr QStringView kOverheadGib = u"overhead-gib";
constexpr QStringView kTensorParallel = u"tensor-parallel";
constexpr QStringView kWeightsDtype = u"weights-dtype";
constexpr QStringView kParameters = u"parameters";
constexpr QStringView kKvBudgetBytes = u"kv-budget-bytes";
constexpr QStringView kBlockSize = u"block-size";
// The engine and its options (vLLM's and llama.cpp's own flag names).
constexpr QStringView kEngine = u"engine";
constexpr QStringView kMaxNumBatchedTokens = u"max-num-batched-tokens";
constexpr QStringView kNoAsyncScheduling = u"no-async-scheduling";
constexpr QStringView kNoPrefixCaching = u"no-enable-prefix-caching";
constexpr QStringView kDisableHybridManager = u"disable-hybrid-kv-cache-manager";
constexpr QStringView kMambaCacheDtype = u"mamba-cache-dtype";
constexpr QStringView kMambaSsmCacheDtype = u"mamba-ssm-cache-dtype";
constexpr QStringView kUbatchSize = u"ubatch-size";
constexpr QStringView kNBatch = u"n-batch";
constexpr QStringView kSwaFull = u"swa-full";
constexpr QStringView kKvUnified = u"kv-unified";
constexpr QStringView kCacheTypeV = u"cache-type-v";
constexpr std::array<QStringView, 6> kVllmFlags{kMaxNumBatchedTokens, kNoAsyncScheduling, kNoPrefixCaching,
                                                kDisableHybridManager, kMambaCacheDtype, kMambaSsmCacheDtype};
constexpr std::array<QStringView, 5> kLlamaCppFlags{kUbatchSize, kNBatch, kSwaFull, kKvUnified, kCacheTypeV};

constexpr kvscope::DType kDefaultWeightsDType = kvscope::DType::bf16;
constexpr std::uint64_t kMiB = std::uint64_t{1} << 20;
constexpr std::uint64_t kGiB = std::uint64_t{1} << 30;
constexpr std::uint64_t kMaxGib = kvscope::PlanLimits::max_gpu_memory_bytes / kGiB;  // 1,048,576

constexpr double kMinPngScale = ExportOptions::kMinPngScale;
constexpr double kMaxPngScale = ExportOptions::kMaxPngScale;
// --dpi is --png-scale in dots per inch: 72 dots per point.
constexpr double kMinDpi = kMinPngScale * 72;  // 36
constexpr double kMaxDpi = kMaxPngScale * 72;  // 1152

// The book's shape flags: a model from --config or --model sets them.
constexpr std::array<QStringView, 5> kShapeFlags{u"emb_dim", u"n_heads", u"n_layers", u"n_kv_groups", u"head_dim"};

// What a value-taking flag that lost its value needed.
struct ValueFlag {
    QStringView name;
    QStringView needs;
};
constexpr std::array<ValueFlag, 29> kValueFlags{{
    {kEngine, u"vllm or llama.cpp"},
    {kMaxNumBatchedTokens, u"tokens per step, 1 to 16,777,216"},
    {kMambaCacheDtype, u"auto, float32, bfloat16 or float16"},
    {kMambaSsmCacheDtype, u"auto, float32, bfloat16 or float16"},
    {kUbatchSize, u"tokens per micro-batch, 1 to 1,048,576"},
    {kNBatch, u"tokens per logical batch, 1 to 1,048,576"},
    {kCacheTypeV, u"one of fp32, fp16, bf16, q8_0, q4_0"},
    {kConfig, u"a Hugging Face config.json, a GGUF file or a model folder"},
    {kModel, u"a built-in model's name (kvscope-cli --list-models lists them), a Hugging Face id, ORG/NAME[@REVISION], or ollama:NAME[:TAG]"},
    {kCompare, u"a built-in model's name, a Hugging Face id, ollama:NAME[:TAG], a config.json or GGUF file, or a model folder"},
    {kChart, u"context or groups"},
    {kOut, u"a file name ending in .pdf, .svg, .png, .eps or .csv"},
    {kReport, u"a file name ending in .pdf"},
    {kExtraGroups, u"group counts separated by commas, as in 8,12,24"},
    {kPngScale, u"a number from 0.5 to 16"},
    {kFigureSize, u"WxH with a unit (in, cm, mm, pt, px), as in 3.5x2.5in, or single, double or slide"},
    {kFontSize, u"a size in points from 5 to 30"},
    {kLegend, u"auto, inside, outside or none"},
    {kTheme, u"light, dark or print"},
    {kDpi, u"dots per inch from 36 to 1152"},
    {kGpu, u"a GPU's name (kvscope-cli --list-gpus lists them)"},
    {kGpuMemoryGib, u"one GPU's memory in GiB, above 0 and at most 1,048,576"},
    {kGpuUtilization, u"a fraction above 0 and at most 1, as in 0.9"},
    {kOverheadGib, u"GiB per GPU, 0 to 1,048,576"},
    {kTensorParallel, u"a whole number from 1 to 1,024"},
    {kWeightsDtype, u"one of fp32, bf16, fp16, fp8, int8, int4, q8_0, q4_0"},
    {kParameters, u"a parameter count, as in 8030261248 or 70.6B"},
    {kKvBudgetBytes, u"bytes per GPU, 1 to 1,125,899,906,842,624"},
    {kBlockSize, u"a power of two from 1 to 1,024"},
}};

void addOptions(QCommandLineParser &parser) {
    parser.setApplicationDescription(
        u"Estimates the KV-cache memory of a transformer with multi-head attention (MHA)\n"
        u"and with grouped-query attention (GQA), and prints the report of the book's\n"
        u"memory_estimator.py. GB means 1000^3 bytes. Flags may also be spelled with\n"
        u"dashes (--emb-dim) or underscores (--list_models) and take their value as\n"
        u"--flag 5 or --flag=5, once: only --chart, --out and --compare repeat.\n"
        u"A real model comes from --config (a Hugging Face config.json) or --model (a\n"
        u"built-in preset): its own layers (sliding-window, MLA, linear) give the total,\n"
        u"and the shape flags cannot be combined with it; --context_length, --batch_size\n"
        u"and --dtype still apply.\n"
        u"--chart and --report write files and print nothing; each --chart is paired\n"
        u"with the --out that follows in order. With a model the context chart draws\n"
        u"its own curve and its what-ifs (as MHA, as MQA, without sliding window, with\n"
        u"MLA), as the window does; the groups chart shows its book-style shape.\n"
        u"--gpu, --gpu-memory-gib or --kv-budget-bytes plan a deployment: after the\n"
        u"report, a section gives the weights and the KV budget per GPU, how the\n"
        u"--engine (vllm or llama.cpp) lays the cache out, the largest context and\n"
        u"batch that fit, the maximum concurrency, the GPUs needed and the engine's own\n"
        u"log line. GiB means 1024^3 bytes.\n"
        u"Exit status: 0 on success, 1 on a failed write, 2 on invalid input."_s);
    for (const NumberFlag &flag : kNumberFlags) {
        parser.addOption(QCommandLineOption(spellings(flag.name), helpDescription(flag), u"n"_s));
        if (flag.name == u"batch_size") {  // the workload's flags together
            parser.addOption(QCommandLineOption(
                u"dtype"_s,
                u"Cache element type, in any letter case: "_s + dtypeChoices() +
                    u". With --config or --model the engine's own default: vLLM's is the model dtype (the "
                    u"config's torch_dtype, a float32 checkpoint served in bf16), llama.cpp's is fp16 (its "
                    u"-ctk). Default: "_s +
                    QString::fromUtf8(kvscope::dtypeName(kDefaultDType)) + u'.',
                u"type"_s));
        }
    }
    parser.addOption(QCommandLineOption(spellings(kConfig),
                                        u"Read the model from a Hugging Face config.json: its own layers, heads and "
                                        u"head_dim; from a GGUF file's header (its hyperparameters and the exact "
                                        u"bytes of its weights); or from a model folder (or a snapshot in the Hugging "
                                        u"Face cache): its config.json, and its weights exactly from the headers of "
                                        u"model.safetensors or of every shard model.safetensors.index.json lists. "
                                        u"Cannot be combined with --model or the shape flags."_s,
                                        u"file"_s));
    parser.addOption(QCommandLineOption(spellings(kModel),
                                        u"Use a built-in model by name, as --list-models prints it (case and "
                                        u"spaces/dashes do not matter: llama-3.1-8b); a Hugging Face model id, "
                                        u"ORG/NAME[@REVISION] (a value with '/'): read from the Hugging Face cache, "
                                        u"else fetched from the Hub (config.json and only the safetensors headers; "
                                        u"HF_ENDPOINT, HF_TOKEN, HF_HOME, HF_HUB_CACHE, HF_HUB_OFFLINE) and cached; "
                                        u"or ollama:NAME[:TAG] for a model in Ollama's store ($OLLAMA_MODELS or "
                                        u"~/.ollama/models; TAG latest by default). Cannot be combined with --config "
                                        u"or the shape flags."_s,
                                        u"name"_s));
    parser.addOption(QCommandLineOption(spellings(kCompare),
                                        u"Compare another model at the same context, batch, dtype, engine and "
                                        u"deployment: a built-in model's name, a Hugging Face id, ollama:NAME[:TAG], "
                                        u"a config.json or GGUF file, or a model folder; up to "_s +
                                            QString::number(CliOptions::kMaxCompared) +
                                            u", once each. Adds a comparison table to the report (a \"compare\" "
                                            u"array with --json), its curve to --chart context and a comparison "
                                            u"page to --report."_s,
                                        u"model"_s));
    parser.addOption(QCommandLineOption(spellings(kListModels),
                                        u"List the built-in models, one per line: name, family and source, "
                                        u"separated by tabs (with --json: a JSON array)."_s));
    parser.addOption(
        QCommandLineOption(u"json"_s, u"Print one JSON object (exact integer byte counts) instead of the report."_s));
    // Deployment planning, in the order a user decides: where, how many, what format, how it pages.
    parser.addOption(QCommandLineOption(spellings(kGpu),
                                        u"Plan a deployment on this GPU: "_s + gpuChoices() +
                                            u" (--list-gpus shows each one's memory). Adds the deployment section "
                                            u"(and its --json keys) after the report."_s,
                                        u"name"_s));
    parser.addOption(QCommandLineOption(spellings(kListGpus),
                                        u"List the GPU presets, one per line: name, label and memory, separated by "
                                        u"tabs (with --json: a JSON array)."_s));
    parser.addOption(QCommandLineOption(spellings(kGpuMemoryGib),
                                        u"One GPU's memory in GiB (1024^3 bytes; fractions allowed, as in 79.6, "
                                        u"kept to a whole MiB), above 0 and at most 1,048,576: a custom GPU, or "
                                        u"with --gpu in place of the preset's size."_s,
                                        u"GiB"_s));
    parser.addOption(QCommandLineOption(spellings(kGpuUtilization),
                                        u"Fraction of each GPU's memory the engine may use (weights, overhead and "
                                        u"KV cache), above 0 and at most 1, with up to 6 decimals. Default: the "
                                        u"engine's: vLLM's gpu_memory_utilization 0.92, 1 for llama.cpp."_s,
                                        u"f"_s));
    parser.addOption(QCommandLineOption(spellings(kOverheadGib),
                                        u"Fixed memory per GPU besides weights and KV cache (activations, CUDA "
                                        u"context, CUDA graphs), in GiB, fractions allowed (kept to a whole MiB), "
                                        u"at most 1,048,576. Default: 0."_s,
                                        u"GiB"_s));
    parser.addOption(QCommandLineOption(spellings(kTensorParallel),
                                        u"GPUs the model is split over, 1 to 1,024. vLLM (tensor_parallel_size): "
                                        u"each holds its share of the weights and of the K/V heads (one whole head "
                                        u"when there are fewer K/V heads than GPUs); an MLA latent is not split. "
                                        u"llama.cpp: whole layers on each GPU (at most one GPU per layer), the "
                                        u"GPUs' budgets pooled. Without a GPU or budget it adds the per-GPU "
                                        u"figures. Default: 1."_s,
                                        u"n"_s));
    parser.addOption(QCommandLineOption(spellings(kWeightsDtype),
                                        u"Weight format: "_s + dtypeChoices() +
                                            u" (int4 in groups of 128 with an fp16 scale and a 4-bit zero point, "
                                            u"133 bytes per 256 weights; q8_0 34 bytes per 32; q4_0 18 per 32). "
                                            u"Default: the model's torch_dtype when it is fp32, bf16 or fp16 "
                                            u"(float32 served in bf16), else bf16."_s,
                                        u"type"_s));
    parser.addOption(QCommandLineOption(spellings(kParameters),
                                        u"The model's parameter count, whole or with a K, M, B or T suffix (as in "
                                        u"70.6B), 1 to 17,592,186,044,416. Default: the built-in model's or the "
                                        u"config's count; for the shape flags, the book's GPT model of that shape "
                                        u"(GPT-2's vocabulary, an MLP of 4 x emb_dim, untied output head)."_s,
                                        u"n"_s));
    parser.addOption(QCommandLineOption(spellings(kKvBudgetBytes),
                                        u"The KV-cache budget of one GPU in bytes, 1 to 1,125,899,906,842,624: "
                                        u"replaces the budget computed from the GPU's memory, the utilization, "
                                        u"the weights and the overhead."_s,
                                        u"n"_s));
    parser.addOption(QCommandLineOption(spellings(kBlockSize),
                                        u"vLLM's --block-size: tokens per paged KV block, a power of two from 1 "
                                        u"to 1,024. Default: its attention backend's, 16 (MLA: 64 on Hopper with "
                                        u"fp8, 32 on Blackwell), grown for Mamba-style state."_s,
                                        u"n"_s));
    addLongOption(parser, kEngine,
                                        u"The engine whose allocation rules the numbers follow: vllm or llama.cpp, "
                                        u"each as its own source code sizes the cache (kvscope-cli --version names "
                                        u"the pinned versions). It sets the default KV dtype, the utilization, how "
                                        u"linear states are stored and every deployment figure. Default: vllm."_s,
                                        u"name"_s);
    addLongOption(parser, kMaxNumBatchedTokens,
                                        u"vLLM: tokens scheduled per step, 1 to 16,777,216; sliding-window layers "
                                        u"reserve them. Default: vllm serve's, 8192 on GPUs of 70 GiB or more "
                                        u"(not the A100), else 2048."_s,
                                        u"n"_s);
    addLongOption(parser, kNoAsyncScheduling,
                                        u"vLLM: one batch in flight instead of two (its async scheduling is on by "
                                        u"default)."_s);
    addLongOption(parser, kNoPrefixCaching,
                                        u"vLLM: no prefix caching, so a Mamba-style state takes one block per "
                                        u"request instead of two."_s);
    addLongOption(parser, kDisableHybridManager,
                                        u"vLLM: every sliding-window and chunked layer is held as full attention "
                                        u"(vLLM does this by itself for chunked attention)."_s);
    addLongOption(parser, kMambaCacheDtype,
                                        u"vLLM: the dtype of Mamba-style states (conv and SSM): auto, float32, "
                                        u"bfloat16 or float16. Default: auto, the model dtype."_s,
                                        u"type"_s);
    addLongOption(parser, kMambaSsmCacheDtype,
                                        u"vLLM: the dtype of the SSM state alone: auto, float32, bfloat16 or "
                                        u"float16. Default: auto, the model's own choice (Nemotron-H and Qwen3.5 "
                                        u"name float32) or --mamba-cache-dtype's."_s,
                                        u"type"_s);
    addLongOption(parser, kUbatchSize,
                                        u"llama.cpp's -ub: tokens per micro-batch, 1 to 1,048,576; its sliding-"
                                        u"window cache holds them. Default: 512."_s,
                                        u"n"_s);
    addLongOption(parser, kNBatch,
                                        u"llama.cpp's -b: tokens per logical batch, 1 to 1,048,576 (the micro-batch "
                                        u"is at most this). Default: 2048."_s,
                                        u"n"_s);
    addLongOption(parser, kSwaFull,
                                        u"llama.cpp's --swa-full: sliding-window layers hold the whole context."_s);
    addLongOption(parser, kKvUnified,
                                        u"llama.cpp's --kv-unified: one cache shared by the sequences instead of "
                                        u"one per sequence (llama-server's default only when -np is not given)."_s);
    addLongOption(parser, kCacheTypeV,
                                        u"llama.cpp's -ctv: the V cache type, fp32, fp16, bf16, q8_0 or q4_0 "
                                        u"(--dtype is -ctk). Default: the same as --dtype."_s,
                                        u"type"_s);
    parser.addOption(QCommandLineOption(spellings(kChart),
                                        u"Export a chart: context (KV cache vs context length) or groups (savings "
                                        u"vs n_kv_groups). Needs --out; may be repeated."_s,
                                        u"kind"_s));
    parser.addOption(QCommandLineOption(spellings(kOut),
                                        u"The file --chart writes; its extension picks the format: .pdf, .svg, .png, "
                                        u".eps or .csv."_s,
                                        u"file"_s));
    parser.addOption(QCommandLineOption(spellings(kReport),
                                        u"Write a PDF report: both charts and the configuration's numbers."_s,
                                        u"file"_s));
    parser.addOption(QCommandLineOption(spellings(kExtraGroups),
                                        u"Extra GQA curves on the context chart and the report, as in 8,12,24; each "
                                        u"must divide n_heads."_s,
                                        u"list"_s));
    parser.addOption(QCommandLineOption(spellings(kBinaryUnits),
                                        u"Charts, the report and the deployment section in GiB (1024^3 bytes) "
                                        u"instead of GB."_s));
    parser.addOption(QCommandLineOption(spellings(kPngScale),
                                        u"Pixels per point of a .png --out, 0.5 to 16. Default: 2."_s, u"factor"_s));
    parser.addOption(QCommandLineOption(spellings(kDpi),
                                        u"Dots per inch of a .png --out, 36 to 1152 (--png-scale times 72). "
                                        u"Default: 144."_s,
                                        u"n"_s));
    parser.addOption(QCommandLineOption(spellings(kFigureSize),
                                        u"The charts' size: WxH with a unit, in, cm, mm or pt (px for .png), each "
                                        u"side 1.5 to 50 in, as in 3.5x2.5in; or a preset: single (one column, "
                                        u"3.5x2.625in), double (two columns, 7.16x3.58in), slide (16:9, "
                                        u"10x5.625in). Default: 560x400pt."_s,
                                        u"size"_s));
    parser.addOption(QCommandLineOption(spellings(kFontSize),
                                        u"The charts' font size in points, 5 to 30 (axis titles; the title is a "
                                        u"little larger, ticks and legend a little smaller). Default: 10."_s,
                                        u"pt"_s));
    parser.addOption(QCommandLineOption(spellings(kNoTitle),
                                        u"Charts without their two title lines (a caption says it in a paper)."_s));
    parser.addOption(QCommandLineOption(spellings(kLegend),
                                        u"Where the legend goes: auto (inside where it covers no curve or marker, "
                                        u"else outside), inside, outside (right or below) or none. Default: auto."_s,
                                        u"where"_s));
    parser.addOption(QCommandLineOption(spellings(kTheme),
                                        u"The charts' look: light, dark (for slides; the report stays light) or "
                                        u"print (grayscale, curves told apart by line style and marker). "
                                        u"Default: light."_s,
                                        u"name"_s));
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

const ValueFlag *valueFlag(QStringView spelledName) {
    for (const ValueFlag &flag : kValueFlags) {
        if (spellings(flag.name).contains(spelledName.toString())) return &flag;
    }
    return nullptr;
}

// The first spelling of any flag, for messages: --emb-dim is reported as --emb_dim.
QString canonicalName(const QString &spelled) {
    if (const NumberFlag *flag = numberFlag(spelled)) return flag->name.toString();
    for (QStringView name : {kConfig, kModel, kCompare, kListModels, kChart, kOut, kReport, kExtraGroups, kBinaryUnits,
                             kPngScale, kDpi, kFigureSize, kFontSize, kNoTitle, kLegend, kTheme, kGpu, kListGpus,
                             kGpuMemoryGib, kGpuUtilization, kOverheadGib, kTensorParallel, kWeightsDtype, kParameters,
                             kKvBudgetBytes, kBlockSize, kEngine, kMaxNumBatchedTokens, kNoAsyncScheduling,
                             kNoPrefixCaching, kDisableHybridManager, kMambaCacheDtype, kMambaSsmCacheDtype,
                             kUbatchSize, kNBatch, kSwaFull, kKvUnified, kCacheTypeV}) {
        if (spellings(name).contains(spelled)) return name.toString();
    }
    return spelled == u"h"_s ? u"help"_s : spelled;
}

// A flag that takes one value, given more than once: an error naming it, so
// a mistyped first value is never skipped for a later one. --chart and --out
// pair up and repeat; --compare repeats, once per model.
std::optional<InputError> repeatedFlagError(const QCommandLineParser &parser) {
    QSet<QString> seen;
    for (const QString &spelled : parser.optionNames()) {
        const QString flag = canonicalName(spelled);
        if (flag == kChart || flag == kOut || flag == kCompare || seen.contains(flag)) continue;
        seen.insert(flag);
        QStringList given = parser.values(flag);
        // Given more often than its values say: addLongOption registered the
        // other spelling as an option of its own, whose values count too.
        const QStringList names = parser.optionNames();
        const auto times = std::count_if(names.cbegin(), names.cend(),
                                         [&flag](const QString &name) { return canonicalName(name) == flag; });
        if (times > given.size()) given += parser.values(spellings(flag).constLast());
        if (given.size() < 2) continue;
        QStringList shown;
        for (const QString &value : given) shown << u'"' + typedValueText(value) + u'"';
        const QString last = shown.takeLast();
        return error(flag, u"--"_s + flag + u" is given "_s +
                               (given.size() == 2 ? u"twice"_s : QString::number(given.size()) + u" times"_s) +
                               u" ("_s + shown.join(u", "_s) + u" and "_s + last + u"); give it once"_s);
    }
    return std::nullopt;
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
        if (spellings(kWeightsDtype).contains(name)) {
            return error(kWeightsDtype, u"--weights-dtype needs a value: one of "_s + dtypeChoices());
        }
        if (const ValueFlag *flag = valueFlag(name)) {
            return error(flag->name, u"--"_s + flag->name + u" needs a value: "_s + flag->needs);
        }
    }
    QString text = parser.errorText();
    if (!text.isEmpty()) text[0] = text.at(0).toLower();
    if (text.endsWith(u'.')) text.chop(1);
    return error(QString(), typedValueText(text));
}

// ---- built-in models -----------------------------------------------------

// "Llama 3.1 8B", "llama-3.1-8b" and "llama_3.1_8B" name the same model.
QString normalizedName(const QString &name) {
    QString text = name.trimmed().toCaseFolded();
    text.replace(QRegularExpression(u"[\\s_-]+"_s), u"-"_s);
    return text;
}

qsizetype editDistance(const QString &a, const QString &b) {
    std::vector<qsizetype> row(static_cast<std::size_t>(b.size()) + 1);
    for (qsizetype j = 0; j <= b.size(); ++j) row[static_cast<std::size_t>(j)] = j;
    for (qsizetype i = 1; i <= a.size(); ++i) {
        qsizetype diagonal = row[0];
        row[0] = i;
        for (qsizetype j = 1; j <= b.size(); ++j) {
            const auto sj = static_cast<std::size_t>(j);
            const qsizetype above = row[sj];
            row[sj] = std::min({row[sj] + 1, row[sj - 1] + 1, diagonal + (a.at(i - 1) == b.at(j - 1) ? 0 : 1)});
            diagonal = above;
        }
    }
    return row[static_cast<std::size_t>(b.size())];
}

// Names close to an unknown one: those containing it or contained in it,
// then those a few edits away, nearest first; at most five.
QStringList closeMatches(const PresetLibrary &library, const QString &name) {
    const QString wanted = normalizedName(name);
    std::vector<std::pair<qsizetype, QString>> scored;
    for (const Preset &preset : library.presets()) {
        const QString candidate = normalizedName(preset.name);
        const QString family = normalizedName(preset.family);
        qsizetype score = editDistance(wanted, candidate);
        if (!wanted.isEmpty() && (candidate.contains(wanted) || wanted.contains(candidate) || family == wanted)) {
            score = 0;
        }
        if (score <= std::max<qsizetype>(2, wanted.size() / 4)) scored.emplace_back(score, preset.name);
    }
    std::stable_sort(scored.begin(), scored.end(), [](const auto &a, const auto &b) { return a.first < b.first; });
    QStringList names;
    for (std::size_t i = 0; i < scored.size() && i < 5; ++i) names.append(scored[i].second);
    return names;
}

kvscope::Result<CliOptions::Model> loadPreset(const QString &name, QStringView flag = kModel) {
    const auto library = PresetLibrary::builtin();
    if (!library) return error(flag, QString::fromStdString(library.error().message));
    const Preset *preset = library->find(name);
    if (!preset) {
        for (const Preset &p : library->presets()) {
            if (normalizedName(p.name) == normalizedName(name)) preset = &p;
        }
    }
    if (!preset) {
        const QStringList close = closeMatches(*library, name);
        return error(flag, u"--"_s + flag + u": no built-in model is named \""_s + typedValueText(name) + u"\"; "_s +
                                 (close.isEmpty() ? u"kvscope-cli --list-models lists them"_s
                                                  : u"close matches: "_s + close.join(u", "_s) +
                                                        u" (kvscope-cli --list-models lists all)"_s));
    }
    auto imported = library->load(preset->name);
    if (!imported) {
        return error(flag, u"--"_s + flag + u' ' + preset->name + u": "_s + QString::fromStdString(imported.error().message));
    }
    CliOptions::Model model;
    model.label = preset->name;
    model.origin = u"built-in preset ("_s + preset->source + u')';
    model.isPreset = true;
    model.imported = std::move(imported).value();
    return model;
}

kvscope::Result<CliOptions::Model> loadConfig(const QString &path, QStringView flag = kConfig) {
    auto imported = ModelFile::read(path);
    if (!imported) {
        // The importer names the config key; the line also names the file.
        const QString message = QString::fromStdString(imported.error().message);
        const QString where =
            message.contains(path) ? u"--"_s + flag + u": "_s : QString(u"--"_s + flag + u' ' + path + u": "_s);
        return error(flag, where + message);
    }
    CliOptions::Model model;
    model.label = path;
    const ModelFile::Kind kind = ModelFile::kind(path);
    model.origin = kind == ModelFile::Kind::Gguf     ? u"GGUF file"_s
                   : kind == ModelFile::Kind::Folder ? u"model folder"_s
                                                     : u"config.json file"_s;
    model.sourceKind = kind == ModelFile::Kind::Gguf     ? u"gguf"_s
                       : kind == ModelFile::Kind::Folder ? u"folder"_s
                                                         : u"config"_s;
    model.imported = std::move(imported).value();
    return model;
}

// ollama:NAME[:TAG]: the GGUF blob Ollama's store keeps for the tag.
kvscope::Result<CliOptions::Model> loadOllama(const QString &reference, QStringView flag) {
    auto blob = OllamaStore::resolve(reference);
    if (!blob) return error(flag, u"--"_s + flag + u' ' + QString::fromStdString(blob.error().message));
    auto imported = ModelFile::read(*blob);
    if (!imported) {
        // The reader names the blob; the line also names the tag.
        return error(flag, u"--"_s + flag + u' ' + reference + u": "_s + QString::fromStdString(imported.error().message));
    }
    CliOptions::Model model;
    model.label = reference;
    model.origin = u"Ollama's store ("_s + *blob + u')';
    model.sourceKind = u"ollama"_s;
    model.imported = std::move(imported).value();
    return model;
}

// ORG/NAME[@REVISION]: from the Hugging Face cache, else the Hub.
kvscope::Result<CliOptions::Model> loadHub(const QString &value, QStringView flag) {
    const HubResult result = HubModelLoader::load(value);
    if (result.error) return error(flag, u"--"_s + flag + u": "_s + QString::fromStdString(result.error->message));
    CliOptions::Model model;
    model.label = result.id.display();
    model.origin = (result.fromCache ? u"Hugging Face cache, snapshot "_s : u"Hugging Face Hub, snapshot "_s) +
                   result.commit.left(12);
    model.sourceKind = u"huggingface"_s;
    model.imported = result.model;
    return model;
}

// --model's value: ollama:NAME[:TAG], a Hub id when it holds a '/' (no preset name does), else a preset.
kvscope::Result<CliOptions::Model> loadModel(const QString &value) {
    if (OllamaStore::isReference(value)) return loadOllama(value, kModel);
    return HubModelId::looksLikeHubId(value) ? loadHub(value, kModel) : loadPreset(value, kModel);
}

// --compare's value: a file or folder when one exists there or the value
// looks like a file (a .json name), a Hub id when it is ORG/NAME[@REVISION],
// a path when it still holds a separator, else a built-in model's name.
kvscope::Result<CliOptions::Model> loadCompared(const QString &value) {
    const QFileInfo info(value);
    if (OllamaStore::isReference(value)) return loadOllama(value, kCompare);
    if (info.exists() || value.endsWith(u".json"_s, Qt::CaseInsensitive) || value.endsWith(u".gguf"_s, Qt::CaseInsensitive))
        return loadConfig(value, kCompare);
    if (HubModelId::looksLikeHubId(value) && HubModelId::parse(value)) return loadHub(value, kCompare);
    const bool path = value.contains(u'/') || value.contains(QDir::separator());
    return path ? loadConfig(value, kCompare) : loadPreset(value, kCompare);
}

// ---- export flags ---------------------------------------------------------

// A file the export will write: a known extension, in a folder that exists,
// not a folder itself. Checked before anything is written.
std::optional<InputError> checkOutputPath(QStringView flag, const QString &path, bool pdfOnly) {
    const QFileInfo info(path);
    const QString shown = u"--"_s + flag + u' ' + typedValueText(path);
    if (path.isEmpty()) return error(flag, u"--"_s + flag + u" needs a file name"_s);
    if (pdfOnly && FigureExporter::formatForPath(path) != ExportFormat::Pdf) {
        return error(flag, shown + u": the report is a PDF; use a file name ending in .pdf"_s);
    }
    if (!FigureExporter::formatForPath(path)) {
        const QString suffix = info.suffix();
        return error(flag, shown + u": "_s +
                               (suffix.isEmpty() ? u"the file name has no extension"_s
                                                 : u"unknown extension \"."_s + typedValueText(suffix) + u'"') +
                               u"; use "_s + FigureExporter::allowedExtensions());
    }
    if (info.isDir()) return error(flag, shown + u": is a folder"_s);
    if (!info.absoluteDir().exists()) {
        return error(flag, shown + u": the folder "_s + typedValueText(info.absolutePath()) + u" does not exist"_s);
    }
    return std::nullopt;
}

// "8,12,24": each a whole number that divides n_heads.
kvscope::Result<QList<int>> parseExtraGroups(const QString &text, std::uint32_t nHeads) {
    QStringList valid;
    for (std::uint32_t g : kvscope::validGroupCounts(nHeads)) valid << QString::number(g);
    const QString allowed = u"with n_heads "_s + QString::number(nHeads) + u" each must be one of "_s +
                            valid.join(u", "_s);
    QList<int> groups;
    const QStringList parts = text.split(u',');
    for (const QString &part : parts) {
        const QString item = part.trimmed();
        bool ok = false;
        const uint g = item.toUInt(&ok);
        if (!ok || item.startsWith(u'+') || g == 0 || g > nHeads || nHeads % g != 0) {
            return error(kExtraGroups, u"--extra-groups: "_s +
                                           (ok && g != 0 ? u"n_kv_groups "_s + item + u" does not divide n_heads; "_s
                                                         : u"\""_s + typedValueText(item) +
                                                               u"\" is not a group count; "_s) +
                                           allowed + u" (got \""_s + typedValueText(text) + u"\")"_s);
        }
        if (!groups.contains(static_cast<int>(g))) groups.append(static_cast<int>(g));
    }
    std::sort(groups.begin(), groups.end());
    return groups;
}

// A number as typed: digits with at most one point, nothing else (no sign,
// no exponent, no comma), so "1e3" or "-2" never pass as a size.
std::optional<double> plainNumber(QStringView text) {
    static const QRegularExpression number(u"^(\\d+\\.?\\d*|\\.\\d+)$"_s);
    if (!number.match(text).hasMatch()) return std::nullopt;
    bool ok = false;
    const double value = text.toDouble(&ok);
    return ok ? std::optional<double>(value) : std::nullopt;
}

// --figure-size: a preset's name, or WxH and a unit ("3.5x2.5in", "1200x800 px").
kvscope::Result<figure::FigureSize> parseFigureSize(const QString &text) {
    const QString spaced = text.trimmed().toLower();
    if (const auto preset = figure::FigureSize::preset(spaced)) return *preset;
    static const QRegularExpression form(u"^([0-9.]+)\\s*[x×]\\s*([0-9.]+)\\s*([a-z]*)$"_s);
    const auto m = form.match(spaced);
    const QString got = u" (got \""_s + typedValueText(text) + u"\")"_s;
    const QString allowed = u"--figure-size must be WxH with a unit, in, cm, mm, pt or px (as in 3.5x2.5in), or "
                            u"single, double or slide"_s;
    if (!m.hasMatch()) return error(kFigureSize, allowed + got);
    const auto width = plainNumber(m.capturedView(1)), height = plainNumber(m.capturedView(2));
    if (!width || !height) return error(kFigureSize, allowed + got);
    if (m.capturedView(3).isEmpty())
        return error(kFigureSize, u"--figure-size needs a unit after WxH: in, cm, mm, pt or px"_s + got);
    const auto unit = figure::FigureSize::unitFromName(m.capturedView(3));
    if (!unit) {
        return error(kFigureSize, u"--figure-size: unknown unit \""_s + typedValueText(m.captured(3)) +
                                      u"\"; use in, cm, mm, pt or px"_s + got);
    }
    return figure::FigureSize{*width, *height, *unit};
}

kvscope::Result<double> parsePngScale(const QString &text) {
    bool ok = false;
    const double scale = text.toDouble(&ok);  // the C locale: a dot, never a comma
    if (!ok || !(scale >= kMinPngScale && scale <= kMaxPngScale)) {
        return error(kPngScale, u"--png-scale must be a number from 0.5 to 16 (got \""_s + typedValueText(text) +
                                    u"\")"_s);
    }
    return scale;
}

// --figure-size, --font-size, --no-title, --legend, --theme and --dpi: each
// checked against what is exported, its range named when it is out of it.
std::optional<InputError> parseFigureOptions(const QCommandLineParser &parser, CliOptions &options, bool pngOut) {
    auto given = [&parser](QStringView flag) { return parser.isSet(flag.toString()); };
    auto last = [&parser](QStringView flag) { return parser.values(flag.toString()).constLast(); };
    const bool charts = !options.charts.isEmpty();
    const bool exporting = charts || !options.reportPath.isEmpty();
    for (QStringView flag : {kFontSize, kNoTitle, kLegend, kTheme}) {
        if (given(flag) && !exporting)
            return error(flag, u"--"_s + flag + u" only applies to --chart and --report"_s);
    }
    ExportOptions &figure = options.figure;
    if (given(kDpi)) {
        if (!pngOut) return error(kDpi, u"--dpi only applies to a --chart written as .png"_s);
        if (given(kPngScale)) return error(kDpi, u"--dpi and --png-scale both set a PNG's pixels; give one"_s);
        const auto dpi = plainNumber(last(kDpi));
        if (!dpi || *dpi < kMinDpi || *dpi > kMaxDpi)
            return error(kDpi, u"--dpi must be a number from 36 to 1152 (got \""_s + typedValueText(last(kDpi)) + u"\")"_s);
        figure.pngScale = *dpi / 72.0;
    }
    if (given(kFontSize)) {
        const auto size = plainNumber(last(kFontSize));
        if (!size || *size < figure::FigureStyle::kMinFontSize || *size > figure::FigureStyle::kMaxFontSize) {
            return error(kFontSize, u"--font-size must be a number of points from 5 to 30 (got \""_s +
                                        typedValueText(last(kFontSize)) + u"\")"_s);
        }
        figure.style.fontSize = *size;
    }
    figure.style.title = !given(kNoTitle);
    if (given(kLegend)) {
        const auto legend = figure::FigureStyle::legendFromName(last(kLegend));
        if (!legend) {
            return error(kLegend, u"--legend must be auto, inside, outside or none (got \""_s +
                                      typedValueText(last(kLegend)) + u"\")"_s);
        }
        figure.style.legend = *legend;
    }
    if (given(kTheme)) {
        const auto theme = figure::FigureStyle::themeFromName(last(kTheme));
        if (!theme) {
            return error(kTheme, u"--theme must be light, dark or print (got \""_s + typedValueText(last(kTheme)) +
                                     u"\")"_s);
        }
        figure.style.theme = *theme;
    }
    if (given(kFigureSize)) {
        if (!charts) return error(kFigureSize, u"--figure-size only applies to --chart (the report is A4)"_s);
        auto size = parseFigureSize(last(kFigureSize));
        if (!size) return size.error();
        figure.size = *size;
        const QString got = u" (got \""_s + typedValueText(last(kFigureSize)) + u"\")"_s;
        // Every chart is checked in its own format: px is for PNG only, a
        // PNG at most 16384 pixels a side.
        for (const CliOptions::ChartOutput &output : options.charts) {
            const auto format = FigureExporter::formatForPath(output.path);
            if (format == ExportFormat::Csv) continue;
            if (figure.size.unit == figure::FigureSize::Unit::Px && format != ExportFormat::Png) {
                return error(kFigureSize, u"--figure-size in px only applies to .png charts; for "_s +
                                              typedValueText(output.path) + u" use in, cm, mm or pt"_s + got);
            }
            if (const auto problem = FigureExporter::checkOptions(figure, *format))
                return error(kFigureSize, u"--figure-size: "_s + *problem + got);
        }
    }
    return std::nullopt;
}

// ---- deployment flags -----------------------------------------------------

// A decimal number as typed ("79.6", "+2", ".5"): its whole part and up to
// `maxFraction` digits of its fraction, exactly, as integers. Digits past
// maxFraction are dropped; `cut` says one of them was not 0, so a caller
// whose value that would change refuses it. Nothing else is accepted: no
// sign but '+', no exponent, no comma.
struct Decimal {
    std::uint64_t whole = 0;
    std::uint64_t fraction = 0;  // the digits after the point, padded to maxFraction
    int fractionDigits = 0;      // digits the user typed after the point
    bool cut = false;            // a digit other than 0 lies past maxFraction
};

std::optional<Decimal> parseDecimal(const QString &text, int maxFraction, int maxWhole) {
    static const QRegularExpression re(u"^\\+?([0-9]*)(?:\\.([0-9]*))?$"_s);
    const QRegularExpressionMatch m = re.match(text);
    if (!m.hasMatch()) return std::nullopt;
    QString whole = m.captured(1);
    const QString fraction = m.captured(2);
    if (whole.isEmpty() && fraction.isEmpty()) return std::nullopt;
    while (whole.size() > 1 && whole.startsWith(u'0')) whole.remove(0, 1);
    if (whole.size() > maxWhole) return std::nullopt;
    Decimal d;
    d.whole = whole.isEmpty() ? 0 : whole.toULongLong();
    d.fractionDigits = static_cast<int>(fraction.size());
    d.cut = fraction.mid(maxFraction).contains(QRegularExpression(u"[1-9]"_s));
    QString padded = fraction.left(maxFraction);
    while (padded.size() < maxFraction) padded += u'0';
    d.fraction = padded.isEmpty() ? 0 : padded.toULongLong();
    return d;
}

std::uint64_t pow10(int n) {
    std::uint64_t p = 1;
    for (int i = 0; i < n; ++i) p *= 10;
    return p;
}

// A value with more decimals than the flag keeps: refused, never rounded away.
InputError tooPreciseError(QStringView flag, const QString &text, int decimals, QStringView kept) {
    return error(flag, u"--"_s + flag + u" keeps "_s + QString::number(decimals) + u" decimals"_s +
                           (kept.isEmpty() ? QString() : u" ("_s + kept + u')') + u": \""_s +
                           typedValueText(text) + u"\" has more; give at most "_s + QString::number(decimals));
}

// GiB as typed -> bytes, rounded to the nearest whole MiB as the window's
// spin boxes keep them (79.6 -> 81,510 MiB), so a plan made here and one made
// in the window from the same numbers agree; a memory above 0 is at least 1 MiB.
kvscope::Result<std::uint64_t> parseGib(QStringView flag, const QString &text, bool zeroAllowed) {
    const QString range = (zeroAllowed ? u"from 0 to "_s : u"above 0 and at most "_s) + thousands(kMaxGib);
    const auto fail = [&] {
        return error(flag, u"--"_s + flag + u" must be a number of GiB "_s + range + u", as in 79.6 (got \""_s +
                               typedValueText(text) + u"\")"_s);
    };
    // Nine fraction digits times 1024 stays far below 2^64; with nine digits
    // no value lies exactly halfway between two MiB.
    const auto d = parseDecimal(text, 9, 8);
    if (!d || d->whole > kMaxGib) return fail();
    // A cut digit lies past the nine kept: a value finer than they hold, or
    // just above the largest.
    if (d->cut) return d->whole == kMaxGib ? fail() : tooPreciseError(flag, text, 9, u"billionths of a GiB");
    const bool zero = d->whole == 0 && d->fraction == 0;
    if (zero && !zeroAllowed) return fail();
    std::uint64_t mib = d->whole * 1024 + (d->fraction * 1024 + pow10(9) / 2) / pow10(9);
    if (mib == 0 && !zero) mib = zeroAllowed ? 0 : 1;
    const std::uint64_t bytes = mib * kMiB;
    if (bytes > kvscope::PlanLimits::max_gpu_memory_bytes) return fail();
    return bytes;
}

// 0.9 -> 900,000 millionths; finer digits are refused.
kvscope::Result<std::uint32_t> parseUtilization(const QString &text) {
    const auto d = parseDecimal(text, 6, 8);
    const std::uint64_t ppm = d ? d->whole * 1'000'000 + d->fraction : 0;
    // A cut digit puts the value just above `ppm`: 1.0000001 is more than 1.
    const bool aboveMax = d && d->cut && ppm >= kvscope::PlanLimits::max_utilization_ppm;
    if (d && d->cut && !aboveMax) return tooPreciseError(kGpuUtilization, text, 6, u"millionths");
    if (!d || aboveMax || ppm < kvscope::PlanLimits::min_utilization_ppm ||
        ppm > kvscope::PlanLimits::max_utilization_ppm) {
        return error(kGpuUtilization, u"--gpu-utilization must be a number above 0 and at most 1, as in 0.9 "
                                      u"(vLLM's gpu_memory_utilization; got \""_s +
                                          typedValueText(text) + u"\")"_s);
    }
    return static_cast<std::uint32_t>(ppm);
}

// "8030261248", "8.03B", "70.6B", "405b", "1.5T", "350M": rounded to the
// nearest whole parameter.
kvscope::Result<std::uint64_t> parseParameters(const QString &text) {
    const std::uint64_t max = kvscope::PlanLimits::max_parameters;
    const auto fail = [&] {
        return error(kParameters, u"--parameters must be a whole number or a number with K, M, B or T (as in "
                                  u"70.6B), 1 to "_s +
                                      thousands(max) + u" (got \""_s + typedValueText(text) + u"\")"_s);
    };
    QString number = text;
    int exponent = 0;
    if (!number.isEmpty()) {
        switch (number.back().toUpper().unicode()) {
            case u'K': exponent = 3; break;
            case u'M': exponent = 6; break;
            case u'B': exponent = 9; break;
            case u'T': exponent = 12; break;
            default: break;
        }
        if (exponent != 0) number.chop(1);
    }
    // 17 whole digits and 12 of fraction: every product below stays under 2^64.
    // Rounding half up the first 12 digits rounds the whole number the same
    // way: digits past them cannot change a whole parameter.
    const auto d = parseDecimal(number, 12, 17);
    if (!d || d->whole > max) return fail();
    if (exponent == 0 && d->fractionDigits != 0) return fail();  // a count without a suffix is whole
    const std::uint64_t scale = pow10(exponent);
    if (d->whole > max / std::max<std::uint64_t>(scale, 1)) return fail();
    // fraction is in units of 10^-12; scale it to 10^exponent and round half up.
    const std::uint64_t divisor = pow10(12 - exponent);
    const std::uint64_t part = (d->fraction + divisor / 2) / divisor;
    const std::uint64_t value = d->whole * scale + part;
    if (value < 1 || value > max) return fail();
    return value;
}

kvscope::Result<std::uint64_t> parsePlanNumber(QStringView flag, const QString &text, std::uint64_t min,
                                               std::uint64_t max) {
    const NumberFlag number{flag, min, max, false};
    return parseNumber(number, text);
}

// "auto", vLLM's names (float32, bfloat16, float16) or ours (fp32, bf16, fp16).
kvscope::Result<std::optional<kvscope::DType>> parseMambaDtype(QStringView flag, const QString &text) {
    if (text == u"auto"_s) return std::optional<kvscope::DType>{};
    for (const auto &[vllmName, dtype] : {std::pair{u"float32"_s, kvscope::DType::fp32},
                                          std::pair{u"bfloat16"_s, kvscope::DType::bf16},
                                          std::pair{u"float16"_s, kvscope::DType::fp16}}) {
        if (text == vllmName || text == QString::fromUtf8(kvscope::dtypeName(dtype))) {
            return std::optional<kvscope::DType>{dtype};
        }
    }
    return error(flag, u"--"_s + flag + u" must be auto, float32, bfloat16 or float16 (got \""_s +
                           typedValueText(text) + u"\")"_s);
}

// --engine and the options of the engine it names; another engine's option
// is an error, never ignored.
std::optional<InputError> parseEngine(const QCommandLineParser &parser, kvscope::EngineSetup &setup) {
    auto given = [&parser](QStringView name) { return isSetAny(parser, name); };
    auto last = [&parser](QStringView name) { return lastValueAny(parser, name); };
    if (given(kEngine)) {
        const QString text = last(kEngine);
        const auto engine = kvscope::parseEngine(text.toStdString());
        if (!engine) return error(kEngine, u"--engine must be vllm or llama.cpp (got \""_s + typedValueText(text) + u"\")"_s);
        setup.engine = *engine;
    }
    const bool vllm = setup.engine == kvscope::Engine::Vllm;
    for (QStringView flag : vllm ? std::span<const QStringView>(kLlamaCppFlags) : std::span<const QStringView>(kVllmFlags)) {
        if (given(flag)) {
            return error(flag, u"--"_s + flag + u" is an option of --engine "_s + (vllm ? u"llama.cpp"_s : u"vllm"_s) +
                                   u"; the engine is "_s + QString::fromUtf8(kvscope::engineName(setup.engine)));
        }
    }
    if (given(kMaxNumBatchedTokens)) {
        const auto n = parsePlanNumber(kMaxNumBatchedTokens, last(kMaxNumBatchedTokens), 1, 1u << 24);
        if (!n) return n.error();
        setup.vllm.max_num_batched_tokens = static_cast<std::uint32_t>(*n);
    }
    setup.vllm.async_scheduling = !given(kNoAsyncScheduling);
    setup.vllm.prefix_caching = !given(kNoPrefixCaching);
    setup.vllm.disable_hybrid_kv_cache_manager = given(kDisableHybridManager);
    for (const auto &[flag, target] : {std::pair{kMambaCacheDtype, &setup.vllm.mamba_cache_dtype},
                                       std::pair{kMambaSsmCacheDtype, &setup.vllm.mamba_ssm_cache_dtype}}) {
        if (!given(flag)) continue;
        const auto dtype = parseMambaDtype(flag, last(flag));
        if (!dtype) return dtype.error();
        *target = *dtype;
    }
    for (const auto &[flag, target] :
         {std::pair{kUbatchSize, &setup.llamacpp.n_ubatch}, std::pair{kNBatch, &setup.llamacpp.n_batch}}) {
        if (!given(flag)) continue;
        const auto n = parsePlanNumber(flag, last(flag), 1, 1u << 20);
        if (!n) return n.error();
        *target = static_cast<std::uint32_t>(*n);
    }
    setup.llamacpp.swa_full = given(kSwaFull);
    setup.llamacpp.kv_unified = given(kKvUnified);
    if (given(kCacheTypeV)) {
        const QString text = last(kCacheTypeV);
        const auto dtype = kvscope::parseDType(text.toStdString());
        if (!dtype || kvscope::checkEngineKvDType(kvscope::Engine::LlamaCpp, *dtype)) {
            return error(kCacheTypeV, u"--cache-type-v must be one of fp32, fp16, bf16, q8_0, q4_0 (got \""_s +
                                          typedValueText(text) + u"\")"_s);
        }
        setup.llamacpp.type_v = dtype;
    }
    return std::nullopt;
}

// The deployment flags, checked against the model or shape already parsed:
// nothing when none is given (the report alone).
kvscope::Result<std::optional<CliOptions::Planning>> parsePlanning(const QCommandLineParser &parser,
                                                                  const CliOptions &options) {
    using Planning = CliOptions::Planning;
    auto given = [&parser](QStringView name) { return parser.isSet(name.toString()); };
    auto last = [&parser](QStringView name) { return parser.values(name.toString()).constLast(); };
    const QString budgetFlags = u"--gpu, --gpu-memory-gib or --kv-budget-bytes"_s;

    const bool budget = given(kGpu) || given(kGpuMemoryGib) || given(kKvBudgetBytes);
    if (!budget && !given(kTensorParallel)) {
        for (QStringView flag : {kGpuUtilization, kOverheadGib, kWeightsDtype, kParameters, kBlockSize}) {
            if (given(flag)) {
                return error(flag, u"--"_s + flag + u" only applies to a deployment plan: give "_s + budgetFlags +
                                       u" (or --tensor-parallel)"_s);
            }
        }
        return std::optional<Planning>{};
    }

    Planning p;
    p.hasBudget = budget;
    kvscope::Deployment &d = p.deployment;
    d.utilization_ppm = kvscope::defaultUtilizationPpm(options.engine.engine);
    d.block_size = 0;  // the engine's own
    if (given(kGpu)) {
        const QString name = last(kGpu);
        const kvscope::GpuPreset *gpu = kvscope::findGpu(name.toStdString());
        if (!gpu) {
            return error(kGpu, u"--gpu must be one of "_s + gpuChoices() + u" (got \""_s + typedValueText(name) +
                                   u"\"; --gpu-memory-gib gives any other size)"_s);
        }
        p.gpuName = QString::fromUtf8(gpu->name);
        p.gpuLabel = QString::fromUtf8(gpu->label);
        d.gpu_memory_bytes = gpu->memory_bytes;
    }
    if (given(kGpuMemoryGib)) {
        const auto bytes = parseGib(kGpuMemoryGib, last(kGpuMemoryGib), false);
        if (!bytes) return bytes.error();
        d.gpu_memory_bytes = *bytes;
        p.customMemory = true;
        if (p.gpuLabel.isEmpty()) p.gpuLabel = u"custom GPU"_s;
    }
    for (QStringView flag : {kGpuUtilization, kOverheadGib}) {
        if (given(flag) && d.gpu_memory_bytes == 0) {
            return error(flag, u"--"_s + flag + u" needs the GPU's memory: give --gpu or --gpu-memory-gib"_s);
        }
    }
    if (given(kBlockSize) && !budget) {
        return error(kBlockSize, u"--block-size only applies with a KV budget: give "_s + budgetFlags);
    }
    if (given(kBlockSize) && options.engine.engine != kvscope::Engine::Vllm) {
        return error(kBlockSize, u"--block-size is an option of --engine vllm; llama.cpp has no blocks"_s);
    }
    if (given(kGpuUtilization)) {
        const auto ppm = parseUtilization(last(kGpuUtilization));
        if (!ppm) return ppm.error();
        d.utilization_ppm = *ppm;
    }
    if (given(kOverheadGib)) {
        const auto bytes = parseGib(kOverheadGib, last(kOverheadGib), true);
        if (!bytes) return bytes.error();
        d.overhead_bytes = *bytes;
    }
    if (given(kTensorParallel)) {
        const auto n = parsePlanNumber(kTensorParallel, last(kTensorParallel), 1,
                                       kvscope::PlanLimits::max_tensor_parallel);
        if (!n) return n.error();
        d.tensor_parallel = static_cast<std::uint32_t>(*n);
    }
    if (given(kKvBudgetBytes)) {
        const auto bytes = parsePlanNumber(kKvBudgetBytes, last(kKvBudgetBytes), 1,
                                           kvscope::PlanLimits::max_gpu_memory_bytes);
        if (!bytes) return bytes.error();
        d.kv_budget_bytes = *bytes;
    }
    if (given(kBlockSize)) {
        const QString text = last(kBlockSize);
        const auto n = parsePlanNumber(kBlockSize, text, 1, kvscope::PlanLimits::max_block_size);
        if (!n || !std::has_single_bit(*n)) {
            return error(kBlockSize, u"--block-size must be a power of two from 1 to "_s +
                                         thousands(kvscope::PlanLimits::max_block_size) + u" (got "_s +
                                         gotText(text) + u')');
        }
        d.block_size = static_cast<std::uint32_t>(*n);
    }

    // The weight format: given, the model's torch_dtype, or bf16.
    if (given(kWeightsDtype)) {
        const QString text = last(kWeightsDtype);
        const auto dtype = kvscope::parseDType(text.toStdString());
        if (!dtype) {
            return error(kWeightsDtype, u"--weights-dtype must be one of "_s + dtypeChoices() + u" (got \""_s +
                                            typedValueText(text) + u"\")"_s);
        }
        d.weights_dtype = *dtype;
        p.weightsDtypeSource = u"--weights-dtype"_s;
    } else if (options.model && options.model->imported.torch_dtype) {
        d.weights_dtype = kvscope::vllmModelDType(options.model->imported.torch_dtype);
        p.weightsDtypeSource = d.weights_dtype == *options.model->imported.torch_dtype
                                   ? u"the config's torch_dtype"_s
                                   : u"the config's torch_dtype float32, served in bf16"_s;
    } else {
        d.weights_dtype = kDefaultWeightsDType;
        p.weightsDtypeSource = u"the default"_s;
    }

    // The parameter count: given, the model's, or the book's GPT model of this shape.
    if (given(kParameters)) {
        const auto n = parseParameters(last(kParameters));
        if (!n) return n.error();
        p.parameters = *n;
        p.parametersSource = u"--parameters"_s;
    } else if (options.model) {
        const ImportedModel &imported = options.model->imported;
        p.parameters = imported.parameters;
        p.parametersSource = options.model->isPreset ? u"preset"_s : u"config"_s;
    } else {
        const kvscope::ModelShape &shape = options.shape;
        const std::uint32_t headDim = shape.head_dim.value_or((shape.emb_dim + shape.n_heads - 1) / shape.n_heads);
        const auto count = kvscope::denseParameterCount(kvscope::bookDenseShape(
            shape.emb_dim, shape.n_heads, shape.n_heads / shape.n_kv_groups, headDim, shape.n_layers));
        if (count) {
            p.parameters = *count;
            p.parametersSource = u"book_shape"_s;
        }
    }
    // A GGUF file or safetensors headers give the weights' bytes exactly, as
    // stored: used unless the user gave a count or a format of their own.
    if (options.model && options.model->imported.weights_bytes && !given(kParameters) && !given(kWeightsDtype)) {
        d.stored_weights_bytes = options.model->imported.weights_bytes;
        p.storedWeightsFormat = QString::fromStdString(options.model->imported.weights_format);
        p.weightsDtypeSource = u"the model's files (as stored)"_s;
    }
    if (p.parameters && *p.parameters > kvscope::PlanLimits::max_parameters) {
        // The user's own count was checked when parsed: this one is the model's.
        const QString whose = options.model && options.model->imported.weights_bytes
                                  ? u"the model file's tensors hold "_s
                                  : u"the model's "_s;
        return error(kParameters, u"--parameters: "_s + whose + thousands(*p.parameters) +
                                      u" parameters, more than "_s + thousands(kvscope::PlanLimits::max_parameters) +
                                      u"; pass a smaller count with --parameters"_s);
    }
    const bool weightsNeeded = budget && !d.kv_budget_bytes;
    if (!p.parameters && !d.stored_weights_bytes && weightsNeeded) {
        const QString what = options.model && options.model->isPreset
                                 ? u"the built-in model "_s + options.model->label + u" gives"_s
                                 : u"the config gives"_s;
        return error(kParameters, u"--parameters: "_s + what +
                                      u" no parameter count (the weights of a mixture-of-experts, MLA, hybrid or "
                                      u"multimodal model are not a dense shape), and the GPU's budget needs the "
                                      u"weights: pass --parameters N, as in 671B, or the KV budget itself with "
                                      u"--kv-budget-bytes"_s);
    }
    d.parameters = p.parameters.value_or(0);
    return std::optional<Planning>{std::move(p)};
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
    if (auto e = repeatedFlagError(parser)) return *e;
    const bool json = parser.isSet(u"json"_s);
    if (json) options.action = Action::Json;
    auto given = [&parser](QStringView name) { return parser.isSet(name.toString()); };
    auto last = [&parser](QStringView name) { return parser.values(name.toString()).constLast(); };

    // Each given value against its own range first, so the message names the
    // flag the user typed.
    std::array<std::optional<std::uint64_t>, kNumberFlags.size()> values;
    QStringList missing;
    for (std::size_t i = 0; i < kNumberFlags.size(); ++i) {
        const NumberFlag &flag = kNumberFlags[i];
        const QStringList values_given = parser.values(flag.name.toString());
        if (values_given.isEmpty()) {
            if (flag.required) missing << u"--"_s + flag.name;
            continue;
        }
        auto value = parseNumber(flag, values_given.constLast());
        if (!value) return value.error();
        values[i] = *value;
    }
    std::optional<kvscope::DType> dtype;
    if (given(u"dtype")) {
        const QString text = last(u"dtype");
        dtype = kvscope::parseDType(text.toLower().toStdString());  // any case, as --gpu takes
        if (!dtype) {
            return error(u"dtype", u"--dtype must be one of "_s + dtypeChoices() + u" (got \""_s +
                                       typedValueText(text) + u"\")"_s);
        }
    }
    if (const QStringList extra = parser.positionalArguments(); !extra.isEmpty()) {
        return error(QString(), u"unexpected argument \""_s + typedValueText(extra.constFirst()) +
                                    u"\"; every value follows its flag, as in --n_heads 32"_s);
    }

    // --list-models and --list-gpus each stand alone (but for --json).
    for (const auto &[listFlag, action] :
         {std::pair{kListModels, Action::ListModels}, std::pair{kListGpus, Action::ListGpus}}) {
        if (!given(listFlag)) continue;
        for (const QString &name : parser.optionNames()) {
            const QString flag = canonicalName(name);
            if (flag != listFlag && flag != u"json"_s) {
                return error(flag, u"--"_s + listFlag + u" cannot be combined with --"_s + flag);
            }
        }
        options.action = action;
        options.listAsJson = json;
        return options;
    }

    if (auto e = parseEngine(parser, options.engine)) return *e;
    options.engineGiven = isSetAny(parser, kEngine);

    // A real model, or the book's shape flags: never both.
    const bool fromConfig = given(kConfig);
    const bool fromModel = given(kModel);
    if (fromConfig && fromModel) {
        return error(kModel, u"--config and --model cannot be combined: give the model one way"_s);
    }
    if (fromConfig || fromModel) {
        const QStringView source = fromConfig ? kConfig : kModel;
        for (QStringView flag : kShapeFlags) {
            if (given(flag)) {
                return error(flag, u"--"_s + source + u" and --"_s + flag +
                                       u" cannot be combined: the model sets its own shape "_s +
                                       u"(--context_length, --batch_size and --dtype still apply)"_s);
            }
        }
    } else if (!missing.isEmpty()) {
        return error(missing.constFirst().mid(2),
                     (missing.size() == 1 ? u"missing required flag "_s : u"missing required flags "_s) +
                         missing.join(u", "_s) +
                         (missing.size() == 4 ? u" (or --config FILE, or --model NAME)"_s : QString()));
    }

    // Every value is within its flag's range, so the narrowing casts are exact.
    auto value = [&values](QStringView name) { return values.at(flagIndex(name)); };
    options.workload.context_length = value(u"context_length").value_or(kDefaultContextLength);
    options.workload.batch_size = static_cast<std::uint32_t>(value(u"batch_size").value_or(kDefaultBatchSize));
    options.workload.dtype = dtype.value_or(kDefaultDType);

    if (fromConfig || fromModel) {
        auto model = fromConfig ? loadConfig(last(kConfig)) : loadModel(last(kModel));
        if (!model) return model.error();
        options.model = std::move(model).value();
        const ImportedModel &imported = options.model->imported;
        options.engine.model_dtype = kvscope::vllmModelDType(imported.torch_dtype);
        options.engine.max_model_len = imported.max_model_len.value_or(0);
        if (dtype) {
            options.model->dtypeSource = u"--dtype"_s;
        } else {
            options.workload.dtype = kvscope::defaultKvDType(options.engine.engine, imported.torch_dtype);
            options.model->dtypeSource =
                defaultDtypeSource(options.engine.engine, imported, options.workload.dtype);
        }
        options.shape = imported.shape;
        // The real total decides; the book's view and the what-ifs may not fit
        // where the model does, and then show as not computable.
        if (auto total = kvscope::layoutTotalBytes(kvscope::engineLayout(imported.layout, options.engine),
                                                   options.workload);
            !total) {
            return flagError(total.error(), options.shape);
        }
    } else {
        options.shape.emb_dim = static_cast<std::uint32_t>(*value(u"emb_dim"));
        options.shape.n_heads = static_cast<std::uint32_t>(*value(u"n_heads"));
        options.shape.n_layers = static_cast<std::uint32_t>(*value(u"n_layers"));
        options.shape.n_kv_groups = static_cast<std::uint32_t>(*value(u"n_kv_groups"));
        if (const auto headDim = value(u"head_dim")) options.shape.head_dim = static_cast<std::uint32_t>(*headDim);
        // The shape as a whole (n_kv_groups against n_heads) and the totals'
        // 64-bit range, so main() never starts output it cannot finish.
        if (auto e = kvscope::validate(options.shape, options.workload)) return flagError(*e, options.shape);
        if (auto e = kvscope::estimate(options.shape, options.workload); !e) {
            return flagError(e.error(), options.shape);
        }
    }

    // An engine asked for by name must store the cache as asked.
    if (options.engineGiven) {
        if (auto e = kvscope::checkEngineKvDType(options.engine.engine, options.workload.dtype)) {
            return error(u"dtype", u"--"_s + QString::fromStdString(e->message));
        }
    }

    if (auto planning = parsePlanning(parser, options); !planning) {
        return planning.error();
    } else {
        options.planning = std::move(planning).value();
    }
    // The GPU's generation and memory, which vLLM's defaults depend on.
    if (options.planning && options.planning->deployment.gpu_memory_bytes != 0) {
        options.engine.gpu_memory_bytes = options.planning->deployment.gpu_memory_bytes;
        if (const kvscope::GpuPreset *gpu = kvscope::findGpu(options.planning->gpuName.toStdString())) {
            options.engine.gpu_arch = gpu->arch;
            options.engine.gpu_is_a100 = gpu->name.starts_with("a100");
        }
    }
    // The plan as a whole (tensor parallelism against the heads, the weights
    // against the GPU, one block against the budget), so main() never starts
    // output it cannot finish.
    // The plan's messages come in the unit the run prints in; whether
    // --binary-units applies at all is checked with the exports below.
    options.binaryUnits = given(kBinaryUnits);
    if (options.planning) {
        if (auto figures = cliPlanFigures(options); !figures) return figures.error();
    }

    // The models to compare, each read and its total checked, so main()
    // never starts output it cannot finish.
    const QStringList compared = parser.values(kCompare.toString());
    if (compared.size() > kMaxCompared) {
        return error(kCompare, u"--compare is given "_s + QString::number(compared.size()) + u" times; at most "_s +
                                   QString::number(kMaxCompared) + u" models can be compared"_s);
    }
    for (const QString &spec : compared) {
        auto model = loadCompared(spec);
        if (!model) return model.error();
        for (const Model &earlier : options.compared) {
            if (earlier.label == model->label) {
                return error(kCompare, u"--compare "_s + typedValueText(model->label) + u" is given twice"_s);
            }
        }
        options.compared.append(std::move(model).value());
    }
    if (!options.compared.isEmpty()) {
        if (auto rows = compareRows(options); !rows) return rows.error();
    }

    // Exports: every path checked before any file is written.
    const QStringList charts = parser.values(kChart.toString());
    const QStringList outs = parser.values(kOut.toString());
    for (const QString &chart : charts) {
        if (chart != u"context"_s && chart != u"groups"_s) {
            return error(kChart, u"--chart must be context or groups (got \""_s + typedValueText(chart) + u"\")"_s);
        }
    }
    if (charts.size() > outs.size()) {
        return error(kOut, u"--chart "_s + charts.at(outs.size()) + u" needs --out FILE (one --out per --chart)"_s);
    }
    if (outs.size() > charts.size()) {
        return error(kChart, u"--out "_s + typedValueText(outs.at(charts.size())) +
                                 u" needs a --chart before it (context or groups)"_s);
    }
    QSet<QString> paths;
    auto claim = [&paths](QStringView flag, const QString &path) -> std::optional<InputError> {
        const QString key = QFileInfo(path).absoluteFilePath();
        if (paths.contains(key)) {
            return error(flag, u"--"_s + flag + u' ' + typedValueText(path) + u": the same file is written twice"_s);
        }
        paths.insert(key);
        return std::nullopt;
    };
    for (qsizetype i = 0; i < charts.size(); ++i) {
        if (auto e = checkOutputPath(kOut, outs.at(i), false)) return *e;
        if (auto e = claim(kOut, outs.at(i))) return *e;
        options.charts.append({charts.at(i) == u"context"_s ? Chart::Context : Chart::Groups, outs.at(i)});
    }
    if (given(kReport)) {
        options.reportPath = last(kReport);
        if (auto e = checkOutputPath(kReport, options.reportPath, true)) return *e;
        if (auto e = claim(kReport, options.reportPath)) return *e;
    }
    const bool exporting = !options.charts.isEmpty() || !options.reportPath.isEmpty();
    const bool contextFigure =
        !options.reportPath.isEmpty() ||
        std::any_of(options.charts.begin(), options.charts.end(), [](const ChartOutput &o) {
            return o.chart == Chart::Context;
        });
    const bool pngOut = std::any_of(options.charts.begin(), options.charts.end(), [](const ChartOutput &o) {
        return FigureExporter::formatForPath(o.path) == ExportFormat::Png;
    });
    if (given(kExtraGroups)) {
        if (!contextFigure) return error(kExtraGroups, u"--extra-groups only applies to --chart context and --report"_s);
        auto groups = parseExtraGroups(last(kExtraGroups), options.shape.n_heads);
        if (!groups) return groups.error();
        options.extraGroups = *groups;
    }
    if (options.binaryUnits && !exporting && (!options.planning || json)) {
        return error(kBinaryUnits, u"--binary-units only applies to --chart, --report and the deployment "
                                   u"section (--gpu, --gpu-memory-gib, --kv-budget-bytes or --tensor-parallel)"_s);
    }
    if (given(kPngScale)) {
        if (!pngOut) return error(kPngScale, u"--png-scale only applies to a --chart written as .png"_s);
        auto scale = parsePngScale(last(kPngScale));
        if (!scale) return scale.error();
        options.figure.pngScale = *scale;
    }
    if (auto e = parseFigureOptions(parser, options, pngOut)) return *e;
    if (exporting) {
        if (json) {
            return error(u"json", u"--json cannot be combined with --chart or --report: an export writes files "
                                  u"and prints nothing"_s);
        }
        options.action = Action::Export;
    }
    return options;
}

QString CliOptions::helpText() {
    QCommandLineParser parser;
    addOptions(parser);
    // Qt's usage line names argv[0] and no flags; ours shows the ways to run it.
    QString text = parser.helpText();
    text.replace(0, text.indexOf(u'\n'),
                 u"Usage: kvscope-cli --emb_dim <n> --n_heads <n> --n_layers <n> --n_kv_groups <n> [options]\n"
                 u"       kvscope-cli (--config <file> | --model <name>) [options]\n"
                 u"       kvscope-cli --list-models | --list-gpus"_s);
    return text +
           u"\nExamples:\n"
           u"  kvscope-cli --emb_dim 4096 --n_heads 32 --n_layers 32 --n_kv_groups 4 \\\n"
           u"              --context_length 32768 --batch_size 1 --dtype bf16\n"
           u"  kvscope-cli --model \"Gemma 3 27B\" --context_length 131072 --json\n"
           u"  kvscope-cli --config config.json --context_length 32768\n"
           u"  kvscope-cli --model \"Llama 3.1 70B\" --gpu h100-80gb --tensor-parallel 2 --dtype fp8\n"
           u"  kvscope-cli --emb_dim 2048 --n_heads 24 --n_layers 48 --n_kv_groups 4 --dtype bf16 \\\n"
           u"              --chart context --out context.pdf --report report.pdf\n"_s;
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
