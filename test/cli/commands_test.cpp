// Every `folio` command on temporary databases: help and usage errors, the
// schema commands, gen-data, both import paths, the guide's jobs, the pages,
// --stats-json and the tour.
#include <algorithm>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "cli_support.hpp"
#include "support/backend.hpp"
#include "support/backend_only.hpp"

using namespace cli_test;

namespace {

// A database with a generated data set imported (fast path).
struct Imported {
    TempDir dir;
    std::string db = dir / "blog.sqlite3";
    std::string data = dir / "data";
    explicit Imported(int authors = 50, int articles = 400) {
        Result g = run({"gen-data", "--authors", std::to_string(authors), "--articles", std::to_string(articles),
                        "--content-bytes", "300", "--seed", "7", "--out", data});
        BOOST_REQUIRE_MESSAGE(g.code == 0, g.err);
        Result a = run({"--db", db, "import-authors", data + "/old_authors.json"});
        BOOST_REQUIRE_MESSAGE(a.code == 0, a.err);
        Result b = run({"--db", db, "import-articles", data + "/old_articles.json"});
        BOOST_REQUIRE_MESSAGE(b.code == 0, b.err);
    }
    nlohmann::json stats(const std::vector<std::string>& args) {
        std::vector<std::string> full = {"--db", db, "--stats-json", dir / "stats.json"};
        full.insert(full.end(), args.begin(), args.end());
        Result r = run(full);
        BOOST_REQUIRE_MESSAGE(r.code == 0, r.err);
        return nlohmann::json::parse(read_file(dir / "stats.json"));
    }
};

} // namespace

