# The installed package's metadata, derived from what each public library links, so that it
# cannot drift from the build: one pkg-config file per library (hastore-<short>.pc) and the
# find_dependency calls of hastoreConfig.cmake.
#
# A library's PUBLIC dependencies are its consumers' too: Requires/Libs, and found by
# hastoreConfig.cmake in every build. Its PRIVATE ones are its consumers' business only when it
# is static (BUILD_SHARED_LIBS off): then its exported target names them as link-only items, so
# hastoreConfig.cmake finds them, and its .pc file lists them in Requires/Libs, so that a plain
# `pkg-config --libs` links a static hastore against the shared third-party libraries, as the
# CMake package does (`--static` would demand every third-party library's own static
# dependencies, libltdl's for unixODBC for one). In a shared build they go to
# Requires.private/Libs.private. Header-only dependencies that no public header includes are
# linked as $<BUILD_INTERFACE:...> and skipped.

# Every third-party target a public library links: "<target>|<pkg-config module, or a flag
# for Libs, or nothing>|<what hastoreConfig.cmake runs to define the target>".
set(HASTORE_THIRD_PARTY
  "Threads::Threads|-pthread|find_dependency(Threads)"
  "PkgConfig::URING|liburing|hastore_pkg_dependency(URING liburing)"
  "PkgConfig::XXHASH|libxxhash|hastore_pkg_dependency(XXHASH libxxhash)"
  "PkgConfig::LMDB|lmdb|hastore_pkg_dependency(LMDB lmdb)"
  "PkgConfig::ODBC|odbc|hastore_pkg_dependency(ODBC odbc)"
  "PkgConfig::LIBCRYPTO|libcrypto|hastore_pkg_dependency(LIBCRYPTO libcrypto)"
  "tomlplusplus::tomlplusplus|tomlplusplus|find_dependency(tomlplusplus)"
  "spdlog::spdlog|spdlog|find_dependency(spdlog)"
  "Boost::headers||find_dependency(Boost)")

# Sets <out_pc> to the pkg-config module or flag of link item `item` and <out_find> to the
# hastoreConfig.cmake line that defines it (empty for hastore's own libraries).
function(hastore_third_party item out_pc out_find)
  if(item MATCHES "^hastore(::|_)(.+)$")
    set(${out_pc} "hastore-${CMAKE_MATCH_2}" PARENT_SCOPE)
    set(${out_find} "" PARENT_SCOPE)
    return()
  endif()
  foreach(entry IN LISTS HASTORE_THIRD_PARTY)
    string(REPLACE "|" ";" fields "${entry}")
    list(GET fields 0 target)
    if(target STREQUAL item)
      list(GET fields 1 pc)
      list(GET fields 2 find)
      set(${out_pc} "${pc}" PARENT_SCOPE)
      set(${out_find} "${find}" PARENT_SCOPE)
      return()
    endif()
  endforeach()
  message(FATAL_ERROR "a public hastore library links '${item}', which HASTORE_THIRD_PARTY in "
                      "cmake/HastorePackage.cmake does not know: add its pkg-config module and the "
                      "find_dependency that defines it (or link it as $<BUILD_INTERFACE:...> if it is "
                      "header-only and no public header includes it)")
endfunction()

# Writes hastore-<short>.pc for hastore_<short>, installs it, and appends the find lines its
# exported target needs to the global property HASTORE_FIND_DEPENDENCIES.
function(hastore_package_library short)
  set(t hastore_${short})
  get_target_property(linked ${t} LINK_LIBRARIES)
  get_target_property(interface ${t} INTERFACE_LINK_LIBRARIES)
  if(NOT linked)
    set(linked "")
  endif()
  set(requires "")
  set(requires_private "")
  set(libs "-L\${libdir}" "-l${t}")
  set(libs_private "")
  foreach(item IN LISTS linked)
    if(item MATCHES "^\\$<BUILD_INTERFACE:")
      continue()
    endif()
    hastore_third_party("${item}" pc find)
    set(public FALSE)
    if(interface AND item IN_LIST interface)
      set(public TRUE)
    endif()
    if(pc MATCHES "^-")
      set(kind libs)
    else()
      set(kind requires)
    endif()
    if(NOT public AND BUILD_SHARED_LIBS)
      set(kind ${kind}_private)
    endif()
    if(pc)
      list(APPEND ${kind} "${pc}")
    endif()
    if(find AND (public OR NOT BUILD_SHARED_LIBS))
      set_property(GLOBAL APPEND PROPERTY HASTORE_FIND_DEPENDENCIES "${find}")
    endif()
  endforeach()
  foreach(kind requires requires_private libs libs_private)
    list(REMOVE_DUPLICATES ${kind})
    string(REPLACE ";" " " ${kind} "${${kind}}")
  endforeach()
  get_target_property(description ${t} HASTORE_DESCRIPTION)
  set(pc_file ${PROJECT_BINARY_DIR}/pkgconfig/hastore-${short}.pc)
  configure_file(${PROJECT_SOURCE_DIR}/cmake/hastore-library.pc.in ${pc_file} @ONLY)
  install(FILES ${pc_file} DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
endfunction()

# The .pc files and hastoreConfig.cmake for every library hastore_library() made public. Called
# once every folder has declared its targets and links.
function(hastore_package)
  # The .pc files find the prefix from their own place, so that `cmake --install --prefix`
  # (which chooses the prefix after configuring) and a moved tree still get them right.
  if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}")
    set(HASTORE_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
  else()
    file(RELATIVE_PATH up "/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/")
    string(REGEX REPLACE "/$" "" up "${up}")
    set(HASTORE_PC_PREFIX "\${pcfiledir}/${up}")
  endif()
  get_property(libraries GLOBAL PROPERTY HASTORE_PUBLIC_LIBRARIES)
  foreach(short IN LISTS libraries)
    hastore_package_library(${short})
  endforeach()

  get_property(finds GLOBAL PROPERTY HASTORE_FIND_DEPENDENCIES)
  list(REMOVE_DUPLICATES finds)
  list(SORT finds)
  string(REPLACE ";" "\n" HASTORE_FIND_DEPENDENCIES "${finds}")
  include(CMakePackageConfigHelpers)
  configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/hastoreConfig.cmake.in
    ${PROJECT_BINARY_DIR}/hastoreConfig.cmake
    INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/hastore)
  # Compatible as the SONAME says (HASTORE_SOVERSION): the same minor version before 1.0.
  if(PROJECT_VERSION_MAJOR EQUAL 0)
    set(compatibility SameMinorVersion)
  else()
    set(compatibility SameMajorVersion)
  endif()
  write_basic_package_version_file(${PROJECT_BINARY_DIR}/hastoreConfigVersion.cmake
    COMPATIBILITY ${compatibility})
  install(EXPORT hastoreTargets NAMESPACE hastore:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/hastore)
  install(FILES ${PROJECT_BINARY_DIR}/hastoreConfig.cmake ${PROJECT_BINARY_DIR}/hastoreConfigVersion.cmake
          DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/hastore)
endfunction()
