#include "ReportSetup.h"

#include "ConfigImporter.h"
#include "ConfigModel.h"
#include "ModelFile.h"
#include "PresetLibrary.h"
#include "kvscope/dtype.h"
#include "kvscope/format.h"
#include "kvscope/gpu.h"

using namespace Qt::StringLiterals;

QString ReportSetup::Model::shownName() const {
    return isPreset || sourceKind == u"huggingface"_s ? label : ConfigImporter::displayName(label);
}

namespace {

// "built-in preset (<source>)", as --model names it.
QString presetOrigin(const QString &name) {
    const auto library = PresetLibrary::builtin();
    const Preset *preset = library ? library->find(name) : nullptr;
    return u"built-in preset ("_s + (preset ? preset->source : QString()) + u')';
}

QString parametersSource(ConfigModel::ParameterSource source) {
    switch (source) {
    case ConfigModel::ParameterSource::Entered: return u"--parameters"_s;
    case ConfigModel::ParameterSource::Preset: return u"preset"_s;
    case ConfigModel::ParameterSource::Config: return u"config"_s;
    case ConfigModel::ParameterSource::Computed: return u"book_shape"_s;
    case ConfigModel::ParameterSource::Unknown: return {};
    }
    return {};
}

}  // namespace

ReportSetup ReportSetup::of(const ConfigModel &config) {
    ReportSetup setup;
    setup.shape = config.shape();
    setup.workload = config.workload();
    setup.engine = config.engineSetup();
    setup.binaryUnits = config.binaryUnits();
    if (const ImportedModel *imported = config.importedModel()) {
        Model model;
        const QString origin = config.modelOrigin();
        const QString presetPrefix = ConfigModel::originForPreset(QString());
        model.isPreset = origin.startsWith(presetPrefix);
        model.label = model.isPreset ? origin.mid(presetPrefix.size()) : origin;
        if (model.isPreset) {
            model.origin = presetOrigin(model.label);
        } else if (origin.startsWith(u"hf:"_s)) {
            const QString repoAtCommit = origin.mid(3);
            model.label = repoAtCommit.section(u'@', 0, 0);
            model.origin = u"Hugging Face cache, snapshot "_s + repoAtCommit.section(u'@', 1).left(12);
            model.sourceKind = u"huggingface"_s;
        } else {
            // As kvscope-cli names the same file or folder.
            switch (ModelFile::kind(origin)) {
            case ModelFile::Kind::Gguf: model.origin = u"GGUF file"_s; model.sourceKind = u"gguf"_s; break;
            case ModelFile::Kind::Folder: model.origin = u"model folder"_s; model.sourceKind = u"folder"_s; break;
            case ModelFile::Kind::Config: model.origin = u"config.json file"_s; break;
            }
        }
        model.imported = *imported;
        const kvscope::DType dtype = setup.workload.dtype;
        model.dtypeSource = dtype == kvscope::defaultKvDType(setup.engine.engine, imported->torch_dtype)
                                ? defaultDtypeSource(setup.engine.engine, *imported, dtype)
                                : u"--dtype"_s;
        setup.model = std::move(model);
    }
    if (config.budgetEnabled()) {
        Planning planning;
        planning.hasBudget = true;
        planning.deployment = config.deployment();
        if (planning.deployment.kv_budget_bytes) {
            // A budget given directly sets the GPU aside, as --kv-budget-bytes
            // alone does.
            planning.deployment.gpu_memory_bytes = 0;
        } else if (config.gpu() == ConfigModel::kCustomGpu) {
            planning.customMemory = true;
            planning.gpuLabel = u"custom GPU"_s;
        } else if (const kvscope::GpuPreset *gpu = kvscope::findGpu(config.gpu().toStdString())) {
            planning.gpuName = QString::fromUtf8(gpu->name);
            planning.gpuLabel = QString::fromUtf8(gpu->label);
        }
        planning.parameters = config.parameters();
        planning.parametersSource = parametersSource(config.parameterSource());
        if (!planning.parameters) planning.parametersSource.clear();
        if (planning.deployment.stored_weights_bytes && config.importedModel()) {
            planning.storedWeightsFormat = QString::fromStdString(config.importedModel()->weights_format);
            planning.weightsDtypeSource = u"the model's files (as stored)"_s;
        }
        setup.planning = std::move(planning);
    }
    return setup;
}

QString ReportSetup::defaultDtypeSource(kvscope::Engine engine, const ImportedModel &imported, kvscope::DType dtype) {
    if (engine == kvscope::Engine::LlamaCpp) return u"llama.cpp's default K cache type (-ctk f16)"_s;
    if (imported.torch_dtype && *imported.torch_dtype == dtype)
        return u"vLLM's default: the model dtype, the config's torch_dtype"_s;
    return u"vLLM's default: the model dtype, "_s + QString::fromUtf8(kvscope::dtypeName(dtype)) +
           (imported.torch_dtype ? u" (a float32 checkpoint is served in bf16)"_s
                                 : u" (the config names no torch_dtype: vLLM assumes float32, served in bf16)"_s);
}

kvscope::ModelLayout ReportSetup::layout() const {
    return model ? model->imported.layout : kvscope::layoutFromShape(shape);
}

std::vector<std::string> ReportSetup::engineWarnings() const {
    std::vector<std::string> warnings;
    if (engine.max_model_len != 0 && workload.context_length > engine.max_model_len) {
        warnings.push_back("--context_length " + kvscope::formatThousands(workload.context_length) +
                           " is past the model's context limit of " + kvscope::formatThousands(engine.max_model_len) +
                           " tokens (max_model_len): " +
                           (engine.engine == kvscope::Engine::Vllm
                                ? "vLLM refuses a longer --max-model-len"
                                : "llama.cpp runs it but warns, and its server caps each sequence at the model's "
                                  "training context"));
    }
    const kvscope::ModelLayout layers = layout();
    const std::string &unsupported = engine.engine == kvscope::Engine::Vllm ? layers.hints.vllm_unsupported
                                                                             : layers.hints.llamacpp_unsupported;
    if (!unsupported.empty()) {
        warnings.push_back(std::string(kvscope::engineLabel(engine.engine)) + " " +
                           std::string(kvscope::engineVersion(engine.engine)) + " does not run this model: " +
                           unsupported);
    }
    if (auto e = kvscope::checkEngineKvDType(engine.engine, workload.dtype)) warnings.push_back(e->message);
    return warnings;
}
