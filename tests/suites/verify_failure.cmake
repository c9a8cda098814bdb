# A rewrite that verification must reject, driven through the whole command
# line: harden_with_corrupt_fix is harden plus one rule whose fix is wrong,
# added by wrapping harden::all_rules at link time (the shipped binary has no
# such switch); see tests/verify_failure_test.sh.
add_executable(harden_with_corrupt_fix ${CMAKE_SOURCE_DIR}/tests/verify_failure/harden_with_corrupt_fix.cpp)
target_link_libraries(harden_with_corrupt_fix PRIVATE harden_core)
target_link_options(harden_with_corrupt_fix PRIVATE "LINKER:--wrap=_ZN6harden9all_rulesEv")
add_test(NAME verify_failure
         COMMAND bash ${CMAKE_SOURCE_DIR}/tests/verify_failure_test.sh $<TARGET_FILE:harden>
                 $<TARGET_FILE:harden_with_corrupt_fix>)
set_tests_properties(verify_failure PROPERTIES LABELS "robustness;verify" TIMEOUT 120)
