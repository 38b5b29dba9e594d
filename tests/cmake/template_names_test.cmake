# cmake -DSOURCE_DIR=<repository> -DWORK_DIR=<scratch folder> -P template_names_test.cmake
# Configures a small project of module folders with cmake/Templates.cmake (and the module roots
# of cmake/Modules.cmake): templates with
# distinct names are all found; two module folders that ship a template of the same name stop
# the configure, and the message names both files.
function(check_modules EXPECT_FAILURE)
  file(WRITE "${WORK_DIR}/tree/CMakeLists.txt"
       "cmake_minimum_required(VERSION 3.25)\n"
       "project(template_names LANGUAGES NONE)\n"
       "include(\"${SOURCE_DIR}/cmake/Modules.cmake\")\n"
       "include(\"${SOURCE_DIR}/cmake/Templates.cmake\")\n"
       "da_module_templates(found)\n"
       "da_check_template_names(\${found})\n"
       "message(STATUS \"found: \${found}\")\n")
  file(REMOVE_RECURSE "${WORK_DIR}/build")
  execute_process(COMMAND "${CMAKE_COMMAND}" -S "${WORK_DIR}/tree" -B "${WORK_DIR}/build"
                  RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE err)
  set(OUT "${out}${err}" PARENT_SCOPE)
  if(EXPECT_FAILURE AND result EQUAL 0)
    message(FATAL_ERROR "the duplicate template name was accepted:\n${out}${err}")
  elseif(NOT EXPECT_FAILURE AND NOT result EQUAL 0)
    message(FATAL_ERROR "distinct template names were refused:\n${out}${err}")
  endif()
endfunction()

file(REMOVE_RECURSE "${WORK_DIR}")
set(tree "${WORK_DIR}/tree")
foreach(module webapp/features/reports auth/sso services/bot)
  file(WRITE "${tree}/${module}/CMakeLists.txt" "")
endforeach()
file(WRITE "${tree}/webapp/features/reports/templates/reports.mustache" "<p>reports</p>")
file(WRITE "${tree}/auth/sso/templates/sso.mustache" "<p>sso</p>")
check_modules(FALSE)
foreach(expected "reports/templates/reports.mustache" "sso/templates/sso.mustache")
  if(NOT OUT MATCHES "${expected}")
    message(FATAL_ERROR "the module template ${expected} was not found:\n${OUT}")
  endif()
endforeach()

file(WRITE "${tree}/services/bot/templates/reports.mustache" "<p>bot</p>")
check_modules(TRUE)
foreach(expected "webapp/features/reports/templates/reports.mustache"
                 "services/bot/templates/reports.mustache")
  if(NOT OUT MATCHES "${expected}")
    message(FATAL_ERROR "the refusal does not name ${expected}:\n${OUT}")
  endif()
endforeach()
file(REMOVE_RECURSE "${WORK_DIR}")
