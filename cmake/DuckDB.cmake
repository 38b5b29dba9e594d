# Imports libduckdb as the target duckdb::duckdb.
# Looks in DUCKDB_DIR (cache or environment variable: an official libduckdb release folder)
# and then in third_party/duckdb, where scripts/bootstrap.sh puts the pinned npm build.
set(DUCKDB_DIR "$ENV{DUCKDB_DIR}" CACHE PATH "Folder holding duckdb.h and libduckdb.so")

if(DUCKDB_DIR)
  set(_duckdb_hints "${DUCKDB_DIR}" "${DUCKDB_DIR}/include" "${DUCKDB_DIR}/lib")
else()
  set(_duckdb_hints "${PROJECT_SOURCE_DIR}/third_party/duckdb/include"
                    "${PROJECT_SOURCE_DIR}/third_party/duckdb/lib")
endif()
find_path(DUCKDB_INCLUDE_DIR duckdb.h HINTS ${_duckdb_hints} NO_DEFAULT_PATH)
find_library(DUCKDB_LIBRARY NAMES duckdb HINTS ${_duckdb_hints} NO_DEFAULT_PATH)

if(NOT DUCKDB_INCLUDE_DIR OR NOT DUCKDB_LIBRARY)
  unset(DUCKDB_INCLUDE_DIR CACHE)
  unset(DUCKDB_LIBRARY CACHE)
  message(FATAL_ERROR "DuckDB not found (looked in: ${_duckdb_hints}).\n"
                      "Run scripts/bootstrap.sh (or 'make deps') to fetch it into third_party/duckdb, "
                      "or set DUCKDB_DIR to an official libduckdb release folder.")
endif()

add_library(duckdb::duckdb SHARED IMPORTED GLOBAL)
set_target_properties(duckdb::duckdb PROPERTIES
  IMPORTED_LOCATION "${DUCKDB_LIBRARY}"
  IMPORTED_SONAME "libduckdb.so"
  INTERFACE_INCLUDE_DIRECTORIES "${DUCKDB_INCLUDE_DIR}")
# Binaries in the build tree find libduckdb through their RUNPATH (installed: cmake/Install.cmake).
message(STATUS "DuckDB: ${DUCKDB_LIBRARY}")
