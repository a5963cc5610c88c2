#include "ConfigModel.h"

#include <QSettings>
#include <algorithm>
#include <bit>
#include <cmath>

#include "LayoutSettings.h"
#include "ModelComparison.h"
#include "HubModelLoader.h"
#include "ModelFile.h"
#include "PresetLibrary.h"
#include "kvscope/dtype.h"
#include "kvscope/format.h"
#include "kvscope/gpu.h"
#include "kvscope/units.h"
#include "kvscope/validation.h"
#include "kvscope/weights.h"

using namespace Qt::StringLiterals;
using kvscope::Limits;
using kvscope::PlanLimits;

namespace {

template <class T>
T clamped(qint64 value, qint64 low, qint64 high) {
    return static_cast<T>(std::clamp(value, low, high));
}

constexpr std::uint64_t kMiB = std::uint64_t{1} << 20;
constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;

// GiB as a user types them, kept in whole MiB so that a round trip through
// the settings or a spin box gives back the same bytes.
std::uint64_t gibToBytes(double gib, std::uint64_t low, std::uint64_t high) {
    if (!std::isfinite(gib)) gib = 0;
    const double mib = std::round(std::clamp(gib, 0.0, static_cast<double>(high) / kGiB) * 1024.0);
    return std::clamp(static_cast<std::uint64_t>(mib) * kMiB, low, high);
}

QString fromStd(const std::string &text) { return QString::fromStdString(text); }

QString gibText(std::uint64_t bytes) { return fromStd(kvscope::formatBytes(bytes, kvscope::ByteUnit::Binary)); }


}  // namespace

ConfigModel::ConfigModel(QObject *parent)
    : QObject(parent),
      m_estimate(kvscope::InputError{}),
      m_contextPoints(kvscope::InputError{}),
      m_groupPoints(kvscope::InputError{}),
      m_layoutBytes(kvscope::InputError{}),
      m_modelEstimate(kvscope::InputError{}),
      m_plan(kvscope::InputError{}) {}

ConfigModel::~ConfigModel() = default;

int ConfigModel::embDim() const { return static_cast<int>(m_shape.emb_dim); }
int ConfigModel::nHeads() const { return static_cast<int>(m_shape.n_heads); }
int ConfigModel::nKvGroups() const { return static_cast<int>(m_shape.n_kv_groups); }
int ConfigModel::nLayers() const { return static_cast<int>(m_shape.n_layers); }
int ConfigModel::explicitHeadDim() const { return m_shape.head_dim ? static_cast<int>(*m_shape.head_dim) : 0; }
qint64 ConfigModel::contextLength() const { return static_cast<qint64>(m_workload.context_length); }
int ConfigModel::batchSize() const { return static_cast<int>(m_workload.batch_size); }
QString ConfigModel::dtype() const { return QString::fromLatin1(kvscope::dtypeName(m_workload.dtype)); }
bool ConfigModel::binaryUnits() const { return m_binaryUnits; }
kvscope::ByteUnit ConfigModel::byteUnit() const {
    return m_binaryUnits ? kvscope::ByteUnit::Binary : kvscope::ByteUnit::Decimal;
}
QList<int> ConfigModel::extraGroups() const { return m_extraGroups; }

void ConfigModel::setEmbDim(int embDim) {
    const auto value = clamped<std::uint32_t>(embDim, Limits::min_emb_dim, Limits::max_emb_dim);
    if (value == m_shape.emb_dim) return;
    shapeEdited();
    m_shape.emb_dim = value;
    Q_EMIT embDimChanged(static_cast<int>(value));
    invalidate();
}

void ConfigModel::setNHeads(int nHeads) {
    const auto value = clamped<std::uint32_t>(nHeads, 1, Limits::max_heads);
    if (value == m_shape.n_heads) return;
    shapeEdited();
    m_shape.n_heads = value;
    Q_EMIT nHeadsChanged(static_cast<int>(value));
    // Keep the group choice possible: the nearest divisor of the new head count.
    const std::uint32_t groups = kvscope::nearestValidGroupCount(value, m_shape.n_kv_groups);
    if (groups != m_shape.n_kv_groups) {
        m_shape.n_kv_groups = groups;
        Q_EMIT nKvGroupsChanged(static_cast<int>(groups));
    }
    const QList<int> extra = sanitizedExtraGroups(m_extraGroups);
    if (extra != m_extraGroups) {
        m_extraGroups = extra;
        Q_EMIT extraGroupsChanged(m_extraGroups);
    }
    invalidate();
}

void ConfigModel::setNKvGroups(int nKvGroups) {
    const auto wanted = clamped<std::uint32_t>(nKvGroups, 1, m_shape.n_heads);
    const std::uint32_t value = kvscope::nearestValidGroupCount(m_shape.n_heads, wanted);
    if (value == m_shape.n_kv_groups) return;
    shapeEdited();
    m_shape.n_kv_groups = value;
    Q_EMIT nKvGroupsChanged(static_cast<int>(value));
    invalidate();
}

void ConfigModel::setNLayers(int nLayers) {
    const auto value = clamped<std::uint32_t>(nLayers, 1, Limits::max_layers);
    if (value == m_shape.n_layers) return;
    shapeEdited();
    m_shape.n_layers = value;
    Q_EMIT nLayersChanged(static_cast<int>(value));
    invalidate();
}

void ConfigModel::setExplicitHeadDim(int headDim) {
    std::optional<std::uint32_t> value;
    if (headDim > 0) value = clamped<std::uint32_t>(headDim, 1, Limits::max_head_dim);
    if (value == m_shape.head_dim) return;
    shapeEdited();
    m_shape.head_dim = value;
    Q_EMIT explicitHeadDimChanged(explicitHeadDim());
    invalidate();
}

void ConfigModel::setContextLength(qint64 contextLength) {
    const auto value =
        clamped<std::uint64_t>(contextLength, 1, static_cast<qint64>(Limits::max_context_length));
    if (value == m_workload.context_length) return;
    m_workload.context_length = value;
    Q_EMIT contextLengthChanged(static_cast<qint64>(value));
    invalidate();
}

void ConfigModel::setBatchSize(int batchSize) {
    const auto value = clamped<std::uint32_t>(batchSize, 1, Limits::max_batch_size);
    if (value == m_workload.batch_size) return;
    m_workload.batch_size = value;
    Q_EMIT batchSizeChanged(static_cast<int>(value));
    invalidate();
}

void ConfigModel::setDtype(const QString &dtype) {
    const auto parsed = kvscope::parseDType(dtype.toStdString());
    if (!parsed || *parsed == m_workload.dtype) return;  // unknown names leave the choice as it was
    m_workload.dtype = *parsed;
    Q_EMIT dtypeChanged(this->dtype());
    invalidate();
}

void ConfigModel::setBinaryUnits(bool binary) {
    if (binary == m_binaryUnits) return;
    m_binaryUnits = binary;
    Q_EMIT binaryUnitsChanged(binary);
    // Bytes do not change, but every displayed number does, the plan's
    // messages too.
    invalidate();
}

void ConfigModel::setExtraGroups(const QList<int> &groups) {
    const QList<int> value = sanitizedExtraGroups(groups);
    if (value == m_extraGroups) return;
    m_extraGroups = value;
    Q_EMIT extraGroupsChanged(m_extraGroups);
    invalidate();
}

QList<int> ConfigModel::sanitizedExtraGroups(const QList<int> &groups) const {
    QList<int> valid;
    for (int g : groups) {
        if (g >= 1 && static_cast<std::uint32_t>(g) <= m_shape.n_heads && m_shape.n_heads % g == 0 &&
            !valid.contains(g)) {
            valid.append(g);
        }
    }
    std::sort(valid.begin(), valid.end());
    return valid;
}

void ConfigModel::setConfig(const kvscope::ModelShape &shape, const kvscope::Workload &workload) {
    // Heads first: the group count and head_dim are checked against them.
    setNHeads(static_cast<int>(std::min<std::uint32_t>(shape.n_heads, Limits::max_heads)));
    setEmbDim(static_cast<int>(std::min<std::uint32_t>(shape.emb_dim, Limits::max_emb_dim)));
    setNKvGroups(static_cast<int>(std::min<std::uint32_t>(shape.n_kv_groups, Limits::max_heads)));
    setNLayers(static_cast<int>(std::min<std::uint32_t>(shape.n_layers, Limits::max_layers)));
    setExplicitHeadDim(shape.head_dim ? static_cast<int>(std::min<std::uint32_t>(*shape.head_dim, Limits::max_head_dim))
                                      : 0);
    setContextLength(static_cast<qint64>(std::min(workload.context_length, Limits::max_context_length)));
    setBatchSize(static_cast<int>(std::min<std::uint32_t>(workload.batch_size, Limits::max_batch_size)));
    setDtype(QString::fromLatin1(kvscope::dtypeName(workload.dtype)));
}

