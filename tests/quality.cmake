# Quality on real data: fidelity against leave-one-out retraining and detection of
# flipped labels, on the bundled example (see tests/quality/*.sh for the thresholds).
foreach(check fidelity flipped images)
  add_test(NAME quality_${check}
           COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/quality/${check}.sh $<TARGET_FILE:sgd-influence>)
  set_tests_properties(quality_${check} PROPERTIES LABELS quality)
endforeach()
# Minutes in a release build, hours under the sanitizers: "slow" keeps it out of that run.
set_tests_properties(quality_images PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 1200 LABELS "quality;slow")
