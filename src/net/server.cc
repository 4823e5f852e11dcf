#include "net/server.h"

#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <thread>

#include <spdlog/spdlog.h>

#include "net/asio.h"
#include "net/handshake.h"
#include "net/tls.h"
#include "net/worker.h"

namespace runnel::net {

namespace {
constexpr auto kDrainTimeout = std::chrono::seconds(5);
constexpr auto kExitTimeout = std::chrono::seconds(2);
// After EMFILE/ENFILE/ENOBUFS/ENOMEM from accept(), accepting pauses for a
// delay that doubles from the first to the last of these.
constexpr auto kAcceptBackoffFirst = std::chrono::milliseconds(50);
constexpr auto kAcceptBackoffMax = std::chrono::milliseconds(1000);
constexpr size_t kDescriptorReserve = 64;  // for log segments, the metadata store, the log file
constexpr size_t kMinConnections = 16;
constexpr size_t kTransitSlack = 32;  // accepted sockets not yet admitted by a worker, beyond the limit
constexpr size_t kMaxDefaultConnections = 65536;

bool out_of_resources(const std::error_code& ec) {
  if (ec.category() != std::system_category() && ec.category() != asio::error::get_system_category()) return false;
  int e = ec.value();
  return e == EMFILE || e == ENFILE || e == ENOBUFS || e == ENOMEM;
}
}  // namespace

size_t default_max_connections() {
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY) return kMaxDefaultConnections;
  size_t nofile = static_cast<size_t>(rl.rlim_cur);
  size_t n = nofile > kDescriptorReserve ? nofile - kDescriptorReserve : 0;
  return std::clamp(n, kMinConnections, kMaxDefaultConnections);
}

// One listening socket. It lives on the first worker's io_context and deals
// accepted sockets out to the workers round-robin.
class Listener : public std::enable_shared_from_this<Listener> {
 public:
  Listener(std::vector<std::shared_ptr<Worker>> workers, asio::ssl::context* tls)
      : workers_(std::move(workers)), acceptor_(workers_[0]->io()), retry_timer_(workers_[0]->io()), tls_(tls) {}

  // Caller's thread, before the workers run.
  Status open(const std::string& host, uint16_t port) {
    std::error_code ec;
    asio::ip::tcp::resolver resolver(workers_[0]->io());
    auto results = resolver.resolve(host, std::to_string(port), asio::ip::resolver_base::passive, ec);
    if (ec || results.empty())
      return Status::invalid_argument("cannot resolve listen address " + host + ": " + ec.message());
    asio::ip::tcp::endpoint endpoint = results.begin()->endpoint();
    auto where = [&] { return host + ":" + std::to_string(port); };
    if (acceptor_.open(endpoint.protocol(), ec); ec)
      return Status::io_error("socket for " + where() + ": " + ec.message());
    if (acceptor_.set_option(asio::socket_base::reuse_address(true), ec); ec)
      return Status::io_error("SO_REUSEADDR on " + where() + ": " + ec.message());
    if (acceptor_.bind(endpoint, ec); ec) return Status::io_error("bind " + where() + ": " + ec.message());
    if (acceptor_.listen(asio::socket_base::max_listen_connections, ec); ec)
      return Status::io_error("listen " + where() + ": " + ec.message());
    return Status::ok();
  }

  uint16_t port() const {
    std::error_code ec;
    auto ep = acceptor_.local_endpoint(ec);
    return ec ? 0 : ep.port();
  }

  // Any thread.
  void start() {
    asio::post(workers_[0]->io(), [self = shared_from_this()] { self->accept(); });
  }
  void close() {
    asio::post(workers_[0]->io(), [self = shared_from_this()] {
      std::error_code ec;
      self->closed_ = true;
      self->acceptor_.close(ec);
      self->retry_timer_.cancel();
    });
  }

