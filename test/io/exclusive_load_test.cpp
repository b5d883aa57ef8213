// folio::ExclusiveLoad: on a SQLite file the load runs with the rollback
// journal and synchronous=FULL, and WAL comes back after it, whether the
// load committed or failed; it is refused inside a transaction and while
// another connection has the file, changing nothing; elsewhere (PostgreSQL,
// :memory:) it changes nothing and the import is the same.
#include "seeded_blog.hpp"

#include <chrono>
#include <string>
#include <thread>

#include <folio/blog.hpp>
#include <folio/blog_io.hpp>
#include <folio/errors.hpp>
#include <folio/exclusive_load.hpp>
#include <folio/transaction.hpp>

#include "support/backend.hpp"
#include "support/backend_only.hpp"

using folio_test::on_postgresql;
using folio_test::write_file;

namespace {

std::string journal_mode(folio::Blog& blog) {
    return on_postgresql() ? "" : blog.db().scalar("PRAGMA journal_mode").as_text();
}

std::string many_articles(int n) {
    std::string text = "[";
    for (int i = 0; i < n; ++i) text += (i ? "," : "") + folio_test::article_json(i % 2 ? "alice" : "bob");
    return text + "]";
}

} // namespace

BOOST_AUTO_TEST_SUITE(exclusive_load)

BOOST_AUTO_TEST_CASE(the_load_runs_with_the_rollback_journal_and_wal_comes_back) {
    folio_test::SeededBlog s;
    write_file(s.dir / "a.json", many_articles(50));
    {
        folio::ExclusiveLoad exclusive(s.blog.db());
        BOOST_TEST(exclusive.active() == !on_postgresql());
        if (!on_postgresql()) {
            BOOST_TEST(journal_mode(s.blog) == "delete");
            BOOST_TEST(s.blog.db().scalar("PRAGMA synchronous").as_integer() == 2);  // FULL
        }
        BOOST_TEST(folio::import_articles(s.blog, s.dir / "a.json").imported == 50u);
    }
    if (!on_postgresql()) {
        BOOST_TEST(journal_mode(s.blog) == "wal");
        BOOST_TEST(s.blog.db().scalar("PRAGMA synchronous").as_integer() == 1);  // NORMAL, folio's own
    }
    BOOST_TEST(s.rows("article") == 50);
    BOOST_TEST(s.blog.authors().get("username", "alice").articles_count() == 25);
    // A second connection sees the committed rows and can write again (WAL).
    folio::Blog other = folio::Blog::open(s.where.target());
    BOOST_TEST(other.articles().count() == 50);
    other.tags().get_or_create_many("name", {folio::Value("after")});
}

BOOST_AUTO_TEST_CASE(a_failed_load_writes_nothing_and_wal_comes_back) {
    folio_test::SeededBlog s;
    write_file(s.dir / "bad.json", "[" + folio_test::article_json("alice") + "," + folio_test::article_json("nobody") + "]");
    {
        folio::ExclusiveLoad exclusive(s.blog.db());
        BOOST_CHECK_THROW(folio::import_articles(s.blog, s.dir / "bad.json"), folio::io::InputError);
    }
    BOOST_TEST(s.rows("article") == 0);
    BOOST_TEST(s.rows("tag") == 0);
    if (!on_postgresql()) BOOST_TEST(journal_mode(s.blog) == "wal");
}

BOOST_AUTO_TEST_CASE(refused_inside_a_transaction) {
    folio_test::SeededBlog s;
    folio::Transaction tx(s.blog.db());
    try {
        folio::ExclusiveLoad exclusive(s.blog.db());
        BOOST_FAIL("ExclusiveLoad inside a transaction was accepted");
    } catch (const folio::InvalidQuery& e) {
        BOOST_TEST(std::string(e.what()).find("inside a transaction") != std::string::npos, e.what());
    }
    tx.rollback();
    if (!on_postgresql()) BOOST_TEST(journal_mode(s.blog) == "wal");
}

// SQLite leaves WAL only when no other connection uses it: the error names
// the file, and both connections go on as before.
BOOST_AUTO_TEST_CASE(refused_while_another_connection_has_the_file, *folio_test::sqlite_only("SQLite's WAL")) {
    folio_test::SeededBlog s;
    folio::DatabaseOptions quick;
    quick.busy_timeout = std::chrono::milliseconds(100);
    folio::Blog other = folio::Blog::open(s.where.target(), quick);
    BOOST_TEST(other.authors().count() == 2);
    try {
        folio::ExclusiveLoad exclusive(s.blog.db());
        BOOST_FAIL("ExclusiveLoad with a second connection open was accepted");
    } catch (const folio::OperationalError& e) {
        BOOST_TEST(std::string(e.what()).find("needs '" + s.where.target() + "' alone") != std::string::npos,
                   e.what());
    }
    BOOST_TEST(journal_mode(s.blog) == "wal");
    BOOST_TEST(s.blog.db().scalar("PRAGMA synchronous").as_integer() == 1);
    other.tags().get_or_create_many("name", {folio::Value("still")});
    BOOST_TEST(s.rows("tag") == 1);
}

