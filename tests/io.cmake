# Output writers (src/io) and the result writers (src/api/result_write.c).
# test_io and test_sample_stats compile the api sources the writers need rather
# than linking sgdi_api/sgdi_train, so they need none of the engine.
set(SGDI_RESULT_WRITER_SOURCES
    ${PROJECT_SOURCE_DIR}/src/api/result_write.c ${PROJECT_SOURCE_DIR}/src/api/options.c
    ${PROJECT_SOURCE_DIR}/src/api/sample_stats.c ${PROJECT_SOURCE_DIR}/src/influence/stats.c)
sgdi_add_test(test_io test_io.c LIBS sgdi_io sgdi_solver sgdi_util)
target_sources(test_io PRIVATE ${SGDI_RESULT_WRITER_SOURCES})
target_include_directories(test_io PRIVATE ${PROJECT_SOURCE_DIR}/include)

# Per-sample statistics over the trials (src/api/sample_stats.c): std, sign
# agreement, the accessors, the influence_std column and the sidecar's
# "samples", on hand-made results.
sgdi_add_test(test_sample_stats test_sample_stats.c LIBS sgdi_io sgdi_solver sgdi_util)
target_sources(test_sample_stats PRIVATE ${SGDI_RESULT_WRITER_SOURCES})
target_include_directories(test_sample_stats PRIVATE ${PROJECT_SOURCE_DIR}/include)