 private:
  void accept() {
    if (closed_) return;
    std::shared_ptr<Worker> worker = workers_[next_++ % workers_.size()];
    acceptor_.async_accept(worker->io(), [self = shared_from_this(), worker](const std::error_code& ec,
                                                                             asio::ip::tcp::socket socket) mutable {
      if (self->closed_ || ec == asio::error::operation_aborted) return;
      if (ec) return self->on_accept_error(ec);
      if (self->failures_ > 0) {
        spdlog::info("accepting connections again after {} failed attempt(s)", self->failures_);
        self->failures_ = 0;
        self->backoff_ = {};
      }
      std::error_code ignored;
      socket.set_option(asio::ip::tcp::no_delay(true), ignored);
      asio::ssl::context* tls = self->tls_;
      // Counted from now on, so sockets on their way to a worker hold a
      // place too (a burst of accepts can outrun the workers).
      ServerLimits& limits = *worker->config().limits;
      size_t open = limits.connections.fetch_add(1, std::memory_order_acq_rel) + 1;
      asio::post(worker->io(), [worker, tls, socket = std::move(socket)]() mutable {
        bool admitted = worker->admit_new_connection();
        worker->config().limits->connections.fetch_sub(1, std::memory_order_acq_rel);  // registering counts it again
        if (!admitted) {
          std::error_code e;
          socket.close(e);
          return;
        }
        if (tls)
          serve_tls(worker, std::move(socket), *tls);
        else
          serve_plaintext(worker, std::move(socket));
      });
      if (open > limits.max_connections + kTransitSlack) {
        // The workers are behind on admitting (and closing) sockets: let them
        // catch up before taking more descriptors.
        self->retry_timer_.expires_after(kAcceptBackoffFirst);
        self->retry_timer_.async_wait([self](const std::error_code& e) {
          if (!e) self->accept();
        });
        return;
      }
      self->accept();
    });
  }

  // Out of descriptors or memory: pause accepting for a growing delay (the
  // pending connections wait in the kernel's backlog) and warn once per
  // episode, not at every retry. Other errors (a peer that reset before
  // accept) are retried at once.
  void on_accept_error(const std::error_code& ec) {
    if (!out_of_resources(ec)) {
      spdlog::debug("accept failed: {}", ec.message());
      return accept();
    }
    if (failures_++ == 0)
      spdlog::warn("accept failed: {}; pausing accepts (up to {} ms at a time) until it succeeds", ec.message(),
                   kAcceptBackoffMax.count());
    backoff_ = backoff_.count() == 0 ? std::chrono::milliseconds(kAcceptBackoffFirst)
                                     : std::min<std::chrono::milliseconds>(backoff_ * 2, kAcceptBackoffMax);
    retry_timer_.expires_after(backoff_);
    retry_timer_.async_wait([self = shared_from_this()](const std::error_code& e) {
      if (!e) self->accept();
    });
  }

  std::vector<std::shared_ptr<Worker>> workers_;
  asio::ip::tcp::acceptor acceptor_;
  asio::steady_timer retry_timer_;
  asio::ssl::context* tls_;
  size_t next_ = 0;
  size_t failures_ = 0;                  // accept errors since the last success
  std::chrono::milliseconds backoff_{};  // current pause after an out-of-resources error
  bool closed_ = false;
};

struct Server::Runtime {
  std::shared_ptr<asio::ssl::context> tls;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards;
  std::vector<std::thread> threads;
  std::unique_ptr<std::atomic<bool>[]> exited;
};

Server::Server(ServerOptions options, RequestHandler handler)
    : options_(std::move(options)), handler_(std::move(handler)) {}

Server::~Server() { stop(); }

