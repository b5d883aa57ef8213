// Migrations: a fresh database reaches the latest version, re-opening applies
// nothing, showmigrations/sqlmigrate, upgrading from every earlier version
// with data in it, a newer database refused, a failing step rolled back,
// connections migrating at once. On every backend (the version in SQLite's
// user_version or PostgreSQL's folio_migrations table); the cases about
// user_version's own values and SQLite's write lock stay SQLite's.
#include "fixtures.hpp"

#include "support/backend_only.hpp"

#include <atomic>
#include <functional>
#include <limits>
#include <optional>
#include <thread>

using namespace folio;
using namespace folio_test;

namespace {

const std::vector<std::string> kNames = {"0001_initial", "0002_article_comments_on", "0003_author_username_index",
                                         "0004_author_articles_count", "0005_article_created_at_index",
                                         "0006_article_count_overflow_guard"};

bool index_exists(Database& db, const std::string& name) {
    return table_exists(db, name);  // an index is the only relation of these names
}

std::vector<std::string> statements_writing_schema_or_data(const QueryCapture& q) {
    std::vector<std::string> out;
    for (const auto& s : q.all()) {
        if (s.kind == LoggedStatement::Kind::TransactionControl) {
            out.push_back(s.sql);
            continue;
        }
        for (const char* w : {"CREATE", "ALTER", "DROP", "INSERT", "UPDATE", "DELETE"})
            if (s.sql.rfind(w, 0) == 0) out.push_back(s.sql);
        if (s.sql.rfind("PRAGMA user_version =", 0) == 0) out.push_back(s.sql);
        if (s.sql.find("folio_migrations") != std::string::npos && s.sql.rfind("SELECT", 0) != 0) out.push_back(s.sql);
    }
    return out;
}

} // namespace

BOOST_AUTO_TEST_SUITE(migrations)

BOOST_AUTO_TEST_CASE(fresh_database_gets_the_latest_version) {
    BackendBlog m;
    Migrator mig = m.blog.migrator();
    BOOST_TEST(mig.latest_version() == 6);
    BOOST_TEST(mig.current_version() == 6);
    BOOST_TEST(stored_schema_version(m.db()) == 6);
    for (const char* t : {"author", "tag", "article", "article_tags"}) BOOST_TEST(table_exists(m.db(), t), t);
    for (const char* i : {"article_author_id", "article_tags_tag_id", "author_username", "article_created_at"})
        BOOST_TEST(index_exists(m.db(), i), i);
    for (const char* t : {"article_count_insert", "article_count_delete", "article_count_move"})
        BOOST_TEST(table_exists(m.db(), t), t);
}

BOOST_AUTO_TEST_CASE(fresh_file_database_applies_each_step_in_its_own_transaction) {
    TestDatabaseTarget where{TestDatabaseTarget::reachable_twice};
    auto db = std::make_unique<Database>(where.target());
    Database& raw = *db;
    std::optional<Blog> blog;  // declared first: outlives the capture on its database
    QueryCapture q(raw);
    blog.emplace(std::move(db));
    std::size_t begins = 0, commits = 0;
    for (const auto& s : q.all()) {
        if (s.sql.rfind("BEGIN", 0) == 0) ++begins;  // SQLite's BEGIN IMMEDIATE, PostgreSQL's BEGIN
        if (s.sql == "COMMIT") ++commits;
    }
    BOOST_TEST(begins == 6u, dump(q));
    BOOST_TEST(commits == 6u, dump(q));
    BOOST_TEST(blog->migrator().current_version() == 6);
}

BOOST_AUTO_TEST_CASE(reopen_is_idempotent) {
    SharedBackendBlog f;
    make_author(f.db(), "ann");
    const std::string path = f.path;
    f.blog = Blog(std::make_unique<Database>(":memory:"));  // close the file
    auto db = std::make_unique<Database>(path);
    Database& raw = *db;
    std::optional<Blog> again;  // declared first: outlives the capture on its database
    QueryCapture q(raw);
    again.emplace(std::move(db));
    auto writes = statements_writing_schema_or_data(q);
    BOOST_TEST(writes.empty(), "re-open ran: " << dump(q));
    BOOST_TEST(again->migrator().current_version() == 6);
    BOOST_TEST(again->migrator().migrate() == 0);
    BOOST_TEST(again->authors().count() == 1);
}

