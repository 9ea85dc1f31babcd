#include "engine/model_fit.h"

#include <string>

namespace rerankd::engine {

Result<text::TokenizeOptions> resolve_tokenize_options(const text::TokenizeOptions& requested,
                                                       const model::BertConfig& config) {
  text::TokenizeOptions options = requested;
  const auto model_limit = static_cast<int>(config.max_sequence_length());
  if (options.max_length == 0) options.max_length = model_limit;
  if (options.max_length < 4) {
    return invalid_argument(
        "max_length " + std::to_string(options.max_length) +
        " is too small: a pair needs at least [CLS] and two [SEP] plus a token");
  }
  if (options.max_length > model_limit) {
    return invalid_argument("max_length " + std::to_string(options.max_length) +
                            " exceeds the model's limit of " + std::to_string(model_limit) +
                            " tokens (max_position_embeddings " +
                            std::to_string(config.max_position_embeddings) + ")");
  }
  return options;
}

Status check_tokenizer_fits_model(const text::Tokenizer& tokenizer,
                                  const model::BertConfig& config) {
  if (tokenizer.vocab_size() > config.vocab_size) {
    return failed_precondition("the tokenizer has " + std::to_string(tokenizer.vocab_size()) +
                               " tokens but the model's vocab_size is " +
                               std::to_string(config.vocab_size));
  }
  return {};
}

}  // namespace rerankd::engine
