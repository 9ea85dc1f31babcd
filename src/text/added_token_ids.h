// The ids Hugging Face gives added tokens. Both `tokenizers` (tokenizer.json's "added_tokens")
// and transformers (tokenizer_config.json's "added_tokens_decoder") give a token the
// vocabulary's id when its content is in the vocabulary, and otherwise the next id past the
// vocabulary and the added tokens before it, whatever id the file wrote: tokenizers 0.23 turns
// {"id": 90, "content": "<x>"} over a 7-token vocabulary into id 7, and "<s>" written as 90 over
// a vocabulary holding "<s>" at 0 into 0. Real files agree with that; fuzz_tokenizer_json made
// one that did not, and rerankd then emitted the written id, past what the model check saw.
#pragma once

#include <cstdint>
#include <vector>

#include "text/added_tokens.h"
#include "text/vocab.h"

namespace rerankd::text {

// Appends `token` to `added` with the id Hugging Face gives it (the id it carries is ignored);
// a content already in `added` is not added twice, as Hugging Face adds it once.
void add_added_token(const Vocab& vocab, AddedToken token, std::vector<AddedToken>& added);

// How many ids a tokenizer with `vocab` and `added` can produce: the vocabulary's and one per
// added token past it (Hugging Face's get_vocab_size(with_added_tokens=True)).
std::int32_t id_space(const Vocab& vocab, const std::vector<AddedToken>& added);

// The added token with `id`, null when none has it.
const AddedToken* find_added_token(const std::vector<AddedToken>& added, std::int32_t id);

}  // namespace rerankd::text
