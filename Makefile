# A thin front door over CMake. The two commands a newcomer needs:
#   make demo   install what is missing, build, run the whole pipeline on a throwaway cluster
#   make test   install what is missing, build, run every test (ends with CTest's summary)
# Both must run as root on a fresh Debian 12 machine (they apt-get install what is missing).

BUILD       ?= build
BUILD_ASAN  ?= build-asan
JOBS        ?= $(shell nproc)

.PHONY: all deps build build-asan demo test bench clean

all: build

deps:
	@scripts/install-deps.sh

build: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build $(BUILD) -j $(JOBS)

build-asan: deps
	cmake -S . -B $(BUILD_ASAN) -DCMAKE_BUILD_TYPE=Debug -DMISSWITCH_SANITIZE=ON >/dev/null
	cmake --build $(BUILD_ASAN) -j $(JOBS)

demo: build
	scripts/with-cluster.sh scripts/demo.sh $(BUILD)/misswitch

# Every test runs on the sanitizer build (AddressSanitizer + UBSan) against a throwaway
# PostgreSQL 15 cluster; the release build's unit tests run too.
test: build build-asan
	cd $(BUILD) && ctest -L unit --output-on-failure -j $(JOBS)
	scripts/with-cluster.sh sh -c 'cd $(BUILD_ASAN) && ctest --output-on-failure -j $(JOBS)'

bench: build
	scripts/with-cluster.sh tests/bench/run-all.sh $(BUILD)

clean:
	rm -rf $(BUILD) $(BUILD_ASAN)