void ConfigModel::resetToDefaults() {
    clearModel();
    m_whatIfOf.clear();
    setConfig(kvscope::ModelShape{}, kvscope::Workload{});
    setBinaryUnits(false);
    setExtraGroups({});
    resetBudget();
}

void ConfigModel::resetBudget() {
    const ConfigModel defaults;
    setBudgetEnabled(defaults.budgetEnabled());
    setGpu(defaults.gpu());
    setGpuCount(defaults.gpuCount());
    setCustomGpuMemoryGib(defaults.customGpuMemoryGib());
    setGpuUtilization(defaults.gpuUtilization());
    setWeightsDtype(defaults.weightsDtype());
    setParameterOverride(0);
    setOverheadGib(defaults.overheadGib());
    setBlockSize(defaults.blockSize());
    setKvBudgetBytes(0);
    setEngine(defaults.engine());
    setVllmOptions(defaults.vllmOptions());
    setLlamaCppOptions(defaults.llamaCppOptions());
    setGpuUtilization(defaults.gpuUtilization());
}

void ConfigModel::shapeEdited() {
    if (!m_imported || m_applyingModel) return;
    // The model's book shape stays the what-if's base: its name follows the edits.
    const QString name = m_modelName;
    const kvscope::ModelShape base = m_shape;
    clearModel();
    m_whatIfOf = name;
    m_whatIfBase = base;
    Q_EMIT whatIfStarted(name);
}

QString ConfigModel::whatIfName() const {
    if (m_whatIfOf.isEmpty()) return {};
    QStringList edits;
    auto edit = [&edits](const char *field, std::uint32_t before, std::uint32_t after) {
        if (before != after) edits.append(u"%1 %2"_s.arg(QLatin1String(field)).arg(after));
    };
    edit("n_heads", m_whatIfBase.n_heads, m_shape.n_heads);
    edit("n_kv_groups", m_whatIfBase.n_kv_groups, m_shape.n_kv_groups);
    edit("n_layers", m_whatIfBase.n_layers, m_shape.n_layers);
    edit("emb_dim", m_whatIfBase.emb_dim, m_shape.emb_dim);
    edit("head_dim", m_whatIfBase.head_dim.value_or(0), m_shape.head_dim.value_or(0));
    return edits.isEmpty() ? u"%1 what-if (its book shape)"_s.arg(m_whatIfOf)
                           : u"%1 what-if: %2"_s.arg(m_whatIfOf, edits.join(u", "_s));
}

QString ConfigModel::originForPreset(const QString &name) { return u"preset:"_s + name; }

QString ConfigModel::originForHub(const QString &repo, const QString &commit) { return u"hf:"_s + repo + u'@' + commit; }

void ConfigModel::loadModel(const ImportedModel &model, const QString &displayName, const QString &origin) {
    m_applyingModel = true;
    kvscope::Workload workload = m_workload;
    // The KV dtype the engine uses when not told (vLLM: the model dtype, a
    // float32 checkpoint served in bf16; llama.cpp: f16), as in kvscope-cli.
    workload.dtype = kvscope::defaultKvDType(m_engine, model.torch_dtype);
    setConfig(model.shape, workload);
    m_applyingModel = false;
    // An entered parameter count was the previous model's; its weights are
    // stored as its config says, as kvscope-cli sizes them.
    setParameterOverride(0);
    if (model.torch_dtype)
        setWeightsDtype(QString::fromLatin1(kvscope::dtypeName(kvscope::vllmModelDType(model.torch_dtype))));
    m_imported = model;
    m_modelName = displayName;
    m_modelOrigin = origin;
    m_whatIfOf.clear();
    ++m_modelSerial;
    Q_EMIT modelChanged();
    invalidate();
}

void ConfigModel::clearModel() {
    if (!m_imported) {
        if (m_whatIfOf.isEmpty()) return;
        m_whatIfOf.clear();
        Q_EMIT modelChanged();
        invalidate();
        return;
    }
    setParameterOverride(0);
    ++m_modelSerial;
    m_whatIfOf.clear();
    m_imported.reset();
    m_modelName.clear();
    m_modelOrigin.clear();
    Q_EMIT modelChanged();
    invalidate();
}

bool ConfigModel::reloadModel(const QString &origin, const QString &savedName) {
    if (origin.startsWith(u"preset:"_s)) {
        const QString name = origin.mid(7);
        const auto library = PresetLibrary::builtin();
        if (!library) return false;
        const auto model = library->load(name);
        if (!model) return false;
        loadModel(*model, library->find(name)->name, origin);
        return true;
    }
    if (origin.startsWith(u"hf:"_s)) {
        // The snapshot it was loaded from, read again from the Hugging Face
        // cache only: a restart never waits for the network.
        HubEnvironment environment = HubEnvironment::fromEnvironment();
        environment.offline = true;
        const HubResult result = HubModelLoader::load(origin.mid(3), environment);
        if (result.error) return false;
        loadModel(result.model, savedName.isEmpty() ? result.id.repo : savedName, origin);
        return true;
    }
    const auto model = ModelFile::read(origin);  // config.json, GGUF or a model folder, as it was opened
    if (!model) return false;
    const QString name = savedName.isEmpty() ? origin : savedName;
    loadModel(*model, name, origin);
    return true;
}

kvscope::ModelLayout ConfigModel::layout() const {
    return m_imported ? m_imported->layout : kvscope::layoutFromShape(m_shape);
}

std::vector<Provenance> ConfigModel::provenance() const {
    return m_imported ? m_imported->provenance : std::vector<Provenance>{};
}

QStringList ConfigModel::warnings() const {
    QStringList list;
    if (m_imported) {
        for (const std::string &w : m_imported->warnings) list.append(QString::fromStdString(w));
    }
    return list;
}

void ConfigModel::setHiddenVariants(const QStringList &keys) {
    QStringList value = keys;
    value.removeDuplicates();
    value.sort();
    if (value == m_hiddenVariants) return;
    m_hiddenVariants = value;
    Q_EMIT hiddenVariantsChanged(m_hiddenVariants);
    emitEstimateChanged();  // the curves do not change, which of them are drawn does
}

QString ConfigModel::currentCurveName() const {
    const QString workload = u"%1, batch %2"_s.arg(dtype()).arg(batchSize());
    if (m_imported) return u"%1 (%2)"_s.arg(m_modelName, workload);
    if (!m_whatIfOf.isEmpty()) return u"%1 (%2)"_s.arg(whatIfName(), workload);
    return u"n_heads=%1, n_kv_groups=%2, n_layers=%3 (%4)"_s.arg(nHeads()).arg(nKvGroups()).arg(nLayers()).arg(workload);
}

std::optional<QString> ConfigModel::pinRefusal() const {
    if (m_pins.size() >= kMaxPins)
        return tr("%1 curves are pinned already, the most the chart shows.").arg(kMaxPins);
    const kvscope::ModelLayout current = layout();
    for (const Pin &pin : m_pins) {
        if (pin.layout == current && pin.workload == m_workload)
            return tr("This curve is pinned already, as \"%1\".").arg(pin.name);
    }
    return std::nullopt;
}

bool ConfigModel::pinCurrent(const QString &name) {
    // A named pin is another model compared (kvscope-cli --compare): two
    // models of one layout are still two entries.
    if (m_pins.size() >= kMaxPins || (name.isEmpty() && pinRefusal())) return false;
    const QString base = name.isEmpty() ? currentCurveName() : name;
    QString unique = base;
    // Two pins of one name still get their own legend entries.
    const QStringList names = pinNames();
    for (int n = 2; names.contains(unique); ++n) unique = u"%1 #%2"_s.arg(base).arg(n);
    Pin pin;
    pin.name = unique;
    pin.layout = layout();
    pin.workload = m_workload;
    pin.slot = -1;
    const kvscope::CompareModel model = ModelComparison::current(*this);
    pin.parameters = model.parameters;
    pin.weights_dtype = model.weights_dtype;
    pin.stored_weights_bytes = model.stored_weights_bytes;
    pin.model_dtype = model.model_dtype;
    pin.max_model_len = model.max_model_len;
    m_pins.append(pin);
    assignSlots(&m_pins);
    Q_EMIT pinsChanged();
    invalidate();
    return true;
}

