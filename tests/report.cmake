# `sgd-influence report`: the page's pieces and every bad input without a browser
# (test_report), the command line (tests/report/usage.sh), and a real page rendered by
# headless Chromium (tests/report/chromium.sh, skipped with 77 when Chromium is missing).
sgdi_add_test(test_report test_report.c LIBS sgdi sgdi_test_image_files LABELS report)
if(TARGET sgd-influence)
  add_test(NAME report_chromium
           COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/report/chromium.sh
                   $<TARGET_FILE:sgd-influence> ${PROJECT_SOURCE_DIR}
                   ${CMAKE_CURRENT_BINARY_DIR}/report)
  set_tests_properties(report_chromium PROPERTIES LABELS report SKIP_RETURN_CODE 77
                                                  TIMEOUT 300)
  add_test(NAME report_usage COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/report/usage.sh
                                      $<TARGET_FILE:sgd-influence>)
  set_tests_properties(report_usage PROPERTIES LABELS "report;cli")
endif()