BOOST_AUTO_TEST_CASE(help_and_usage_errors) {
    Result h = run({"--help"});
    BOOST_TEST(h.code == 0);
    BOOST_TEST(h.out.find("Exit codes") != std::string::npos);
    // --db takes a PostgreSQL URI too, and the footer tells readers from writers.
    BOOST_TEST(h.out.find("--db PATH|URI") != std::string::npos, h.out);
    BOOST_TEST(h.out.find("postgresql://") != std::string::npos, h.out);
    const std::size_t readers = h.out.find("commands that only read (");
    BOOST_REQUIRE(readers != std::string::npos);
    std::string list = h.out.substr(readers + 25, h.out.find(')', readers) - readers - 25);
    std::erase(list, '\n');
    std::set<std::string> names;
    for (std::size_t at = 0; at <= list.size();) {
        const std::size_t comma = std::min(list.find(',', at), list.size());
        std::string name = list.substr(at, comma - at);
        std::erase(name, ' ');
        names.insert(name);
        at = comma + 1;
    }
    for (const char* reader : {"articles", "author", "top-authors", "export-articles", "showmigrations", "sqlmigrate", "serve"})
        BOOST_TEST(names.count(reader) == 1u, reader << " in " << list);
    for (const char* writer : {"import-articles", "migrate", "tour", "gen-data"})
        BOOST_TEST(names.count(writer) == 0u, writer << " in " << list);
    for (const char* cmd : {"migrate", "showmigrations", "sqlmigrate", "gen-data", "import-authors", "import-articles",
                            "export-articles", "disallow-comments", "delete-tagged", "clone-article", "articles",
                            "author", "top-authors", "tour"}) {
        Result r = run({cmd, "--help"});
        BOOST_TEST(r.code == 0, cmd);
        BOOST_TEST(r.out.find(cmd) != std::string::npos, cmd);
    }
    TempDir dir;
    const std::string db = dir / "u.sqlite3";
    BOOST_TEST(run({}).code == 2);
    BOOST_TEST(run({"no-such-command"}).code == 2);
    BOOST_TEST(run({"--db", db, "import-authors"}).code == 2);
    BOOST_TEST(run({"--db", db, "articles", "--page", "0"}).code == 2);
    BOOST_TEST(run({"--db", db, "articles", "--page", "x"}).code == 2);
    BOOST_TEST(run({"--db", db, "disallow-comments"}).code == 2);
    BOOST_TEST(run({"--db", db, "top-authors", "--limit", "-3"}).code == 2);
    Result d = run({"--db", db, "export-articles", dir / "x.csv", "--delimiter", "ab"});
    BOOST_TEST(d.code == 2);
    BOOST_TEST(d.err.find("--delimiter") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(schema_commands_and_db_resolution) {
    TempDir dir;
    const std::string db = dir / "s.sqlite3";
    Result m = run({"--db", db, "migrate"});
    BOOST_TEST(m.code == 0);
    BOOST_TEST(m.out.find("Applying 0001_initial... OK") != std::string::npos);
    BOOST_TEST(m.out.find("0005_article_created_at_index") != std::string::npos);
    BOOST_TEST(run({"--db", db, "migrate"}).out.find("No migrations to apply") != std::string::npos);
    Result s = run({"--db", db, "showmigrations"});
    BOOST_TEST(s.code == 0);
    BOOST_TEST(s.out.find("[X] 0003_author_username_index") != std::string::npos);
    Result q = run({"--db", db, "sqlmigrate", "0003_author_username_index"});
    BOOST_TEST(q.code == 0);
    BOOST_TEST(q.out.find("CREATE INDEX \"author_username\"") != std::string::npos);
    // Global options after the command work the same as before it.
    Result after = run({"showmigrations", "--db", db});
    BOOST_TEST(after.code == 0, after.err);
    BOOST_TEST(after.out.find("[X] 0005_article_created_at_index") != std::string::npos);
    BOOST_TEST(run({"sqlmigrate", "0003_author_username_index", "--db", db}).code == 0);
    Result unknown_after = run({"showmigrations", "--db", db, "--bogus"});
    BOOST_TEST(unknown_after.code == 2);
    BOOST_TEST(unknown_after.err.find("--bogus") != std::string::npos, unknown_after.err);
    Result bad = run({"--db", db, "sqlmigrate", "0009_nope"});
    BOOST_TEST(bad.code == 1);
    BOOST_TEST(lines(bad.err) == 1u);
    // A unique prefix, as Django's sqlmigrate takes it.
    Result prefix = run({"--db", db, "sqlmigrate", "0003"});
    BOOST_TEST(prefix.code == 0, prefix.err);
    BOOST_TEST(prefix.out == q.out);
    Result ambiguous = run({"--db", db, "sqlmigrate", "000"});
    BOOST_TEST(ambiguous.code == 1);
    BOOST_TEST(ambiguous.out == "");
    BOOST_TEST(ambiguous.err.find("More than one migration matches '000'") != std::string::npos, ambiguous.err);

    // $FOLIO_DB when there is no --db; a fresh file is created and migrated
    // by a command that writes (one that only reads creates nothing).
    const std::string env_db = dir / "env.sqlite3";
    BOOST_TEST(run({"showmigrations"}, {"FOLIO_DB=" + env_db}).code == 1);
    BOOST_TEST(!fs::exists(env_db));
    Result e = run({"migrate"}, {"FOLIO_DB=" + env_db});
    BOOST_TEST(e.code == 0);
    BOOST_TEST(fs::exists(env_db));
    BOOST_TEST(run({"top-authors"}, {"FOLIO_DB=" + env_db}).code == 0);
    BOOST_TEST(count_of(env_db, "PRAGMA user_version") == 6);
}

BOOST_AUTO_TEST_CASE(gen_data_is_deterministic) {
    TempDir dir;
    for (const char* out : {"a", "b"})
        BOOST_REQUIRE(run({"gen-data", "--authors", "20", "--articles", "100", "--seed", "3", "--out", dir / out})
                          .code == 0);
    BOOST_TEST(read_file(dir / "a/old_articles.json") == read_file(dir / "b/old_articles.json"));
    BOOST_TEST(read_file(dir / "a/old_authors.json") == read_file(dir / "b/old_authors.json"));
    BOOST_TEST(read_file(dir / "a/old_articles.json").find("\"minus\"") != std::string::npos);
    BOOST_TEST(run({"gen-data", "--authors", "0", "--articles", "5", "--out", dir / "c"}).code == 2);
}

BOOST_AUTO_TEST_CASE(fast_and_naive_imports_agree) {
    Imported fast(40, 300);
    const std::string naive_db = fast.dir / "naive.sqlite3";
    Result a = run({"--db", naive_db, "--stats-json", fast.dir / "na.json", "import-authors", "--naive",
                    fast.data + "/old_authors.json"});
    BOOST_REQUIRE_MESSAGE(a.code == 0, a.err);
    Result b = run({"--db", naive_db, "--stats-json", fast.dir / "nb.json", "import-articles", "--naive",
                    fast.data + "/old_articles.json"});
    BOOST_REQUIRE_MESSAGE(b.code == 0, b.err);
    BOOST_TEST(b.out.find("Imported 300 articles") != std::string::npos);
    BOOST_TEST(checksum(naive_db) == checksum(fast.db));

    // The same import, bulk, on a third database: a constant number of statements.
    const std::string bulk_db = fast.dir / "bulk.sqlite3";
    BOOST_REQUIRE(run({"--db", bulk_db, "import-authors", fast.data + "/old_authors.json"}).code == 0);
    Result c = run({"--db", bulk_db, "--stats-json", fast.dir / "fb.json", "import-articles",
                    fast.data + "/old_articles.json"});
    BOOST_REQUIRE(c.code == 0);
    auto naive = nlohmann::json::parse(read_file(fast.dir / "nb.json"));
    auto bulk = nlohmann::json::parse(read_file(fast.dir / "fb.json"));
    // 5 per batch, one batch, 6 PRAGMAs sizing the page cache and the temporary
    // storage, and the COUNT(*) that warns of a re-import (or sizes --replace).
    BOOST_TEST(bulk["queries"].get<int>() <= 12);
    BOOST_TEST(naive["queries"].get<int>() > 300 * 3);
    BOOST_TEST(!naive["repeated"].empty());  // the N+1 suspects
}

BOOST_AUTO_TEST_CASE(stats_json_keys_and_page_costs) {
    Imported b;
    auto j = b.stats({"articles"});
    for (const char* k : {"queries", "sql_seconds", "cache_hits", "cache_misses", "repeated"})
        BOOST_TEST(j.contains(k), k);
    BOOST_TEST(j["queries"].get<int>() == 3);  // the count, the page, the tags
    BOOST_TEST(b.stats({"articles", "--page", "2"})["queries"].get<int>() == 3);
    Result over = run({"--db", b.db, "articles", "--page", "999"});
    BOOST_TEST(over.code == 1);

    Result page = run({"--db", b.db, "--stats", "articles"});
    BOOST_TEST(page.out.find("page 1 of 20 (400 articles)") != std::string::npos);
    BOOST_TEST(page.err.find("-- stats: 3 statements") != std::string::npos);

    folio::Database db(b.db);
    const std::string name = db.scalar("SELECT username FROM author ORDER BY articles_count DESC LIMIT 1").as_text();
    Result a = run({"--db", b.db, "author", name});
    BOOST_TEST(a.code == 0);
    BOOST_TEST(a.out.find("/authors/" + name + "/articles") != std::string::npos);
    BOOST_TEST(b.stats({"author", name})["queries"].get<int>() == 2);
    BOOST_TEST(run({"--db", b.db, "author", "nobody-here"}).code == 1);

    Result sql = run({"--db", b.db, "--sql", "top-authors", "--limit", "5"});
    BOOST_TEST(sql.code == 0);
    BOOST_TEST(lines(sql.out) == 5u);
    BOOST_TEST(sql.err.find("LIMIT") != std::string::npos);
    BOOST_TEST(sql.err.find("args=(") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(mass_update_delete_and_clone) {
    Imported b;
    const auto old = count_of(b.db, "SELECT count(*) FROM article WHERE created_at < '2012-01-01'");
    auto j = b.stats({"disallow-comments", "--before", "2012"});
    BOOST_TEST(j["queries"].get<int>() == 1);
    BOOST_TEST(count_of(b.db, "SELECT count(*) FROM article WHERE comments_on = 0") == old);

    const auto tagged = count_of(b.db, "SELECT count(*) FROM article_tags JOIN tag ON tag.id = tag_id "
                                       "WHERE tag.name = 'minus'");
    BOOST_REQUIRE(tagged > 0);
    const auto before = count_of(b.db, "SELECT count(*) FROM article");
    auto d = b.stats({"delete-tagged", "minus"});
    BOOST_TEST(d["queries"].get<int>() <= 3);
    BOOST_TEST(count_of(b.db, "SELECT count(*) FROM article") == before - tagged);
    BOOST_TEST(count_of(b.db, "SELECT count(*) FROM article_tags JOIN tag ON tag.id = tag_id "
                              "WHERE tag.name = 'minus'") == 0);
    BOOST_TEST(run({"--db", b.db, "delete-tagged", "no-such-tag"}).code == 0);

    const auto id = count_of(b.db, "SELECT min(id) FROM article");
    auto c = b.stats({"clone-article", std::to_string(id)});
    BOOST_TEST(c["queries"].get<int>() == 4);  // the article, INSERT, its tags, the links: no author SELECT
    const auto copy = count_of(b.db, "SELECT max(id) FROM article");
    folio::Database db(b.db);
    BOOST_TEST(db.scalar("SELECT title FROM article WHERE id = ?", {copy}).as_text().ends_with(" (COPY)"));
    BOOST_TEST(db.scalar("SELECT author_id FROM article WHERE id = ?", {copy}) ==
               db.scalar("SELECT author_id FROM article WHERE id = ?", {id}));
    BOOST_TEST(db.scalar("SELECT count(*) FROM article_tags WHERE article_id = ?", {copy}) ==
               db.scalar("SELECT count(*) FROM article_tags WHERE article_id = ?", {id}));
    BOOST_TEST(run({"--db", b.db, "clone-article", "99999999"}).code == 1);
}

BOOST_AUTO_TEST_CASE(tour_runs_and_reruns) {
    TempDir dir;
    const std::string db = dir / "tour.sqlite3";
    for (int i = 0; i < 2; ++i) {
        // The second run finds the first one's data: --force lets it empty them.
        Result t = i == 0 ? run({"--db", db, "tour"}) : run({"--db", db, "tour", "--force"});
        BOOST_REQUIRE_MESSAGE(t.code == 0, t.err);
        for (const char* s : {"1 bulk insert", "2 article import", "3 mass update", "4 mass delete", "5 export",
                              "6 clone", "7 list page", "8 defer/only", "9 index", "10 len vs count",
                              "11 count vs exists", "12 lazy slicing", "SCAN author", "SEARCH author", "Tour done"})
            BOOST_TEST(t.out.find(s) != std::string::npos, s);
        // Its closing hint names the database it used, and a rerun replaces
        // the first run's data rather than adding to it (speed is bench/'s).
        BOOST_TEST(t.out.find("--db " + db) != std::string::npos, t.out);
        BOOST_TEST(count_of(db, "SELECT count(*) FROM author") == 200, "after run " << i);
    }
}

// The tour's messages, its closing hint included, show a server's password as
// "***", never in clear (issue 10: "never the password"). The test server
// trusts its socket, so a password in the conninfo is accepted and unused.
BOOST_AUTO_TEST_CASE(the_tour_never_prints_a_servers_password, *folio_test::needs_postgresql_server()) {
    folio_test::TestDatabaseTarget where("postgresql", true);
    const std::string secret = "tour-secret-8472";
    const std::string target = where.target() + " password=" + secret;
    Result t = run({"--db", target, "tour", "--force", "--authors", "3", "--articles", "3"});
    BOOST_REQUIRE_MESSAGE(t.code == 0, t.err);
    BOOST_TEST(t.out.find("Tour done") != std::string::npos, t.out);
    BOOST_TEST(t.out.find(secret) == std::string::npos, t.out);
    BOOST_TEST(t.err.find(secret) == std::string::npos, t.err);
    BOOST_TEST(t.out.find("***") != std::string::npos, t.out);
}
