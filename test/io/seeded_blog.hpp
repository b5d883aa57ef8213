// The import suites' shared fixture: JSON text of single author and article
// records, and a blog that holds the authors alice and bob on this run's
// backend (a real SQLite file on the SQLite runs, a schema of its own on
// PostgreSQL).
#pragma once

#include <cstdint>
#include <string>

#include <folio/blog.hpp>
#include <folio/blog_io.hpp>

#include "support/backend.hpp"
#include "test_support.hpp"

namespace folio_test {

inline std::string author_json(const std::string& username, const std::string& email = "") {
    return R"({"username": ")" + username + R"(", "email": ")" + email + R"(", "bio": "b"})";
}
// An article by `author`, two tags, `content` bytes of content.
inline std::string article_json(const std::string& author, const std::string& title = "T", std::size_t content = 1) {
    return R"({"created_at": "2015-01-02", "author": ")" + author + R"(", "tags": ["lorem", "minus"], "title": ")" +
           title + R"(", "content": ")" + std::string(content, 'c') + R"("})";
}

struct SeededBlog {
    TempDir dir;
    TestDatabaseTarget where{TestDatabaseTarget::reachable_twice};  // before the blog: it closes first
    folio::Blog blog = folio::Blog::open(where.target());
    SeededBlog() {
        write_file(dir / "seed.json", "[" + author_json("alice") + "," + author_json("bob") + "]");
        folio::import_authors(blog, dir / "seed.json");
    }
    std::int64_t rows(const char* table) {
        return blog.db().scalar(std::string("SELECT count(*) FROM ") + table).as_integer();
    }
};

} // namespace folio_test
