#pragma once

#include "tests/support/temp_dir.hpp"

#include <string>
#include <vector>

namespace mfo::test {

struct RunResult {
    int exit_code = -1;
    std::string out;
    std::string err;
};

struct RunOptions {
    std::string input;                    // fed to standard input
    std::vector<std::string> environment; // "NAME=value", on top of a clean one
    std::string binary = MFO_BINARY;      // the mfo program to run
};

// Runs the built `mfo` with `args` in `dir` (its working directory), with a
// clean environment so the developer's MFO_* variables never leak in.
RunResult run_mfo(const TempDir& dir, const std::vector<std::string>& args,
                  const RunOptions& options = {});

// Whether `part` occurs in `text`: most CLI checks look for one phrase.
bool contains(const std::string& text, const std::string& part);

// `mfo db init` plus a cheap password cost, ready for user commands. Writes
// mfo.conf in `dir` with the OWASP minimum cost so tests stay fast.
void init_instance(const TempDir& dir);

} // namespace mfo::test
