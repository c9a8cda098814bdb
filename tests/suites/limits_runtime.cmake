# The limits H105 writes (beside cpu_quota, reservations, memswap_limit) are
# created and run under a real engine (tests/limits_runtime_test.sh). Like
# the e2e suite it sets up the engine and images first (idempotent) and
# tears down what setup started, so it runs alone or after e2e.
add_test(NAME limits_runtime
         COMMAND bash -c "trap 'bash \"$0/teardown.sh\" >/dev/null 2>&1 || true' EXIT; bash \"$0/setup.sh\" || exit $?; bash \"$1\" \"$2\""
                 ${CMAKE_SOURCE_DIR}/tests/e2e ${CMAKE_SOURCE_DIR}/tests/limits_runtime_test.sh $<TARGET_FILE:harden>)
set_tests_properties(limits_runtime PROPERTIES LABELS e2e SKIP_RETURN_CODE 77 TIMEOUT 1800)
