# cuda-backend (fp16, bf16) logit conformance and ranking agreement; built when the cuda
# backend is, run only on a GPU machine (label cuda; scripts/test.sh excludes it).
if(TARGET rerankd_backend_cuda)
  rerankd_add_test(cuda_logits_test
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/cuda_logits_test.cc
    LIBS rerankd_conformance_support
    LABELS cuda
    FIXTURES test_models)
  # The same bounds as trained_model_accuracy_test for the cuda dtypes (needs the cpu backend
  # for its fp32 baseline).
  if(TARGET rerankd_backend_cpu)
    rerankd_add_test(trained_model_accuracy_cuda_test
      SOURCES ${CMAKE_CURRENT_LIST_DIR}/trained_model_accuracy_cuda_test.cc
      LIBS rerankd_conformance_support
      LABELS cuda)
  endif()
endif()
