# Run at every build (cmake -P): writes OUT with the source tree's `git describe`, and only
# when it changed, so a results file names the commit the binary was built from rather than
# the one CMake was last configured at, without rebuilding anything on an unchanged tree.
execute_process(COMMAND git -C "${SOURCE_DIR}" describe --always --dirty=+dirty
                OUTPUT_VARIABLE commit OUTPUT_STRIP_TRAILING_WHITESPACE
                ERROR_QUIET RESULT_VARIABLE failed)
if(failed OR commit STREQUAL "")
  set(commit "unknown")
endif()
set(text "#define RERANKD_GIT_COMMIT \"${commit}\"\n")
if(EXISTS "${OUT}")
  file(READ "${OUT}" old)
endif()
if(NOT old STREQUAL text)
  file(WRITE "${OUT}" "${text}")
endif()
