# Limit values (--memory, --cpus, --pids, .harden.yaml) are checked with
# Docker's syntax and minimums before any file is touched.
add_test(NAME limit_options
         COMMAND bash ${CMAKE_SOURCE_DIR}/tests/limit_options_test.sh $<TARGET_FILE:harden>)
set_tests_properties(limit_options PROPERTIES LABELS "robustness" TIMEOUT 120)
