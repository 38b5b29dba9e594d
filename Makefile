# The two commands a newcomer needs: `make demo` and `make test`. Both install what is
# missing first (scripts/bootstrap.sh), so a fresh Debian 12 machine needs nothing else.
BUILD_DIR ?= build
BUILD_TYPE ?= Release
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=
PREFIX ?= /usr/local
# Sanitizer runs `make test` adds after the suites (`make test SANITIZERS="asan tsan"`). Off by
# default: from a cold cache each one compiles the whole program again (TSan: 311 files, 12
# minutes on two cores; ASan+UBSan longer), far more than the 30-minute CI budget leaves.
SANITIZERS ?=
DESTDIR ?=

.PHONY: all deps configure build test demo bench clean format asan tsan install package

all: build

deps:
	@scripts/bootstrap.sh

$(BUILD_DIR)/build.ninja: CMakeLists.txt
	@cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(CMAKE_FLAGS) >/dev/null

configure: deps $(BUILD_DIR)/build.ninja

build: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS)

# da, its libduckdb, the units, example config, server files and docs under PREFIX (staged
# under DESTDIR when set); the layout is in cmake/Install.cmake.
install: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS) --target da
	@DESTDIR="$(DESTDIR)" cmake --install $(BUILD_DIR) --prefix "$(PREFIX)"

# $(BUILD_DIR)/da_<version>_amd64.deb (scripts/package_deb.sh).
package: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS) --target da
	@scripts/package_deb.sh --build-dir $(BUILD_DIR)

# Warnings are errors here (CI runs this). The deployment tests' Debian root (debootstrap, once,
# cached) is made while the code compiles. Then the concurrent parts' tests under the sanitizers.
test: CMAKE_FLAGS += -DDA_WERROR=ON
test: configure
	@grep -q '^DA_WERROR:BOOL=ON' $(BUILD_DIR)/CMakeCache.txt || cmake -DDA_WERROR=ON $(BUILD_DIR) >/dev/null
	@mkdir -p $(BUILD_DIR) && (tests/deploy/debian_root.sh image >$(BUILD_DIR)/debian-root.log 2>&1 &)
	@cmake --build $(BUILD_DIR) -j $(JOBS)
	@scripts/run_tests.sh $(BUILD_DIR)
	$(if $(SANITIZERS),@$(MAKE) --no-print-directory $(SANITIZERS))

demo: build
	@scripts/demo.sh $(BUILD_DIR)

bench: build
	@bench/run_all.sh $(BUILD_DIR)

# The tests of the concurrent parts (sync runner, portal and HTTP server, WebSocket gateway,
# notification outbox) under AddressSanitizer + UBSan in build-asan/, under ThreadSanitizer in
# build-tsan/; only those tests and what they link are compiled (scripts/sanitizer_tests.sh).
asan: deps
	@scripts/sanitizer_tests.sh build-asan -DDA_SANITIZE=ON

tsan: deps
	@scripts/sanitizer_tests.sh build-tsan -DDA_TSAN=ON

format:
	@git ls-files '*.cpp' '*.hpp' | xargs clang-format -i

clean:
	@rm -rf $(BUILD_DIR) build-asan build-tsan
