# End-to-end tests of the sgd-influence command line: each tests/cli/*.sh
# (but lib.sh, which they share) runs the built binary on tables it writes
# into a temporary directory.
if(TARGET sgd-influence)
  file(GLOB SGDI_CLI_TESTS CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/cli/*.sh)
  list(FILTER SGDI_CLI_TESTS EXCLUDE REGEX "/lib\\.sh$")
  foreach(script ${SGDI_CLI_TESTS})
    get_filename_component(name ${script} NAME_WE)
    add_test(NAME cli_${name} COMMAND bash ${script} $<TARGET_FILE:sgd-influence>)
    set_tests_properties(cli_${name} PROPERTIES LABELS cli)
  endforeach()
endif()
if(TEST cli_tty)
  set_tests_properties(cli_tty PROPERTIES SKIP_RETURN_CODE 77)
endif()
