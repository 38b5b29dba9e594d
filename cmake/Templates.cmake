# The portal's Mustache templates: the host's own (webapp/templates: the layout, the error and
# login pages) and those a module ships in its folder (<module folder>/templates/*.mustache), so
# that a feature or sign-in method with a page adds its templates without touching webapp/.
# A template is named by its file name without ".mustache", wherever it lives.

# Sets OUT to the templates of every module folder (under DA_MODULE_ROOTS, cmake/Modules.cmake), in
# path order.
function(da_module_templates OUT)
  set(_found "")
  foreach(_root IN LISTS DA_MODULE_ROOTS)
    file(GLOB _modules LIST_DIRECTORIES true CONFIGURE_DEPENDS "${PROJECT_SOURCE_DIR}/${_root}/*")
    foreach(_module IN LISTS _modules)
      if(IS_DIRECTORY "${_module}" AND EXISTS "${_module}/CMakeLists.txt")
        file(GLOB _templates CONFIGURE_DEPENDS "${_module}/templates/*.mustache")
        list(APPEND _found ${_templates})
      endif()
    endforeach()
  endforeach()
  list(SORT _found)
  set(${OUT} "${_found}" PARENT_SCOPE)
endfunction()

# Stops the configure when two of FILES have the same template name, naming both files: the
# portal could only embed one of them, and which page a route shows would depend on the order.
function(da_check_template_names)
  set(_names "")
  set(_paths "")
  foreach(_file IN LISTS ARGN)
    get_filename_component(_name "${_file}" NAME)
    string(REGEX REPLACE "\\.mustache$" "" _name "${_name}")
    list(FIND _names "${_name}" _index)
    if(NOT _index EQUAL -1)
      list(GET _paths ${_index} _first)
      message(FATAL_ERROR "Two templates are named '${_name}': ${_first} and ${_file}. "
                          "Templates of every folder share one name space; rename one of them.")
    endif()
    list(APPEND _names "${_name}")
    list(APPEND _paths "${_file}")
  endforeach()
endfunction()
