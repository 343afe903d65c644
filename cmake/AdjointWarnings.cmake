# Warning and sanitizer flags shared by every target of the project.
#
# adj_target_flags(TARGET [SANITIZE]) applies the project's warnings (and -Werror
# under ADJ_WERROR); with SANITIZE it also compiles and links with ASan+UBSan, whose
# LeakSanitizer runs at exit. UBSan does not recover: the first report fails the test.
set(ADJ_WARNINGS
  -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes
  -Wpointer-arith -Wcast-qual -Wwrite-strings -Wvla -Wformat=2)
set(ADJ_SANITIZE_FLAGS
  -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)

function(adj_target_flags target)
  cmake_parse_arguments(ARG "SANITIZE" "" "" ${ARGN})
  target_compile_options(${target} PRIVATE ${ADJ_WARNINGS})
  if(ADJ_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
  if(ARG_SANITIZE)
    target_compile_options(${target} PRIVATE ${ADJ_SANITIZE_FLAGS} -O1)
    target_link_options(${target} PRIVATE ${ADJ_SANITIZE_FLAGS})
  endif()
endfunction()

# The variants to build: "" is the plain build, "_asan" the sanitized one.
set(ADJ_VARIANTS "")
if(ADJ_SANITIZE)
  list(APPEND ADJ_VARIANTS "_asan")
endif()
