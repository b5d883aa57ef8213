// A database that holds tables folio did not create (another program's file
// named by a mistyped --db or $FOLIO_DB): every command that would add the
// blog's tables to it refuses, naming the database and one such table, and
// writes nothing; the tour and migrate take --force (and say so), the data
// commands point at `migrate --force`. On a SQLite file and, with a server,
// in a PostgreSQL schema.
#include <filesystem>
#include <fstream>
#include <iterator>

#include "cli_support.hpp"
#include "support/backend.hpp"
#include "support/backend_only.hpp"

using namespace cli_test;

namespace {

// Every command that migrates on first use, with its exit code when refused:
// 2 for those whose way out is their own --force, 1 for the others.
struct Refused {
    std::vector<std::string> args;
    int code;
};

std::vector<Refused> migrating_commands(const TempDir& dir) {
    const std::string authors = dir / "authors.json";
    write_file(authors, R"([{"username":"ann","email":"","bio":""}])");
    const std::string articles = dir / "articles.json";
    write_file(articles, "[]");
    return {{{"tour", "--authors", "2", "--articles", "3"}, 2},
            {{"migrate"}, 2},
            {{"migrate", "--target", "1"}, 2},
            {{"import-authors", authors}, 1},
            {{"import-articles", articles}, 1},
            {{"disallow-comments", "--before", "2000"}, 1},
            {{"delete-tagged", "minus"}, 1},
            {{"clone-article", "1"}, 1}};
}

// The tables of `target` and the rows of `counted`, to show nothing was added
// or changed.
std::string schema_of(const std::string& target, const std::string& counted = "notes") {
    folio::Database db(target);
    const bool server = folio::is_postgresql_address(target);
    folio::Statement st = db.prepare(
        server ? "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
               : "SELECT name FROM sqlite_schema ORDER BY name");
    std::string out;
    while (st.step()) out += std::string(st.column_text(0)) + ";";
    return out + " " + counted + " rows=" + db.scalar("SELECT count(*) FROM " + counted).repr();
}

// `tables`: how the message names the foreign tables; `counted`: one of them;
// `names_clash`: one of them has a blog table's name, so --force is no way out
// and the message must not suggest it.
void refused_by_every_migrating_command(const std::string& target, const std::string& shown,
                                        const std::string& tables = "table 'notes'",
                                        const std::string& counted = "notes", bool names_clash = false) {
    TempDir dir;
    const std::string before = schema_of(target, counted);
    for (const Refused& c : migrating_commands(dir)) {
        std::vector<std::string> args = {"--db", target};
        args.insert(args.end(), c.args.begin(), c.args.end());
        BOOST_TEST_CONTEXT(c.args.front() << (c.args.size() > 1 ? " " + c.args[1] : "")) {
            Result r = run(args, {}, in_dir(dir.path().string()));
            BOOST_TEST(r.code == c.code, r.err);
            BOOST_TEST(r.err.find("database '" + shown + "' holds " + tables + ", which folio did not create") !=
                           std::string::npos,
                       r.err);
            if (names_clash) {
                BOOST_TEST(r.err.find("not even with --force") != std::string::npos, r.err);
                BOOST_TEST(r.err.find("Pass --force") == std::string::npos, r.err);
                BOOST_TEST(r.err.find("migrate --force") == std::string::npos, r.err);
            } else {
                BOOST_TEST(r.err.find(c.code == 2 ? "Pass --force" : "migrate --force") != std::string::npos, r.err);
            }
            BOOST_TEST(r.out == "", r.out);
            BOOST_TEST(schema_of(target, counted) == before);
        }
    }
}

} // namespace

BOOST_AUTO_TEST_SUITE(foreign_tables_cli)

