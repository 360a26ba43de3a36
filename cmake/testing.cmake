# Test registration helpers. Labels follow the table in DEVELOPERS.md:
# unit, vectors, fuzz run in the sanitized build; interop, tls, ao, vm, rekey,
# lab, library in the release build; bench is run by hand.

include(GoogleTest)
set(BGPD_SANITIZED_LABELS unit vectors fuzz)
add_custom_target(sanitized_checks)

# bgpd_gtest(<name> LABEL <label> SOURCES ... LIBS ...)
# One GoogleTest binary; each TEST becomes one ctest entry with the label.
function(bgpd_gtest name)
  cmake_parse_arguments(T "" "LABEL" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE ${T_LIBS} GTest::gtest GTest::gmock
                        GTest::gtest_main bgpd_build_flags)
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR})
  target_compile_definitions(${name} PRIVATE
    BGPD_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    BGPD_SHARED_DIR="${PROJECT_SOURCE_DIR}/../shared")
  bgpd_label_target(${name} ${T_LABEL})
  # A sanitized-label binary is left out of the release flavour's build, so
  # it registers no tests there (discovery would add an unlabeled
  # <name>_NOT_BUILT entry); build it by hand to run it with g++.
  if(T_LABEL IN_LIST BGPD_SANITIZED_LABELS AND NOT BGPD_SANITIZE)
    return()
  endif()
  gtest_discover_tests(${name} PROPERTIES LABELS ${T_LABEL} DISCOVERY_TIMEOUT 60)
endfunction()

# Sanitized-label binaries are built by the sanitize flavour only (target
# sanitized_checks); the release flavour leaves them out of "all".
function(bgpd_label_target target label)
  if(label IN_LIST BGPD_SANITIZED_LABELS)
    add_dependencies(sanitized_checks ${target})
    if(NOT BGPD_SANITIZE)
      set_target_properties(${target} PROPERTIES EXCLUDE_FROM_ALL TRUE)
    endif()
  endif()
endfunction()

# bgpd_fuzz_target(<name> SOURCE <file> LIBS ... CORPUS <dir>)
# ctest entry (label fuzz) replays the corpus, then fuzzes for
# BGPD_FUZZ_SECONDS (default 10; CI length, the long run is documented in
# docs/testing.md).
set(BGPD_FUZZ_SECONDS 10 CACHE STRING "Seconds of fuzzing per target in ctest")
function(bgpd_fuzz_target name)
  cmake_parse_arguments(F "" "SOURCE;CORPUS" "LIBS" ${ARGN})
  if(NOT BGPD_FUZZ)
    return()
  endif()
  add_executable(${name} ${F_SOURCE})
  target_compile_options(${name} PRIVATE -fsanitize=fuzzer)
  target_link_options(${name} PRIVATE -fsanitize=fuzzer)
  target_link_libraries(${name} PRIVATE ${F_LIBS} bgpd_build_flags)
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR})
  bgpd_label_target(${name} fuzz)
  add_test(NAME ${name}
    COMMAND ${PROJECT_SOURCE_DIR}/tests/fuzz/run_fuzz_target.sh
            $<TARGET_FILE:${name}> ${F_CORPUS} ${BGPD_FUZZ_SECONDS})
  set_tests_properties(${name} PROPERTIES LABELS fuzz TIMEOUT 300)
endfunction()

# bgpd_bench(<name> SOURCES ... LIBS ...) - Google Benchmark, label bench.
function(bgpd_bench name)
  cmake_parse_arguments(B "" "" "SOURCES;LIBS" ${ARGN})
  if(NOT BGPD_BENCH OR BGPD_SANITIZE)
    return()
  endif()
  add_executable(${name} ${B_SOURCES})
  target_link_libraries(${name} PRIVATE ${B_LIBS} benchmark::benchmark bgpd_build_flags)
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR})
  target_compile_definitions(${name} PRIVATE BGPD_SHARED_DIR="${PROJECT_SOURCE_DIR}/../shared")
endfunction()