void ConfigModel::assignSlots(QList<Pin> *pins) {
    QList<int> taken;
    for (Pin &pin : *pins) {
        if (pin.slot >= 0 && pin.slot < kMaxPins && !taken.contains(pin.slot)) {
            taken.append(pin.slot);
            continue;
        }
        pin.slot = -1;
    }
    for (Pin &pin : *pins) {
        if (pin.slot >= 0) continue;
        int slot = 0;
        while (taken.contains(slot)) ++slot;
        pin.slot = slot;
        taken.append(slot);
    }
}

void ConfigModel::unpin(int index) {
    if (index < 0 || index >= m_pins.size()) return;
    m_pins.removeAt(index);
    Q_EMIT pinsChanged();
    invalidate();
}

void ConfigModel::unpinAll() {
    if (m_pins.isEmpty()) return;
    m_pins.clear();
    Q_EMIT pinsChanged();
    invalidate();
}

bool ConfigModel::renamePin(int index, const QString &name) {
    const QString wanted = name.trimmed();
    if (index < 0 || index >= m_pins.size() || wanted.isEmpty()) return false;
    if (m_pins.at(index).name == wanted) return true;
    if (pinNames().contains(wanted)) return false;
    m_pins[index].name = wanted;
    Q_EMIT pinsChanged();
    invalidate();
    return true;
}

void ConfigModel::setPinHidden(int index, bool hidden) {
    if (index < 0 || index >= m_pins.size() || m_pins.at(index).hidden == hidden) return;
    m_pins[index].hidden = hidden;
    Q_EMIT pinsChanged();
    invalidate();
}

bool ConfigModel::pinHidden(int index) const { return index >= 0 && index < m_pins.size() && m_pins.at(index).hidden; }

void ConfigModel::movePin(int from, int to) {
    if (from < 0 || from >= m_pins.size() || to < 0 || to >= m_pins.size() || from == to) return;
    m_pins.move(from, to);
    Q_EMIT pinsChanged();
    invalidate();
}

std::vector<kvscope::CompareModel> ConfigModel::pinComparisons() const {
    std::vector<kvscope::CompareModel> models;
    for (const Pin &pin : m_pins) {
        kvscope::CompareModel model;
        model.name = pin.name.toStdString();
        model.layout = pin.layout;
        model.model_dtype = pin.model_dtype;
        model.max_model_len = pin.max_model_len;
        model.parameters = pin.parameters;
        model.weights_dtype = pin.weights_dtype;
        model.stored_weights_bytes = pin.stored_weights_bytes;
        models.push_back(std::move(model));
    }
    return models;
}

QStringList ConfigModel::pinNames() const {
    QStringList names;
    for (const Pin &pin : m_pins) names.append(pin.name);
    return names;
}

const std::vector<ModelCurve> &ConfigModel::pinnedCurves() const {
    recomputeIfStale();
    return m_pinnedCurves;
}

void ConfigModel::invalidate() {
    m_stale = true;
    emitEstimateChanged();
}

void ConfigModel::emitEstimateChanged() {
    if (m_notifyQueued) return;
    m_notifyQueued = true;
    QMetaObject::invokeMethod(
        this,
        [this] {
            m_notifyQueued = false;
            Q_EMIT estimateChanged();
        },
        Qt::QueuedConnection);
}

void ConfigModel::recomputeIfStale() const {
    if (!m_stale) return;
    m_stale = false;
    ++m_recomputeCount;
    m_estimate = kvscope::estimate(m_shape, m_workload);
    recomputePlan();
    // With a plan the chart reaches past the largest context that fits, so
    // the current curve's crossing of the budget is always on it.
    std::uint64_t chartContext = m_workload.context_length;
    if (m_plan && !m_plan->max_context_length.at_limit && m_plan->max_context_length.value > 0)
        chartContext = std::max(chartContext, m_plan->max_context_length.value / 2 + 1);
    m_chartContextLengths = kvscope::chartContextLengths(chartContext);
    std::vector<std::uint32_t> extra(m_extraGroups.begin(), m_extraGroups.end());
    m_contextPoints = kvscope::contextSweep(m_shape, m_workload, m_chartContextLengths, extra);
    m_groupPoints = kvscope::groupSweep(m_shape, m_workload);
    const kvscope::EngineSetup setup = engineSetup();
    m_layoutBytes = kvscope::layoutBytes(kvscope::engineLayout(layout(), setup), m_workload);
    m_pinnedCurves.clear();
    for (const Pin &pin : std::as_const(m_pins)) {
        if (pin.hidden) continue;
        const QString key = u"pin%1"_s.arg(pin.slot + 1);
        auto points = kvscope::layoutContextSweep(kvscope::engineLayout(pin.layout, setup), pin.workload,
                                                  m_chartContextLengths);
        if (points) m_pinnedCurves.push_back({key, pin.name, std::move(points).value()});
        if (m_plan) addBudgetCurve(key, pin.layout, pin.workload, false);
    }
    m_modelCurves.clear();
    if (!m_imported) {
        m_modelEstimate = kvscope::InputError{"model", "no model is loaded"};
        if (m_plan) {
            // The book's curves: MHA, the current GQA setting, the extras.
            kvscope::ModelShape shape = m_shape;
            auto addBook = [&](const QString &key, std::uint32_t groups) {
                shape.n_kv_groups = groups;
                addBudgetCurve(key, kvscope::layoutFromShape(shape), m_workload, true);
            };
            addBook(u"book_mha"_s, 1);
            addBook(u"book_gqa"_s, m_shape.n_kv_groups);
            for (int g : m_extraGroups) addBook(u"book_g%1"_s.arg(g), static_cast<std::uint32_t>(g));
        }
        return;
    }
    m_modelEstimate = ModelEstimate::compute(*m_imported, m_workload, setup);
    auto addCurve = [this, &setup](const QString &key, const QString &name, const kvscope::ModelLayout &curveLayout) {
        auto points =
            kvscope::layoutContextSweep(kvscope::engineLayout(curveLayout, setup), m_workload, m_chartContextLengths);
        // A variant past 64 bits has no curve rather than a wrapped one.
        if (!points) return;
        m_modelCurves.push_back({key, name, std::move(points).value()});
        if (m_plan) addBudgetCurve(key, curveLayout, m_workload, true);
    };
    addCurve(u"model"_s, m_modelName, m_imported->layout);
    for (const auto &variant : ModelEstimate::variantLayouts(m_imported->layout)) {
        if (variant.layout)
            addCurve(QString::fromStdString(variant.key), QString::fromStdString(variant.label), *variant.layout);
    }
}

const kvscope::Result<kvscope::LayoutBytes> &ConfigModel::layoutBytes() const {
    recomputeIfStale();
    return m_layoutBytes;
}

const kvscope::Result<ModelEstimate> &ConfigModel::modelEstimate() const {
    recomputeIfStale();
    return m_modelEstimate;
}

const std::vector<ModelCurve> &ConfigModel::modelCurves() const {
    recomputeIfStale();
    return m_modelCurves;
}

const kvscope::Result<kvscope::KvEstimate> &ConfigModel::estimate() const {
    recomputeIfStale();
    return m_estimate;
}

const std::vector<std::uint64_t> &ConfigModel::chartContextLengths() const {
    recomputeIfStale();
    return m_chartContextLengths;
}

const kvscope::Result<std::vector<kvscope::ContextPoint>> &ConfigModel::contextPoints() const {
    recomputeIfStale();
    return m_contextPoints;
}

const kvscope::Result<std::vector<kvscope::GroupPoint>> &ConfigModel::groupPoints() const {
    recomputeIfStale();
    return m_groupPoints;
}

std::vector<std::uint32_t> ConfigModel::validGroupCounts() const { return kvscope::validGroupCounts(m_shape.n_heads); }

QString ConfigModel::bookReport() const {
    const auto &result = estimate();
    if (!result) return QString::fromStdString(result.error().message);
    return QString::fromStdString(kvscope::bookReport(m_shape, m_workload, *result));
}

