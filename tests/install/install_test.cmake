# Installs hastore into a scratch prefix and uses it from outside the tree, as an embedder or an
# operator would:
#  - the installed headers are exactly the public ones (PUBLIC_HEADERS below), the installed
#    libraries exactly the public ones (with their SONAME links when shared);
#  - the installed `hastore` runs from the prefix (no LD_LIBRARY_PATH) and prints the version;
#  - with find_package(hastore): one program per public library, linking that library alone,
#    and examples/embed.cc, built (consumer/CMakeLists.txt) and run;
#  - with pkg-config (hastore-<library>.pc): the same programs compiled and linked with nothing
#    but the flags `pkg-config --cflags --libs` gives, and run;
#  - README.md shows examples/embed.cc verbatim.
# Inputs: SOURCE_DIR, BINARY_DIR, WORK_DIR, CXX (the compiler), OBJDUMP, VERSION, SOVERSION, SHARED (the
# build's BUILD_SHARED_LIBS), BINDIR, LIBDIR, INCLUDEDIR (the GNUInstallDirs of the build).

set(PUBLIC_LIBRARIES storage filestore jdbcstore replicated ha)
set(PUBLIC_HEADERS
  hastore/filestore/file_store.h
  hastore/filestore/inspect.h
  hastore/ha/agent.h
  hastore/ha/cluster_config.h
  hastore/ha/cluster_status.h
  hastore/ha/database_lease_authority.h
  hastore/ha/lease_authority.h
  hastore/ha/local_lease_authority.h
  hastore/ha/migration.h
  hastore/ha/open_authority.h
  hastore/ha/placement.h
  hastore/jdbcstore/connection_string.h
  hastore/jdbcstore/database_link.h
  hastore/jdbcstore/ddl.h
  hastore/jdbcstore/jdbc_store.h
  hastore/jdbcstore/odbc.h
  hastore/jdbcstore/sql_identifier.h
  hastore/replicated/daemon.h
  hastore/replicated/daemon_admin.h
  hastore/replicated/daemon_config.h
  hastore/replicated/replicated_store.h
  hastore/storage/checksum.h
  hastore/storage/completion.h
  hastore/storage/config.h
  hastore/storage/guarded_store.h
  hastore/storage/io.h
  hastore/storage/log.h
  hastore/storage/names.h
  hastore/storage/secret_file.h
  hastore/storage/status.h
  hastore/storage/store.h)

