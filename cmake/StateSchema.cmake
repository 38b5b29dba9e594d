# State-store tables, owned by the components and modules that use them. A folder that owns
# tables calls
#   da_add_state_schema(OWNER <C++ namespace> SOURCE <file>)
# and the file defines void <OWNER>::register_state_schema(da::store::SchemaRegistry&). The
# sources are compiled into da_store (they need nothing but its headers) and the build
# generates register_state_schemas(), which calls each: every process and test that opens the
# store knows every table of the build, and the store names none of them.

set_property(GLOBAL PROPERTY DA_STATE_SCHEMAS "")

function(da_add_state_schema)
  cmake_parse_arguments(S "" "OWNER;SOURCE" "" ${ARGN})
  if(NOT S_OWNER OR NOT S_SOURCE)
    message(FATAL_ERROR "da_add_state_schema: need OWNER (a C++ namespace) and SOURCE")
  endif()
  target_sources(da_store PRIVATE "${CMAKE_CURRENT_SOURCE_DIR}/${S_SOURCE}")
  set_property(GLOBAL APPEND PROPERTY DA_STATE_SCHEMAS "${S_OWNER}")
endfunction()

function(da_generate_state_schemas)
  get_property(_owners GLOBAL PROPERTY DA_STATE_SCHEMAS)
  list(SORT _owners)
  set(DA_SCHEMA_DECLARATIONS "")
  set(DA_SCHEMA_CALLS "")
  foreach(_owner IN LISTS _owners)
    string(APPEND DA_SCHEMA_DECLARATIONS
           "namespace ${_owner} { void register_state_schema(::da::store::SchemaRegistry&); }\n")
    string(APPEND DA_SCHEMA_CALLS "  ::${_owner}::register_state_schema(registry);\n")
  endforeach()
  set(_out "${PROJECT_BINARY_DIR}/generated/state_schemas.cpp")
  configure_file("${PROJECT_SOURCE_DIR}/cmake/state_schemas.cpp.in" "${_out}" @ONLY)
  target_sources(da_store PRIVATE "${_out}")
endfunction()
