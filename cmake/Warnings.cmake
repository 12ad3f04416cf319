# Warnings and sanitizers for our own targets only: link tl_warnings.
add_library(tl_warnings INTERFACE)
target_compile_options(tl_warnings INTERFACE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
                                             -Wold-style-cast -Wcast-align)
if(TL_SANITIZE)
  # Undefined behaviour stops the program, so that a test cannot pass over it.
  target_compile_options(tl_warnings INTERFACE -fsanitize=address,undefined -fno-sanitize-recover=undefined
                                               -fno-omit-frame-pointer)
  target_link_options(tl_warnings INTERFACE -fsanitize=address,undefined)
endif()
