# Corpus test: harden over the real and KICS compose files in ../shared
# (byte-identity with --select none; after --write: schema-valid, idempotent,
# baseline met, only the changed keys edited). Needs python3-yaml and
# python3-jsonschema.
add_test(NAME corpus
         COMMAND ${NEEDS_DATA} corpus/real corpus/kics schema/compose-spec.json --
                 bash ${CMAKE_SOURCE_DIR}/tests/corpus_test.sh $<TARGET_FILE:harden> ${HARDEN_DATA_DIR})
set_tests_properties(corpus PROPERTIES LABELS "corpus;data" SKIP_RETURN_CODE 77 TIMEOUT 1800)