set(prefix "${WORK_DIR}/prefix")
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")
function(run)
  execute_process(COMMAND ${ARGV} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${ARGV}\n${out}\n${err}")
  endif()
  set(LAST_OUTPUT "${out}" PARENT_SCOPE)
endfunction()
# Runs a consumer program and requires the line it prints when it worked.
function(run_consumer program expected)
  run(${program} ${ARGN})
  if(NOT LAST_OUTPUT MATCHES "${expected}")
    message(FATAL_ERROR "${program} printed: ${LAST_OUTPUT}")
  endif()
endfunction()
# Sets `out` to the value of the dynamic section entry `tag` (SONAME, RUNPATH) of an ELF file.
function(elf_entry file tag out)
  run(${OBJDUMP} -p "${file}")
  string(REGEX MATCH "\n *${tag} +([^\n]*)" line "${LAST_OUTPUT}")
  set(${out} "${CMAKE_MATCH_1}" PARENT_SCOPE)
endfunction()

run(${CMAKE_COMMAND} --install "${BINARY_DIR}" --prefix "${prefix}")

# Only the public headers.
file(GLOB_RECURSE installed RELATIVE "${prefix}/${INCLUDEDIR}" "${prefix}/${INCLUDEDIR}/*")
list(SORT installed)
list(SORT PUBLIC_HEADERS)
if(NOT installed STREQUAL PUBLIC_HEADERS)
  set(extra ${installed})
  list(REMOVE_ITEM extra ${PUBLIC_HEADERS})
  set(missing ${PUBLIC_HEADERS})
  list(REMOVE_ITEM missing ${installed})
  message(FATAL_ERROR "installed headers differ from the public ones: not public but installed: ${extra}; "
                      "public but not installed: ${missing} (a new public header goes into PUBLIC_HEADERS here)")
endif()

# Only the public libraries; shared ones behind their SONAME.
file(GLOB installed RELATIVE "${prefix}/${LIBDIR}" "${prefix}/${LIBDIR}/libhastore*")
set(expected "")
foreach(library IN LISTS PUBLIC_LIBRARIES)
  if(SHARED)
    set(file "libhastore_${library}.so")
    list(APPEND expected ${file} ${file}.${SOVERSION} ${file}.${VERSION})
    elf_entry("${prefix}/${LIBDIR}/${file}" SONAME soname)
    if(NOT soname STREQUAL "${file}.${SOVERSION}")
      message(FATAL_ERROR "${file}: SONAME '${soname}', expected ${file}.${SOVERSION}")
    endif()
  else()
    list(APPEND expected libhastore_${library}.a)
  endif()
endforeach()
list(SORT installed)
list(SORT expected)
if(NOT installed STREQUAL expected)
  message(FATAL_ERROR "installed libraries: ${installed}; expected exactly: ${expected}")
endif()

# The command runs from the prefix by itself.
set(hastore "${prefix}/${BINDIR}/hastore")
if(NOT EXISTS "${hastore}")
  message(FATAL_ERROR "the hastore command was not installed")
endif()
if(SHARED)
  elf_entry("${hastore}" RUNPATH runpath)
  if(NOT runpath MATCHES "^\\$ORIGIN")
    message(FATAL_ERROR "the installed hastore's RUNPATH is '${runpath}', not relative to \$ORIGIN")
  endif()
endif()
run(${CMAKE_COMMAND} -E env --unset=LD_LIBRARY_PATH "${hastore}" --version)
if(NOT LAST_OUTPUT STREQUAL "hastore ${VERSION}\n")
  message(FATAL_ERROR "the installed `hastore --version` printed: '${LAST_OUTPUT}'")
endif()

set(sources "${SOURCE_DIR}/tests/install/consumer")
# Checks the output of each consumer program in `dir`.
function(run_consumers dir)
  foreach(library IN LISTS PUBLIC_LIBRARIES)
    run_consumer("${dir}/${library}_consumer" "^ok ${library}: " "${WORK_DIR}/missing")
  endforeach()
  run_consumer("${dir}/embed" "order #1" "${dir}/data")
endfunction()

# find_package(hastore).
run(${CMAKE_COMMAND} -S "${sources}" -B "${WORK_DIR}/cmake"
    "-DCMAKE_PREFIX_PATH=${prefix}" "-DEXAMPLE_SOURCE=${SOURCE_DIR}/examples/embed.cc")
run(${CMAKE_COMMAND} --build "${WORK_DIR}/cmake")
run_consumers("${WORK_DIR}/cmake")

# pkg-config: each program compiled with the flags of its library's .pc file only.
set(ENV{PKG_CONFIG_PATH} "${prefix}/${LIBDIR}/pkgconfig")
set(ENV{LD_LIBRARY_PATH} "${prefix}/${LIBDIR}")
set(dir "${WORK_DIR}/pkg-config")
file(MAKE_DIRECTORY "${dir}")
foreach(library IN LISTS PUBLIC_LIBRARIES ITEMS embed)
  set(source "${sources}/${library}_consumer.cc")
  set(program "${dir}/${library}_consumer")
  set(module hastore-${library})
  if(library STREQUAL "embed")
    set(source "${SOURCE_DIR}/examples/embed.cc")
    set(program "${dir}/embed")
    set(module hastore-filestore)
  endif()
  run(pkg-config --cflags --libs ${module})
  separate_arguments(flags UNIX_COMMAND "${LAST_OUTPUT}")
  run(${CXX} -std=c++20 "${source}" -o "${program}" ${flags})
endforeach()
run_consumers("${dir}")

file(READ "${SOURCE_DIR}/examples/embed.cc" example)
file(READ "${SOURCE_DIR}/README.md" readme)
string(FIND "${readme}" "${example}" at)
if(at EQUAL -1)
  message(FATAL_ERROR "README.md does not show examples/embed.cc verbatim")
endif()
