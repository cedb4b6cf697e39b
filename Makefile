# The two set-up commands of the README:
#   make run    install what is missing, build, create ./instance/mfo.db with
#               an admin account (password shown once) and serve it
#   make test   install what is missing, build with warnings as errors, and
#               run the whole test suite
BUILD ?= build
INSTANCE ?= instance
JOBS ?= $(shell nproc)
PORT ?= 5000
ADMIN_EMAIL ?= admin@example.com
MAKEFLAGS += --no-print-directory

.PHONY: all deps test-deps build run test clean

all: build

deps:
	@scripts/install-deps.sh build

test-deps:
	@scripts/install-deps.sh test

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD) -j $(JOBS) --target mfo

run: build
	@scripts/run-instance.sh $(BUILD)/mfo $(INSTANCE) $(ADMIN_EMAIL) $(PORT)

test: test-deps
	@scripts/test-all.sh

clean:
	rm -rf $(BUILD) build-*
