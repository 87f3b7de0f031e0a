# The linker every program and shared library is linked with (-fuse-ld=). Relinking the 35
# programs and libkiln with GNU ld took about 58 s of wall time on the 2-core machine, with mold
# about 16 s (docs/bench.md, "Linkers"). KILN_LINKER=auto, the default, takes the first the
# compiler can use of mold (Debian's mold package, which ci/setup.sh installs), lld and gold, and
# otherwise, silently, the compiler's own default (GNU ld). A name (mold, lld, gold, bfd) asks for
# that linker and stops the configure if the compiler cannot use it; "default" passes no -fuse-ld.
set(KILN_LINKER "auto" CACHE STRING "Linker for -fuse-ld= (auto: mold, lld or gold, the first usable; default: no -fuse-ld; or a name)")

include(CheckLinkerFlag)
if(KILN_LINKER STREQUAL "auto")
  foreach(candidate IN ITEMS mold lld gold)
    check_linker_flag(CXX -fuse-ld=${candidate} KILN_LINKER_${candidate}_WORKS)
    if(KILN_LINKER_${candidate}_WORKS)
      add_link_options(-fuse-ld=${candidate})
      break()
    endif()
  endforeach()
elseif(NOT KILN_LINKER STREQUAL "default")
  string(MAKE_C_IDENTIFIER "KILN_LINKER_${KILN_LINKER}_WORKS" works)
  check_linker_flag(CXX -fuse-ld=${KILN_LINKER} ${works})
  if(NOT ${works})
    message(FATAL_ERROR "KILN_LINKER=${KILN_LINKER}: the C++ compiler cannot link with -fuse-ld=${KILN_LINKER}")
  endif()
  add_link_options(-fuse-ld=${KILN_LINKER})
endif()
