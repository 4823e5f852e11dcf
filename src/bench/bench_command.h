#pragma once
// BenchCommand: the `runnel bench` subcommand. Constructing it registers the
// subcommand and its flags on the application; after parsing, run() performs
// the run (bench/run.h) and returns the exit code.
//
// Usage in main():
//   runnel::bench::BenchCommand bench(app);
//   CLI11_PARSE(app, argc, argv);
//   if (bench.parsed()) return bench.run();

#include <CLI/CLI.hpp>

#include "bench/options.h"

namespace runnel::bench {

class BenchCommand {
 public:
  explicit BenchCommand(CLI::App& app);

  bool parsed() const { return sub_->parsed(); }
  // Validates the options, then runs the benchmark. Exit code: 0 ok, 1 the
  // run failed, 2 invalid options.
  int run();

  BenchOptions& options() { return options_; }

 private:
  CLI::App* sub_;
  BenchOptions options_;
};

}  // namespace runnel::bench
