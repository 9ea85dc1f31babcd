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

# The same int8 bounds on the path CPUs without VNNI take (7-bit weights, the feed-forward
# wide): oneDNN capped at AVX2 runs it on any x86 machine, so CI checks it wherever it runs.
if(TARGET trained_model_accuracy_test)
  add_test(NAME TrainedModelAccuracy.Int8WithoutVnni
           COMMAND trained_model_accuracy_test --gtest_filter=*cpu_int8*)
  set_tests_properties(TrainedModelAccuracy.Int8WithoutVnni PROPERTIES
                       ENVIRONMENT "ONEDNN_MAX_CPU_ISA=AVX2;DNNL_MAX_CPU_ISA=AVX2" TIMEOUT 900)
endif()
