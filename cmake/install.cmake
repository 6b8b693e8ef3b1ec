# install.cmake — what `cmake --install` puts where (GNUInstallDirs): the header, the
# library (shared, exporting exactly the functions of include/sgdi.h, and the static
# archive), the sgd-influence command, its man page and the pkg-config file
# sgd-influence.pc. Included from CMakeLists.txt after the library and the command.
include(GNUInstallDirs)

# The shared library reuses the modules' objects, so they are compiled position-independent
# (on x86-64 this costs next to nothing: data is addressed relative to the instruction
# pointer either way).
foreach(module ${SGDI_MODULES})
  if(TARGET sgdi_${module})
    set_target_properties(sgdi_${module} PROPERTIES POSITION_INDEPENDENT_CODE ON)
  endif()
endforeach()

# Everything but the header's functions stays local: the internal sgdi_* helpers, the
# generated protobuf-c code and every dependency's symbols cannot clash with a program's.
set(SGDI_EXPORT_MAP ${PROJECT_BINARY_DIR}/sgdi.map)
set(SGDI_EXPORT_SCRIPT ${PROJECT_SOURCE_DIR}/cmake/sgdi_exports.cmake)
add_custom_command(
  OUTPUT ${SGDI_EXPORT_MAP}
  COMMAND ${CMAKE_COMMAND} -DCC=${CMAKE_C_COMPILER} -DHEADER=${PROJECT_SOURCE_DIR}/include/sgdi.h
          -DOUT=${SGDI_EXPORT_MAP} -P ${SGDI_EXPORT_SCRIPT}
  DEPENDS ${PROJECT_SOURCE_DIR}/include/sgdi.h ${SGDI_EXPORT_SCRIPT}
  COMMENT "exported symbols from sgdi.h")
add_custom_target(sgdi_export_map DEPENDS ${SGDI_EXPORT_MAP})

add_library(sgdi_shared SHARED ${SGDI_MODULE_OBJECTS})
add_dependencies(sgdi_shared sgdi_export_map)
set_target_properties(sgdi_shared PROPERTIES OUTPUT_NAME sgdi VERSION ${PROJECT_VERSION}
                      SOVERSION ${PROJECT_VERSION_MAJOR} LINK_DEPENDS ${SGDI_EXPORT_MAP})
target_include_directories(sgdi_shared PUBLIC $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
                                              $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
target_link_libraries(sgdi_shared PRIVATE ${SGDI_DEPS})
target_link_options(sgdi_shared PRIVATE -Wl,--version-script=${SGDI_EXPORT_MAP})
# Every reference resolved when linking, not when a program loads the library; not under
# the sanitizers, whose runtime a shared library leaves to the program (with clang).
if(NOT SGDI_SANITIZE AND NOT SGDI_FUZZ)
  target_link_options(sgdi_shared PRIVATE -Wl,--no-undefined)
endif()

# Libs.private for `pkg-config --static`: each dependency's static link flags, as
# pkg-config gave them when configuring (so no dependency's .pc is needed later).
set(SGDI_PC_LIBS_PRIVATE)
foreach(dep ${SGDI_DEPS})
  if(dep MATCHES "^PkgConfig::(.+)$")
    list(APPEND SGDI_PC_LIBS_PRIVATE ${${CMAKE_MATCH_1}_STATIC_LDFLAGS})
  elseif(dep STREQUAL "OpenMP::OpenMP_C")
    foreach(lib ${OpenMP_C_LIB_NAMES})
      list(APPEND SGDI_PC_LIBS_PRIVATE -l${lib})
    endforeach()
  elseif(NOT TARGET ${dep} AND dep MATCHES "^[A-Za-z0-9_+.-]+$")
    list(APPEND SGDI_PC_LIBS_PRIVATE -l${dep})
  else()
    message(WARNING "sgd-influence.pc: no static link flags known for ${dep}")
  endif()
endforeach()
list(JOIN SGDI_PC_LIBS_PRIVATE " " SGDI_PC_LIBS_PRIVATE)
# The .pc finds the prefix from its own folder, so `cmake --install --prefix P` (another
# prefix than the configured one) and a moved tree both work.
set(SGDI_PC_DIR ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
if(IS_ABSOLUTE ${SGDI_PC_DIR})
  set(SGDI_PC_PREFIX ${CMAKE_INSTALL_PREFIX})
else()
  file(RELATIVE_PATH SGDI_PC_UP /root/${SGDI_PC_DIR} /root)
  string(REGEX REPLACE "/$" "" SGDI_PC_UP "${SGDI_PC_UP}")
  set(SGDI_PC_PREFIX "\${pcfiledir}/${SGDI_PC_UP}")
endif()
foreach(dir LIBDIR INCLUDEDIR)
  if(IS_ABSOLUTE ${CMAKE_INSTALL_${dir}})
    set(SGDI_PC_${dir} ${CMAKE_INSTALL_${dir}})
  else()
    set(SGDI_PC_${dir} "\${prefix}/${CMAKE_INSTALL_${dir}}")
  endif()
endforeach()
configure_file(${PROJECT_SOURCE_DIR}/cmake/sgd-influence.pc.in
               ${PROJECT_BINARY_DIR}/sgd-influence.pc @ONLY)

install(FILES ${PROJECT_SOURCE_DIR}/include/sgdi.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS sgdi_shared sgdi LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
                                 ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
if(TARGET sgd-influence)
  install(TARGETS sgd-influence RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()
install(FILES ${PROJECT_SOURCE_DIR}/docs/sgd-influence.1
        DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES ${PROJECT_BINARY_DIR}/sgd-influence.pc DESTINATION ${SGDI_PC_DIR})
