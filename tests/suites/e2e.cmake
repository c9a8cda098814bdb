# The runtime proof under a real Docker engine (tests/e2e/README.md). Run it
# with `ctest -L e2e`; other runs leave it out with `-LE e2e`.
add_test(NAME e2e COMMAND bash ${CMAKE_SOURCE_DIR}/tests/e2e/ctest.sh $<TARGET_FILE:harden>)
set_tests_properties(e2e PROPERTIES LABELS e2e SKIP_RETURN_CODE 77 TIMEOUT 1800)
