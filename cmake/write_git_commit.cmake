# Run at every build (cmake -P): writes OUT with the source tree's `git describe`, and only
# when it changed, so a results file names the commit the binary was built from rather than
# the one CMake was last configured at, without rebuilding anything on an unchanged tree.
execute_process(COMMAND git -C "${SOURCE_DIR}" describe --always --dirty=+dirty
                OUTPUT_VARIABLE commit OUTPUT_STRIP_TRAILING_WHITESPACE
                ERROR_QUIET RESULT_VARIABLE failed)
# A tree without .git (a container build's context) names its commit in RERANKD_GIT_COMMIT.
if((failed OR commit STREQUAL "") AND NOT "$ENV{RERANKD_GIT_COMMIT}" STREQUAL "")
  set(commit "$ENV{RERANKD_GIT_COMMIT}")
elseif(failed OR commit STREQUAL "")
  set(commit "unknown")
endif()
set(text "#define RERANKD_GIT_COMMIT \"${commit}\"\n")
if(EXISTS "${OUT}")
  file(READ "${OUT}" old)
endif()
if(NOT old STREQUAL text)
  file(WRITE "${OUT}" "${text}")
endif()
