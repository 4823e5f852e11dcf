#include "metrics/prometheus_descriptor.h"

namespace runnel::metrics {

std::vector<double> millisecond_bounds() {
  return {0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000};
}

std::vector<double> byte_bounds() { return {64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216}; }

}  // namespace runnel::metrics
