# The two commands a newcomer needs: `make demo` and `make test`. Both install what is
# missing first (scripts/bootstrap.sh), so a fresh Debian 12 machine needs nothing else.
BUILD_DIR ?= build
BUILD_TYPE ?= Release
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=
PREFIX ?= /usr/local
DESTDIR ?=

.PHONY: all deps configure build test demo bench clean format asan install package

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

# The deployment tests' Debian root (debootstrap, once, cached) is made while the code compiles.
test: configure
	@mkdir -p $(BUILD_DIR) && (tests/deploy/debian_root.sh image >$(BUILD_DIR)/debian-root.log 2>&1 &)
	@cmake --build $(BUILD_DIR) -j $(JOBS)
	@scripts/run_tests.sh $(BUILD_DIR)

demo: build
	@scripts/demo.sh $(BUILD_DIR)

bench: build
	@bench/run_all.sh $(BUILD_DIR)

# AddressSanitizer + UBSan build of everything, with its tests, in build-asan/.
asan:
	@$(MAKE) --no-print-directory test BUILD_DIR=build-asan BUILD_TYPE=Debug CMAKE_FLAGS=-DDA_SANITIZE=ON

format:
	@git ls-files '*.cpp' '*.hpp' | xargs clang-format -i

clean:
	@rm -rf $(BUILD_DIR) build-asan
