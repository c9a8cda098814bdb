# Ignores from the command line against git's own verdicts, and --check's
# exit codes; see tests/cli_ignore_test.sh.
add_test(NAME cli_ignore COMMAND bash ${CMAKE_SOURCE_DIR}/tests/cli_ignore_test.sh $<TARGET_FILE:harden>)
set_tests_properties(cli_ignore PROPERTIES LABELS cli TIMEOUT 120 SKIP_RETURN_CODE 77)
