// config.json text for a BertConfig, with the keys transformers' BertConfig saves, so
// BertForSequenceClassification.from_pretrained reads it as it would its own save.
#pragma once

#include <string>
#include <string_view>

#include "model/bert_config.h"

namespace rerankd::model {

std::string hf_config_json(const BertConfig& config, std::string_view name_or_path);

}  // namespace rerankd::model