Status Server::start() {
  if (started_) return Status::aborted("Server::start called twice");
  unsigned threads = options_.threads ? options_.threads : std::max(1u, std::thread::hardware_concurrency());
  size_t max_connections = options_.max_connections ? options_.max_connections : default_max_connections();
  auto limits = std::make_shared<ServerLimits>(max_connections, options_.body_memory_bytes);
  auto config = std::make_shared<ServerConfig>(ServerConfig{options_, handler_, limits});
  auto runtime = std::make_unique<Runtime>();
  std::vector<std::shared_ptr<Worker>> workers;
  for (unsigned i = 0; i < threads; ++i) workers.push_back(std::make_shared<Worker>(config));

  bool tls_enabled = options_.tls_port != 0 || !options_.tls_cert_file.empty();
  if (tls_enabled) {
    auto context = make_server_tls_context(options_.tls_cert_file, options_.tls_key_file);
    if (!context) return context.error();
    runtime->tls = std::move(*context);
  }
  std::vector<std::shared_ptr<Listener>> listeners;
  auto plain = std::make_shared<Listener>(workers, nullptr);
  if (Status s = plain->open(options_.host, options_.port); !s) return s;
  listeners.push_back(plain);
  std::shared_ptr<Listener> secure;
  if (tls_enabled) {
    secure = std::make_shared<Listener>(workers, runtime->tls.get());
    if (Status s = secure->open(options_.host, options_.tls_port); !s) return s;
    listeners.push_back(secure);
  }

  bound_port_ = plain->port();
  bound_tls_port_ = secure ? secure->port() : 0;
  workers_ = std::move(workers);
  listeners_ = std::move(listeners);
  runtime->exited.reset(new std::atomic<bool>[workers_.size()]);
  for (size_t i = 0; i < workers_.size(); ++i) {
    runtime->exited[i] = false;
    runtime->guards.push_back(asio::make_work_guard(workers_[i]->io()));
  }
  for (size_t i = 0; i < workers_.size(); ++i) {
    runtime->threads.emplace_back([worker = workers_[i], exited = &runtime->exited[i]] {
      while (true) {
        try {
          worker->io().run();
          break;
        } catch (const std::exception& e) {
          spdlog::error("uncaught exception on a network thread: {}", e.what());
        }
      }
      exited->store(true, std::memory_order_release);
    });
  }
  runtime_ = std::move(runtime);
  limits_ = std::move(limits);
  for (auto& l : listeners_) l->start();
  started_ = true;
  spdlog::info("listening on {}:{} (HTTP/1.1, h2c){}; at most {} connections", options_.host, bound_port_,
               bound_tls_port_ ? fmt::format(", TLS on port {} (h2, http/1.1)", bound_tls_port_) : std::string(),
               max_connections);
  return Status::ok();
}

ConnectionStats Server::stats() const {
  ConnectionStats s;
  if (!limits_) return s;
  for (size_t i = 0; i < s.open.size(); ++i) s.open[i] = limits_->open_by_kind[i].load(std::memory_order_relaxed);
  return s;
}

void Server::stop() {
  if (!started_ || stopped_) return;
  stopped_ = true;
  for (auto& l : listeners_) l->close();
  for (auto& w : workers_) asio::post(w->io(), [w] { w->drain_all(); });

  auto live = [this] {
    size_t n = 0;
    for (auto& w : workers_) n += w->live_connections();
    return n;
  };
  auto deadline = std::chrono::steady_clock::now() + kDrainTimeout;
  while (live() > 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  if (size_t n = live(); n > 0) spdlog::warn("closing {} connection(s) that did not finish in time", n);

  for (auto& w : workers_) asio::post(w->io(), [w] { w->abort_all(); });
  runtime_->guards.clear();  // run() returns once the aborted operations have completed
  deadline = std::chrono::steady_clock::now() + kExitTimeout;
  for (size_t i = 0; i < workers_.size(); ++i) {
    while (!runtime_->exited[i].load(std::memory_order_acquire) && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    if (!runtime_->exited[i].load(std::memory_order_acquire)) workers_[i]->io().stop();
  }
  for (auto& t : runtime_->threads) t.join();
  for (auto& w : workers_) {
    w->mark_stopped();
    // Run what is left (completions of the aborted operations) on this thread,
    // so that no handler keeps a connection, and so its worker, alive.
    w->io().restart();
    w->io().poll();
  }
  listeners_.clear();
}

}  // namespace runnel::net
