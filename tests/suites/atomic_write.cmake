# Atomic, durable --write seen from outside: hard links and inodes, faults
# injected by a preloaded shim (built here, never part of harden), and the
# order of the system calls under strace; see tests/atomic_write_test.sh.
add_library(atomic_write_fail_shim MODULE ${CMAKE_SOURCE_DIR}/tests/atomic_write/fail_shim.cpp)
target_link_libraries(atomic_write_fail_shim PRIVATE ${CMAKE_DL_LIBS})
add_test(NAME atomic_write_faults
         COMMAND bash ${CMAKE_SOURCE_DIR}/tests/atomic_write_test.sh $<TARGET_FILE:harden>
                 $<TARGET_FILE:atomic_write_fail_shim> faults)
set_tests_properties(atomic_write_faults PROPERTIES LABELS "robustness;write" TIMEOUT 120)
add_test(NAME atomic_write_trace
         COMMAND bash ${CMAKE_SOURCE_DIR}/tests/atomic_write_test.sh $<TARGET_FILE:harden> - trace)
set_tests_properties(atomic_write_trace PROPERTIES LABELS "robustness;write" TIMEOUT 120 SKIP_RETURN_CODE 77)
