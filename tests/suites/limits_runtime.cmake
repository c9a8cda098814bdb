# The limits H105 writes (beside cpu_quota, reservations, memswap_limit) are
# created and run under a real engine (tests/limits_runtime_test.sh); with the
# e2e label, since it needs the engine and the e2e images.
add_test(NAME limits_runtime
         COMMAND bash ${CMAKE_SOURCE_DIR}/tests/limits_runtime_test.sh $<TARGET_FILE:harden>)
set_tests_properties(limits_runtime PROPERTIES LABELS e2e TIMEOUT 300)
