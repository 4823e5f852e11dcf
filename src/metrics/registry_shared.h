#pragma once
// State shared by a Registry and its Series handles: the clock and the
// list of series holding unflushed values. Private to metrics/.

#include <memory>
#include <vector>

#include "common/mutex.h"
#include "metrics/series.h"

namespace runnel::metrics::detail {

struct RegistryShared {
  explicit RegistryShared(Clock c) : clock(std::move(c)) {}
  const Clock clock;
  Mutex mu;  // taken inside a Series' mutex, never around one
  std::vector<std::shared_ptr<Series>> dirty GUARDED_BY(mu);
  bool closed GUARDED_BY(mu) = false;  // the Registry is gone: nothing is queued any more
};

}  // namespace runnel::metrics::detail
