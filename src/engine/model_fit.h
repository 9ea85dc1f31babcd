// Checks that a tokenizer and tokenize options fit the loaded model, shared by the
// synchronous Reranker and the serving engine so both refuse the same things the same way.
#pragma once

#include "common/result.h"
#include "model/bert_config.h"
#include "text/tokenizer.h"

namespace rerankd::engine {

// max_length 0 means "what the model allows"; more than it allows is a configuration error,
// caught at start rather than as a backend failure on the first long pair.
Result<text::TokenizeOptions> resolve_tokenize_options(const text::TokenizeOptions& requested,
                                                       const model::BertConfig& config);

// Token ids index the model's embedding table; a tokenizer with more tokens than the table
// would read past it.
Status check_tokenizer_fits_model(const text::Tokenizer& tokenizer,
                                  const model::BertConfig& config);

}  // namespace rerankd::engine
