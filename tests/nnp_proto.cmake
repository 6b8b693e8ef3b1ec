# tests/nnp_proto.cmake — the protobuf side of the .nnp reader/writer: the text-format
# parser/writer (src/nnp/textformat*.c) and binary parameter.protobuf (src/nnp/protobin.c),
# against hand-written snippets and the real files in ../shared/fixtures/nnabla-real/ (skipped
# when absent), plus the replay of their fuzz corpora and saved crashers.
sgdi_add_test(test_textformat test_textformat.c LIBS sgdi_nnp sgdi_io sgdi_util sgdi_ops)
sgdi_add_test(test_protobin test_protobin.c LIBS sgdi_nnp sgdi_io sgdi_util sgdi_ops)

foreach(target textformat protobin)
  sgdi_add_test(test_fuzz_replay_${target} test_fuzz_replay.c LIBS sgdi_nnp sgdi_io sgdi_util sgdi_ops)
  target_sources(test_fuzz_replay_${target} PRIVATE ${PROJECT_SOURCE_DIR}/fuzz/fuzz_${target}.c)
  target_compile_definitions(test_fuzz_replay_${target} PRIVATE
                             SGDI_FUZZ_DIR="${PROJECT_SOURCE_DIR}/fuzz" SGDI_FUZZ_TARGET="${target}")
endforeach()
