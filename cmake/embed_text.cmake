# Turns a text file into a C++ source defining `extern const char* const <name>`.
file(READ ${INPUT} CONTENT)
get_filename_component(NAME ${INPUT} NAME_WE)
file(WRITE ${OUTPUT} "namespace harden::embedded {\nextern const char* const ${NAME};\nconst char* const ${NAME} = R\"harden_embed(${CONTENT})harden_embed\";\n}\n")
