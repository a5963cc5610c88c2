#include "ModelComparison.h"

#include "ConfigModel.h"
#include "kvscope/engine.h"

using namespace Qt::StringLiterals;

namespace ModelComparison {

kvscope::CompareModel fromImported(const ImportedModel &model, const QString &name,
                                   std::optional<kvscope::DType> weightsDtype) {
    kvscope::CompareModel compared;
    compared.name = name.toStdString();
    compared.layout = model.layout;
    compared.model_dtype = kvscope::vllmModelDType(model.torch_dtype);
    compared.max_model_len = model.max_model_len.value_or(0);
    compared.parameters = model.parameters;
    compared.weights_dtype = weightsDtype.value_or(kvscope::vllmModelDType(model.torch_dtype));
    // The file's exact bytes, unless a weight format was asked for.
    if (!weightsDtype) compared.stored_weights_bytes = model.weights_bytes;
    return compared;
}

kvscope::CompareModel current(const ConfigModel &config) {
    const kvscope::EngineSetup setup = config.engineSetup();
    kvscope::CompareModel model;
    model.name = config.hasModel() ? config.modelName().toStdString() : std::string("book shape");
    model.layout = config.layout();
    model.model_dtype = setup.model_dtype;
    model.max_model_len = setup.max_model_len;
    model.parameters = config.parameters();
    const kvscope::Deployment deployment = config.deployment();
    model.weights_dtype = deployment.weights_dtype;
    model.stored_weights_bytes = deployment.stored_weights_bytes;
    return model;
}

kvscope::CompareBase base(const ConfigModel &config) {
    kvscope::CompareBase base;
    base.workload = config.workload();
    base.setup = config.engineSetup();
    if (config.budgetEnabled()) base.deployment = config.deployment();
    return base;
}

kvscope::Result<std::vector<kvscope::CompareRow>> rows(const ConfigModel &config,
                                                       std::span<const kvscope::CompareModel> others) {
    std::vector<kvscope::CompareModel> models{current(config)};
    models.insert(models.end(), others.begin(), others.end());
    return kvscope::compareModels(base(config), models);
}

}  // namespace ModelComparison