QStringList ConfigModel::saveSettings(QSettings &settings) const {
    // Pins keep their exact layout: the model they came from may be gone or
    // changed by the next start. Another window may have saved its own since
    // this one loaded: they are merged, not replaced.
    QStringList lost;
    const QList<Pin> pins = mergedPins(readPins(settings, &lost), m_savedPins, m_pins, &lost);
    m_savedPins = m_pins;
    QStringList unnamed;
    for (const QString &loss : lost) {
        if (!m_namedLosses.contains(loss)) unnamed.append(loss);
    }
    m_namedLosses = lost;

    settings.beginGroup(u"config"_s);
    settings.setValue(u"emb_dim"_s, embDim());
    settings.setValue(u"n_heads"_s, nHeads());
    settings.setValue(u"n_kv_groups"_s, nKvGroups());
    settings.setValue(u"n_layers"_s, nLayers());
    settings.setValue(u"head_dim"_s, explicitHeadDim());
    settings.setValue(u"context_length"_s, contextLength());
    settings.setValue(u"batch_size"_s, batchSize());
    settings.setValue(u"dtype"_s, dtype());
    settings.setValue(u"binary_units"_s, m_binaryUnits);
    QVariantList extra;
    for (int g : m_extraGroups) extra.append(g);
    settings.setValue(u"extra_groups"_s, extra);
    settings.setValue(u"model_origin"_s, m_modelOrigin);
    settings.setValue(u"model_name"_s, m_modelName);
    settings.setValue(u"hidden_variants"_s, m_hiddenVariants);
    settings.setValue(u"budget_enabled"_s, m_budgetEnabled);
    settings.setValue(u"gpu"_s, m_gpu);
    settings.setValue(u"gpu_count"_s, gpuCount());
    settings.setValue(u"custom_gpu_memory_gib"_s, customGpuMemoryGib());
    settings.setValue(u"gpu_utilization"_s, gpuUtilization());
    settings.setValue(u"weights_dtype"_s, weightsDtype());
    settings.setValue(u"parameters"_s, parameterOverride());
    settings.setValue(u"overhead_gib"_s, overheadGib());
    settings.setValue(u"block_size"_s, blockSize());
    settings.setValue(u"kv_budget_bytes"_s, kvBudgetBytes());
    settings.setValue(u"engine"_s, engine());
    const auto dtypeOrAuto = [](const std::optional<kvscope::DType> &dtype) {
        return dtype ? QString::fromLatin1(kvscope::dtypeName(*dtype)) : u"auto"_s;
    };
    settings.setValue(u"vllm/max_num_batched_tokens"_s, static_cast<int>(m_vllmOptions.max_num_batched_tokens));
    settings.setValue(u"vllm/async_scheduling"_s, m_vllmOptions.async_scheduling);
    settings.setValue(u"vllm/prefix_caching"_s, m_vllmOptions.prefix_caching);
    settings.setValue(u"vllm/disable_hybrid_kv_cache_manager"_s, m_vllmOptions.disable_hybrid_kv_cache_manager);
    settings.setValue(u"vllm/mamba_cache_dtype"_s, dtypeOrAuto(m_vllmOptions.mamba_cache_dtype));
    settings.setValue(u"vllm/mamba_ssm_cache_dtype"_s, dtypeOrAuto(m_vllmOptions.mamba_ssm_cache_dtype));
    settings.setValue(u"llamacpp/ubatch_size"_s, static_cast<int>(m_llamaCppOptions.n_ubatch));
    settings.setValue(u"llamacpp/batch_size"_s, static_cast<int>(m_llamaCppOptions.n_batch));
    settings.setValue(u"llamacpp/swa_full"_s, m_llamaCppOptions.swa_full);
    settings.setValue(u"llamacpp/kv_unified"_s, m_llamaCppOptions.kv_unified);
    settings.setValue(u"llamacpp/cache_type_v"_s, dtypeOrAuto(m_llamaCppOptions.type_v));
    settings.remove(u"pins"_s);
    settings.beginWriteArray(u"pins"_s, static_cast<int>(pins.size()));
    for (qsizetype i = 0; i < pins.size(); ++i) {
        const Pin &pin = pins.at(i);
        settings.setArrayIndex(static_cast<int>(i));
        settings.setValue(u"name"_s, pin.name);
        settings.setValue(u"dtype"_s, QString::fromLatin1(kvscope::dtypeName(pin.workload.dtype)));
        settings.setValue(u"batch_size"_s, static_cast<int>(pin.workload.batch_size));
        settings.setValue(u"context_length"_s, static_cast<qint64>(pin.workload.context_length));
        settings.setValue(u"slot"_s, pin.slot + 1);
        settings.setValue(u"hidden"_s, pin.hidden);
        settings.setValue(u"parameters"_s, static_cast<qint64>(pin.parameters.value_or(0)));
        settings.setValue(u"weights_dtype"_s, QString::fromLatin1(kvscope::dtypeName(pin.weights_dtype)));
        settings.setValue(u"stored_weights_bytes"_s, static_cast<qint64>(pin.stored_weights_bytes.value_or(0)));
        settings.setValue(u"model_dtype"_s, QString::fromLatin1(kvscope::dtypeName(pin.model_dtype)));
        settings.setValue(u"max_model_len"_s, static_cast<qint64>(pin.max_model_len));
        LayoutSettings::write(settings, pin.layout);
    }
    settings.endArray();
    settings.endGroup();
    return unnamed;
}

QList<ConfigModel::Pin> ConfigModel::mergedPins(QList<Pin> stored, const QList<Pin> &saved, const QList<Pin> &current,
                                                QStringList *notSaved) {
    // Nobody else saved since: this window's pins as they are (renamed,
    // hidden and moved ones included).
    if (stored == saved) return current;
    // One curve under one name, whatever its colour or visibility here or there.
    const auto samePin = [](const Pin &a, const Pin &b) {
        return a.name == b.name && a.layout == b.layout && a.workload == b.workload;
    };
    const auto holds = [&samePin](const QList<Pin> &pins, const Pin &pin) {
        return std::any_of(pins.cbegin(), pins.cend(), [&](const Pin &p) { return samePin(p, pin); });
    };
    // Unpinned here since the last load or save: gone from the file too.
    for (const Pin &pin : saved) {
        if (!holds(current, pin)) stored.removeIf([&](const Pin &p) { return samePin(p, pin); });
    }
    // Pinned here since then: after the file's own, once, under a name no
    // other pin there has.
    for (const Pin &pin : current) {
        if (holds(saved, pin) || holds(stored, pin)) continue;
        if (stored.size() >= kMaxPins) {
            notSaved->append(tr("pin \"%1\" not saved: %2 pins are saved already (another window's among them)")
                                 .arg(pin.name, QString::number(kMaxPins)));
            continue;
        }
        Pin added = pin;
        const auto taken = [&stored](const QString &name) {
            return std::any_of(stored.cbegin(), stored.cend(), [&name](const Pin &p) { return p.name == name; });
        };
        for (int n = 2; taken(added.name); ++n) added.name = u"%1 #%2"_s.arg(pin.name).arg(n);
        stored.append(added);
    }
    assignSlots(&stored);
    return stored;
}

