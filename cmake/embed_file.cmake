# cmake -DIN=file -DOUT=file.cc -DNAME=ident -DNAMESPACE=ns -P embed_file.cmake
file(READ ${IN} content)
string(FIND "${content}" ")tl_embed\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "${IN} contains the raw string delimiter")
endif()
file(WRITE ${OUT} "#include <string_view>\nnamespace ${NAMESPACE} {\nextern const std::string_view ${NAME};\nconst std::string_view ${NAME} = R\"tl_embed(${content})tl_embed\";\n}\n")