BOOST_AUTO_TEST_CASE(showmigrations_status) {
    TestDatabaseTarget where;
    Database db(where.target());
    Migrator mig(db, blog_migrations(db));
    auto st = mig.status();
    BOOST_REQUIRE(st.size() == 6u);
    for (std::size_t i = 0; i < 6; ++i) {
        BOOST_TEST(st[i].name == kNames[i]);
        BOOST_TEST(!st[i].applied);
    }
    BOOST_TEST(mig.migrate(2) == 2);
    st = mig.status();
    BOOST_REQUIRE(st.size() == 6u);
    BOOST_TEST(st[0].applied);
    BOOST_TEST(st[1].applied);
    BOOST_TEST(!st[2].applied);
    BOOST_TEST(!st[3].applied);
    BOOST_TEST(!st[4].applied);
    BOOST_TEST(mig.current_version() == 2);
    BOOST_TEST(mig.migrate(1) == 0);  // never goes backwards
    BOOST_TEST(mig.current_version() == 2);
    // A target past the history, or below -1 (all), names the known range
    // and applies nothing (it once meant "all").
    for (int target : {7, 99, -2, std::numeric_limits<int>::min()}) {
        const std::string msg = message_of<InvalidQuery>([&] { (void)mig.migrate(target); });
        BOOST_TEST(contains(msg, "No migration number " + std::to_string(target)), msg);
        BOOST_TEST(contains(msg, "0 (none) to 6 (0006_article_count_overflow_guard)"), msg);
        BOOST_TEST(mig.current_version() == 2);
    }
    BOOST_TEST(mig.migrate() == 4);
    for (const auto& s : mig.status()) BOOST_TEST(s.applied, s.name);
}

BOOST_AUTO_TEST_CASE(sqlmigrate_and_unknown_name) {
    TestDatabaseTarget where;
    Database db(where.target());
    Migrator mig(db, blog_migrations(db));
    BOOST_TEST(contains(mig.sql_of("0001_initial"), "CREATE TABLE \"article_tags\""));
    BOOST_TEST(contains(mig.sql_of("0002_article_comments_on"), "\"comments_on\""));
    BOOST_TEST(contains(mig.sql_of("0003_author_username_index"), "CREATE INDEX \"author_username\""));
    BOOST_TEST(contains(mig.sql_of("0004_author_articles_count"), "CREATE TRIGGER"));
    BOOST_TEST(contains(mig.sql_of("0005_article_created_at_index"), "CREATE INDEX \"article_created_at\""));
    std::string msg = message_of<InvalidQuery>([&] { mig.sql_of("0006_nothing"); });
    BOOST_TEST(contains(msg, "0006_nothing"), msg);
    BOOST_TEST(contains(msg, "0005_article_created_at_index"), msg);  // lists the known ones
    // A unique prefix names a migration, as Django's sqlmigrate takes "0004";
    // an ambiguous one is refused naming the matches.
    BOOST_TEST(mig.sql_of("0004") == mig.sql_of("0004_author_articles_count"));
    BOOST_TEST(contains(mig.sqlmigrate("0003"), "CREATE INDEX \"author_username\""));
    msg = message_of<InvalidQuery>([&] { mig.sql_of("000"); });
    BOOST_TEST(contains(msg, "More than one migration matches '000'"), msg);
    BOOST_TEST(contains(msg, "0001_initial"), msg);
    msg = message_of<InvalidQuery>([&] { mig.sql_of(""); });
    BOOST_TEST(contains(msg, "No migration named ''"), msg);
    BOOST_TEST(mig.current_version() == 0);  // showing SQL applies nothing
}