QList<ConfigModel::Pin> ConfigModel::readPins(const QSettings &settings, QStringList *leftOut) {
    // A damaged pin is left out and named; the others and the rest of the
    // settings load. saveSettings() writes at most kMaxPins: a larger count
    // is damage, and only that many entries are read.
    QList<Pin> pins;
    const QVariant storedSize = settings.value(u"config/pins/size"_s);
    if (!storedSize.isValid()) return pins;
    const std::optional<std::uint64_t> size = LayoutSettings::unsignedValue(storedSize);
    if (!size) {
        leftOut->append(tr("every pin left out: config/pins/size %1 is not a count of pins")
                            .arg(LayoutSettings::shownValue(storedSize)));
        return pins;
    }
    if (*size > kMaxPins) {
        leftOut->append(tr("pins past the %1th left out: config/pins/size is %2, and at most %1 are kept")
                            .arg(kMaxPins)
                            .arg(fromStd(kvscope::formatThousands(*size))));
    }
    for (int i = 1; i <= static_cast<int>(std::min<std::uint64_t>(*size, kMaxPins)); ++i) {
        const QString prefix = u"config/pins/%1/"_s.arg(i);
        const QString name = settings.value(prefix + u"name"_s).toString().trimmed();
        const auto problem = [&](const QString &why) {
            const QString which = name.isEmpty() ? tr("pin %1").arg(i) : tr("pin %1 \"%2\"").arg(i).arg(name);
            leftOut->append(tr("%1 left out: %2").arg(which, why));
        };
        const auto whole = [&](const QString &key, std::uint64_t max) -> std::optional<std::uint64_t> {
            const QVariant stored = settings.value(prefix + key);
            const auto number = LayoutSettings::unsignedValue(stored);
            if (number && *number >= 1 && *number <= max) return number;
            problem(stored.isValid() ? tr("%1 %2 is not a whole number from 1 to %3")
                                           .arg(prefix + key, LayoutSettings::shownValue(stored),
                                                fromStd(kvscope::formatThousands(max)))
                                     : tr("%1 is missing").arg(prefix + key));
            return std::nullopt;
        };
        if (name.isEmpty()) {
            problem(tr("%1name is missing or empty").arg(prefix));
            continue;
        }
        const QVariant storedDtype = settings.value(prefix + u"dtype"_s);
        const auto dtype = kvscope::parseDType(storedDtype.toString().toStdString());
        if (!dtype) {
            problem(tr("%1dtype %2 is not one of %3")
                        .arg(prefix, LayoutSettings::shownValue(storedDtype), fromStd(kvscope::dtypeNameList())));
            continue;
        }
        const auto batch = whole(u"batch_size"_s, Limits::max_batch_size);
        if (!batch) continue;
        const auto context = whole(u"context_length"_s, Limits::max_context_length);
        if (!context) continue;
        auto layout = LayoutSettings::read(settings, prefix);
        if (!layout) {
            problem(fromStd(layout.error().message));
            continue;
        }
        Pin pin;
        pin.name = name;
        pin.layout = std::move(layout).value();
        pin.workload = kvscope::Workload{*context, static_cast<std::uint32_t>(*batch), *dtype};
        // Files from before pins had slots and plans: the first free slot, no parameter count.
        const auto slot = LayoutSettings::unsignedValue(settings.value(prefix + u"slot"_s));
        pin.slot = slot && *slot >= 1 && *slot <= kMaxPins ? static_cast<int>(*slot) - 1 : -1;
        pin.hidden = settings.value(prefix + u"hidden"_s, false).toBool();
        const auto parameters = LayoutSettings::unsignedValue(settings.value(prefix + u"parameters"_s));
        if (parameters && *parameters > 0) pin.parameters = *parameters;
        const auto stored = LayoutSettings::unsignedValue(settings.value(prefix + u"stored_weights_bytes"_s));
        if (stored && *stored > 0 && *stored <= kvscope::PlanLimits::max_weights_bytes) pin.stored_weights_bytes = *stored;
        const auto savedDtype = [&settings, &prefix](const QString &key) {
            return kvscope::parseDType(settings.value(prefix + key, u"bf16"_s).toString().toStdString());
        };
        pin.weights_dtype = savedDtype(u"weights_dtype"_s).value_or(kvscope::DType::bf16);
        pin.model_dtype = savedDtype(u"model_dtype"_s).value_or(kvscope::DType::bf16);
        const auto limit = LayoutSettings::unsignedValue(settings.value(prefix + u"max_model_len"_s));
        pin.max_model_len = limit.value_or(0);
        pins.append(std::move(pin));
    }
    assignSlots(&pins);
    return pins;
}

QStringList ConfigModel::loadSettings(const QSettings &settings) {
    // Values from disk go through the setters, so a damaged file can only
    // produce a clamped, valid configuration.
    auto value = [&settings](const QString &key, const QVariant &fallback) {
        return settings.value(u"config/"_s + key, fallback);
    };
    const kvscope::ModelShape defaults;
    const kvscope::Workload workloadDefaults;
    clearModel();
    setNHeads(value(u"n_heads"_s, defaults.n_heads).toInt());
    setEmbDim(value(u"emb_dim"_s, defaults.emb_dim).toInt());
    setNKvGroups(value(u"n_kv_groups"_s, defaults.n_kv_groups).toInt());
    setNLayers(value(u"n_layers"_s, defaults.n_layers).toInt());
    setExplicitHeadDim(value(u"head_dim"_s, 0).toInt());
    // The remembered model when it still loads; otherwise, silently, the book
    // shape saved beside it. Before the workload: loading sets the dtype.
    // The engine before the model: loading one takes the engine's default KV dtype.
    setEngine(value(u"engine"_s, u"vllm"_s).toString());
    const QString origin = value(u"model_origin"_s, QString()).toString();
    if (!origin.isEmpty()) reloadModel(origin, value(u"model_name"_s, QString()).toString());
    setContextLength(value(u"context_length"_s, static_cast<qint64>(workloadDefaults.context_length)).toLongLong());
    setBatchSize(value(u"batch_size"_s, workloadDefaults.batch_size).toInt());
    setDtype(value(u"dtype"_s, dtype()).toString());
    setBinaryUnits(value(u"binary_units"_s, false).toBool());
    QList<int> extra;
    const QVariantList stored = value(u"extra_groups"_s, QVariantList{}).toList();
    for (const QVariant &g : stored) extra.append(g.toInt());
    setExtraGroups(extra);
    setHiddenVariants(value(u"hidden_variants"_s, QStringList{}).toStringList());
    const ConfigModel budgetDefaults;
    const auto dtypeOrAuto = [&value](const QString &key) -> std::optional<kvscope::DType> {
        return kvscope::parseDType(value(key, u"auto"_s).toString().toStdString());
    };
    kvscope::VllmOptions vllm;
    vllm.max_num_batched_tokens = clamped<std::uint32_t>(value(u"vllm/max_num_batched_tokens"_s, 0).toLongLong(), 0, 1 << 24);
    vllm.async_scheduling = value(u"vllm/async_scheduling"_s, true).toBool();
    vllm.prefix_caching = value(u"vllm/prefix_caching"_s, true).toBool();
    vllm.disable_hybrid_kv_cache_manager = value(u"vllm/disable_hybrid_kv_cache_manager"_s, false).toBool();
    vllm.mamba_cache_dtype = dtypeOrAuto(u"vllm/mamba_cache_dtype"_s);
    vllm.mamba_ssm_cache_dtype = dtypeOrAuto(u"vllm/mamba_ssm_cache_dtype"_s);
    setVllmOptions(vllm);
    kvscope::LlamaCppOptions llamacpp;
    llamacpp.n_ubatch = clamped<std::uint32_t>(value(u"llamacpp/ubatch_size"_s, 512).toLongLong(), 1, 1 << 20);
    llamacpp.n_batch = clamped<std::uint32_t>(value(u"llamacpp/batch_size"_s, 2048).toLongLong(), 1, 1 << 20);
    llamacpp.swa_full = value(u"llamacpp/swa_full"_s, false).toBool();
    llamacpp.kv_unified = value(u"llamacpp/kv_unified"_s, false).toBool();
    llamacpp.type_v = dtypeOrAuto(u"llamacpp/cache_type_v"_s);
    setLlamaCppOptions(llamacpp);
    setGpu(value(u"gpu"_s, budgetDefaults.gpu()).toString());
    setGpuCount(value(u"gpu_count"_s, budgetDefaults.gpuCount()).toInt());
    setCustomGpuMemoryGib(value(u"custom_gpu_memory_gib"_s, budgetDefaults.customGpuMemoryGib()).toDouble());
    setGpuUtilization(value(u"gpu_utilization"_s, budgetDefaults.gpuUtilization()).toDouble());
    setWeightsDtype(value(u"weights_dtype"_s, budgetDefaults.weightsDtype()).toString());
    // After the model: loading one clears an entered count.
    setParameterOverride(value(u"parameters"_s, 0).toLongLong());
    setOverheadGib(value(u"overhead_gib"_s, 0.0).toDouble());
    setBlockSize(value(u"block_size"_s, budgetDefaults.blockSize()).toInt());
    setKvBudgetBytes(value(u"kv_budget_bytes"_s, 0).toLongLong());
    setBudgetEnabled(value(u"budget_enabled"_s, false).toBool());
    QStringList leftOut;
    QList<Pin> pins = readPins(settings, &leftOut);
    m_savedPins = pins;
    m_namedLosses = leftOut;
    if (!pins.isEmpty() || !m_pins.isEmpty()) {
        m_pins = std::move(pins);
        Q_EMIT pinsChanged();
        invalidate();
    }
    return leftOut;
}

// ---- Deployment planning ----------------------------------------------------

void ConfigModel::setBudgetEnabled(bool enabled) {
    if (enabled == m_budgetEnabled) return;
    m_budgetEnabled = enabled;
    Q_EMIT budgetEnabledChanged(enabled);
    invalidate();
}

void ConfigModel::setGpu(const QString &gpu) {
    QString value;
    if (gpu.compare(kCustomGpu, Qt::CaseInsensitive) == 0) {
        value = kCustomGpu;
    } else if (const kvscope::GpuPreset *preset = kvscope::findGpu(gpu.toStdString())) {
        value = QString::fromLatin1(preset->name.data(), static_cast<qsizetype>(preset->name.size()));
    } else {
        return;  // unknown names leave the choice as it was
    }
    if (value == m_gpu) return;
    m_gpu = value;
    Q_EMIT gpuChanged(m_gpu);
    invalidate();
}

QString ConfigModel::gpuLabel() const {
    if (const kvscope::GpuPreset *preset = m_gpu == kCustomGpu ? nullptr : kvscope::findGpu(m_gpu.toStdString()))
        return QString::fromLatin1(preset->label.data(), static_cast<qsizetype>(preset->label.size()));
    return tr("Custom GPU (%1)").arg(fromStd(kvscope::formatBytes(m_customMemoryBytes, byteUnit())));
}

