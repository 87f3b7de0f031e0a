# -DKILN_SANITIZE=address,undefined builds everything with those sanitizers (ci/sanitize.sh),
# except what links fully static: ASan and UBSan's runtimes cannot be linked with -static, and
# kiln-probe, the bundle launcher and the static test program must stay static to run in
# scratch images; nor can the dynamic test program, whose images hold only glibc and libm.
# Those targets call kiln_without_sanitizers(); kiln-probe also gets its own
# unsanitized copies of the libraries it links (probe/CMakeLists.txt).
set(KILN_SANITIZE "" CACHE STRING "Sanitizers for every non-static target, e.g. address,undefined (empty: none)")

if(KILN_SANITIZE)
  # Recovering from UB would print and carry on; the test suite must fail on the first finding.
  add_compile_options(-fsanitize=${KILN_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=${KILN_SANITIZE})
endif()

function(kiln_without_sanitizers target)
  if(KILN_SANITIZE)
    target_compile_options(${target} PRIVATE -fno-sanitize=all)
    target_link_options(${target} PRIVATE -fno-sanitize=all)
  endif()
endfunction()
