# What `cmake --install` puts where (make install, make package), relative to the prefix:
#   bin/da                 RUNPATH $ORIGIN/../lib/da, so a moved tree still finds its libduckdb
#   lib/da/libduckdb.so    the libduckdb the build links (third_party/duckdb or DUCKDB_DIR)
#   lib/systemd/system/    the units of every systemd/ folder up to four levels down (webapp/,
#                          services/<module>/, src/broker/<component>/, src/broker/commands/<module>/);
#                          they name /usr/bin/da, rewritten to <prefix>/bin/da (InstallUnits.cmake)
#   share/da/config/       the example instance files
#   share/da/server/       server/ as it is when installing, scripts keeping their mode
#   share/da/nginx/        the nginx site template and its security-headers snippet
#   share/doc/da/          docs/
# Nothing installed is writable by a group or others.

# The installed copy of da gets its RUNPATH by an in-place edit (file(RPATH_SET)), not through
# INSTALL_RPATH: for that, CMake ends the build tree's RUNPATH with an empty entry, which the
# loader reads as the current directory. An in-place edit needs room: a DuckDB folder shorter
# than the new RUNPATH is named once more, spelled longer.
set(_installed_rpath "$ORIGIN/../lib/da")
get_filename_component(_duckdb_dir "${DUCKDB_LIBRARY}" DIRECTORY)
string(LENGTH "${_installed_rpath}" _needed)
string(LENGTH "${_duckdb_dir}" _length)
if(_length LESS _needed)
  set(_longer "${_duckdb_dir}")
  while(_length LESS _needed)
    string(APPEND _longer "/.")
    string(LENGTH "${_longer}" _length)
  endwhile()
  target_link_options(da PRIVATE "LINKER:-rpath,${_longer}")
endif()
install(PROGRAMS "$<TARGET_FILE:da>" DESTINATION bin)
install(CODE "file(RPATH_SET FILE \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/bin/da\"
                        NEW_RPATH \"\\${_installed_rpath}\")")
file(REAL_PATH "${DUCKDB_LIBRARY}" _duckdb_file)
install(FILES "${_duckdb_file}" DESTINATION lib/da RENAME libduckdb.so)

set(_unit_patterns "")
foreach(_level IN ITEMS "*" "*/*" "*/*/*" "*/*/*/*")
  foreach(_type IN ITEMS service timer socket path)
    list(APPEND _unit_patterns "${PROJECT_SOURCE_DIR}/${_level}/systemd/*.${_type}")
  endforeach()
endforeach()
file(GLOB _found_units CONFIGURE_DEPENDS ${_unit_patterns})
set(_units "")
set(_unit_names "")
foreach(_unit IN LISTS _found_units)
  file(RELATIVE_PATH _relative "${PROJECT_SOURCE_DIR}" "${_unit}")
  if(_unit MATCHES "^${PROJECT_BINARY_DIR}/" OR _relative MATCHES "^(build|third_party/|node_modules/|\\.)")
    continue()
  endif()
  get_filename_component(_name "${_unit}" NAME)
  if(_name IN_LIST _unit_names)
    message(FATAL_ERROR "two modules ship the systemd unit ${_name}; the second is ${_relative}")
  endif()
  list(APPEND _unit_names "${_name}")
  list(APPEND _units "${_unit}")
endforeach()
install(CODE "set(DA_UNIT_FILES \"${_units}\")
include(\"${CMAKE_CURRENT_LIST_DIR}/InstallUnits.cmake\")")

install(FILES "${PROJECT_SOURCE_DIR}/config/instance.yaml.example"
              "${PROJECT_SOURCE_DIR}/config/.env.template"
              "${PROJECT_SOURCE_DIR}/config/data_description.md.example"
        DESTINATION share/da/config)
install(DIRECTORY "${PROJECT_SOURCE_DIR}/server/" DESTINATION share/da/server USE_SOURCE_PERMISSIONS)
install(DIRECTORY "${PROJECT_SOURCE_DIR}/server/nginx/" DESTINATION share/da/nginx)
install(DIRECTORY "${PROJECT_SOURCE_DIR}/docs/" DESTINATION share/doc/da)
# A checkout made with umask 002 has group-writable scripts: they must not stay so once installed.
install(CODE "execute_process(COMMAND chmod -R go-w \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/share/da\"
                              COMMAND_ERROR_IS_FATAL ANY)")
