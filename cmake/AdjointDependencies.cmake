# Find adjoint's dependencies; each failure names the Debian package that supplies it
# (scripts/setup.sh installs them all).
#
# libclang: CMake's find_package(Clang) is unreliable on Debian (its config ships with
# clang-N, and its target has no include dirs), so search /usr/lib/llvm-N directly,
# newest first. libclang >= 17 is required for clang_getCursorBinaryOperatorKind.
set(ADJ_LLVM_VERSIONS 21 20 19 18 17)
set(_llvm_roots "")
foreach(v ${ADJ_LLVM_VERSIONS})
  list(APPEND _llvm_roots /usr/lib/llvm-${v})
endforeach()

find_path(LIBCLANG_INCLUDE_DIR clang-c/Index.h
  PATHS ${_llvm_roots} PATH_SUFFIXES include NO_DEFAULT_PATH)
find_library(LIBCLANG_LIBRARY NAMES clang
  PATHS ${_llvm_roots} PATH_SUFFIXES lib NO_DEFAULT_PATH)
if(NOT LIBCLANG_INCLUDE_DIR OR NOT LIBCLANG_LIBRARY)
  message(FATAL_ERROR
    "libclang >= 17 not found (looked in ${_llvm_roots}).\n"
    "Install it with: apt-get install libclang-19-dev   (or run scripts/setup.sh)")
endif()
get_filename_component(LIBCLANG_ROOT "${LIBCLANG_INCLUDE_DIR}" DIRECTORY)
file(STRINGS "${LIBCLANG_INCLUDE_DIR}/clang-c/Index.h" _minor
  REGEX "^#define CINDEX_VERSION_MINOR [0-9]+")
string(REGEX MATCH "[0-9]+$" LIBCLANG_CINDEX_MINOR "${_minor}")
if(LIBCLANG_CINDEX_MINOR LESS 64)
  message(FATAL_ERROR
    "libclang at ${LIBCLANG_ROOT} is too old (CINDEX_VERSION_MINOR ${LIBCLANG_CINDEX_MINOR};"
    " need libclang 17 or newer for operator kinds).\n"
    "Install it with: apt-get install libclang-19-dev")
endif()
message(STATUS "libclang: ${LIBCLANG_LIBRARY} (CINDEX 0.${LIBCLANG_CINDEX_MINOR})")

# The resource directory lets libclang find clang's own headers (stddef.h, ...).
file(GLOB _resdirs "${LIBCLANG_ROOT}/lib/clang/*")
list(SORT _resdirs)
list(REVERSE _resdirs)
list(GET _resdirs 0 LIBCLANG_RESOURCE_DIR)
if(NOT EXISTS "${LIBCLANG_RESOURCE_DIR}/include/stddef.h")
  message(FATAL_ERROR "clang resource headers not found under ${LIBCLANG_ROOT}/lib/clang.\n"
    "Install them with: apt-get install libclang-19-dev libclang-common-19-dev")
endif()

# CBLAS (OpenBLAS) for the runtime's matmul.
find_path(CBLAS_INCLUDE_DIR cblas.h
  PATHS /usr/include/x86_64-linux-gnu/openblas-pthread /usr/include/openblas
        /usr/include/aarch64-linux-gnu/openblas-pthread)
find_library(CBLAS_LIBRARY NAMES openblas
  PATHS /usr/lib/x86_64-linux-gnu/openblas-pthread /usr/lib/aarch64-linux-gnu/openblas-pthread)
if(NOT CBLAS_INCLUDE_DIR OR NOT CBLAS_LIBRARY)
  message(FATAL_ERROR "OpenBLAS (cblas.h, libopenblas) not found.\n"
    "Install it with: apt-get install libopenblas-dev   (or run scripts/setup.sh)")
endif()

# SLEEF for vectorized transcendental functions.
find_path(SLEEF_INCLUDE_DIR sleef.h)
find_library(SLEEF_LIBRARY NAMES sleef)
if(NOT SLEEF_INCLUDE_DIR OR NOT SLEEF_LIBRARY)
  message(FATAL_ERROR "SLEEF (sleef.h, libsleef) not found.\n"
    "Install it with: apt-get install libsleef-dev   (or run scripts/setup.sh)")
endif()

find_package(Threads REQUIRED)

# ADOL-C, the AD tool the benchmarks (testsuite/bench/adbench) compare with.
find_path(ADOLC_INCLUDE_DIR adolc/adolc.h)
find_library(ADOLC_LIBRARY NAMES adolc)
if(ADJ_TESTS AND (NOT ADOLC_INCLUDE_DIR OR NOT ADOLC_LIBRARY))
  message(FATAL_ERROR "ADOL-C (adolc/adolc.h, libadolc) not found; the benchmarks need it.\n"
    "Install it with: apt-get install libadolc-dev   (or run scripts/setup.sh)")
endif()

# Test tools: FileCheck and lit from llvm-N-tools, and python3 to run lit.
if(ADJ_TESTS)
  find_program(FILECHECK FileCheck PATHS ${_llvm_roots} PATH_SUFFIXES bin NO_DEFAULT_PATH)
  find_file(LIT_PY lit.py PATHS ${_llvm_roots} PATH_SUFFIXES build/utils/lit NO_DEFAULT_PATH)
  find_program(NOT_TOOL not PATHS ${_llvm_roots} PATH_SUFFIXES bin NO_DEFAULT_PATH)
  if(NOT FILECHECK OR NOT LIT_PY OR NOT NOT_TOOL)
    message(FATAL_ERROR "FileCheck, not or lit.py not found.\n"
      "Install them with: apt-get install llvm-19-tools   (or run scripts/setup.sh)")
  endif()
  find_program(PYTHON3 python3 REQUIRED)
  # A second compiler for generated code: gcc and clang must both accept it.
  find_program(CLANG_CC NAMES clang-19 clang-18 clang-17 clang)
  find_program(GCC_CC NAMES gcc)
  if(NOT CLANG_CC OR NOT GCC_CC)
    message(FATAL_ERROR "gcc and clang are both needed to test generated code.\n"
      "Install them with: apt-get install build-essential clang-19")
  endif()
endif()
