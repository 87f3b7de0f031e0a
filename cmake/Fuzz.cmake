# -DKILN_FUZZ=ON (with clang, in build-fuzz; ci/fuzz.sh) adds the libFuzzer targets of fuzz/.
# Every library is compiled with libFuzzer's coverage instrumentation so the fuzzer sees the
# code it drives; the sanitizers come from KILN_SANITIZE (cmake/Sanitize.cmake).
option(KILN_FUZZ "Build the libFuzzer targets of fuzz/ (clang only)" OFF)

if(KILN_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "KILN_FUZZ needs clang (libFuzzer): configure with -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()
