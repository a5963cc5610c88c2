#include "ConfigModel.h"

#include <QSettings>
#include <algorithm>

#include "ConfigImporter.h"
#include "PresetLibrary.h"
#include "kvscope/dtype.h"
#include "kvscope/format.h"
#include "kvscope/validation.h"

using namespace Qt::StringLiterals;
using kvscope::Limits;

namespace {

template <class T>
T clamped(qint64 value, qint64 low, qint64 high) {
    return static_cast<T>(std::clamp(value, low, high));
}

}  // namespace

ConfigModel::ConfigModel(QObject *parent)
    : QObject(parent),
      m_estimate(kvscope::InputError{}),
      m_contextPoints(kvscope::InputError{}),
      m_groupPoints(kvscope::InputError{}),
      m_layoutBytes(kvscope::InputError{}),
      m_modelEstimate(kvscope::InputError{}) {}

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
    // Bytes do not change, but every displayed number does.
    emitEstimateChanged();
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
    setConfig(kvscope::ModelShape{}, kvscope::Workload{});
    setBinaryUnits(false);
    setExtraGroups({});
}

void ConfigModel::shapeEdited() {
    if (!m_imported || m_applyingModel) return;
    const QString name = m_modelName;
    clearModel();
    Q_EMIT modelClearedByShapeEdit(name);
}

QString ConfigModel::originForPreset(const QString &name) { return u"preset:"_s + name; }

void ConfigModel::loadModel(const ImportedModel &model, const QString &displayName, const QString &origin) {
    m_applyingModel = true;
    kvscope::Workload workload = m_workload;
    // The config's own dtype is the natural KV dtype, as in kvscope-cli.
    if (model.torch_dtype) workload.dtype = *model.torch_dtype;
    setConfig(model.shape, workload);
    m_applyingModel = false;
    m_imported = model;
    m_modelName = displayName;
    m_modelOrigin = origin;
    Q_EMIT modelChanged();
    invalidate();
}

void ConfigModel::clearModel() {
    if (!m_imported) return;
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
    const auto model = ConfigImporter::fromFile(origin);
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
    return u"n_heads=%1, n_kv_groups=%2, n_layers=%3 (%4)"_s.arg(nHeads()).arg(nKvGroups()).arg(nLayers()).arg(workload);
}

bool ConfigModel::pinCurrent() {
    if (m_pins.size() >= kMaxPins) return false;
    QString name = currentCurveName();
    // Two pins of one configuration still get their own legend entries.
    const QStringList names = pinNames();
    for (int n = 2; names.contains(name); ++n) name = u"%1 #%2"_s.arg(currentCurveName()).arg(n);
    m_pins.append({name, layout(), m_workload});
    Q_EMIT pinsChanged();
    invalidate();
    return true;
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
    m_chartContextLengths = kvscope::chartContextLengths(m_workload.context_length);
    std::vector<std::uint32_t> extra(m_extraGroups.begin(), m_extraGroups.end());
    m_contextPoints = kvscope::contextSweep(m_shape, m_workload, m_chartContextLengths, extra);
    m_groupPoints = kvscope::groupSweep(m_shape, m_workload);
    m_layoutBytes = kvscope::layoutBytes(layout(), m_workload);
    m_pinnedCurves.clear();
    for (qsizetype i = 0; i < m_pins.size(); ++i) {
        const Pin &pin = m_pins.at(i);
        auto points = kvscope::layoutContextSweep(pin.layout, pin.workload, m_chartContextLengths);
        if (points) m_pinnedCurves.push_back({u"pin%1"_s.arg(i + 1), pin.name, std::move(points).value()});
    }
    m_modelCurves.clear();
    if (!m_imported) {
        m_modelEstimate = kvscope::InputError{"model", "no model is loaded"};
        return;
    }
    m_modelEstimate = ModelEstimate::compute(*m_imported, m_workload);
    auto addCurve = [this](const QString &key, const QString &name, const kvscope::ModelLayout &curveLayout) {
        auto points = kvscope::layoutContextSweep(curveLayout, m_workload, m_chartContextLengths);
        // A variant past 64 bits has no curve rather than a wrapped one.
        if (points) m_modelCurves.push_back({key, name, std::move(points).value()});
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

void ConfigModel::saveSettings(QSettings &settings) const {
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
    settings.endGroup();
}

void ConfigModel::loadSettings(const QSettings &settings) {
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
}