BOOST_AUTO_TEST_CASE(another_programs_sqlite_file_is_refused_then_forced) {
    TempDir dir;
    const std::string db = dir / "app.sqlite3";
    {
        folio::Database app(db);
        app.execute_script("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes VALUES (1, 'x')");
    }
    refused_by_every_migrating_command(db, db);
    // Two foreign tables: both are named.
    {
        folio::Database app(db);
        app.execute("CREATE TABLE zettel (x)");
    }
    Result two = run({"--db", db, "migrate"});
    BOOST_TEST(two.err.find("holds tables 'notes', 'zettel', which") != std::string::npos, two.err);
    // A command that only reads says to migrate, as on any unmigrated file.
    Result read = run({"--db", db, "articles"});
    BOOST_TEST(read.code == 1);
    BOOST_TEST(read.err.find("migrate") != std::string::npos, read.err);

    // Asked for: the blog's tables go beside the app's, whose row stays.
    Result forced = run({"--db", db, "migrate", "--force"});
    BOOST_REQUIRE_MESSAGE(forced.code == 0, forced.err);
    BOOST_TEST(count_of(db, "PRAGMA user_version") == static_cast<std::int64_t>(folio::blog_migrations().size()));
    BOOST_TEST(count_of(db, "SELECT count(*) FROM notes") == 1);
    // Nothing left to migrate: the data commands work.
    write_file(dir / "a.json", R"([{"username":"ann","email":"","bio":""}])");
    Result imported = run({"--db", db, "import-authors", dir / "a.json"});
    BOOST_TEST(imported.code == 0, imported.err);
    // The tour still refuses a database that is not folio's alone, unless forced.
    Result tour = run({"--db", db, "tour", "--authors", "2", "--articles", "3"});
    BOOST_TEST(tour.code == 2);
    BOOST_TEST(tour.err.find("holds tables 'notes', 'zettel'") != std::string::npos, tour.err);
    BOOST_TEST(tour.err.find("Pass --force") != std::string::npos, tour.err);
    BOOST_TEST(count_of(db, "SELECT count(*) FROM author") == 1);
    Result toured = run({"--db", db, "tour", "--force", "--authors", "2", "--articles", "3"});
    BOOST_TEST(toured.code == 0, toured.err);
    BOOST_TEST(count_of(db, "SELECT count(*) FROM notes") == 1);
    BOOST_TEST(count_of(db, "SELECT count(*) FROM zettel") == 0);
}

BOOST_AUTO_TEST_CASE(a_new_or_folio_only_database_is_not_refused) {
    TempDir dir;
    // A new file, and the same file once folio's: no refusal, no --force needed.
    const std::string db = dir / "new.sqlite3";
    write_file(dir / "a.json", R"([{"username":"ann","email":"","bio":""}])");
    Result first = run({"--db", db, "import-authors", dir / "a.json"});
    BOOST_TEST(first.code == 0, first.err);
    Result tour = run({"--db", db, "tour", "--force", "--authors", "2", "--articles", "3"});
    BOOST_TEST(tour.code == 0, tour.err);
}

BOOST_AUTO_TEST_CASE(another_programs_postgresql_schema_is_refused, *folio_test::needs_postgresql_server()) {
    folio_test::TestDatabaseTarget where("postgresql", true);
    {
        folio::Database app(where.target());
        app.execute_script("CREATE TABLE notes (id integer PRIMARY KEY, body text); INSERT INTO notes VALUES (1, 'x')");
    }
    // The conninfo as folio shows it (a password masked).
    const std::string shown = folio::Database(where.target()).path();
    refused_by_every_migrating_command(where.target(), shown);
    Result forced = run({"--db", where.target(), "migrate", "--force"});
    BOOST_REQUIRE_MESSAGE(forced.code == 0, forced.err);
    BOOST_TEST(count_of(where.target(), "SELECT count(*) FROM notes") == 1);
    BOOST_TEST(count_of(where.target(), "SELECT count(*) FROM folio_migrations") ==
               static_cast<std::int64_t>(folio::blog_migrations().size()));
}

