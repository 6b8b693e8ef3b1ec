# Output writers (src/io) and the result writers (src/api/result_write.c).
# The test compiles result_write.c and options.c itself rather than linking
# sgdi_api/sgdi_train, so it needs none of the engine.
sgdi_add_test(test_io test_io.c LIBS sgdi_io sgdi_solver sgdi_util)
target_sources(test_io PRIVATE ${PROJECT_SOURCE_DIR}/src/api/result_write.c
                               ${PROJECT_SOURCE_DIR}/src/api/options.c)
target_include_directories(test_io PRIVATE ${PROJECT_SOURCE_DIR}/include)
