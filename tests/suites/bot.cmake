# The pull-request bot (scripts/harden-pr) against real git repositories made
# in a temporary folder; see tests/bot_test.sh.
find_program(GIT_EXECUTABLE git)
if(GIT_EXECUTABLE)
  add_test(NAME bot COMMAND bash ${CMAKE_SOURCE_DIR}/tests/bot_test.sh $<TARGET_FILE:harden>)
  set_tests_properties(bot PROPERTIES LABELS bot TIMEOUT 600)
else()
  message(STATUS "git not found: the bot test is not registered")
endif()
# Golden tests of --to-override: golden-override/NAME/{input.yml, expected-override.yml}
# (and optional args); see tests/run_golden_override.sh.
add_test(NAME golden_override
         COMMAND bash ${CMAKE_SOURCE_DIR}/tests/run_golden_override.sh $<TARGET_FILE:harden>
                 ${CMAKE_SOURCE_DIR}/golden-override 8)
set_tests_properties(golden_override PROPERTIES LABELS "bot;golden")
