#pragma once
#include "server/config.h"

namespace runnel::server {

// Runs the server until SIGTERM or SIGINT, then shuts down cleanly: stop
// accepting, finish in-flight requests, flush and fsync the log, close the
// metadata store. Returns the process exit code.
int serve(const ServeConfig& config);

}  // namespace runnel::server
