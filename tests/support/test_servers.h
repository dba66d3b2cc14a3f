// Throwaway PostgreSQL and Redis servers for integration and end-to-end tests
// (ARCHITECTURE.md "Running"): free loopback ports, data in fresh temporary
// folders, readiness polled with a deadline, and everything stopped and deleted
// when the test process ends -- also when it crashes or is killed, because each
// server runs under a small watchdog process that stops it once the test
// process is gone.
//
// Failing to start a server is fatal: the reason (with the server's log) is
// printed to stderr and the process aborts, since no test could run anyway.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace attain::testing {

// A TCP port on 127.0.0.1 that was free a moment ago (bound to port 0 and read back).
int FreePort();

class SupervisedProcess;

// A PostgreSQL 15 server shared by every test of the process, started on first
// use: initdb into a temporary folder (as the `postgres` user when running as
// root), trust authentication, superuser `postgres`, listening on 127.0.0.1 and
// a Unix socket inside the folder, fsync off. Binaries come from
// /usr/lib/postgresql/15/bin (override with ATTAIN_TEST_PG_BIN).
//
// If ATTAIN_TEST_PG_URL is set (postgresql://user@host:port/db of a superuser
// or a role with CREATEDB), that server is used instead and the databases
// created by CreateDatabase are dropped at exit.
//
// Thread-safe.
class PgTestServer {
 public:
  static PgTestServer& Shared();

  // Server settings (`name=value`, as for `postgres -c`) applied on top of the
  // test defaults (fsync off, 32MB shared buffers, …) when Shared() starts
  // the server; call before the first Shared(). Benchmarks use it to run
  // with a production-like configuration.
  static void SetExtraSettings(std::vector<std::string> settings);

  // postgresql://postgres@127.0.0.1:PORT/postgres (or ATTAIN_TEST_PG_URL).
  std::string url() const { return url_; }

  // An outage: Stop() shuts the server down at once (SIGQUIT, as a crash:
  // every connection is cut, transactions in flight are lost; committed ones
  // survive only if they reached the WAL, so a test that counts on them sets
  // synchronous_commit=on with SetExtraSettings); Start() brings it back on the
  // same port over the same data (after crash recovery) and waits until it
  // accepts connections. No-ops when already stopped / running. Fatal on a
  // server from ATTAIN_TEST_PG_URL.
  void Stop();
  void Start();

  // Creates a fresh, empty database named `<prefix>_<unique suffix>` (the prefix
  // is lowercased, anything but [a-z0-9_] becomes '_') and returns its URL.
  std::string CreateDatabase(const std::string& prefix);

  PgTestServer(const PgTestServer&) = delete;
  PgTestServer& operator=(const PgTestServer&) = delete;

 private:
  PgTestServer();
  ~PgTestServer();
  bool TryStartLocal(std::string* error);
  // Starts `server_args_` under a watchdog and waits until it accepts
  // connections; on failure `process_` is left set if the server may still run.
  bool StartProcess(std::string* error);
  static void ShutdownShared();

  std::string url_;
  bool external_ = false;
  std::string dir_;                       // the temporary folder of a local server
  std::vector<std::string> server_args_;  // the postgres command line of a local server
  std::mutex restart_mu_;                 // Stop and Start
  std::unique_ptr<SupervisedProcess> process_;
};

// A redis-server on a free port of 127.0.0.1 (no persistence, data folder in a
// temporary folder), started by the constructor and stopped by the destructor.
// Stop() and Start() simulate an outage: Start() comes back on the same port
// with empty data. Not thread-safe.
class RedisTestServer {
 public:
  RedisTestServer();
  ~RedisTestServer();

  // "redis://127.0.0.1:PORT".
  std::string url() const;
  int port() const { return port_; }
  bool running() const { return process_ != nullptr; }

  // Stops the server and waits until it has exited (no-op if stopped).
  void Stop();
  // Starts the server again on the same port and waits until it answers PING
  // (no-op if running).
  void Start();

  RedisTestServer(const RedisTestServer&) = delete;
  RedisTestServer& operator=(const RedisTestServer&) = delete;

 private:
  bool TryStart(std::string* error);

  int port_ = 0;
  std::unique_ptr<SupervisedProcess> process_;
};

}  // namespace attain::testing
