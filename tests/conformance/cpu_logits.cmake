# cpu-backend logit conformance against Hugging Face transformers, same fixture as the
# reference backend's; only when the cpu backend is built (oneDNN found).
if(TARGET rerankd_backend_cpu)
  rerankd_add_test(cpu_logits_test
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/cpu_logits_test.cc
    LIBS rerankd_conformance_support
    FIXTURES test_models)
  # Issue 14's reduced-precision bounds on the trained stand-in model (shared/data), against cpu
  # fp32, and cpu fp32 against transformers on it; skipped, saying so, when the model is absent.
  rerankd_add_test(trained_model_accuracy_test
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/trained_model_accuracy_test.cc
    LIBS rerankd_conformance_support simdjson::simdjson)
endif()