void ConfigModel::setGpuCount(int count) {
    const auto value = clamped<std::uint32_t>(count, 1, PlanLimits::max_tensor_parallel);
    if (value == m_tensorParallel) return;
    m_tensorParallel = value;
    Q_EMIT gpuCountChanged(static_cast<int>(value));
    invalidate();
}

double ConfigModel::customGpuMemoryGib() const { return static_cast<double>(m_customMemoryBytes) / kGiB; }

void ConfigModel::setCustomGpuMemoryGib(double gib) {
    const std::uint64_t value = gibToBytes(gib, kMiB, PlanLimits::max_gpu_memory_bytes);
    if (value == m_customMemoryBytes) return;
    m_customMemoryBytes = value;
    Q_EMIT customGpuMemoryGibChanged(customGpuMemoryGib());
    invalidate();
}

void ConfigModel::setGpuUtilization(double fraction) {
    if (!std::isfinite(fraction)) return;
    const auto value = static_cast<std::uint32_t>(std::clamp<double>(
        std::round(fraction * 1e6), PlanLimits::min_utilization_ppm, PlanLimits::max_utilization_ppm));
    if (value == m_utilizationPpm) return;
    m_utilizationPpm = value;
    Q_EMIT gpuUtilizationChanged(gpuUtilization());
    invalidate();
}

QString ConfigModel::weightsDtype() const { return QString::fromLatin1(kvscope::dtypeName(m_weightsDtype)); }

void ConfigModel::setWeightsDtype(const QString &dtype) {
    const auto parsed = kvscope::parseDType(dtype.toStdString());
    if (!parsed || *parsed == m_weightsDtype) return;
    m_weightsDtype = *parsed;
    Q_EMIT weightsDtypeChanged(weightsDtype());
    invalidate();
}

void ConfigModel::setParameterOverride(qint64 parameters) {
    const auto value = clamped<std::uint64_t>(parameters, 0, static_cast<qint64>(PlanLimits::max_parameters));
    if (value == m_parameterOverride) return;
    m_parameterOverride = value;
    Q_EMIT parameterOverrideChanged(static_cast<qint64>(value));
    invalidate();
}

double ConfigModel::overheadGib() const { return static_cast<double>(m_overheadBytes) / kGiB; }

void ConfigModel::setOverheadGib(double gib) {
    const std::uint64_t value = gibToBytes(gib, 0, PlanLimits::max_gpu_memory_bytes);
    if (value == m_overheadBytes) return;
    m_overheadBytes = value;
    Q_EMIT overheadGibChanged(overheadGib());
    invalidate();
}

void ConfigModel::setBlockSize(int tokens) {
    // 0 (or less) is the engine's own; vLLM's block sizes are powers of two: snap down to one.
    const auto value = tokens <= 0 ? 0u : std::bit_floor(clamped<std::uint32_t>(tokens, 1, PlanLimits::max_block_size));
    if (value == m_blockSize) return;
    m_blockSize = value;
    Q_EMIT blockSizeChanged(static_cast<int>(value));
    invalidate();
}

void ConfigModel::setKvBudgetBytes(qint64 bytes) {
    const auto value = clamped<std::uint64_t>(bytes, 0, static_cast<qint64>(PlanLimits::max_gpu_memory_bytes));
    if (value == m_kvBudgetOverride) return;
    m_kvBudgetOverride = value;
    Q_EMIT kvBudgetBytesChanged(static_cast<qint64>(value));
    invalidate();
}

QString ConfigModel::engine() const { return fromStd(std::string(kvscope::engineName(m_engine))); }

void ConfigModel::setEngine(const QString &engine) {
    const auto parsed = kvscope::parseEngine(engine.toStdString());
    if (!parsed || *parsed == m_engine) return;  // unknown names leave the choice as it was
    // A utilization left at the old engine's default follows the new one's.
    const bool defaultUtilization = m_utilizationPpm == kvscope::defaultUtilizationPpm(m_engine);
    m_engine = *parsed;
    Q_EMIT engineChanged(this->engine());
    if (defaultUtilization) setGpuUtilization(kvscope::defaultUtilizationPpm(m_engine) / 1e6);
    invalidate();
}

void ConfigModel::setVllmOptions(const kvscope::VllmOptions &options) {
    kvscope::VllmOptions value = options;
    value.max_num_batched_tokens = std::min<std::uint32_t>(value.max_num_batched_tokens, 1u << 24);
    if (value == m_vllmOptions) return;
    m_vllmOptions = value;
    Q_EMIT engineOptionsChanged();
    invalidate();
}

void ConfigModel::setLlamaCppOptions(const kvscope::LlamaCppOptions &options) {
    kvscope::LlamaCppOptions value = options;
    value.n_ubatch = std::clamp<std::uint32_t>(value.n_ubatch, 1, 1u << 20);
    value.n_batch = std::clamp<std::uint32_t>(value.n_batch, 1, 1u << 20);
    if (value == m_llamaCppOptions) return;
    m_llamaCppOptions = value;
    Q_EMIT engineOptionsChanged();
    invalidate();
}

std::uint64_t ConfigModel::modelContextLimit() const {
    if (!m_imported) return 0;
    return m_imported->max_model_len.value_or(m_imported->max_position_embeddings.value_or(0));
}

kvscope::EngineSetup ConfigModel::engineSetup() const {
    kvscope::EngineSetup setup;
    setup.engine = m_engine;
    setup.vllm = m_vllmOptions;
    setup.llamacpp = m_llamaCppOptions;
    setup.model_dtype = kvscope::vllmModelDType(m_imported ? m_imported->torch_dtype : std::nullopt);
    if (m_budgetEnabled && m_kvBudgetOverride == 0) {
        const kvscope::Deployment d = deployment();
        setup.gpu_memory_bytes = d.gpu_memory_bytes;
        if (const kvscope::GpuPreset *preset = m_gpu == kCustomGpu ? nullptr : kvscope::findGpu(m_gpu.toStdString())) {
            setup.gpu_arch = preset->arch;
            setup.gpu_is_a100 = preset->name.starts_with("a100");
        }
    }
    setup.max_model_len = modelContextLimit();
    return setup;
}

void ConfigModel::setDeployment(const kvscope::Deployment &deployment, const QString &gpu) {
    setGpu(gpu);
    if (m_gpu == kCustomGpu) setCustomGpuMemoryGib(static_cast<double>(deployment.gpu_memory_bytes) / kGiB);
    setGpuCount(static_cast<int>(std::min(deployment.tensor_parallel, PlanLimits::max_tensor_parallel)));
    setGpuUtilization(deployment.utilization_ppm / 1e6);
    setWeightsDtype(QString::fromLatin1(kvscope::dtypeName(deployment.weights_dtype)));
    // Stored weights are the loaded model's own (deployment() uses them while no count is typed).
    setParameterOverride(deployment.stored_weights_bytes
                             ? 0
                             : static_cast<qint64>(std::min(deployment.parameters, PlanLimits::max_parameters)));
    setOverheadGib(static_cast<double>(deployment.overhead_bytes) / kGiB);
    setBlockSize(static_cast<int>(std::min(deployment.block_size, PlanLimits::max_block_size)));
    setKvBudgetBytes(static_cast<qint64>(std::min(deployment.kv_budget_bytes.value_or(0), PlanLimits::max_gpu_memory_bytes)));
    setBudgetEnabled(true);
}

ConfigModel::ParameterSource ConfigModel::parameterSource() const {
    if (m_parameterOverride > 0) return ParameterSource::Entered;
    if (m_imported) {
        if (!m_imported->parameters) return ParameterSource::Unknown;
        return m_modelOrigin.startsWith(u"preset:"_s) ? ParameterSource::Preset : ParameterSource::Config;
    }
    return ParameterSource::Computed;
}

std::optional<std::uint64_t> ConfigModel::parameters() const {
    if (m_parameterOverride > 0) return m_parameterOverride;
    if (m_imported) return m_imported->parameters;
    // The book's GPTModel: GPT-2's vocabulary, a 4x MLP, an untied head.
    const std::uint32_t headDim = kvscope::headDim(m_shape);
    const std::uint32_t kvHeads = m_shape.n_heads / std::max<std::uint32_t>(m_shape.n_kv_groups, 1);
    const auto count = kvscope::denseParameterCount(
        kvscope::bookDenseShape(m_shape.emb_dim, m_shape.n_heads, kvHeads, headDim, m_shape.n_layers));
    if (!count) return std::nullopt;
    return *count;
}

