// The console's paths, served through a Dispatcher as the server does:
// the app's files (compiled in or from a folder), its settings, the browser
// redirect from /, and the refusals (paths outside the app, signed GET /).

#include "console/console.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "net/responses.h"
#include "protocol/credentials.h"
#include "protocol/dispatcher.h"
#include "protocol/json_codec.h"

namespace runnel::console {
namespace {

class CaptureSink : public net::ResponseSink {
 public:
  void send(net::HttpResponse r) override { response = std::move(r); }
  void begin_stream(int, std::vector<net::Header>) override {}
  void write_chunk(std::string) override {}
  void end_stream() override {}
  bool closed() const override { return false; }
  std::string header(std::string_view name) const {
    for (const net::Header& h : response.headers)
      if (net::iequals_ascii(h.name, name)) return h.value;
    return "";
  }
  net::HttpResponse response;
};

constexpr EmbeddedFile kFiles[] = {
    {"assets/index-abc123.js", "console.log('runnel')"},
    {"assets/index-def456.css", "body{}"},
    {"index.html", "<!doctype html><title>runnel</title>"},
};

ConsoleOptions options() {
  ConsoleOptions o;
  o.region = "eu-west-1";
  o.account_id = "123456789012";
  o.version = "9.9.9";
  o.started_at_ms = 1'700'000'000'000;
  o.services = {"kinesis", "firehose"};
  return o;
}

class ConsoleTest : public ::testing::Test {
 protected:
  void serve(const ConsoleOptions& o, std::span<const EmbeddedFile> files,
             const protocol::CredentialStore* credentials = nullptr) {
    protocol::DispatcherOptions d;
    d.credentials = credentials;
    dispatcher_ = std::make_unique<protocol::Dispatcher>(d);
    for (protocol::LocalRoute& r : console_routes(o, files)) dispatcher_->add_route(std::move(r));
  }
  std::shared_ptr<CaptureSink> get(std::string path, std::vector<net::Header> headers = {}) {
    net::HttpRequest req;
    req.method = "GET";
    if (size_t q = path.find('?'); q != std::string::npos) {
      req.query = path.substr(q + 1);
      path.resize(q);
    }
    req.path = path;
    req.headers = std::move(headers);
    auto sink = std::make_shared<CaptureSink>();
    dispatcher_->handle(std::move(req), sink);
    return sink;
  }
  std::unique_ptr<protocol::Dispatcher> dispatcher_;
};

TEST_F(ConsoleTest, ServesTheAppWithItsTypesAndCaching) {
  serve(options(), kFiles);
  auto index = get("/console/");
  EXPECT_EQ(index->response.status, 200);
  EXPECT_EQ(index->response.body, "<!doctype html><title>runnel</title>");
  EXPECT_EQ(index->header("content-type"), "text/html; charset=utf-8");
  EXPECT_EQ(index->header("cache-control"), "no-cache");
  EXPECT_NE(index->header("content-security-policy").find("default-src 'self'"), std::string::npos);
  EXPECT_EQ(get("/console/index.html")->response.body, index->response.body);

  auto js = get("/console/assets/index-abc123.js?v=1");
  EXPECT_EQ(js->response.status, 200);
  EXPECT_EQ(js->response.body, "console.log('runnel')");
  EXPECT_EQ(js->header("content-type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(js->header("cache-control"), "public, max-age=31536000, immutable");
  EXPECT_EQ(js->header("x-content-type-options"), "nosniff");
  EXPECT_EQ(get("/console/assets/index-def456.css")->header("content-type"), "text/css; charset=utf-8");
}

TEST_F(ConsoleTest, RefusesWhatIsNotAFileOfTheApp) {
  serve(options(), kFiles);
  for (const char* path : {"/console/nope.js", "/console/../etc/passwd", "/console/assets/../index.html",
                           "/console/assets/%2e%2e/index.html", "/console//index.html", "/console/assets/",
                           "/console/./index.html", "/console/assets\\index-abc123.js"}) {
    auto r = get(path);
    EXPECT_EQ(r->response.status, 404) << path;
    EXPECT_EQ(r->header("content-type"), "text/plain; charset=utf-8") << path;
  }
}

TEST_F(ConsoleTest, ConfigTellsThePageHowToSign) {
  serve(options(), kFiles);
  auto r = get("/console/config.json");
  ASSERT_EQ(r->response.status, 200);
  EXPECT_EQ(r->header("content-type"), "application/json");
  EXPECT_EQ(r->header("cache-control"), "no-store");
  auto v = protocol::decode_json(r->response.body);
  ASSERT_TRUE(v.has_value());
  EXPECT_FALSE(v->find("auth")->as_bool());
  EXPECT_EQ(v->find("region")->as_string(), "eu-west-1");
  EXPECT_EQ(v->find("accountId")->as_string(), "123456789012");
  EXPECT_EQ(v->find("version")->as_string(), "9.9.9");
  EXPECT_EQ(v->find("startedAt")->as_int(), 1'700'000'000'000);
  ASSERT_EQ(v->find("services")->as_array().size(), 2u);
  EXPECT_EQ(v->find("services")->as_array()[1].as_string(), "firehose");
}

TEST_F(ConsoleTest, WithCredentialsThePageLoadsUnsignedButSaysLess) {
  auto store =
      protocol::CredentialStore::parse("[default]\naws_access_key_id = AKIDTEST\naws_secret_access_key = s3cr3t\n");
  ASSERT_TRUE(store.has_value());
  ConsoleOptions o = options();
  o.auth = true;
  serve(o, kFiles, &*store);
  EXPECT_EQ(get("/console/")->response.status, 200);
  EXPECT_EQ(get("/console/assets/index-abc123.js")->response.status, 200);
  auto r = get("/console/config.json");
  ASSERT_EQ(r->response.status, 200);
  auto v = protocol::decode_json(r->response.body);
  ASSERT_TRUE(v.has_value());
  EXPECT_TRUE(v->find("auth")->as_bool());
  EXPECT_EQ(v->find("accountId"), nullptr);
}

TEST_F(ConsoleTest, BrowsersAtTheRootAreSentToTheConsole) {
  serve(options(), kFiles);
  auto r = get("/", {{"accept", "text/html,application/xhtml+xml,*/*;q=0.8"}});
  EXPECT_EQ(r->response.status, 302);
  EXPECT_EQ(r->header("location"), "/console/");
  auto bare = get("/console");
  EXPECT_EQ(bare->response.status, 301);
  EXPECT_EQ(bare->header("location"), "/console/");
  // Not a browser, or signed (S3's ListBuckets): the AWS protocols answer,
  // here with no service registered, AWS's 403.
  EXPECT_EQ(get("/")->response.status, 403);
  EXPECT_EQ(get("/", {{"accept", "text/html"},
                      {"authorization",
                       "AWS4-HMAC-SHA256 Credential=AKID/20261207/us-east-1/s3/aws4_request, "
                       "SignedHeaders=host, Signature=00"}})
                ->response.status,
            403);
  EXPECT_EQ(get("/?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=x", {{"accept", "text/html"}})->response.status,
            403);
}

TEST_F(ConsoleTest, WithoutABuildThePageSaysHowToBuildIt) {
  serve(options(), {});
  auto r = get("/console/");
  EXPECT_EQ(r->response.status, 200);
  EXPECT_NE(r->response.body.find("was not built"), std::string::npos);
  EXPECT_NE(r->response.body.find("scripts/build-console.sh"), std::string::npos);
  EXPECT_EQ(get("/console/assets/index-abc123.js")->response.status, 404);
  EXPECT_EQ(get("/console/config.json")->response.status, 200);
}

TEST_F(ConsoleTest, ServesAFolderWhileTheAppIsDeveloped) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("runnel-console-test-" + std::to_string(::getpid()));
  fs::create_directories(dir / "dist" / "assets");
  std::ofstream(dir / "dist" / "index.html") << "<p>from disk</p>";
  std::ofstream(dir / "dist" / "assets" / "app.js") << "1+1";
  std::ofstream(dir / "secret.txt") << "outside";
  ConsoleOptions o = options();
  o.dir = (dir / "dist").string();
  serve(o, kFiles);
  EXPECT_EQ(get("/console/")->response.body, "<p>from disk</p>");
  EXPECT_EQ(get("/console/assets/app.js")->response.body, "1+1");
  EXPECT_EQ(get("/console/assets/index-abc123.js")->response.status, 404);  // not the compiled-in files
  EXPECT_EQ(get("/console/../secret.txt")->response.status, 404);
  EXPECT_EQ(get("/console/assets")->response.status, 404);  // a folder is not a file
  fs::remove_all(dir);
}

TEST(SafeRelativePath, AcceptsPlainPathsOnly) {
  EXPECT_TRUE(safe_relative_path("index.html"));
  EXPECT_TRUE(safe_relative_path("assets/index-1a2B_c.js"));
  EXPECT_TRUE(safe_relative_path("a/b/c.d.e"));
  for (std::string_view bad :
       std::initializer_list<std::string_view>{"", "/x", "x/", "a//b", "..", "a/../b", ".", "./a", "a/.", "a%2fb",
                                               "a\\b", std::string_view("a\0b", 3), "a\nb"})
    EXPECT_FALSE(safe_relative_path(bad)) << bad;
  EXPECT_FALSE(safe_relative_path(std::string(2000, 'a')));
}

TEST(ContentType, ByExtension) {
  EXPECT_EQ(content_type_for("a.svg"), "image/svg+xml");
  EXPECT_EQ(content_type_for("assets/x.woff2"), "font/woff2");
  EXPECT_EQ(content_type_for("noext"), "application/octet-stream");
  EXPECT_EQ(content_type_for("dir.v1/noext"), "application/octet-stream");
  EXPECT_EQ(content_type_for("x.JS"), "application/octet-stream");
}

}  // namespace
}  // namespace runnel::console
