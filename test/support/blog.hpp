// blog.hpp: migrated blogs on ":memory:", on a temporary file or on this
// run's backend, and the rows the suites make one at a time.
#pragma once

#include <string>

#include <folio/folio.hpp>

#include "backend.hpp"
#include "temp_dir.hpp"

namespace folio_test {

// A migrated blog on ":memory:".
struct MemoryBlog {
    folio::Blog blog = folio::Blog::open(":memory:");
    folio::Database& db() { return blog.db(); }
};

// A migrated blog on this run's backend (backend.hpp): the suites that run
// once per backend open their blogs here.
struct BackendBlog {
    TestDatabaseTarget where;  // declared first: the blog closes before its database is dropped
    folio::Blog blog = folio::Blog::open(where.target());
    folio::Database& db() { return blog.db(); }
};

// A migrated blog on this run's backend that a second connection can reach
// through `path` (a file on the sqlite-memory run), and a temporary
// directory for the files a case writes.
struct SharedBackendBlog {
    TempDir dir{"folio-blog-test"};
    TestDatabaseTarget where{TestDatabaseTarget::reachable_twice};
    std::string path = where.target();
    folio::Blog blog = folio::Blog::open(path);
    folio::Database& db() { return blog.db(); }
};

// A temporary directory with a migrated blog file in it. The directory is
// declared first, so the connection closes before the files are removed.
struct FileBlog {
    TempDir dir{"folio-blog-test"};
    std::string path = dir.file("blog.sqlite3");
    folio::Blog blog = folio::Blog::open(path);
    folio::Database& db() { return blog.db(); }
};

inline folio::Author make_author(folio::Database& db, const std::string& username, const std::string& email = "") {
    folio::Author a(username, email, "bio of " + username);
    a.save(db);
    return a;
}

inline folio::Article make_article(folio::Database& db, const folio::Author& author, const std::string& title,
                                   const std::string& date = "2020-01-01") {
    folio::Article a;
    a.set_title(title).set_content("content of " + title).set_created_at(date).set_author_id(author.id());
    a.save(db);
    return a;
}

} // namespace folio_test