// Builds a database at version k, fills it with data valid at that version
// using raw SQL, then opens it as a Blog and checks nothing was lost.
BOOST_AUTO_TEST_CASE(upgrade_from_every_earlier_version_keeps_data) {
    for (int k = 0; k < 6; ++k) {
        BOOST_TEST_CONTEXT("from version " << k) {
            TestDatabaseTarget where{TestDatabaseTarget::reachable_twice};
            const std::string path = where.target();
            {
                Database db(path);
                Migrator mig(db, blog_migrations(db));
                BOOST_REQUIRE(mig.migrate(k) == k);
                BOOST_REQUIRE(mig.current_version() == k);
                if (k >= 1) {
                    db.execute_script(R"(
INSERT INTO author (id, username, email, bio) VALUES (1, 'ann', 'ann@example.com', 'Ann''s bio'), (2, 'bob', '', ''), (3, 'cy', '', 'no articles');
INSERT INTO tag (id, name) VALUES (1, 'python'), (2, 'sqlite');
INSERT INTO article (id, title, content, created_at, author_id) VALUES
  (10, 'A1', 'x', '2010-01-01', 1), (11, 'A2', 'y', '2011-02-03', 1), (12, 'A3', 'z', '2012-03-04', 1),
  (13, 'B1', 'w', '2013-04-05', 2);
INSERT INTO article_tags (article_id, tag_id) VALUES (10, 1), (10, 2), (11, 2), (13, 1);)");
                    if (k >= 2) db.execute("UPDATE article SET comments_on = FALSE WHERE id IN (10, 13)");
                }
            }
            Blog blog(std::make_unique<Database>(path));
            Database& db = blog.db();
            BOOST_TEST(blog.migrator().current_version() == 6);
            BOOST_TEST(index_exists(db, "author_username"));
            BOOST_TEST(index_exists(db, "article_created_at"));
            BOOST_TEST(table_exists(db, "article_count_move"));
            if (k == 0) {
                BOOST_TEST(blog.authors().count() == 0);
                continue;
            }
            BOOST_TEST(blog.authors().count() == 3);
            BOOST_TEST(blog.tags().count() == 2);
            BOOST_TEST(blog.articles().count() == 4);
            BOOST_TEST(count_rows(db, "article_tags") == 4);
            Author ann = blog.authors().get("username", "ann");
            BOOST_TEST(ann.email() == "ann@example.com");
            BOOST_TEST(ann.bio() == "Ann's bio");
            Article a3 = blog.articles().get("id", 12);
            BOOST_TEST(a3.title() == "A3");
            BOOST_TEST(a3.content() == "z");
            BOOST_TEST(a3.created_at() == "2012-03-04");
            BOOST_TEST(a3.author_id() == 1);
            BOOST_TEST(blog.articles().filter("tags__name", "sqlite").count() == 2);
            // comments_on: the default for rows older than the column, kept otherwise.
            const std::int64_t off = blog.articles().filter("comments_on", false).count();
            BOOST_TEST(off == (k >= 2 ? 2 : 0));
            // The denormalized counts equal the real ones after the upgrade...
            BOOST_TEST(ann.articles_count() == 3);
            BOOST_TEST(blog.authors().get("username", "bob").articles_count() == 1);
            BOOST_TEST(blog.authors().get("username", "cy").articles_count() == 0);
            check_articles_counts(db);
            // ...and stay equal afterwards (the triggers exist).
            make_article(db, blog.authors().get("username", "cy"), "C1");
            blog.articles().filter("id", 13).remove();
            check_articles_counts(db);
            BOOST_TEST(blog.authors().get("username", "bob").articles_count() == 0);
        }
    }
}

BOOST_AUTO_TEST_CASE(a_database_newer_than_the_code_is_refused) {
    TestDatabaseTarget where{TestDatabaseTarget::reachable_twice};
    const std::string path = where.target();
    {
        Database db(path);
        store_schema_version(db, 7);
    }
    std::string msg = message_of<OperationalError>([&] { Blog blog(std::make_unique<Database>(path)); });
    BOOST_TEST(contains(msg, "7"), msg);
    BOOST_TEST(contains(msg, "newer"), msg);
    Database db(path);
    BOOST_TEST(stored_schema_version(db) == 7);
    BOOST_TEST(!table_exists(db, "author"), "the newer database was touched");
}

