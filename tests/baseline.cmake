# The PyTorch baseline (bench/baseline_torch.py) and the tool must compute the same scores
# from the same initial parameters and batch sequence; see tests/baseline/agreement.py.
if(TARGET sgd-influence)
  add_test(NAME baseline_agreement
           COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/baseline/agreement.sh
                   $<TARGET_FILE:sgd-influence> ${PROJECT_SOURCE_DIR}
                   ${CMAKE_CURRENT_BINARY_DIR}/baseline_agreement)
  set_tests_properties(baseline_agreement PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 300
                                                     LABELS baseline)
endif()
