# What the two model tests share: temporary files, made-up tables, reading a file.
add_library(sgdi_test_model_fixtures STATIC model_fixtures.c)
target_link_libraries(sgdi_test_model_fixtures PUBLIC sgdi)

# Models from .nnp files: load, build, train, describe, save, bad files.
sgdi_add_test(test_model test_model.c LIBS sgdi sgdi_test_model_fixtures)
# Models whose .nnp carries a solver state (HDF5, protobuf): training continues from it.
sgdi_add_test(test_model_state test_model_state.c LIBS sgdi sgdi_test_model_fixtures)

# The fuzz target's corpus and saved crashers, replayed in an ordinary build.
sgdi_add_test(test_fuzz_replay_model test_fuzz_replay.c LIBS sgdi)
target_sources(test_fuzz_replay_model PRIVATE ${PROJECT_SOURCE_DIR}/fuzz/fuzz_model.c)
target_compile_definitions(test_fuzz_replay_model PRIVATE
                           SGDI_FUZZ_DIR="${PROJECT_SOURCE_DIR}/fuzz" SGDI_FUZZ_TARGET="model")
sgdi_add_test(test_recurrent test_recurrent.c LIBS sgdi) # recurrent blocks unrolled; Slice
sgdi_add_test(test_expand_order test_expand_order.c LIBS sgdi) # unrolled functions' order
sgdi_add_test(test_name_index test_name_index.c LIBS sgdi_util) # names to indices
sgdi_add_test(test_large_alloc test_large_alloc.c LIBS sgdi_util) # huge-page buffers
