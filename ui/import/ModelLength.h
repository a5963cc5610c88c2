#pragma once

#include "ConfigReader.h"
#include "ImportedModel.h"

// The model's context limit as vLLM derives max_model_len from config.json
// (vllm/transformers_utils/model_arch_config_convertor.py
// derive_max_model_len_and_key, then vllm/config/model.py
// _get_and_verify_max_len): the smallest length key of the text config
// (model_max_length wins when present), 2048 with a warning when there is
// none, then times the RoPE scaling factor. Sets model.max_model_len and its
// provenance; leaves r failed on a malformed key.
void readMaxModelLen(ConfigReader &r, ImportedModel &model);
