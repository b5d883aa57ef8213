// sql_log_edges_test.cpp: the SQL log at its edges: a listener that throws
// for a statement and again for the trigger it fires surfaces its first
// error (the trigger's, reported first) and the connection keeps working; a
// muted log reports neither statements nor triggers; QueryCapture::seconds()
// sums the counted statements only; a statement that does not prepare is
// logged with the arguments it was given, or says it does not know them.
// Runs on every backend; the trigger reports are SQLite's alone (its trace
// hook reports the trigger programs a statement runs; libpq has no hook).
#include <boost/test/unit_test.hpp>

#include <folio/folio.hpp>

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "support/backend_only.hpp"
#include "support/blog.hpp"

using namespace folio;
using folio_test::on_postgresql;

namespace {
// How each backend says that table "missing" is not there.
std::string no_table_missing() { return on_postgresql() ? "relation \"missing\" does not exist" : "no such table: missing"; }

// An article INSERT fires the trigger that keeps author.articles_count.
void insert_article(Database& db, std::int64_t author) {
    db.execute("INSERT INTO article (title, content, created_at, author_id) VALUES ('t', 'c', '2020-01-01', ?)",
               {Value(author)});
}
} // namespace

BOOST_AUTO_TEST_SUITE(sql_log_edges)

BOOST_AUTO_TEST_CASE(a_listener_throwing_twice_in_one_statement_surfaces_its_first_error,
                     *folio_test::sqlite_only("the trigger reports come from SQLite's trace hook")) {
    folio_test::BackendBlog b;
    Database& db = b.db();
    Author a("ann", "", "");
    a.save(db);
    int calls = 0;
    const std::size_t id = db.log().add_listener([&](const LoggedStatement& s) {
        ++calls;
        throw std::runtime_error(std::to_string(calls) + ": " + s.sql);
    });
    std::string error;
    try {
        insert_article(db, a.id());
    } catch (const std::runtime_error& e) {
        error = e.what();
    }
    db.log().remove_listener(id);
    BOOST_TEST(calls >= 2, calls);  // the trigger(s), then the statement
    BOOST_TEST(error.rfind("1: ", 0) == 0, error);
    BOOST_TEST(error.find("TRIGGER") != std::string::npos, error);  // the trigger's report, not the INSERT's
    BOOST_TEST(db.scalar("SELECT articles_count FROM author WHERE id = ?", {Value(a.id())}).as_integer() == 1);
}

BOOST_AUTO_TEST_CASE(a_listener_error_from_an_earlier_statement_stops_the_next_before_it_runs) {
    // A scalar read's statement is reported when it is reset, after its row
    // was read: what the listener threw then must not surface only after the
    // next statement, a write, has run (a fresh user saw save() throw with
    // its row committed and no id).
    folio_test::BackendBlog b;
    Database& db = b.db();
    const std::size_t id = db.log().add_listener([](const LoggedStatement& s) {
        if (s.sql.find("COUNT(") != std::string::npos) throw std::runtime_error("listener refused: " + s.sql);
    });
    std::string error;
    try {
        (void)b.blog.authors().count();
        Author a("ann", "", "");
        a.save(db);
        error = "no error";
    } catch (const std::runtime_error& e) {
        error = e.what();
    }
    db.log().remove_listener(id);
    BOOST_TEST(error.rfind("listener refused: ", 0) == 0, error);
    // Whichever statement reported it, the INSERT did not run.
    BOOST_TEST(db.scalar("SELECT count(*) FROM author").as_integer() == 0);
    Author c("cid", "", "");
    c.save(db);  // the connection keeps working
    BOOST_TEST(c.id() > 0);
}

BOOST_AUTO_TEST_CASE(a_muted_log_reports_no_statement_and_no_trigger) {
    folio_test::BackendBlog b;
    Database& db = b.db();
    Author a("ann", "", "");
    a.save(db);
    QueryCapture q(db);
    db.log().set_muted(true);
    insert_article(db, a.id());
    db.log().set_muted(false);
    BOOST_TEST(q.all().empty());
    insert_article(db, a.id());
    BOOST_TEST(q.count() == 1u);
    std::size_t triggers = 0;
    for (const auto& s : q.all()) triggers += s.kind == LoggedStatement::Kind::Trigger;
    BOOST_TEST(triggers >= (on_postgresql() ? 0u : 1u));  // SQLite's trace reports triggers
    // seconds() is the time of the counted statements, triggers left out.
    double counted = 0;
    for (const auto& s : q.queries()) counted += s.seconds;
    BOOST_TEST(q.seconds() == counted);
    BOOST_TEST(q.seconds() >= 0.0);
}

