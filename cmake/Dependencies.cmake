# Finds every library the build needs and, if any is missing, fails once with the
# Debian package to install instead of a compiler error later.
set(_da_missing "")

macro(da_require_package NAME DEBIAN_PACKAGE)
  find_package(${NAME} ${ARGN} QUIET)
  if(NOT ${NAME}_FOUND)
    list(APPEND _da_missing "${NAME} (Debian package ${DEBIAN_PACKAGE})")
  endif()
endmacro()

da_require_package(yaml-cpp libyaml-cpp-dev)
da_require_package(nlohmann_json nlohmann-json3-dev)
da_require_package(CLI11 libcli11-dev)
da_require_package(fmt libfmt-dev)
da_require_package(spdlog libspdlog-dev)
da_require_package(SQLite3 libsqlite3-dev)
da_require_package(OpenSSL libssl-dev)
da_require_package(Threads libc6-dev)
if(DA_BUILD_TESTS)
  da_require_package(GTest libgtest-dev)
endif()
if(DA_BUILD_BENCH)
  da_require_package(benchmark libbenchmark-dev)
endif()

if(_da_missing)
  list(JOIN _da_missing "\n  " _da_missing_text)
  message(FATAL_ERROR "Missing build dependencies:\n  ${_da_missing_text}\n"
                      "Run scripts/bootstrap.sh (or 'make deps') to install them.")
endif()
