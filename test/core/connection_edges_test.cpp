// connection_edges_test.cpp: the edges of the connection layer that the
// guide's code never reaches: file names that look like URIs, scripts that
// end without a semicolon, binding past the statement's parameters, long
// SQL in error messages, and typed access to a Value of another type. On
// every backend, but for the cases about SQLite's files.
#include "fixtures.hpp"

#include <sqlite3.h>

#include "support/backend_only.hpp"

using namespace folio;
using namespace folio_test;

BOOST_AUTO_TEST_SUITE(connection_edges)

// An immutable read-only open goes through a "file:" URI; a name holding the
// characters a URI gives a meaning to must still open that very file.
BOOST_AUTO_TEST_CASE(immutable_open_of_a_name_with_uri_characters_reads_that_file,
                     *sqlite_only("SQLite's immutable open of a file through a file: URI")) {
    TempDir dir;
    const std::string path = dir.file("my blog?mode=memory#1 100%.sqlite3");
    {
        Blog blog = Blog::open(path);
        make_author(blog.db(), "ann");
    }
    DatabaseOptions options;
    options.read_only = true;
    options.immutable = true;
    Database db(path, options);
    BOOST_TEST(db.scalar("SELECT username FROM author").as_text() == "ann");
    // Read as a URI unescaped, the name would open "my blog" (or memory).
    BOOST_TEST(!std::filesystem::exists(dir.file("my blog")));
}

// A directory given for the database file: SQLite would "open" it and fail
// later with "disk I/O error"; the message names the path and the cause,
// for a read-only open too, and nothing is created.
BOOST_AUTO_TEST_CASE(a_directory_is_refused_as_a_database_file_by_name,
                     *sqlite_only("a directory given as SQLite's database file")) {
    TempDir dir;
    const std::string path = dir.file("blog.sqlite3");
    std::filesystem::create_directory(path);
    for (const bool read_only : {false, true}) {
        DatabaseOptions options;
        options.read_only = read_only;
        const std::string msg = message_of<OperationalError>([&] { Database db(path, options); });
        BOOST_TEST(contains(msg, "cannot open database '" + path + "': it is a directory, not a database file"), msg);
    }
    BOOST_TEST(!std::filesystem::exists(path + "-wal"));
    BOOST_TEST(std::filesystem::is_empty(path));
}

// A trigger's body holds semicolons: SQLite's BEGIN ... END, PostgreSQL's
// dollar-quoted function body.
BOOST_AUTO_TEST_CASE(execute_script_runs_a_last_statement_without_semicolon_and_keeps_triggers_whole) {
    TestDatabaseTarget where;
    Database db(where.target());
    if (on_postgresql())
        db.execute_script(R"(
CREATE TABLE t (x bigint);
CREATE TABLE log (x bigint);
CREATE FUNCTION t_log() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN INSERT INTO log VALUES (NEW.x); INSERT INTO log VALUES (-NEW.x); RETURN NEW; END; $body$;
CREATE TRIGGER t_log AFTER INSERT ON t FOR EACH ROW EXECUTE FUNCTION t_log();
INSERT INTO t VALUES (1); INSERT INTO t VALUES (2)
   )");
    else
        db.execute_script(R"(
CREATE TABLE t (x INTEGER);
CREATE TABLE log (x INTEGER);
CREATE TRIGGER t_log AFTER INSERT ON t BEGIN INSERT INTO log VALUES (new.x); INSERT INTO log VALUES (-new.x); END;
INSERT INTO t VALUES (1); INSERT INTO t VALUES (2)
   )");
    BOOST_TEST(db.scalar("SELECT count(*) FROM t").as_integer() == 2);
    BOOST_TEST(db.scalar("SELECT sum(abs(x)) FROM log").as_integer() == 6);
    db.execute_script("  \n\t ");  // blank: nothing to run
    BOOST_TEST(db.scalar("SELECT count(*) FROM t").as_integer() == 2);
}

BOOST_AUTO_TEST_CASE(scalar_of_no_row_is_null) {
    TestDatabaseTarget where;
    Database db(where.target());
    BOOST_TEST(db.scalar("SELECT 1 WHERE 1 = 0").is_null());
}

