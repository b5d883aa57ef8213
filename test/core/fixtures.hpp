// Shared fixtures of the core tests: a self-deleting temporary directory,
// blogs on a temporary file or on ":memory:", and small helpers to make rows,
// check the denormalized articles_count, and catch a typed exception.
#pragma once

#ifndef BOOST_TEST_DYN_LINK
#define BOOST_TEST_DYN_LINK
#endif
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>

#include <unistd.h>

#include <folio/folio.hpp>

namespace folio {
// Lets BOOST_TEST print Values in failure messages (found by ADL).
inline std::ostream& boost_test_print_type(std::ostream& os, const Value& v) { return os << v.repr(); }
inline std::ostream& boost_test_print_type(std::ostream& os, LoggedStatement::Kind k) {
    switch (k) {
    case LoggedStatement::Kind::Query: return os << "Query";
    case LoggedStatement::Kind::TransactionControl: return os << "TransactionControl";
    case LoggedStatement::Kind::Trigger: return os << "Trigger";
    }
    return os << "?";
}
} // namespace folio

namespace folio_test {

// A fresh, unique directory under the system temp dir, removed with its
// contents at the end of the scope.
class TempDir {
public:
    TempDir() {
        static std::atomic<int> counter{0};
        path_ = std::filesystem::temp_directory_path() /
                ("folio-core-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
        std::filesystem::remove_all(path_);
        std::filesystem::create_directories(path_);
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return path_; }
    std::string file(std::string_view name) const { return (path_ / name).string(); }

private:
    std::filesystem::path path_;
};

// A migrated blog on ":memory:".
struct MemoryBlog {
    folio::Blog blog = folio::Blog::open(":memory:");
    folio::Database& db() { return blog.db(); }
};

// A temporary directory with a migrated blog file in it. The directory is
// declared first, so the connection closes before the files are removed.
struct FileBlog {
    TempDir dir;
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

inline std::int64_t count_rows(folio::Database& db, const std::string& table) {
    return db.scalar("SELECT COUNT(*) FROM \"" + table + "\"").as_integer();
}

inline std::int64_t stored_articles_count(folio::Database& db, std::int64_t author_id) {
    return db.scalar("SELECT articles_count FROM author WHERE id = ?", {author_id}).as_integer();
}

// Every author's articles_count equals the real number of its articles.
inline void check_articles_counts(folio::Database& db) {
    folio::Statement st = db.prepare(
        "SELECT a.id, a.articles_count, (SELECT COUNT(*) FROM article r WHERE r.author_id = a.id) FROM author a");
    int authors = 0;
    while (st.step()) {
        ++authors;
        BOOST_TEST_CONTEXT("author id " << st.column_int(0)) { BOOST_TEST(st.column_int(1) == st.column_int(2)); }
    }
    BOOST_TEST_MESSAGE("checked articles_count of " << authors << " authors");
}

inline bool table_exists(folio::Database& db, const std::string& name) {
    return db.scalar("SELECT COUNT(*) FROM sqlite_schema WHERE name = ?", {name}).as_integer() == 1;
}

// Runs `f`, requires it to throw E, and returns the message for inspection.
template <class E>
std::string message_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const E& e) {
        return e.what();
    } catch (const std::exception& e) {
        BOOST_FAIL("expected " << typeid(E).name() << ", got another exception: " << e.what());
    }
    BOOST_FAIL("expected " << typeid(E).name() << ", nothing was thrown");
    return {};
}

inline bool contains(std::string_view haystack, std::string_view needle) {
    return haystack.find(needle) != std::string_view::npos;
}

// The SQL of the counted statements of a capture, for messages.
inline std::string dump(const folio::QueryCapture& q) {
    std::string out;
    for (const auto& s : q.all()) out += s.to_string() + "\n";
    return out;
}

} // namespace folio_test
