// thread_blogs.cpp: the per-thread Blogs of `folio serve`. Opening happens
// outside the lock: a worker waiting on the busy timeout must not stall the
// other workers' look-ups.
#include "thread_blogs.hpp"

namespace folio_cli::web {

folio::Blog& ThreadBlogs::local() {
    const auto me = std::this_thread::get_id();
    {
        std::lock_guard lock(mutex_);
        if (auto it = blogs_.find(me); it != blogs_.end()) return *it->second;
    }
    auto blog = std::make_unique<folio::Blog>(folio::Blog::open(path_));
    std::lock_guard lock(mutex_);
    return *blogs_.emplace(me, std::move(blog)).first->second;
}

std::size_t ThreadBlogs::size() const {
    std::lock_guard lock(mutex_);
    return blogs_.size();
}

} // namespace folio_cli::web