// A fresh user's finding: a Database opened on the file during the load
// asks for WAL (folio's default), and got it whenever the load held no lock
// at that instant, so the load went on in WAL, silently as slow as without
// ExclusiveLoad. The load now keeps the file locked (locking_mode=EXCLUSIVE)
// from its start: that open waits its busy timeout and fails, the journal
// stays, the load goes on; a read-only connection reads until the load
// writes. Afterwards WAL is back and both open as usual.
BOOST_AUTO_TEST_CASE(a_connection_opened_during_the_load_does_not_turn_wal_back_on,
                     *folio_test::sqlite_only("SQLite's WAL")) {
    folio_test::SeededBlog s;
    write_file(s.dir / "a.json", many_articles(40));
    folio::DatabaseOptions quick;
    quick.busy_timeout = std::chrono::milliseconds(100);
    folio::DatabaseOptions reader = quick;
    reader.read_only = true;
    {
        folio::ExclusiveLoad exclusive(s.blog.db());
        BOOST_REQUIRE(exclusive.active());
        BOOST_TEST(s.blog.db().scalar("PRAGMA locking_mode").as_text() == "exclusive");
        {
            folio::Database early_reader(s.where.target(), reader);  // before the first write: reads
            BOOST_TEST(early_reader.scalar("SELECT count(*) FROM author").as_integer() == 2);
        }
        try {
            folio::Blog other = folio::Blog::open(s.where.target(), quick);
            BOOST_FAIL("a read-write connection opened during the load");
        } catch (const folio::OperationalError& e) {
            BOOST_TEST(std::string(e.what()).find("locked") != std::string::npos, e.what());
        }
        BOOST_TEST(journal_mode(s.blog) == "delete");
        BOOST_TEST(folio::import_articles(s.blog, s.dir / "a.json").imported == 40u);
        BOOST_TEST(journal_mode(s.blog) == "delete");  // the whole load in the rollback journal
        // Committed, and still the load's: a reader is locked out until it ends.
        BOOST_CHECK_THROW(folio::Database(s.where.target(), reader), folio::OperationalError);
    }
    BOOST_TEST(journal_mode(s.blog) == "wal");
    BOOST_TEST(s.blog.db().scalar("PRAGMA locking_mode").as_text() == "normal");
    folio::Blog other = folio::Blog::open(s.where.target(), quick);
    BOOST_TEST(other.articles().count() == 40);
    other.tags().get_or_create_many("name", {folio::Value("after")});
    BOOST_TEST(s.rows("tag") >= 1);
}

// A fresh user's findings: on a read-only Database SQLite's refusal read as
// "another connection has it open"; and a second ExclusiveLoad on the same
// connection, with another connection open, waited the whole busy timeout
// before its refusal (SQLite does so after a switch back to WAL), where the
// first is refused at once.
BOOST_AUTO_TEST_CASE(refused_at_once_and_for_what_it_is, *folio_test::sqlite_only("SQLite's journal modes")) {
    folio_test::SeededBlog s;
    {
        folio::Database ro(s.where.target(), folio::DatabaseOptions{.read_only = true});
        try {
            folio::ExclusiveLoad exclusive(ro);
            BOOST_FAIL("ExclusiveLoad on a read-only Database was accepted");
        } catch (const folio::InvalidQuery& e) {
            BOOST_TEST(std::string(e.what()).find("opened read-only") != std::string::npos, e.what());
        }
    }
    folio::Blog& blog = s.blog;  // folio's default busy timeout: 10 s
    { folio::ExclusiveLoad first(blog.db()); }
    folio::Blog other = folio::Blog::open(s.where.target());
    BOOST_TEST(other.authors().count() == 2);
    const auto start = std::chrono::steady_clock::now();
    BOOST_CHECK_THROW(folio::ExclusiveLoad second(blog.db()), folio::OperationalError);
    // Far below the 10 s timeout whatever the machine's load.
    const double waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    BOOST_TEST(waited < 5.0);
    BOOST_TEST(journal_mode(blog) == "wal");
    // The connection's own timeout is back: a write waits for another writer.
    other.db().execute("BEGIN IMMEDIATE");
    std::thread release([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        other.db().execute("COMMIT");
    });
    blog.tags().get_or_create_many("name", {folio::Value("waited")});
    release.join();
    BOOST_TEST(s.rows("tag") == 1);
}

BOOST_AUTO_TEST_CASE(an_in_memory_database_has_nothing_to_change, *folio_test::sqlite_only("SQLite's :memory:")) {
    folio::Blog blog = folio::Blog::open(":memory:");
    folio::ExclusiveLoad exclusive(blog.db());
    BOOST_TEST(!exclusive.active());
    BOOST_TEST(blog.db().scalar("PRAGMA journal_mode").as_text() == "memory");
}

BOOST_AUTO_TEST_SUITE_END()
