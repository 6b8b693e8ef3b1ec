# sgdi_exports.cmake — the functions the public header declares, for the shared library's
# linker version script (exported: exactly these; everything else is local) and for the
# test that checks the library's dynamic symbols against them.
#
#   cmake -DCC=cc -DHEADER=include/sgdi.h -DOUT=sgdi.map [-DLIST=sgdi.exports] -P sgdi_exports.cmake
#
# The header goes through the C preprocessor first, so that comments (which name functions
# in examples) and disabled code do not count; a declaration is then an identifier sgdi_*
# followed by '(' (a function-pointer typedef's name is followed by ')' and does not count).
execute_process(COMMAND ${CC} -E -P -x c ${HEADER}
                OUTPUT_VARIABLE text RESULT_VARIABLE status ERROR_VARIABLE errors)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "preprocessing ${HEADER} failed: ${errors}")
endif()
string(REGEX MATCHALL "sgdi_[A-Za-z0-9_]+[ \t\r\n]*\\(" calls "${text}")
set(names)
foreach(call ${calls})
  string(REGEX REPLACE "[ \t\r\n]*\\($" "" name "${call}")
  list(APPEND names ${name})
endforeach()
list(REMOVE_DUPLICATES names)
list(SORT names)
list(LENGTH names count)
if(count EQUAL 0)
  message(FATAL_ERROR "no function declarations found in ${HEADER}")
endif()
set(map "/* Generated from ${HEADER} by cmake/sgdi_exports.cmake. */\n{\n  global:\n")
foreach(name ${names})
  string(APPEND map "    ${name};\n")
endforeach()
string(APPEND map "  local:\n    *;\n};\n")
# Rewritten only when it changes, so the library relinks only then.
file(CONFIGURE OUTPUT ${OUT} CONTENT "${map}" @ONLY)
if(LIST)
  list(JOIN names "\n" lines)
  file(WRITE ${LIST} "${lines}\n")
endif()