// SQLite's SQLITE_RANGE is none of the mapped kinds: a plain folio::Error
// carrying the code and the statement, from every bind overload (the same
// kind of error on PostgreSQL).
BOOST_AUTO_TEST_CASE(binding_past_the_parameters_is_an_error_naming_the_statement) {
    TestDatabaseTarget where;
    Database db(where.target());
    Statement st = db.prepare("SELECT ? + 0");  // "+ 0": an integer on PostgreSQL too (a bare $1 is text)
    const std::vector<std::function<void()>> binds = {
        [&] { st.bind(2, Value("x")); },
        [&] { st.bind(2, std::int64_t{1}); },
        [&] { st.bind_text_static(0, "x"); },
        [&] { st.bind_null(3); },
    };
    for (const auto& bind : binds) {
        try {
            bind();
            BOOST_ERROR("bound past the parameters");
        } catch (const IntegrityError&) {
            BOOST_ERROR("not a constraint");
        } catch (const OperationalError&) {
            BOOST_ERROR("not an operational error");
        } catch (const Error& e) {
            if (!on_postgresql()) BOOST_TEST(e.sqlite_code() == SQLITE_RANGE);
            BOOST_TEST(contains(e.what(), on_postgresql() ? "SELECT $1 + 0" : "SELECT ? + 0"), e.what());
        }
    }
    st.bind(1, Value(7));
    BOOST_REQUIRE(st.step());
    BOOST_TEST(st.column(0).as_integer() == 7);
}

// SQLite's numbered parameters ?NNN, mixed with bare ones (a bare ? after
// ?NNN is NNN + 1), mean the same on every backend.
BOOST_AUTO_TEST_CASE(numbered_parameters_mean_what_sqlite_means) {
    TestDatabaseTarget where;
    Database db(where.target());
    const std::string sql = "SELECT CAST(?2 AS INTEGER) * 100 + CAST(?1 AS INTEGER) * 10 + CAST(? AS INTEGER)";
    BOOST_TEST(db.scalar(sql, {Value(1), Value(2), Value(3)}).as_integer() == 213);
    BOOST_TEST(db.scalar("SELECT CAST(?1 AS INTEGER) + CAST(?1 AS INTEGER)", {Value(21)}).as_integer() == 42);
}

// The failing statement is quoted in the message, cut at 160 characters.
BOOST_AUTO_TEST_CASE(a_long_statement_is_shortened_in_the_message) {
    TestDatabaseTarget where;
    Database db(where.target());
    std::string sql = "SELECT * FROM missing_table WHERE x IN (";
    for (int i = 0; i < 100; ++i) sql += std::to_string(i) + ", ";
    sql += "100)";
    const std::string msg = message_of<OperationalError>([&] { db.execute(sql); });
    BOOST_TEST(contains(msg, on_postgresql() ? "relation \"missing_table\" does not exist" : "no such table: missing_table"),
               msg);
    BOOST_TEST(contains(msg, sql.substr(0, 160) + "..."), msg);
    BOOST_TEST(!contains(msg, "100)"), msg);
}

BOOST_AUTO_TEST_CASE(typed_access_to_another_type_names_both) {
    const std::string as_int = message_of<InvalidQuery>([] { (void)Value("12").as_integer(); });
    BOOST_TEST(contains(as_int, "expected an integer, got text '12'"), as_int);
    const std::string as_real = message_of<InvalidQuery>([] { (void)Value().as_real(); });
    BOOST_TEST(contains(as_real, "expected a number, got null NULL"), as_real);
    const std::string as_text = message_of<InvalidQuery>([] { (void)Value(2.5).as_text(); });
    BOOST_TEST(contains(as_text, "expected text, got real 2.5"), as_text);
    BOOST_TEST(Value(3).as_real() == 3.0);  // an integer is a number
    // repr: quotes doubled, text cut by characters, never inside a UTF-8 sequence.
    BOOST_TEST(Value("it's").repr() == "'it''s'");
    BOOST_TEST(Value("ééé").repr(2) == "'éé...'");
}

BOOST_AUTO_TEST_SUITE_END()
