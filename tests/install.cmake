# install.cmake — installing and embedding (label install): `cmake --install` of this build
# into a temporary prefix at test time and a program built against it with pkg-config
# (tests/install/run.sh, embed.c); the shared library's exported symbols against the
# header (exports.sh); every option of every --help in the man page (man_options.sh).
if(TARGET sgdi_shared AND TARGET sgd-influence)
  # Under the sanitizers the program is instrumented like the library it links.
  set(SGDI_EMBED_FLAGS)
  if(SGDI_SANITIZE)
    set(SGDI_EMBED_FLAGS -fsanitize=address,undefined -fno-sanitize-recover=all)
  endif()
  add_test(NAME install
           COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/install/run.sh ${PROJECT_BINARY_DIR}
                   ${PROJECT_SOURCE_DIR} ${CMAKE_C_COMPILER} ${SGDI_EMBED_FLAGS})
  add_test(NAME install_exports
           COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/install/exports.sh
                   $<TARGET_FILE:sgdi_shared> ${PROJECT_SOURCE_DIR} ${CMAKE_C_COMPILER})
  add_test(NAME install_man_options
           COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/install/man_options.sh
                   $<TARGET_FILE:sgd-influence> ${PROJECT_SOURCE_DIR}/docs/sgd-influence.1)
  set_tests_properties(install install_exports install_man_options PROPERTIES LABELS install)
endif()
