# Golden tests: golden/NAME/ holds an input, its arguments and the expected
# hardened file and diff; see tests/run_golden.sh. Regenerate the expected
# files with scripts/regen-golden.
add_test(NAME golden
  COMMAND bash ${CMAKE_SOURCE_DIR}/tests/run_golden.sh $<TARGET_FILE:harden> ${CMAKE_SOURCE_DIR}/golden 110)
set_tests_properties(golden PROPERTIES LABELS golden)
