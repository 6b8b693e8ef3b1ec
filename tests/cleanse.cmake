# cleanse.cmake — `sgd-influence cleanse`: the library side (test_cleanse, on CSVs it
# writes; it compiles the two cleanse sources itself, so it needs none of the engine).
# The command line is tests/cli/cleanse.sh.
sgdi_add_test(test_cleanse test_cleanse.c LIBS sgdi_data sgdi_io sgdi_util)
target_sources(test_cleanse PRIVATE ${PROJECT_SOURCE_DIR}/src/api/cleanse.c
                                    ${PROJECT_SOURCE_DIR}/src/api/cleanse_sidecar.c)
