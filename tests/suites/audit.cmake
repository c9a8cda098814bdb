# Golden tests of `harden audit` (golden-audit/NAME/{input.yml,args,expected.txt}).
add_test(NAME golden_audit
         COMMAND bash ${CMAKE_SOURCE_DIR}/tests/run_golden_audit.sh $<TARGET_FILE:harden> ${CMAKE_SOURCE_DIR}/golden-audit 8)
set_tests_properties(golden_audit PROPERTIES LABELS golden)
