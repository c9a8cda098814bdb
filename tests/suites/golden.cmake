# Golden tests: golden/NAME/ holds an input, its arguments and the expected
# hardened file and diff; see tests/run_golden.sh. Regenerate the expected
# files with scripts/regen-golden.
add_test(NAME golden
  COMMAND bash ${CMAKE_SOURCE_DIR}/tests/run_golden.sh $<TARGET_FILE:harden> ${CMAKE_SOURCE_DIR}/golden 110)
set_tests_properties(golden PROPERTIES LABELS golden)
# Every golden diff applies with `git apply` at the top of a real repository,
# whatever form the path was given in (x, ./x, absolute, through a symlinked
# folder, `.`); see tests/diff_paths_test.sh.
add_test(NAME diff_paths
  COMMAND bash ${CMAKE_SOURCE_DIR}/tests/diff_paths_test.sh $<TARGET_FILE:harden> ${CMAKE_SOURCE_DIR}/golden 80)
set_tests_properties(diff_paths PROPERTIES LABELS golden)
