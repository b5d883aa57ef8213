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
    // The calling thread's Blog, opened on its first call. The reference
    // stays valid until this object dies; only the calling thread may use it.
    // Throws folio::Error when the database cannot be opened.
    folio::Blog& local();
    std::size_t size() const;

private:
    std::string path_;
    mutable std::mutex mutex_;  // guards the map, never a Blog
    std::unordered_map<std::thread::id, std::unique_ptr<folio::Blog>> blogs_;
};

} // namespace folio_cli::web
