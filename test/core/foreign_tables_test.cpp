// foreign_tables(): the tables of a database that the blog did not create,
// which the CLI asks before it adds the blog's tables to a database its user
// only named. On every backend: SQLite's main file, PostgreSQL's current
// schema (search_path), each backend's own tables left out.
#include "fixtures.hpp"

using namespace folio;
using namespace folio_test;

namespace {
std::string joined(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& n : names) out += (out.empty() ? "" : ",") + n;
    return out;
}
} // namespace

BOOST_AUTO_TEST_SUITE(foreign_tables_of_a_database)

BOOST_AUTO_TEST_CASE(the_blogs_table_names_are_those_its_migrations_create) {
    // blog_table_names() comes from the models' metadata; a migrated blog
    // holds every one of them (and foreign_tables() says no more), so the metadata
    // and the migrations' DDL name the same set.
    BOOST_TEST(joined(blog_table_names()) == "tag,author,article,article_tags");
    TestDatabaseTarget where;
    Blog blog = Blog::open(where.target());
    for (const std::string& table : blog_table_names())
        BOOST_TEST(blog.db().scalar("SELECT count(*) FROM " + table).as_integer() == 0, table);
    // What a version-0 database calls `author` is foreign, named like the blog's.
    TestDatabaseTarget other;
    Database db(other.target());
    db.execute("CREATE TABLE author (id integer PRIMARY KEY)");
    BOOST_TEST(joined(foreign_tables(db)) == "author");
}

BOOST_AUTO_TEST_CASE(a_new_database_and_a_migrated_blog_hold_none) {
    TestDatabaseTarget where;
    Database db(where.target());
    BOOST_TEST(joined(foreign_tables(db)) == "");
    Blog blog(std::make_unique<Database>(where.target()));
    // The blog's four tables and PostgreSQL's folio_migrations are folio's.
    BOOST_TEST(joined(foreign_tables(blog.db())) == "");
    // Rows, an index and ANALYZE's statistics (SQLite's sqlite_stat1) add
    // no table of another program.
    make_author(blog.db(), "ann");
    blog.db().execute("CREATE INDEX mine_on_bio ON author (bio)");
    blog.db().execute("ANALYZE");
    BOOST_TEST(joined(foreign_tables(blog.db())) == "");
}

BOOST_AUTO_TEST_CASE(another_programs_tables_are_named_sorted_beside_the_blogs) {
    TestDatabaseTarget where;
    Blog blog = Blog::open(where.target());
    blog.db().execute("CREATE TABLE notes (id integer PRIMARY KEY, body text)");
    blog.db().execute("CREATE TABLE \"Audit Log\" (at text)");
    QueryCapture q(blog.db());
    const std::vector<std::string> foreign = foreign_tables(blog.db());
    // One catalog query; on SQLite it reads user_version through the
    // pragma_user_version table, which SQLite runs as a nested PRAGMA that
    // the log shows beside it.
    BOOST_TEST(q.count_starting_with("SELECT") == 1u);
    BOOST_TEST(q.count() == (on_postgresql() ? 1u : 2u));
    BOOST_TEST(joined(foreign) == "Audit Log,notes");
    // A view is not a table: nothing for the blog to collide with.
    blog.db().execute("CREATE VIEW recent AS SELECT id FROM article");
    BOOST_TEST(joined(foreign_tables(blog.db())) == "Audit Log,notes");
}

BOOST_AUTO_TEST_CASE(only_the_database_the_connection_works_in_counts) {
    TestDatabaseTarget where;
    Database db(where.target());
    if (on_postgresql()) {
        // Another schema of the same server database is another app's business.
        const std::string other = "folio_other_app_" + std::to_string(::getpid());
        db.execute("CREATE SCHEMA \"" + other + "\"");
        db.execute("CREATE TABLE \"" + other + "\".elsewhere (x integer)");
        const std::string found = joined(foreign_tables(db));
        db.execute("DROP SCHEMA \"" + other + "\" CASCADE");
        BOOST_TEST(found == "");
        db.execute("CREATE TABLE mine (x integer)");
        BOOST_TEST(joined(foreign_tables(db)) == "mine");
    } else {
        // An attached file is not the database folio would migrate.
        TempDir dir{"folio-foreign"};
        db.execute("ATTACH DATABASE ? AS other", {Value(dir.file("other.sqlite3"))});
        db.execute("CREATE TABLE other.elsewhere (x)");
        db.execute("CREATE TEMP TABLE scratch (x)");
        BOOST_TEST(joined(foreign_tables(db)) == "");
        // SQLite's own bookkeeping (AUTOINCREMENT's sqlite_sequence) is not listed.
        db.execute("CREATE TABLE main.mine (id INTEGER PRIMARY KEY AUTOINCREMENT)");
        db.execute("INSERT INTO main.mine DEFAULT VALUES");
        BOOST_TEST(joined(foreign_tables(db)) == "mine");
    }
}

// Tables named like the blog's that folio's migrations did not create (no
// migration recorded: SQLite's user_version 0, no folio_migrations on
// PostgreSQL) are another program's: migrating onto them would fail or mix
// two schemas. Once the recorded version says 0001_initial (which creates
// them) ran, the same names are folio's.
BOOST_AUTO_TEST_CASE(tables_named_like_the_blogs_at_version_0_are_foreign) {
    TestDatabaseTarget where;
    Database db(where.target());
    db.execute("CREATE TABLE author (id integer PRIMARY KEY, login text)");
    db.execute("CREATE TABLE article_tags (x integer)");
    db.execute("CREATE TABLE notes (x integer)");
    {
        QueryCapture q(db);
        BOOST_TEST(joined(foreign_tables(db)) == "article_tags,author,notes");
        // Still one catalog query: the version is read with the names.
        BOOST_TEST(q.count_starting_with("SELECT") == 1u);
        BOOST_TEST(q.count() == (on_postgresql() ? 1u : 2u));
    }
    // The version 0001_initial is recorded at, written the way each backend's
    // migrator writes it.
    if (on_postgresql()) {
        db.execute("CREATE TABLE folio_migrations (name text PRIMARY KEY)");
        // The table alone, without a row, records no migration.
        BOOST_TEST(joined(foreign_tables(db)) == "article_tags,author,notes");
        db.execute("INSERT INTO folio_migrations (name) VALUES ('0001_initial')");
    } else {
        db.execute("PRAGMA user_version = 1");
    }
    BOOST_TEST(joined(foreign_tables(db)) == "notes");
}

BOOST_AUTO_TEST_SUITE_END()
