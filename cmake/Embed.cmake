# tl_embed(OUT_VAR NAMESPACE file...) turns each file into a std::string_view
# constant named after it (hold.lua -> k_hold_lua), generated at build time so an
# edited .lua or .sql file rebuilds what embeds it.
set(TL_EMBED_SCRIPT ${CMAKE_CURRENT_LIST_DIR}/embed_file.cmake)

function(tl_embed out_var namespace)
  set(outputs)
  foreach(src IN LISTS ARGN)
    get_filename_component(abs ${src} ABSOLUTE)
    get_filename_component(name ${src} NAME)
    string(MAKE_C_IDENTIFIER "k_${name}" ident)
    set(out ${CMAKE_CURRENT_BINARY_DIR}/embedded/${ident}.cc)
    add_custom_command(
      OUTPUT ${out}
      COMMAND ${CMAKE_COMMAND} -DIN=${abs} -DOUT=${out} -DNAME=${ident} -DNAMESPACE=${namespace}
              -P ${TL_EMBED_SCRIPT}
      DEPENDS ${abs} ${TL_EMBED_SCRIPT}
      COMMENT "Embedding ${name}")
    list(APPEND outputs ${out})
  endforeach()
  set(${out_var} ${outputs} PARENT_SCOPE)
endfunction()
