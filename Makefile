# The two commands a newcomer needs: `make run` and `make test`.
# Both install what is missing (scripts/install-deps.sh), then build.
PORT ?= 4567
DATA_DIR ?= ./runnel-data
JOBS ?= $(shell nproc)

.PHONY: run test deps build build-asan build-fuzz unit e2e asan fuzz-smoke clean

deps:
	@bash scripts/install-deps.sh

build: deps
	@bash scripts/build-console.sh
	@cmake --preset release >/dev/null
	@cmake --build --preset release -j $(JOBS)

run: build
	./build/release/runnel serve --port $(PORT) --data-dir $(DATA_DIR)

test: deps
	@bash scripts/test.sh

build-asan: deps
	@bash scripts/build-console.sh
	@cmake --preset asan >/dev/null
	@cmake --build --preset asan -j $(JOBS)

build-fuzz: deps
	@cmake --preset fuzz >/dev/null
	@cmake --build --preset fuzz -j $(JOBS)

clean:
	rm -rf build
