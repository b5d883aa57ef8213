// thread_blogs.cpp: the per-thread Blogs of `folio serve`, each opened
// read-only as the CLI's read-only commands open theirs. Opening happens
// outside the lock: a worker waiting on the busy timeout must not stall the
// other workers' look-ups.
#include "thread_blogs.hpp"

#include "../cli.hpp"

namespace folio_cli::web {

folio::Blog& ThreadBlogs::local() {
    const auto me = std::this_thread::get_id();
    {
        std::lock_guard lock(mutex_);
        if (auto it = blogs_.find(me); it != blogs_.end()) return *it->second;
    }
    // As the commands that only read: `folio serve` never creates or
    // migrates the blog it shows.
    std::unique_ptr<folio::Database> db = open_read_only(path_);
    require_latest_schema(*db);
    auto blog = std::make_unique<folio::Blog>(std::move(db));
    std::lock_guard lock(mutex_);
    return *blogs_.emplace(me, std::move(blog)).first->second;
}

void ThreadBlogs::discard_local() {
    std::unique_ptr<folio::Blog> gone;  // closed outside the lock
    std::lock_guard lock(mutex_);
    if (auto it = blogs_.find(std::this_thread::get_id()); it != blogs_.end()) {
        gone = std::move(it->second);
        blogs_.erase(it);
    }
}

std::size_t ThreadBlogs::size() const {
    std::lock_guard lock(mutex_);
    return blogs_.size();
}

} // namespace folio_cli::web
