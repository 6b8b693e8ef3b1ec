# nnp_container.cmake — the .nnp container (src/nnp/zip.c, container.c) and the HDF5
# parameter / solver-state files (src/nnp/h5params*.c), plus the replay of their fuzz
# corpora and saved crashers. The sources are compiled into the tests directly, so these
# tests do not depend on the rest of src/nnp/ (the protobuf readers).
set(SGDI_NNP_ZIP_SOURCES ${PROJECT_SOURCE_DIR}/src/nnp/zip.c ${PROJECT_SOURCE_DIR}/src/nnp/container.c)
set(SGDI_NNP_H5_SOURCES ${PROJECT_SOURCE_DIR}/src/nnp/h5params.c ${PROJECT_SOURCE_DIR}/src/nnp/h5read.c
                        ${PROJECT_SOURCE_DIR}/src/nnp/h5read_data.c
                        ${PROJECT_SOURCE_DIR}/src/nnp/h5params_write.c
                        ${PROJECT_SOURCE_DIR}/src/nnp/params.c)

sgdi_add_test(test_zip test_zip.c LIBS sgdi_io sgdi_util)
target_sources(test_zip PRIVATE ${SGDI_NNP_ZIP_SOURCES})

sgdi_add_test(test_h5params test_h5params.c LIBS sgdi_io sgdi_util)
target_sources(test_h5params PRIVATE test_h5params_formats.c ${SGDI_NNP_H5_SOURCES})

foreach(target zip h5params)
  sgdi_add_test(test_fuzz_replay_${target} test_fuzz_replay.c LIBS sgdi_io sgdi_util)
  target_sources(test_fuzz_replay_${target} PRIVATE ${PROJECT_SOURCE_DIR}/fuzz/fuzz_${target}.c
                                                    ${SGDI_NNP_ZIP_SOURCES} ${SGDI_NNP_H5_SOURCES})
  target_compile_definitions(test_fuzz_replay_${target} PRIVATE
                             SGDI_FUZZ_DIR="${PROJECT_SOURCE_DIR}/fuzz" SGDI_FUZZ_TARGET="${target}")
endforeach()
