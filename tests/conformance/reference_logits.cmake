# Reference-backend logit conformance against Hugging Face transformers
# (fixture: tests/fixtures/logits/minilm_l6_random.jsonl, from tools/make_logit_fixtures.py),
# and the Kendall tau arithmetic the reduced-precision backends are judged by.
rerankd_add_test(reference_logits_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/reference_logits_test.cc
          ${CMAKE_CURRENT_LIST_DIR}/ranking_agreement_test.cc
  LIBS rerankd_conformance_support
  FIXTURES test_models)

# XLM-R (XLMRobertaForSequenceClassification) logits on the reference and cpu backends against
# transformers (fixture: tests/fixtures/logits/xlmr_random.jsonl).
rerankd_add_test(xlmr_logits_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/xlmr_logits_test.cc
  LIBS rerankd_conformance_support
  FIXTURES test_models)