kvscope::Deployment ConfigModel::deployment() const {
    kvscope::Deployment d;
    if (m_gpu == kCustomGpu) {
        d.gpu_memory_bytes = m_customMemoryBytes;
    } else if (const kvscope::GpuPreset *preset = kvscope::findGpu(m_gpu.toStdString())) {
        d.gpu_memory_bytes = preset->memory_bytes;
    }
    d.utilization_ppm = m_utilizationPpm;
    d.tensor_parallel = m_tensorParallel;
    d.parameters = parameters().value_or(0);
    d.weights_dtype = m_weightsDtype;
    // A model file's exact weights, unless the user typed a count of their own.
    if (m_parameterOverride == 0 && m_imported) d.stored_weights_bytes = m_imported->weights_bytes;
    d.overhead_bytes = m_overheadBytes;
    if (m_kvBudgetOverride > 0) d.kv_budget_bytes = m_kvBudgetOverride;
    d.block_size = m_blockSize;
    return d;
}

const kvscope::Result<kvscope::Plan> &ConfigModel::plan() const {
    recomputeIfStale();
    return m_plan;
}

bool ConfigModel::chartPerGpu() const { return plan().ok() && m_tensorParallel > 1; }

const std::vector<ConfigModel::BudgetCurve> &ConfigModel::budgetCurves() const {
    recomputeIfStale();
    return m_budgetCurves;
}

const ConfigModel::BudgetCurve *ConfigModel::budgetCurve(const QString &key) const {
    for (const BudgetCurve &curve : budgetCurves()) {
        if (curve.key == key) return &curve;
    }
    return nullptr;
}

void ConfigModel::recomputePlan() const {
    m_budgetCurves.clear();
    if (!m_budgetEnabled) {
        m_plan = kvscope::InputError{"gpu", "no GPU is chosen"};
        return;
    }
    if (!parameters() && m_kvBudgetOverride == 0) {
        m_plan = kvscope::InputError{
            "parameters", m_modelName.toStdString() +
                              " does not state its parameter count: enter it to size the weights"};
        return;
    }
    m_plan = kvscope::plan(layout(), m_workload, deployment(), engineSetup(), byteUnit());
}

void ConfigModel::addBudgetCurve(const QString &key, const kvscope::ModelLayout &curveLayout,
                                 const kvscope::Workload &workload, bool marker) const {
    const kvscope::EngineSetup setup = engineSetup();
    if (kvscope::validateTensorParallel(curveLayout, m_tensorParallel, m_engine)) return;  // does not split over these GPUs
    const kvscope::ModelLayout stored = kvscope::engineLayout(curveLayout, setup);
    BudgetCurve curve;
    curve.key = key;
    if (m_tensorParallel > 1) {
        if (m_engine == kvscope::Engine::Vllm) {
            auto perGpu = kvscope::layoutPerGpu(stored, m_tensorParallel);
            if (!perGpu) return;
            auto points = kvscope::layoutContextSweep(*perGpu, workload, m_chartContextLengths);
            if (!points) return;
            curve.per_gpu = std::move(points).value();
            const auto atContext = kvscope::layoutTotalBytes(*perGpu, workload);
            curve.per_gpu_at_context = atContext ? *atContext : 0;
        } else {
            // llama.cpp places whole layers on each GPU: an even share of the whole.
            auto points = kvscope::layoutContextSweep(stored, workload, m_chartContextLengths);
            if (!points) return;
            const std::uint64_t n = m_tensorParallel;
            curve.per_gpu = std::move(points).value();
            for (kvscope::LayoutPoint &point : curve.per_gpu) point.bytes = point.bytes / n + (point.bytes % n != 0);
            const auto atContext = kvscope::layoutTotalBytes(stored, workload);
            curve.per_gpu_at_context = atContext ? *atContext / n + (*atContext % n != 0) : 0;
        }
    }
    if (marker) {
        const auto allocation = kvscope::kvAllocation(curveLayout, workload.dtype, setup, m_tensorParallel,
                                                      m_plan->kv_budget_bytes, m_blockSize);
        if (allocation) {
            curve.max_context = kvscope::maxContextLength(*allocation, workload.batch_size);
            if (curve.max_context->value > 0) {
                const auto held =
                    kvscope::allocatedBytesPerGpu(*allocation, curve.max_context->value, workload.batch_size);
                curve.paged_bytes = held ? *held : 0;
            }
        }
    }
    m_budgetCurves.push_back(std::move(curve));
}

QString ConfigModel::budgetFieldLabel(const std::string &field) {
    if (field == "gpu" || field == "gpu_memory") return tr("GPU memory");
    if (field == "tensor_parallel") return tr("GPUs");
    if (field == "gpu_utilization") return tr("Utilization");
    if (field == "parameters") return tr("Parameters");
    if (field == "block_size") return tr("Block size");
    if (field == "overhead") return tr("Overhead");
    if (field == "kv_budget_bytes") return tr("KV budget");
    return fromStd(field);
}

// ---- Undo ----------------------------------------------------------------

bool operator==(const ConfigModel::Snapshot &a, const ConfigModel::Snapshot &b) {
    return a.shape == b.shape && a.workload == b.workload && a.binary_units == b.binary_units &&
           a.extra_groups == b.extra_groups && a.model_serial == b.model_serial && a.model_name == b.model_name &&
           a.model_origin == b.model_origin && a.what_if_of == b.what_if_of && a.what_if_base == b.what_if_base &&
           a.hidden_variants == b.hidden_variants && a.pins == b.pins && a.budget_enabled == b.budget_enabled &&
           a.gpu == b.gpu && a.tensor_parallel == b.tensor_parallel &&
           a.custom_memory_bytes == b.custom_memory_bytes && a.utilization_ppm == b.utilization_ppm &&
           a.weights_dtype == b.weights_dtype && a.parameter_override == b.parameter_override &&
           a.overhead_bytes == b.overhead_bytes && a.block_size == b.block_size &&
           a.kv_budget_override == b.kv_budget_override && a.engine == b.engine &&
           a.vllm_options == b.vllm_options && a.llama_cpp_options == b.llama_cpp_options;
}

ConfigModel::Snapshot ConfigModel::snapshot() const {
    Snapshot state;
    state.shape = m_shape;
    state.workload = m_workload;
    state.binary_units = m_binaryUnits;
    state.extra_groups = m_extraGroups;
    state.imported = m_imported;
    state.model_serial = m_modelSerial;
    state.model_name = m_modelName;
    state.model_origin = m_modelOrigin;
    state.what_if_of = m_whatIfOf;
    state.what_if_base = m_whatIfBase;
    state.hidden_variants = m_hiddenVariants;
    state.pins = m_pins;
    state.budget_enabled = m_budgetEnabled;
    state.gpu = m_gpu;
    state.tensor_parallel = m_tensorParallel;
    state.custom_memory_bytes = m_customMemoryBytes;
    state.utilization_ppm = m_utilizationPpm;
    state.weights_dtype = m_weightsDtype;
    state.parameter_override = m_parameterOverride;
    state.overhead_bytes = m_overheadBytes;
    state.block_size = m_blockSize;
    state.kv_budget_override = m_kvBudgetOverride;
    state.engine = m_engine;
    state.vllm_options = m_vllmOptions;
    state.llama_cpp_options = m_llamaCppOptions;
    return state;
}

