// Where the HTTP server runs a request's handler (see http_server.hpp).
#pragma once

namespace da::web {

enum class Lane {
  kInline,    // on the I/O thread: the handler never waits (no disk, no database, no network)
  kWorker,    // on the workers: the usual case
  kBlocking,  // on the blocking workers: it may wait long
};

}  // namespace da::web