// A target past the history (or below -1, "all") is a mistake to name,
// refused before anything runs, with the known range (and its last name).
BOOST_AUTO_TEST_CASE(a_target_outside_the_history_is_refused_naming_the_range) {
    TestDatabaseTarget where;
    Database db(where.target());
    Migrator blog(db, blog_migrations(db));
    for (const int target : {7, 99, -2}) {
        const std::string msg = message_of<InvalidQuery>([&] { blog.migrate(target); });
        BOOST_TEST(contains(msg, "No migration number " + std::to_string(target)), msg);
        BOOST_TEST(contains(msg, "0 (none) to 6 (0006_article_count_overflow_guard)"), msg);
    }
    Migrator none(db, {});
    const std::string msg = message_of<InvalidQuery>([&] { none.migrate(1); });
    BOOST_TEST(contains(msg, "the known migrations are 0 (none) to 0"), msg);
    BOOST_TEST(msg.ends_with("to 0"), msg);  // no last migration to name
    BOOST_TEST(none.migrate() == 0);  // "all" of no migrations: nothing to do
    BOOST_TEST(blog.current_version() == 0);
}

BOOST_AUTO_TEST_CASE(status_and_known_version_refuse_a_newer_database) {
    TestDatabaseTarget where;
    Database db(where.target());
    Migrator mig(db, blog_migrations(db));
    BOOST_TEST(mig.known_version() == 0);
    store_schema_version(db, 99);
    BOOST_TEST(mig.current_version() == 99);
    for (const auto& call : std::vector<std::function<void()>>{[&] { (void)mig.known_version(); },
                                                               [&] { (void)mig.status(); },
                                                               [&] { (void)mig.migrate(); },
                                                               [&] { (void)mig.migrate(2); }}) {
        const std::string msg = message_of<OperationalError>(call);
        BOOST_TEST(contains(msg, "schema version 99, newer than this folio knows (" +
                                     std::to_string(blog_migrations().size()) + ")"),
                   msg);
    }
}

BOOST_AUTO_TEST_CASE(a_negative_schema_version_is_refused_not_indexed,
                     *sqlite_only("a negative PRAGMA user_version; a count of folio_migrations rows cannot be")) {
    // PRAGMA user_version is a signed 32-bit integer another program may set;
    // folio never writes a negative one, and must not index its list with it.
    for (const int version : {-1, -6, std::numeric_limits<int>::min()}) {
        TempDir dir;
        const std::string path = dir.file("negative.sqlite3");
        {
            Database db(path);
            db.execute_script("CREATE TABLE mine(x); PRAGMA user_version = " + std::to_string(version));
        }
        Database db(path);
        Migrator mig(db, blog_migrations());
        BOOST_TEST(mig.current_version() == version);
        for (const auto& call : std::vector<std::function<void()>>{[&] { (void)mig.known_version(); },
                                                                   [&] { (void)mig.status(); },
                                                                   [&] { (void)mig.migrate(); },
                                                                   [&] { (void)Blog::open(path); }}) {
            const std::string msg = message_of<OperationalError>(call);
            BOOST_TEST(contains(msg, "schema version " + std::to_string(version) + ", which no folio writes"), msg);
            BOOST_TEST(contains(msg, path), msg);
        }
        BOOST_TEST(!table_exists(db, "author"), "a database at an unknown version was migrated");
    }
}

BOOST_AUTO_TEST_CASE(up_to_date_takes_no_write_lock,
                     *sqlite_only("SQLite's file-wide write lock (BEGIN IMMEDIATE) and read-only open")) {
    // A read-only connection to a migrated file opens a Blog: nothing to apply, nothing locked.
    TempDir dir;
    const std::string path = dir.file("ro.sqlite3");
    { Blog blog(std::make_unique<Database>(path)); }
    Database writer(path);
    writer.execute("BEGIN IMMEDIATE");  // another process holds the write lock
    QueryCapture q(writer);
    DatabaseOptions read_only;
    read_only.busy_timeout = std::chrono::milliseconds(0);
    read_only.read_only = true;
    Blog reader(std::make_unique<Database>(path, read_only));
    BOOST_TEST(reader.migrator().migrate() == 0);
    BOOST_TEST(reader.authors().count() == 0);
    writer.execute("ROLLBACK");
}

