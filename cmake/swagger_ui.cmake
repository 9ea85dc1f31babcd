# rerankd_embed_swagger_ui(OUT_VAR): rules that turn the vendored Swagger UI
# (third_party/swagger-ui) into C++ sources in the current binary directory, for GET /docs;
# OUT_VAR gets their paths. Used by src/http and by the fuzz build's copy of its sources.
function(rerankd_embed_swagger_ui out_var)
  set(swagger_dir ${PROJECT_SOURCE_DIR}/third_party/swagger-ui)
  set(sources)
  foreach(pair "swagger-ui-bundle.js;swagger_ui_bundle_js" "swagger-ui.css;swagger_ui_css")
    list(GET pair 0 file)
    list(GET pair 1 symbol)
    set(out ${CMAKE_CURRENT_BINARY_DIR}/embedded_${symbol}.cc)
    add_custom_command(OUTPUT ${out}
      COMMAND ${CMAKE_COMMAND} -DINPUT=${swagger_dir}/${file} -DOUTPUT=${out} -DNAME=${symbol}
              -P ${PROJECT_SOURCE_DIR}/cmake/embed_file.cmake
      DEPENDS ${swagger_dir}/${file} ${PROJECT_SOURCE_DIR}/cmake/embed_file.cmake
      COMMENT "Embedding ${file}")
    list(APPEND sources ${out})
  endforeach()
  set(${out_var} ${sources} PARENT_SCOPE)
endfunction()
