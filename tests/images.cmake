# images.cmake — image datasets: the PNG and JPEG decoders and the conversion to network
# samples (test_images), image datasets end to end in the library (test_image_datasets), and
# the replay of the image fuzz corpus. The tests write their own image files; the CLI test is
# tests/cli/images.sh.
add_library(sgdi_test_image_files STATIC image_files.c)
target_link_libraries(sgdi_test_image_files PUBLIC PkgConfig::LIBPNG PkgConfig::LIBJPEG)

sgdi_add_test(test_images test_images.c LIBS sgdi_data sgdi_util sgdi_test_image_files)
sgdi_add_test(test_image_datasets test_image_datasets.c LIBS sgdi sgdi_test_image_files)

sgdi_add_test(test_fuzz_replay_image test_fuzz_replay.c LIBS sgdi_data sgdi_util)
target_sources(test_fuzz_replay_image PRIVATE ${PROJECT_SOURCE_DIR}/fuzz/fuzz_image.c)
target_compile_definitions(test_fuzz_replay_image PRIVATE
                           SGDI_FUZZ_DIR="${PROJECT_SOURCE_DIR}/fuzz" SGDI_FUZZ_TARGET="image")
