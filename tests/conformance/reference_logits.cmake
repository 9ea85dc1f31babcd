# Reference-backend logit conformance against Hugging Face transformers
# (fixture: tests/fixtures/logits/minilm_l6_random.jsonl, from tools/make_logit_fixtures.py).
rerankd_add_test(reference_logits_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/reference_logits_test.cc ${CMAKE_CURRENT_LIST_DIR}/logit_fixture.cc
  LIBS rerankd_backend rerankd_model rerankd_text simdjson::simdjson
  FIXTURES test_models)
