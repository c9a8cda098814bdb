# Corpus test: harden over the real and KICS compose files in ../shared
# (byte-identity with --select none; after --write: schema-valid, idempotent,
# baseline met, only the changed keys edited). Needs python3-yaml and
# python3-jsonschema.
add_test(NAME corpus
         COMMAND bash ${CMAKE_SOURCE_DIR}/tests/corpus_test.sh $<TARGET_FILE:harden> ${CMAKE_SOURCE_DIR}/../shared)
set_tests_properties(corpus PROPERTIES LABELS corpus TIMEOUT 1800)
