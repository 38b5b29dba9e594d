# Extension points. Every folder under one of DA_MODULE_ROOTS that has a CMakeLists.txt is
# added to the build; each calls da_add_module()
# to declare a library and the build generates module_registry.cpp, which calls the module's
#   void da::<namespace>::<name>::register_module(da::ModuleRegistry&)
# Adding a connector, sign-in method, service, command or portal feature is a new folder: no
# core file changes. A module links the command host (da_cli, which owns the registry) and the
# LIBS it names: the libraries it includes, nothing more (docs/architecture.md, the layers).

# The folders whose immediate subfolders are modules, in registration order: connectors come
# before the commands (da init asks the questions of the registered connectors). The layer test
# (tests/layers/check_layers.py) reads this list; the templates (Templates.cmake) use it too.
set(DA_MODULE_ROOTS connectors auth services src/commands src/broker/commands src/laptop/commands
                    webapp/features)

set_property(GLOBAL PROPERTY DA_MODULES "")

# da_add_module(KIND connector|auth|service|command|feature NAME <name> SOURCES ... [LIBS ...])
function(da_add_module)
  cmake_parse_arguments(P "" "KIND;NAME" "SOURCES;LIBS" ${ARGN})
  set(_namespaces connector "da::connectors" auth "da::auth" service "da::services" command "da::commands"
                  feature "da::features")
  list(FIND _namespaces "${P_KIND}" _index)
  if(_index EQUAL -1 OR NOT P_NAME OR NOT P_SOURCES)
    message(FATAL_ERROR "da_add_module: need KIND (connector|auth|service|command|feature), NAME and SOURCES")
  endif()
  if(NOT P_NAME MATCHES "^[a-z][a-z0-9_]*$")
    message(FATAL_ERROR "da_add_module: module name '${P_NAME}' must be a C++ identifier in lower case")
  endif()
  math(EXPR _ns_index "${_index} + 1")
  list(GET _namespaces ${_ns_index} _namespace)
  set(_target da_${P_KIND}_${P_NAME})
  add_library(${_target} STATIC ${P_SOURCES})
  target_link_libraries(${_target} PRIVATE da_cli ${P_LIBS})
  set_property(GLOBAL APPEND PROPERTY DA_MODULES "${_namespace}::${P_NAME}|${_target}")
endfunction()

# Adds every immediate subfolder of DIR that has a CMakeLists.txt, in name order.
function(da_add_module_folders DIR)
  file(GLOB _children LIST_DIRECTORIES true CONFIGURE_DEPENDS "${PROJECT_SOURCE_DIR}/${DIR}/*")
  list(SORT _children)
  foreach(_child IN LISTS _children)
    if(IS_DIRECTORY "${_child}" AND EXISTS "${_child}/CMakeLists.txt")
      add_subdirectory("${_child}")
    endif()
  endforeach()
endfunction()

# Generates the registration list and the library da_modules that links every module and
# constructs the registry (which needs the connector and sign-in registries).
function(da_generate_module_registry)
  get_property(_modules GLOBAL PROPERTY DA_MODULES)
  set(DA_MODULE_DECLARATIONS "")
  set(DA_MODULE_CALLS "")
  set(DA_MODULE_NAMES "")
  set(_targets "")
  foreach(_module IN LISTS _modules)
    string(REPLACE "|" ";" _parts "${_module}")
    list(GET _parts 0 _qualified)
    list(GET _parts 1 _target)
    string(APPEND DA_MODULE_DECLARATIONS "namespace ${_qualified} { void register_module(::da::ModuleRegistry&); }\n")
    string(APPEND DA_MODULE_CALLS "  ::${_qualified}::register_module(registry);\n")
    string(APPEND DA_MODULE_NAMES "      \"${_qualified}\",\n")
    list(APPEND _targets ${_target})
  endforeach()
  set(_out "${PROJECT_BINARY_DIR}/generated/module_registry.cpp")
  configure_file("${PROJECT_SOURCE_DIR}/cmake/module_registry.cpp.in" "${_out}" @ONLY)
  add_library(da_modules STATIC "${_out}")
  target_link_libraries(da_modules PUBLIC da_cli PRIVATE da_sync da_web ${_targets})
endfunction()