// A suggested command is one the shell runs as shown: a path with a space
// is quoted.
BOOST_AUTO_TEST_CASE(a_suggested_command_quotes_the_database_path) {
    TempDir dir;
    const std::string db = dir.file("my blog.sqlite3");
    { folio::Database created(db); }  // an empty SQLite file: no table, version 0
    Result read = run({"--db", db, "articles"});
    BOOST_TEST(read.code == 1);
    BOOST_TEST(read.err.find("run `folio --db '" + db + "' migrate` first") != std::string::npos, read.err);
}

// Tables named like the blog's in a database folio never migrated (SQLite's
// user_version 0, no folio_migrations on PostgreSQL) are another program's:
// refused like any other foreign table, named, nothing written. Forcing
// migrate cannot put the blog's tables where same-named ones stand: it fails
// naming the table, and the first migration's transaction leaves nothing.
void version_0_tables_named_like_the_blogs(const std::string& target, const std::string& shown) {
    {
        folio::Database app(target);
        app.execute_script(
            "CREATE TABLE author (id integer PRIMARY KEY, login text); INSERT INTO author VALUES (7, 'root'); "
            "CREATE TABLE tag (id integer PRIMARY KEY, label text)");
    }
    refused_by_every_migrating_command(target, shown, "tables 'author', 'tag'", "author", true);
    const std::string before = schema_of(target, "author");
    Result forced = run({"--db", target, "migrate", "--force"});
    BOOST_TEST(forced.code == 1, forced.err);
    BOOST_TEST(forced.err.find("author") != std::string::npos, forced.err);
    BOOST_TEST(schema_of(target, "author") == before);
    BOOST_TEST(count_of(target, "SELECT id FROM author") == 7);
}

BOOST_AUTO_TEST_CASE(a_refusal_leaves_another_programs_sqlite_file_byte_for_byte) {
    // Opening a file read-write switches it to WAL (a change of its header)
    // before any check: each refusal must check through a read-only
    // connection first (a fresh user found the app's file left in WAL mode).
    TempDir dir;
    const std::string db = dir / "app.sqlite3";
    {
        folio::Database app(db);
        app.execute_script("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes VALUES (1, 'x')");
        BOOST_REQUIRE(app.scalar("PRAGMA journal_mode = DELETE").as_text() == "delete");
    }
    const auto bytes = [&] {
        std::ifstream in(db, std::ios::binary);
        return std::string(std::istreambuf_iterator<char>(in), {});
    };
    const std::string before = bytes();
    BOOST_REQUIRE(before.size() > 100);
    BOOST_REQUIRE(before[18] == 1 && before[19] == 1);  // the header's rollback-journal (legacy) mode
    for (const Refused& c : migrating_commands(dir)) {
        std::vector<std::string> args = {"--db", db};
        args.insert(args.end(), c.args.begin(), c.args.end());
        BOOST_TEST_CONTEXT(c.args.front()) {
            const Result r = run(args, {}, in_dir(dir.path().string()));
            BOOST_TEST(r.code == c.code, r.err);
            BOOST_TEST(r.err.find("which folio did not create") != std::string::npos, r.err);
            BOOST_TEST((bytes() == before));
            BOOST_TEST(!std::filesystem::exists(db + "-wal"));
        }
    }
}

BOOST_AUTO_TEST_CASE(a_version_0_sqlite_file_with_tables_named_like_the_blogs_is_refused) {
    TempDir dir;
    const std::string db = dir / "app.sqlite3";
    version_0_tables_named_like_the_blogs(db, db);
    BOOST_TEST(count_of(db, "PRAGMA user_version") == 0);
}

BOOST_AUTO_TEST_CASE(a_postgresql_schema_with_tables_named_like_the_blogs_is_refused,
                     *folio_test::needs_postgresql_server()) {
    folio_test::TestDatabaseTarget where("postgresql", true);
    version_0_tables_named_like_the_blogs(where.target(), folio::Database(where.target()).path());
    BOOST_TEST(count_of(where.target(), "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() AND "
                                        "tablename = 'folio_migrations'") == 0);
}

BOOST_AUTO_TEST_SUITE_END()
