// thread_blogs.hpp: one folio::Blog (one Database, one SQLite connection)
// per worker thread, as folio's thread contract requires: a Database is used
// by one thread at a time, and several on the same file work side by side
// under WAL.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>

#include <folio/folio.hpp>

namespace folio_cli::web {

class ThreadBlogs {
public:
    explicit ThreadBlogs(std::string path) : path_(std::move(path)) {}
    // The calling thread's Blog, opened read-only on its first call (never
    // created or migrated: open_read_only() and require_latest_schema() of
    // cli.hpp). The reference stays valid until this object dies; only the
    // calling thread may use it. Throws std::runtime_error when there is no
    // file or its schema is not the latest, folio::Error when SQLite cannot
    // open it.
    folio::Blog& local();
    // Closes the calling thread's Blog, if it has one, so that its next
    // local() opens a new connection: after a database error the connection
    // may be unusable (a PostgreSQL server that restarted, a lost link), and
    // a worker that kept it would fail every request from then on. Django's
    // close_if_unusable_or_obsolete() does the same at a request's end.
    // References from local() on this thread are invalid afterwards.
    void discard_local();
    std::size_t size() const;

private:
    std::string path_;
    mutable std::mutex mutex_;  // guards the map, never a Blog
    std::unordered_map<std::thread::id, std::unique_ptr<folio::Blog>> blogs_;
};

} // namespace folio_cli::web
