# Per-sample statistics over the trials (src/api/sample_stats.c): std, sign
# agreement, the accessors, the influence_std column and the sidecar's
# "samples", on hand-made results. Like test_io it compiles the api sources it
# needs rather than linking the whole engine.
set(SGDI_SAMPLE_STATS_SOURCES ${PROJECT_SOURCE_DIR}/src/api/sample_stats.c
                              ${PROJECT_SOURCE_DIR}/src/api/result_write.c
                              ${PROJECT_SOURCE_DIR}/src/api/options.c)
sgdi_add_test(test_sample_stats test_sample_stats.c LIBS sgdi_io sgdi_solver sgdi_util)
target_sources(test_sample_stats PRIVATE ${SGDI_SAMPLE_STATS_SOURCES})
target_include_directories(test_sample_stats PRIVATE ${PROJECT_SOURCE_DIR}/include)

# test_io compiles result_write.c without the api module (tests/io.cmake); the
# sidecar's "samples" and the influence_std column call into sample_stats.c.
if(TARGET test_io)
  target_sources(test_io PRIVATE ${PROJECT_SOURCE_DIR}/src/api/sample_stats.c)
endif()