// A query panel and a server log show what a failed statement was asked,
// whether it failed when run or already when prepared (a table dropped
// behind the program's back).
BOOST_AUTO_TEST_CASE(a_statement_that_does_not_prepare_is_logged_with_the_arguments_it_was_given) {
    folio_test::TestDatabaseTarget where;
    Database db(where.target());
    QueryCapture capture(db);
    BOOST_CHECK_THROW(db.execute("SELECT * FROM missing WHERE id = ? AND name = ?", {Value(7), Value("x")}),
                      OperationalError);
    BOOST_CHECK_THROW((void)db.prepare("SELECT * FROM missing WHERE id = ?", std::vector<Value>{Value(8)}),
                      OperationalError);
    BOOST_CHECK_THROW((void)db.prepare("SELECT * FROM missing WHERE id = ?"), OperationalError);
    const auto& all = capture.all();
    BOOST_REQUIRE_EQUAL(all.size(), 3u);
    BOOST_TEST(capture.count() == 3u);  // each counts as a query, as Django's debug cursor logs them
    BOOST_TEST(all[0].args_known);
    BOOST_TEST(all[0].to_string().find("; args=(7, 'x'); error=") != std::string::npos, all[0].to_string());
    BOOST_TEST(all[0].to_string().find(no_table_missing()) != std::string::npos, all[0].to_string());
    BOOST_TEST(all[1].to_string().find("; args=(8,); error=") != std::string::npos, all[1].to_string());
    // prepare(sql) binds later: nothing was bound, and the log does not pretend it was.
    BOOST_TEST(!all[2].args_known);
    BOOST_TEST(all[2].args.empty());
    BOOST_TEST(all[2].to_string().find("; args unknown; error=") != std::string::npos,
               all[2].to_string());
    BOOST_TEST(all[2].to_string().find(no_table_missing()) != std::string::npos, all[2].to_string());
    // Arguments that do not fit the statement: refused, and the statement goes
    // back to the cache (it prepares again, and runs).
    // ("+ 0": an integer on PostgreSQL too, where a bare $1 is text.)
    BOOST_CHECK_THROW((void)db.prepare("SELECT ? + 0", std::vector<Value>{Value(1), Value(2)}), Error);
    Statement again = db.prepare("SELECT ? + 0", std::vector<Value>{Value(5)});
    BOOST_REQUIRE(again.step());
    BOOST_TEST(again.column(0).as_integer() == 5);
}

// The same for a QuerySet's own statements (evaluation, count(), exists(),
// iterator()) and a lazy foreign key: while the log listens, the values go
// with the checkout, so a statement that does not prepare shows them.
BOOST_AUTO_TEST_CASE(a_querysets_statement_that_does_not_prepare_is_logged_with_its_values) {
    folio_test::BackendBlog b;
    Blog& blog = b.blog;
    Database& db = blog.db();
    Author a("ann", "", "");
    a.save(db);
    insert_article(db, a.id());
    Article art = blog.articles().get("id", Value(1));
    db.execute("DROP TABLE article_tags");
    db.execute("ALTER TABLE author RENAME TO writer");
    QueryCapture capture(db);
    BOOST_CHECK_THROW((void)blog.articles().filter("tags__name", std::string("x")).results(), OperationalError);
    BOOST_CHECK_THROW((void)blog.articles().filter("tags__name", std::string("y")).count(), OperationalError);
    BOOST_CHECK_THROW((void)blog.articles().filter("tags__name", std::string("z")).exists(), OperationalError);
    BOOST_CHECK_THROW((void)art.author(), OperationalError);
    const auto& all = capture.all();
    BOOST_REQUIRE_EQUAL(all.size(), 4u);
    const char* expected[] = {"args=('x',)", "args=('y',)", "args=('z',)", "args=(1,)"};
    for (std::size_t i = 0; i < 4; ++i) {
        BOOST_TEST(all[i].failed(), all[i].to_string());
        BOOST_TEST(all[i].args_known, all[i].to_string());
        BOOST_TEST(all[i].to_string().find(expected[i]) != std::string::npos, all[i].to_string());
    }
}

// A value bound while no listener needed arguments was not recorded: a run
// stepped after an argument-reading listener came says it does not know its
// arguments instead of showing none, or an older value bound while one
// listened. Until the statement goes back to the cache; its next checkout
// records again.
BOOST_AUTO_TEST_CASE(a_value_bound_before_an_argument_listener_came_is_not_shown_as_known) {
    folio_test::TestDatabaseTarget where;
    Database db(where.target());
    const char* sql = "SELECT ? + 0";
    {
        Statement st = db.prepare(sql);
        std::optional<QueryCapture> early(std::in_place, db);
        st.bind(1, std::int64_t{5});  // recorded: a listener needs arguments
        BOOST_REQUIRE(st.step());
        st.reset();
        early.reset();                 // nobody listens: the next bind is not recorded
        st.bind(1, std::int64_t{7});
        QueryCapture late(db);
        BOOST_REQUIRE(st.step());
        BOOST_TEST(st.column(0).as_integer() == 7);
        st.reset();
        BOOST_REQUIRE_EQUAL(late.all().size(), 1u);
        BOOST_TEST(!late.all()[0].args_known);
        BOOST_TEST(late.all()[0].args.empty());  // not the 5 recorded for the run before
        // Bound again while the capture listens: still unknown (conservative:
        // folio does not count which parameters a run rebound; a fresh checkout is sure).
        st.bind(1, std::int64_t{8});
        BOOST_REQUIRE(st.step());
        st.reset();
        BOOST_REQUIRE_EQUAL(late.all().size(), 2u);
        BOOST_TEST(!late.all()[1].args_known);
    }
    // Checked out again, bound while a capture listens: known.
    QueryCapture again(db);
    Statement st = db.prepare(sql);
    st.bind(1, std::int64_t{9});
    BOOST_REQUIRE(st.step());
    st.reset();
    BOOST_REQUIRE_EQUAL(again.all().size(), 1u);
    BOOST_TEST(again.all()[0].args_known);
    BOOST_TEST(again.all()[0].to_string().find("args=(9,)") != std::string::npos, again.all()[0].to_string());
}

BOOST_AUTO_TEST_SUITE_END()
