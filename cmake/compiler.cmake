# Warnings, sanitizers and fuzzing flags shared by every target.

add_library(bgpd_build_flags INTERFACE)
target_compile_options(bgpd_build_flags INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion
  -Wnon-virtual-dtor -Wimplicit-fallthrough)
if(BGPD_WERROR)
  target_compile_options(bgpd_build_flags INTERFACE -Werror)
endif()
if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  # clang 14 with libstdc++ 12: Boost.Asio does not detect coroutine support
  # by itself (see ../shared/design/environment.md).
  target_compile_definitions(bgpd_build_flags INTERFACE
    BOOST_ASIO_HAS_CO_AWAIT=1 BOOST_ASIO_HAS_STD_COROUTINE=1)
endif()
# Boost 1.74 Asio needs <utility> before its headers and warns about
# deprecated bind placeholders otherwise.
target_compile_definitions(bgpd_build_flags INTERFACE
  BOOST_BIND_GLOBAL_PLACEHOLDERS BOOST_ASIO_NO_DEPRECATED)

if(BGPD_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "BGPD_FUZZ needs clang (libFuzzer); use -DCMAKE_CXX_COMPILER=clang++-14")
  endif()
  set(BGPD_SANITIZE ON)
endif()

if(BGPD_SANITIZE)
  set(bgpd_san_flags -fsanitize=address,undefined -fno-sanitize-recover=undefined
      -fno-omit-frame-pointer)
  add_compile_options(${bgpd_san_flags})
  add_link_options(${bgpd_san_flags})
endif()

# bgpd_module(<name> SOURCES ... [DEPS ...]) - one library per module.
function(bgpd_module name)
  cmake_parse_arguments(M "" "" "SOURCES;DEPS" ${ARGN})
  add_library(${name} STATIC ${M_SOURCES})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(${name} PUBLIC ${M_DEPS} PRIVATE bgpd_build_flags)
endfunction()

# Adds each listed subdirectory that exists yet; modules arrive one issue at
# a time and the list names the whole layout of docs/architecture.md.
macro(bgpd_add_existing_subdirs)
  foreach(dir ${ARGN})
    if(EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/${dir}/CMakeLists.txt)
      add_subdirectory(${dir})
    endif()
  endforeach()
endmacro()
