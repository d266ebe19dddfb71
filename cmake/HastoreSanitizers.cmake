# Sanitizer and fuzzing builds: tools/test.sh's extra stages configure build directories of
# their own with these (the normal build sets neither).
#   HASTORE_SANITIZE=address,undefined   every target built and linked with -fsanitize=...
#                                        (undefined behaviour aborts: -fno-sanitize-recover)
#   HASTORE_SANITIZE=thread              ThreadSanitizer
#   HASTORE_FUZZ=ON                      clang only: every target instrumented for libFuzzer
#                                        (plus address,undefined unless HASTORE_SANITIZE says
#                                        otherwise), and the fuzz targets of tests/fuzz
if(HASTORE_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "HASTORE_FUZZ needs clang (libFuzzer): configure with -DCMAKE_CXX_COMPILER=clang++-14")
  endif()
  if(NOT HASTORE_SANITIZE)
    set(HASTORE_SANITIZE address,undefined)
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()
if(HASTORE_SANITIZE)
  add_compile_options(-fsanitize=${HASTORE_SANITIZE} -fno-omit-frame-pointer)
  add_link_options(-fsanitize=${HASTORE_SANITIZE})
  if(HASTORE_SANITIZE MATCHES "undefined")
    add_compile_options(-fno-sanitize-recover=undefined)
    add_link_options(-fno-sanitize-recover=undefined)
  endif()
endif()
