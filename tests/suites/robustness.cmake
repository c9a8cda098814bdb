# Robustness of the tool itself (SPEC §8): bad input, unusual input, write
# faults and signals. Some checks need root and mount permission; they are
# skipped (and say so) elsewhere.
add_test(NAME robustness
         COMMAND bash ${CMAKE_SOURCE_DIR}/tests/robustness_test.sh $<TARGET_FILE:harden>)
set_tests_properties(robustness PROPERTIES LABELS robustness TIMEOUT 1500)

# The fuzz targets' inputs that once failed (fuzz/corpus-regressions/TARGET/),
# replayed through the same LLVMFuzzerTestOneInput in a normal build.
foreach(FUZZ_TARGET loader edits pipeline)
  add_executable(fuzz_replay_${FUZZ_TARGET} EXCLUDE_FROM_ALL
                 ${CMAKE_SOURCE_DIR}/fuzz/replay_main.cpp ${CMAKE_SOURCE_DIR}/fuzz/fuzz_${FUZZ_TARGET}.cpp)
  target_link_libraries(fuzz_replay_${FUZZ_TARGET} PRIVATE harden_core)
endforeach()
# Built by default so that `ctest` finds them after a normal build.
add_custom_target(fuzz_replay ALL DEPENDS fuzz_replay_loader fuzz_replay_edits fuzz_replay_pipeline)
set(FUZZ_REGRESSIONS ${CMAKE_SOURCE_DIR}/fuzz/corpus-regressions)
add_test(NAME fuzz_regressions
         COMMAND sh -c "\"$0\" \"$3/loader\" && \"$1\" \"$3/edits\" && \"$2\" \"$3/pipeline\""
                 $<TARGET_FILE:fuzz_replay_loader> $<TARGET_FILE:fuzz_replay_edits>
                 $<TARGET_FILE:fuzz_replay_pipeline> ${FUZZ_REGRESSIONS})
set_tests_properties(fuzz_regressions PROPERTIES LABELS "robustness;fuzz" TIMEOUT 300)

# Batch concurrency: a few thousand files with failures mixed in give the same
# report, exit code and files with -j 1 and -j 8. scripts/test runs it again
# with a ThreadSanitizer build and more files.
add_test(NAME batch_concurrency
         COMMAND ${NEEDS_DATA} corpus/real --
                 bash ${CMAKE_SOURCE_DIR}/tests/batch_concurrency_test.sh $<TARGET_FILE:harden>
                 ${HARDEN_DATA_DIR} 4)
set_tests_properties(batch_concurrency PROPERTIES LABELS "robustness;concurrency;slow;data" SKIP_RETURN_CODE 77 TIMEOUT 1200)
