// served_blog.hpp: the serve suites' fixture: a blog file with known
// contents, served by `folio serve` on an ephemeral loopback port, and the
// helpers that read its answers.
#pragma once

#include "server_process.hpp"
#include "support/backend.hpp"

#include <nlohmann/json.hpp>

#include <fstream>
#include <optional>

namespace serve_test {

using cli_test::TempDir;
using namespace folio;

inline constexpr int kArticles = 1210;  // 60 full pages and one of 10; over the doctor's 1000-row threshold
inline const std::string kScript = "<script>alert(1)</script>";

// A blog file: 5 authors (one whose name needs escaping and URL-encoding,
// "solo" with one article, "quiet" with none), kArticles articles, the
// newest titled kScript and tagged "<i>x</i>".
inline void make_blog(const std::string& path) {
    Blog blog = Blog::open(path);
    std::vector<Author> authors = {Author("ann", "ann@example.com", "Ann writes."), Author("bob", "", ""),
                                   Author("o'neil&<b>", "", "quotes & tags"), Author("solo", "", ""),
                                   Author("quiet", "", "")};
    blog.authors().bulk_create(authors);
    std::vector<Tag> tags = {Tag("c++"), Tag("<i>x</i>")};
    blog.tags().bulk_create(tags);
    std::vector<Article> articles;
    for (int i = 0; i < kArticles; ++i) {
        Article a;
        char date[16];
        std::snprintf(date, sizeof date, "%04d-%02d-%02d", 2000 + i / 300, 1 + (i / 25) % 12, 1 + i % 25);
        a.set_title(i == kArticles - 1 ? kScript : "Article " + std::to_string(i))
            .set_content("First paragraph of " + std::to_string(i) + ".\n\nSecond <p>aragraph.")
            .set_created_at(date)
            .set_author_id(authors[i == 1 ? 3 : static_cast<std::size_t>(i % 3)].id());
        articles.push_back(std::move(a));
    }
    blog.articles().bulk_create(articles);
    std::vector<std::pair<std::int64_t, std::int64_t>> links;
    for (const auto& a : articles) {
        links.emplace_back(a.id(), tags[0].id());
        if (a.title() == kScript) links.emplace_back(a.id(), tags[1].id());
    }
    bulk_link(blog.db(), Article::meta().many_to_many[0], links);
}

// The database the serve suite serves, on the backend of the run
// (FOLIO_TEST_BACKEND): a blog file in `dir` on SQLite (serve needs one a
// second process can open: never :memory:), a private schema on the server
// of FOLIO_TEST_PG on PostgreSQL, dropped with it.
class ServedDatabase {
public:
    explicit ServedDatabase(const TempDir& dir) {
        if (folio_test::on_postgresql()) {
            server_.emplace();
            target_ = server_->target();
        } else {
            target_ = dir / "blog.sqlite3";
        }
    }
    const std::string& target() const { return target_; }

private:
    std::optional<folio_test::TestDatabaseTarget> server_;
    std::string target_;
};

// Drops `table` behind the server's back (a database error for the pages that
// read it); SQLite needs its foreign-key checks off for that.
inline void drop_table(const std::string& db, const std::string& table) {
    Database other(db);
    if (!folio_test::on_postgresql()) other.execute("PRAGMA foreign_keys = OFF");
    other.execute("DROP TABLE " + table);
}

// Cases that only SQLite has (a file's permissions, read-only opening, the
// WAL): true, after saying so, in the PostgreSQL run.
inline bool sqlite_only(const char* why) {
    if (!folio_test::on_postgresql()) return false;
    BOOST_TEST_MESSAGE("SQLite only (" << why << "): not run on PostgreSQL");
    return true;
}

struct Served {
    TempDir dir;
    ServedDatabase database{dir};
    std::string db = database.target();
    std::string log = dir / "serve.log";
    std::optional<ServerProcess> server;
    explicit Served(std::vector<std::string> extra = {"--panel"}) {
        make_blog(db);
        server.emplace(db, log, std::move(extra));
    }
    httplib::Result get(const std::string& path) {
        auto c = server->client();
        auto r = c.Get(path.c_str());
        BOOST_REQUIRE_MESSAGE(r, "GET " << path << " failed: " << httplib::to_string(r.error()));
        return r;
    }
    // The panel of the request that answered `r`.
    nlohmann::json panel_of(const httplib::Result& r) {
        const std::string id = r->get_header_value("X-Folio-Request-Id");
        BOOST_REQUIRE(!id.empty());
        auto p = get("/__panel/" + id + ".json");
        BOOST_REQUIRE_EQUAL(p->status, 200);
        return nlohmann::json::parse(p->body);
    }
    std::string log_text() const {
        std::ifstream in(log);
        return {std::istreambuf_iterator<char>(in), {}};
    }
};

inline std::size_t occurrences(const std::string& s, const std::string& what) {
    std::size_t n = 0;
    for (auto at = s.find(what); at != std::string::npos; at = s.find(what, at + 1)) ++n;
    return n;
}

inline bool has_finding(const nlohmann::json& panel, const std::string& pattern) {
    for (const auto& f : panel["findings"])
        if (f["pattern"] == pattern) return true;
    return false;
}

} // namespace serve_test
