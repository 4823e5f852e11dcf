// runnel's own gauges on /metrics: memory read from /proc and glibc, and the
// connection gauges' registration and removal.

#include "server/process_gauges.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>

#include "metrics/prometheus.h"

namespace runnel::server {
namespace {

TEST(ProcessGauges, MemoryIsReadFromTheProcess) {
  EXPECT_GT(resident_memory_bytes(), 1 << 20);
#ifdef RUNNEL_SANITIZE_BUILD
  // ASan replaces glibc's allocator, whose mallinfo2() then reports nothing.
  GTEST_SKIP() << "heap in use comes from glibc's allocator, which ASan replaces";
#endif
  double before = heap_in_use_bytes();
  constexpr size_t kBlock = 64 << 20;
  char* p = static_cast<char*>(std::malloc(kBlock));
  ASSERT_NE(p, nullptr);
  std::memset(p, 1, kBlock);
  EXPECT_GE(heap_in_use_bytes(), before + kBlock);
  std::free(p);
}

TEST(ProcessGauges, FamiliesOnThePageUntilTheSetGoes) {
  metrics::Registry registry;
  net::Server server(net::ServerOptions{}, [](net::HttpRequest, std::shared_ptr<net::ResponseSink>) {});
  {
    GaugeSet gauges(registry);
    add_memory_gauges(gauges);
    add_connection_gauges(gauges, server);
    std::string page = metrics::render_prometheus(registry);
    EXPECT_NE(page.find("# TYPE runnel_process_resident_memory_bytes gauge\n"), std::string::npos) << page;
    EXPECT_NE(page.find("# TYPE runnel_heap_in_use_bytes gauge\n"), std::string::npos);
    EXPECT_NE(page.find("runnel_open_connections{protocol=\"h2c\",tls=\"false\"} 0\n"), std::string::npos);
    EXPECT_NE(page.find("runnel_open_connections{protocol=\"h2\",tls=\"true\"} 0\n"), std::string::npos);
    EXPECT_EQ(registry.gauges().size(), 6u);
  }
  EXPECT_TRUE(registry.gauges().empty());
}

}  // namespace
}  // namespace runnel::server