void ConfigModel::restore(const Snapshot &state) {
    const Snapshot before = snapshot();
    if (before == state) return;
    // Every value first, then the signals: a view reacting to one reads the
    // others already restored.
    m_shape = state.shape;
    m_workload = state.workload;
    m_binaryUnits = state.binary_units;
    m_extraGroups = state.extra_groups;
    m_imported = state.imported;
    m_modelSerial = state.model_serial;
    m_modelName = state.model_name;
    m_modelOrigin = state.model_origin;
    m_whatIfOf = state.what_if_of;
    m_whatIfBase = state.what_if_base;
    m_hiddenVariants = state.hidden_variants;
    m_pins = state.pins;
    m_budgetEnabled = state.budget_enabled;
    m_gpu = state.gpu;
    m_tensorParallel = state.tensor_parallel;
    m_customMemoryBytes = state.custom_memory_bytes;
    m_utilizationPpm = state.utilization_ppm;
    m_weightsDtype = state.weights_dtype;
    m_parameterOverride = state.parameter_override;
    m_overheadBytes = state.overhead_bytes;
    m_blockSize = state.block_size;
    m_kvBudgetOverride = state.kv_budget_override;
    m_engine = state.engine;
    m_vllmOptions = state.vllm_options;
    m_llamaCppOptions = state.llama_cpp_options;

    const bool modelChanges = before.model_serial != state.model_serial || before.model_name != state.model_name ||
                              before.what_if_of != state.what_if_of;
    if (modelChanges) Q_EMIT modelChanged();
    if (before.shape.n_heads != state.shape.n_heads) Q_EMIT nHeadsChanged(nHeads());
    if (before.shape.emb_dim != state.shape.emb_dim) Q_EMIT embDimChanged(embDim());
    if (before.shape.n_kv_groups != state.shape.n_kv_groups) Q_EMIT nKvGroupsChanged(nKvGroups());
    if (before.shape.n_layers != state.shape.n_layers) Q_EMIT nLayersChanged(nLayers());
    if (before.shape.head_dim != state.shape.head_dim) Q_EMIT explicitHeadDimChanged(explicitHeadDim());
    if (before.workload.context_length != state.workload.context_length) Q_EMIT contextLengthChanged(contextLength());
    if (before.workload.batch_size != state.workload.batch_size) Q_EMIT batchSizeChanged(batchSize());
    if (before.workload.dtype != state.workload.dtype) Q_EMIT dtypeChanged(dtype());
    if (before.binary_units != state.binary_units) Q_EMIT binaryUnitsChanged(m_binaryUnits);
    if (before.extra_groups != state.extra_groups) Q_EMIT extraGroupsChanged(m_extraGroups);
    if (before.hidden_variants != state.hidden_variants) Q_EMIT hiddenVariantsChanged(m_hiddenVariants);
    if (before.pins != state.pins) Q_EMIT pinsChanged();
    if (before.engine != state.engine) Q_EMIT engineChanged(engine());
    if (before.vllm_options != state.vllm_options || before.llama_cpp_options != state.llama_cpp_options)
        Q_EMIT engineOptionsChanged();
    if (before.gpu != state.gpu) Q_EMIT gpuChanged(m_gpu);
    if (before.tensor_parallel != state.tensor_parallel) Q_EMIT gpuCountChanged(gpuCount());
    if (before.custom_memory_bytes != state.custom_memory_bytes)
        Q_EMIT customGpuMemoryGibChanged(customGpuMemoryGib());
    if (before.utilization_ppm != state.utilization_ppm) Q_EMIT gpuUtilizationChanged(gpuUtilization());
    if (before.weights_dtype != state.weights_dtype) Q_EMIT weightsDtypeChanged(weightsDtype());
    if (before.parameter_override != state.parameter_override) Q_EMIT parameterOverrideChanged(parameterOverride());
    if (before.overhead_bytes != state.overhead_bytes) Q_EMIT overheadGibChanged(overheadGib());
    if (before.block_size != state.block_size) Q_EMIT blockSizeChanged(blockSize());
    if (before.kv_budget_override != state.kv_budget_override) Q_EMIT kvBudgetBytesChanged(kvBudgetBytes());
    if (before.budget_enabled != state.budget_enabled) Q_EMIT budgetEnabledChanged(m_budgetEnabled);
    invalidate();
}

QStringList ConfigModel::describeChanges(const Snapshot &before, const Snapshot &after, ChangeScope scope) {
    QStringList changes;
    auto change = [&changes](const QString &field, const QString &from, const QString &to) {
        if (from != to) changes.append(u"%1 %2 → %3"_s.arg(field, from, to));
    };
    auto number = [](std::uint64_t value) { return fromStd(kvscope::formatThousands(value)); };
    auto dtypeText = [](kvscope::DType dtype) { return QString::fromLatin1(kvscope::dtypeName(dtype)); };
    auto optionalDtype = [&dtypeText](const std::optional<kvscope::DType> &dtype) {
        return dtype ? dtypeText(*dtype) : u"auto"_s;
    };
    auto onOff = [](bool on) { return on ? u"on"_s : u"off"_s; };

    const bool everything = scope == ChangeScope::Everything;
    if (everything && (before.model_serial != after.model_serial || before.model_name != after.model_name)) {
        if (after.imported)
            changes.append(before.imported ? u"model %1 → %2"_s.arg(before.model_name, after.model_name)
                                           : u"model %1 loaded"_s.arg(after.model_name));
        else if (before.imported && after.what_if_of.isEmpty())
            changes.append(u"model %1 unloaded"_s.arg(before.model_name));
    }
    if (everything) {
        if (after.what_if_of != before.what_if_of && !after.what_if_of.isEmpty())
            changes.append(u"%1 became a what-if"_s.arg(after.what_if_of));
        change(u"n_heads"_s, number(before.shape.n_heads), number(after.shape.n_heads));
        change(u"n_kv_groups"_s, number(before.shape.n_kv_groups), number(after.shape.n_kv_groups));
        change(u"n_layers"_s, number(before.shape.n_layers), number(after.shape.n_layers));
        change(u"emb_dim"_s, number(before.shape.emb_dim), number(after.shape.emb_dim));
        change(u"head_dim"_s, before.shape.head_dim ? number(*before.shape.head_dim) : u"derived"_s,
               after.shape.head_dim ? number(*after.shape.head_dim) : u"derived"_s);
    }
    change(u"context"_s, number(before.workload.context_length), number(after.workload.context_length));
    change(u"batch"_s, number(before.workload.batch_size), number(after.workload.batch_size));
    change(u"dtype"_s, dtypeText(before.workload.dtype), dtypeText(after.workload.dtype));
    change(u"units"_s, before.binary_units ? u"GiB"_s : u"GB"_s, after.binary_units ? u"GiB"_s : u"GB"_s);
    if (before.extra_groups != after.extra_groups) changes.append(u"extra GQA curves"_s);
    if (before.hidden_variants != after.hidden_variants) changes.append(u"what-if curves shown"_s);
    if (before.pins != after.pins) {
        if (after.pins.size() > before.pins.size())
            changes.append(u"pinned %1"_s.arg(after.pins.constLast().name));
        else if (after.pins.size() < before.pins.size())
            changes.append(after.pins.isEmpty() ? u"unpinned all"_s : u"unpinned a curve"_s);
        else
            changes.append(u"pins"_s);
    }
    change(u"GPU"_s, before.budget_enabled ? before.gpu : u"none"_s, after.budget_enabled ? after.gpu : u"none"_s);
    change(u"GPUs"_s, number(before.tensor_parallel), number(after.tensor_parallel));
    change(u"GPU memory"_s, gibText(before.custom_memory_bytes), gibText(after.custom_memory_bytes));
    change(u"utilization"_s, QString::number(before.utilization_ppm / 1e6), QString::number(after.utilization_ppm / 1e6));
    change(u"weights"_s, dtypeText(before.weights_dtype), dtypeText(after.weights_dtype));
    change(u"parameters"_s, number(before.parameter_override), number(after.parameter_override));
    change(u"overhead"_s, gibText(before.overhead_bytes), gibText(after.overhead_bytes));
    change(u"block size"_s, number(before.block_size), number(after.block_size));
    change(u"KV budget bytes"_s, number(before.kv_budget_override), number(after.kv_budget_override));
    change(u"engine"_s, fromStd(std::string(kvscope::engineName(before.engine))),
           fromStd(std::string(kvscope::engineName(after.engine))));
    const kvscope::VllmOptions &v0 = before.vllm_options, &v1 = after.vllm_options;
    change(u"tokens per step"_s, number(v0.max_num_batched_tokens), number(v1.max_num_batched_tokens));
    change(u"async scheduling"_s, onOff(v0.async_scheduling), onOff(v1.async_scheduling));
    change(u"prefix caching"_s, onOff(v0.prefix_caching), onOff(v1.prefix_caching));
    change(u"hybrid KV cache manager"_s, onOff(!v0.disable_hybrid_kv_cache_manager),
           onOff(!v1.disable_hybrid_kv_cache_manager));
    change(u"state dtype"_s, optionalDtype(v0.mamba_cache_dtype), optionalDtype(v1.mamba_cache_dtype));
    change(u"SSM state dtype"_s, optionalDtype(v0.mamba_ssm_cache_dtype), optionalDtype(v1.mamba_ssm_cache_dtype));
    const kvscope::LlamaCppOptions &l0 = before.llama_cpp_options, &l1 = after.llama_cpp_options;
    change(u"-b"_s, number(l0.n_batch), number(l1.n_batch));
    change(u"-ub"_s, number(l0.n_ubatch), number(l1.n_ubatch));
    change(u"--swa-full"_s, onOff(l0.swa_full), onOff(l1.swa_full));
    change(u"--kv-unified"_s, onOff(l0.kv_unified), onOff(l1.kv_unified));
    change(u"--cache-type-v"_s, optionalDtype(l0.type_v), optionalDtype(l1.type_v));
    return changes;
}
