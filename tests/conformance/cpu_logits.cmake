# cpu-backend (fp32) logit conformance against Hugging Face transformers, same fixture as the
# reference backend's; only when the cpu backend is built (oneDNN found).
if(TARGET rerankd_backend_cpu)
  rerankd_add_test(cpu_logits_test
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/cpu_logits_test.cc ${CMAKE_CURRENT_LIST_DIR}/logit_fixture.cc
    LIBS rerankd_backend rerankd_model rerankd_text simdjson::simdjson
    FIXTURES test_models)
endif()
