# hastore_library(<short> SOURCES <files...>)
# One library per folder (DESIGN §2): target hastore_<short>, alias and export name
# hastore::<short>, public headers in the folder's include/, installed with the package.
function(hastore_library short)
  cmake_parse_arguments(L "" "" "SOURCES" ${ARGN})
  set(t hastore_${short})
  add_library(${t} ${L_SOURCES})
  add_library(hastore::${short} ALIAS ${t})
  set_target_properties(${t} PROPERTIES EXPORT_NAME ${short} OUTPUT_NAME ${t})
  target_include_directories(${t} PUBLIC
    $<BUILD_INTERFACE:${CMAKE_CURRENT_SOURCE_DIR}/include>
    $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
  install(TARGETS ${t} EXPORT hastoreTargets
    ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
  install(DIRECTORY include/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
endfunction()
