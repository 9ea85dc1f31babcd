# tokenizer conformance tests (owned by the tokenizer work)
