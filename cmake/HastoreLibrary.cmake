# hastore_library(<short> [INTERNAL] [DESCRIPTION <text>] SOURCES <files...>)
# One library per folder (DESIGN §2): target hastore_<short>, alias hastore::<short>, headers in
# the folder's include/.
#
# A public library (the default) is shared or static as BUILD_SHARED_LIBS says, with the
# package's versioned SONAME, and is installed and exported as hastore::<short> with its headers;
# HastorePackage.cmake later writes its pkg-config file hastore-<short>.pc from what it links.
# An INTERNAL library (the bench runners, the example queue) is static, serves this tree only
# and installs nothing.
function(hastore_library short)
  cmake_parse_arguments(L "INTERNAL" "DESCRIPTION" "SOURCES" ${ARGN})
  set(t hastore_${short})
  if(L_INTERNAL)
    add_library(${t} STATIC ${L_SOURCES})
    add_library(hastore::${short} ALIAS ${t})
    target_include_directories(${t} PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/include)
    return()
  endif()
  add_library(${t} ${L_SOURCES})
  add_library(hastore::${short} ALIAS ${t})
  set_target_properties(${t} PROPERTIES EXPORT_NAME ${short} OUTPUT_NAME ${t}
    VERSION ${PROJECT_VERSION} SOVERSION ${HASTORE_SOVERSION})
  if(NOT L_DESCRIPTION)
    set(L_DESCRIPTION "hastore's ${short} library")
  endif()
  set_property(TARGET ${t} PROPERTY HASTORE_DESCRIPTION "${L_DESCRIPTION}")
  # A shared library must name every library it takes symbols from, or its consumers' links
  # (and pkg-config users) find out instead.
  if(BUILD_SHARED_LIBS)
    target_link_options(${t} PRIVATE LINKER:--no-undefined)
  endif()
  target_compile_features(${t} PUBLIC cxx_std_20)
  target_include_directories(${t} PUBLIC
    $<BUILD_INTERFACE:${CMAKE_CURRENT_SOURCE_DIR}/include>
    $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
  install(TARGETS ${t} EXPORT hastoreTargets
    ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
  install(DIRECTORY include/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
  set_property(GLOBAL APPEND PROPERTY HASTORE_PUBLIC_LIBRARIES ${short})
endfunction()
