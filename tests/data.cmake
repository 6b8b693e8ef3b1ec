# data.cmake — tests of src/data/: the CSV tokenizer and dataset reader, and the replay of the
# CSV fuzz corpus and saved crashers through the loader in an ordinary build.
sgdi_add_test(test_csv test_csv.c LIBS sgdi_data sgdi_util)

sgdi_add_test(test_fuzz_replay test_fuzz_replay.c LIBS sgdi_data sgdi_util)
target_sources(test_fuzz_replay PRIVATE ${PROJECT_SOURCE_DIR}/fuzz/fuzz_csv.c)
target_compile_definitions(test_fuzz_replay PRIVATE SGDI_FUZZ_DIR="${PROJECT_SOURCE_DIR}/fuzz")