// SQLite serialises them with BEGIN IMMEDIATE, PostgreSQL with an advisory lock.
BOOST_AUTO_TEST_CASE(connections_migrating_a_new_database_at_once_apply_each_migration_once) {
    for (int round = 0; round < 3; ++round) {
        TestDatabaseTarget where{TestDatabaseTarget::reachable_twice};
        const std::string path = where.target();
        constexpr int n = 8;
        std::vector<std::optional<Database>> dbs(n);
        for (auto& db : dbs) db.emplace(path);
        std::vector<int> applied(n, -1);
        std::vector<std::string> errors(n);
        std::vector<std::thread> threads;
        std::atomic<int> ready{0};
        for (int i = 0; i < n; ++i)
            threads.emplace_back([&, i] {
                ++ready;
                while (ready < n) std::this_thread::yield();
                try {
                    Database& db = *dbs[static_cast<std::size_t>(i)];
                    applied[static_cast<std::size_t>(i)] = Migrator(db, blog_migrations(db)).migrate();
                } catch (const std::exception& e) {
                    errors[static_cast<std::size_t>(i)] = e.what();
                }
            });
        for (auto& t : threads) t.join();
        int total = 0;
        for (int i = 0; i < n; ++i) {
            BOOST_TEST(errors[static_cast<std::size_t>(i)] == "", "connection " << i);
            total += applied[static_cast<std::size_t>(i)];
        }
        const auto latest = static_cast<int>(blog_migrations().size());
        BOOST_TEST(total == latest);  // each migration applied by exactly one connection
        BOOST_TEST(stored_schema_version(*dbs[0]) == latest);
        BOOST_TEST(table_exists(*dbs[0], "article_count_insert"));  // the trigger made once, not twice
    }
}

BOOST_AUTO_TEST_CASE(a_failing_migration_leaves_the_previous_version) {
    TestDatabaseTarget where{TestDatabaseTarget::reachable_twice};
    const std::string path = where.target();
    Database db(path);
    std::vector<Migration> steps = {
        {"0001_good", "CREATE TABLE good (x INTEGER); INSERT INTO good (x) VALUES (1);"},
        {"0002_broken", "CREATE TABLE half (y INTEGER);\nINSERT INTO half (y) VALUES (2);\nINSERT INTO missing_table VALUES (3);"},
        {"0003_never", "CREATE TABLE never (z INTEGER);"},
    };
    Migrator mig(db, steps);
    std::string msg = message_of<Error>([&] { mig.migrate(); });
    BOOST_TEST(contains(msg, "missing_table"), msg);
    BOOST_TEST(mig.current_version() == 1);
    BOOST_TEST(!db.in_transaction());
    BOOST_TEST(table_exists(db, "good"));
    BOOST_TEST(!table_exists(db, "half"), "the broken step was half applied");
    BOOST_TEST(!table_exists(db, "never"));
    auto st = mig.status();
    BOOST_REQUIRE(st.size() >= 2u);
    BOOST_TEST(st[0].applied);
    BOOST_TEST(!st[1].applied);
    // Another connection sees the same: version 1 was committed, nothing else.
    Database other(path);
    BOOST_TEST(stored_schema_version(other) == 1);
    BOOST_TEST(!table_exists(other, "half"));
    // Once fixed, migrating resumes from there.
    steps[1].sql = "CREATE TABLE half (y INTEGER);";
    Migrator fixed(db, steps);
    BOOST_TEST(fixed.migrate() == 2);
    BOOST_TEST(fixed.current_version() == 3);
    BOOST_TEST(count_rows(db, "good") == 1);  // 0001 not re-applied
}

BOOST_AUTO_TEST_SUITE_END()
