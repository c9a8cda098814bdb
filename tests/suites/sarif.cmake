# The SARIF report of the bundled example validates against the SARIF 2.1.0
# schema (tests/sarif-schema-2.1.0.json), and its fixes apply.
find_package(Python3 COMPONENTS Interpreter)
if(Python3_Interpreter_FOUND)
  add_test(NAME sarif
           COMMAND ${Python3_EXECUTABLE} ${CMAKE_SOURCE_DIR}/tests/sarif_validate.py
                   $<TARGET_FILE:harden> ${CMAKE_SOURCE_DIR}/examples/insecure/compose.yaml)
  set_tests_properties(sarif PROPERTIES LABELS report SKIP_RETURN_CODE 77)
endif()
