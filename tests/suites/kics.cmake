# KICS parity: harden's findings on the KICS Docker Compose fixtures
# (shared/corpus/kics) against KICS's expected results.
add_test(NAME kics_parity
         COMMAND ${NEEDS_DATA} corpus/kics -- python3 ${CMAKE_SOURCE_DIR}/tests/kics_parity_test.py
                 $<TARGET_FILE:harden> ${HARDEN_DATA_DIR}/corpus/kics)
set_tests_properties(kics_parity PROPERTIES LABELS "kics;data" SKIP_RETURN_CODE 77)
