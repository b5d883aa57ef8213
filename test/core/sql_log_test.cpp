// The SQL log: folio statements with their bound arguments, the user's raw
// SQL and trigger programs (all through sqlite3_trace_v2), scoped captures,
// the guide's print format, and no hook while nobody listens. On every
// backend; what goes around folio to the sqlite3 handle, and the trigger
// programs only SQLite's trace reports, stays SQLite's (PostgreSQL's log is
// timed by folio: libpq has no trace hook).
#include "fixtures.hpp"

#include "support/backend_only.hpp"

#include <stdexcept>

#include <sqlite3.h>

#include <regex>
#include <sstream>

using namespace folio;
using namespace folio_test;
using Kind = LoggedStatement::Kind;

BOOST_AUTO_TEST_SUITE(sql_log)

BOOST_FIXTURE_TEST_CASE(captures_folio_statements_with_bound_args, BackendBlog) {
    QueryCapture q(db());
    db().execute("INSERT INTO tag (name) VALUES (?)", {"it's"});
    BOOST_TEST(db().scalar("SELECT id FROM tag WHERE name = ? AND id > ?", {"it's", 0}).as_integer() > 0);
    BOOST_REQUIRE_MESSAGE(q.count() == 2u, dump(q));
    auto qs = q.queries();
    BOOST_TEST(qs[0].sql == "INSERT INTO tag (name) VALUES (?)");
    BOOST_TEST(qs[0].args_known);
    BOOST_REQUIRE(qs[0].args.size() == 1u);
    BOOST_TEST(qs[0].args[0] == Value("it's"));
    BOOST_TEST(qs[0].rows == 1);
    BOOST_TEST(qs[0].kind == Kind::Query);
    BOOST_TEST(qs[1].sql == "SELECT id FROM tag WHERE name = ? AND id > ?");
    BOOST_REQUIRE(qs[1].args.size() == 2u);
    BOOST_TEST(qs[1].args[0] == Value("it's"));
    BOOST_TEST(qs[1].args[1] == Value(0));
    BOOST_TEST(qs[1].rows == 1);
    BOOST_TEST(qs[1].seconds >= 0.0);
    BOOST_TEST(q.count_starting_with("SELECT") == 1u);
    BOOST_TEST(q.count_starting_with("INSERT") == 1u);
}

BOOST_FIXTURE_TEST_CASE(captures_a_model_save_with_its_values, BackendBlog) {
    QueryCapture q(db());
    Author a("ann", "ann@example.com", "hello");
    a.save(db());
    BOOST_REQUIRE_MESSAGE(q.count() == 1u, dump(q));
    const auto s = q.queries()[0];
    BOOST_TEST(contains(s.sql, "INSERT INTO \"author\""));
    BOOST_TEST((s.args == std::vector<Value>{"ann", "ann@example.com", "hello"}));
}

BOOST_FIXTURE_TEST_CASE(rows_counts_selected_rows, BackendBlog) {
    for (const char* n : {"a", "b", "c"}) Tag(n).save(db());
    QueryCapture q(db());
    BOOST_TEST(blog.tags().size() == 3u);
    BOOST_REQUIRE(q.count() == 1u);
    BOOST_TEST(q.queries()[0].rows == 3);
}

BOOST_FIXTURE_TEST_CASE(catches_raw_sql_run_with_sqlite3_exec, BackendBlog,
                        *sqlite_only("runs SQL through sqlite3_exec on the raw handle")) {
    QueryCapture q(db());
    char* err = nullptr;
    int rc = sqlite3_exec(db().handle(), "INSERT INTO tag (name) VALUES ('raw-one'); SELECT name FROM tag", nullptr,
                          nullptr, &err);
    sqlite3_free(err);
    BOOST_REQUIRE(rc == SQLITE_OK);
    BOOST_REQUIRE_MESSAGE(q.count() == 2u, dump(q));
    auto qs = q.queries();
    // sqlite3_exec prepares each statement with its ';'.
    BOOST_TEST(qs[0].sql.rfind("INSERT INTO tag (name) VALUES ('raw-one')", 0) == 0u, qs[0].sql);
    BOOST_TEST(!qs[0].args_known);
    BOOST_TEST(qs[0].rows == 1);
    BOOST_TEST(qs[1].sql == "SELECT name FROM tag");
    BOOST_TEST(qs[1].rows == -1);  // unknown for raw SELECTs
}

BOOST_FIXTURE_TEST_CASE(raw_prepared_statement_shows_its_bound_values, BackendBlog,
                        *sqlite_only("prepares through sqlite3_prepare_v2 on the raw handle")) {
    QueryCapture q(db());
    sqlite3_stmt* st = nullptr;
    BOOST_REQUIRE(sqlite3_prepare_v2(db().handle(), "INSERT INTO tag (name) VALUES (?)", -1, &st, nullptr) == SQLITE_OK);
    sqlite3_bind_text(st, 1, "bound-raw", -1, SQLITE_STATIC);
    BOOST_TEST(sqlite3_step(st) == SQLITE_DONE);
    sqlite3_finalize(st);
    BOOST_REQUIRE_MESSAGE(q.count() == 1u, dump(q));
    // Not prepared by folio: SQLite's expansion puts the value in the text.
    BOOST_TEST(q.queries()[0].sql == "INSERT INTO tag (name) VALUES ('bound-raw')");
    BOOST_TEST(!q.queries()[0].args_known);
}

BOOST_FIXTURE_TEST_CASE(catches_statements_run_by_triggers, BackendBlog,
                        *sqlite_only("trigger programs are reported by SQLite's trace hook")) {
    Author au = make_author(db(), "ann");
    QueryCapture q(db());
    make_article(db(), au, "First");
    // The INSERT counts once; the articles_count trigger shows as a Trigger entry.
    BOOST_TEST_MESSAGE(dump(q));
    BOOST_TEST(q.count() == 1u, dump(q));
    bool insert_seen = false, trigger_seen = false;
    for (const auto& s : q.all()) {
        if (s.kind == Kind::Query && contains(s.sql, "INSERT INTO \"article\"")) insert_seen = true;
        if (s.kind == Kind::Trigger && contains(s.sql, "article_count_insert")) trigger_seen = true;
    }
    BOOST_TEST(insert_seen, dump(q));
    BOOST_TEST(trigger_seen, dump(q));
    BOOST_TEST(stored_articles_count(db(), au.id()) == 1);

    // A trigger fired by the user's raw SQL is caught as well.
    q.clear();
    std::string sql = "DELETE FROM article WHERE author_id = " + std::to_string(au.id());
    BOOST_REQUIRE(sqlite3_exec(db().handle(), sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK);
    bool delete_trigger = false;
    for (const auto& s : q.all())
        if (s.kind == Kind::Trigger && contains(s.sql, "article_count_delete")) delete_trigger = true;
    BOOST_TEST(delete_trigger, dump(q));
    BOOST_TEST(q.count() == 1u, dump(q));
    // A trigger line prints without args.
    for (const auto& s : q.all())
        if (s.kind == Kind::Trigger) BOOST_TEST(!contains(s.to_string(), "args="));
}

BOOST_FIXTURE_TEST_CASE(count_excludes_transaction_control, BackendBlog) {
    QueryCapture q(db());
    {
        Transaction tx(db());
        db().execute("INSERT INTO tag (name) VALUES (?)", {"a"});
        {
            Transaction inner(db());
            db().execute("INSERT INTO tag (name) VALUES (?)", {"b"});
            inner.commit();
        }
        tx.commit();
    }
    BOOST_TEST(q.count() == 2u, dump(q));
    std::size_t control = 0;
    for (const auto& s : q.all())
        if (s.kind == Kind::TransactionControl) ++control;
    BOOST_TEST(control == 4u, dump(q));  // BEGIN, SAVEPOINT, RELEASE, COMMIT
    BOOST_REQUIRE(!q.all().empty());
    BOOST_TEST(q.all().front().sql == (on_postgresql() ? "BEGIN" : "BEGIN IMMEDIATE"));
    BOOST_TEST(q.all().back().sql == "COMMIT");

    // Raw transaction control is classified too.
    q.clear();
    if (on_postgresql()) {
        db().execute("begin");
        db().execute("INSERT INTO tag (name) VALUES ('c')");
        db().execute("commit");
    } else {
        BOOST_REQUIRE(sqlite3_exec(db().handle(), "begin; INSERT INTO tag (name) VALUES ('c'); commit", nullptr,
                                   nullptr, nullptr) == SQLITE_OK);
    }
    BOOST_TEST(q.count() == 1u, dump(q));
    BOOST_TEST(q.all().size() == 3u, dump(q));
}

BOOST_FIXTURE_TEST_CASE(nested_captures, BackendBlog) {
    QueryCapture outer(db());
    db().scalar("SELECT 1");
    {
        QueryCapture inner(db());
        db().scalar("SELECT 2");
        db().scalar("SELECT 3");
        BOOST_REQUIRE(inner.count() == 2u);
        BOOST_TEST(inner.queries()[0].sql == "SELECT 2");
        BOOST_TEST(outer.count() == 3u);
    }
    db().scalar("SELECT 4");
    BOOST_REQUIRE(outer.count() == 4u);
    BOOST_TEST(outer.queries().back().sql == "SELECT 4");
    BOOST_TEST(db().log().active());
}

BOOST_FIXTURE_TEST_CASE(print_to_uses_the_guide_format, BackendBlog) {
    std::ostringstream out;
    db().log().print_to(&out);
    db().scalar("SELECT ? + 1", {41});
    db().scalar("SELECT ?, ?", {1, "it's"});
    db().scalar("SELECT 7");
    db().log().print_to(nullptr);
    db().scalar("SELECT 'after'");
    const std::string text = out.str();
    BOOST_TEST_MESSAGE(text);
    std::istringstream lines(text);
    std::string l1, l2, l3, l4;
    std::getline(lines, l1);
    std::getline(lines, l2);
    std::getline(lines, l3);
    BOOST_TEST(!std::getline(lines, l4), "a statement was printed after print_to(nullptr): " << l4);
    const std::regex one(R"(^\(\d+\.\d{3}\) SELECT \? \+ 1; args=\(41,\)$)");
    const std::regex two(R"(^\(\d+\.\d{3}\) SELECT \?, \?; args=\(1, 'it''s'\)$)");
    const std::regex none(R"(^\(\d+\.\d{3}\) SELECT 7; args=\(\)$)");
    BOOST_TEST(std::regex_match(l1, one), l1);
    BOOST_TEST(std::regex_match(l2, two), l2);
    BOOST_TEST(std::regex_match(l3, none), l3);
    BOOST_TEST(!db().log().active());
}

BOOST_AUTO_TEST_CASE(to_string_formats_duration_and_tuple) {
    LoggedStatement s;
    s.sql = "SELECT \"tag\".\"id\" FROM \"tag\" WHERE \"tag\".\"name\" = ?";
    s.args = {Value("x")};
    s.seconds = 0.0012;
    BOOST_TEST(s.to_string() == "(0.001) SELECT \"tag\".\"id\" FROM \"tag\" WHERE \"tag\".\"name\" = ?; args=('x',)");
    s.args = {Value(1), Value(nullptr), Value(2.5)};
    s.seconds = 0;
    BOOST_TEST(s.to_string() == "(0.000) SELECT \"tag\".\"id\" FROM \"tag\" WHERE \"tag\".\"name\" = ?; args=(1, NULL, 2.5)");
}

BOOST_FIXTURE_TEST_CASE(no_hook_while_nobody_listens, BackendBlog) {
    SqlLog& log = db().log();
    BOOST_TEST(!log.active());  // off by default
    std::vector<std::string> seen;
    std::size_t id = log.add_listener([&](const LoggedStatement& s) { seen.push_back(s.sql); });
    BOOST_TEST(log.active());
    db().scalar("SELECT 'heard'");
    BOOST_TEST(seen.size() == 1u);

    // While the log listens, folio records bound values for it...
    {
        Statement st = db().prepare("SELECT ?");
        st.bind(1, Value("kept"));
        const auto* entry = db().statement_cache().find(st.backend());
        BOOST_REQUIRE(entry != nullptr);
        BOOST_TEST(entry->args.size() == 1u);
    }
    log.remove_listener(id);
    BOOST_TEST(!log.active());
    const std::size_t before = seen.size();
    db().scalar("SELECT 'unheard'");
    if (!on_postgresql()) {  // around folio, on SQLite's own handle
        char* err = nullptr;
        sqlite3_exec(db().handle(), "SELECT 'raw unheard'", nullptr, nullptr, &err);
        sqlite3_free(err);
    }
    Author au = make_author(db(), "ann");
    make_article(db(), au, "trigger unheard");
    BOOST_TEST(seen.size() == before, "statements reached a removed listener");
    // ...and not when nobody listens: the unhooked path does no work.
    {
        Statement st = db().prepare("SELECT ?");
        st.bind(1, Value("dropped"));
        const auto* entry = db().statement_cache().find(st.backend());
        BOOST_REQUIRE(entry != nullptr);
        BOOST_TEST(entry->args.empty());
    }
}

// A listener that needs no arguments (counting, the doctor) hears every
// statement with its SQL, rows and time, and folio copies no bound value
// for it (a bulk insert's whole content); as soon as a listener that needs
// them joins, they are recorded for everyone, and when it leaves, no more.
BOOST_FIXTURE_TEST_CASE(a_listener_that_needs_no_arguments_costs_no_copies, BackendBlog) {
    SqlLog& log = db().log();
    std::vector<LoggedStatement> heard;
    const std::size_t counter = log.add_listener([&](const LoggedStatement& s) { heard.push_back(s); },
                                                 SqlLog::ListenerNeeds::SqlOnly);
    BOOST_TEST(log.active());
    BOOST_TEST(!log.records_args());
    const auto args_recorded = [&](const char* text) {
        Statement st = db().prepare("SELECT ?");
        st.bind(1, Value(text));
        const auto* entry = db().statement_cache().find(st.backend());
        BOOST_REQUIRE(entry != nullptr);
        const bool recorded = !entry->args.empty() && entry->args[0] == Value(text);
        BOOST_TEST(st.step());
        return recorded;
    };
    BOOST_TEST(!args_recorded("not copied"));
    BOOST_REQUIRE(!heard.empty());
    BOOST_TEST(heard.back().sql == "SELECT ?");
    BOOST_TEST(!heard.back().args_known);
    BOOST_TEST(heard.back().args.empty());
    BOOST_TEST(heard.back().rows == 1);
    // The whole bulk path too: statements counted, values not kept.
    std::vector<Author> authors{Author("ann", "", "a long bio"), Author("bob", "", "another")};
    blog.authors().bulk_create(authors);
    BOOST_TEST(!heard.back().args_known);
    BOOST_TEST(contains(heard.back().sql, "INSERT INTO \"author\""));

    {
        QueryCapture q(db());  // needs the arguments
        BOOST_TEST(log.records_args());
        BOOST_TEST(args_recorded("copied"));
        BOOST_REQUIRE(q.count() == 1u);
        BOOST_TEST((q.queries()[0].args == std::vector<Value>{"copied"}));
        BOOST_TEST(heard.back().args_known);  // the same statement, for every listener
    }
    BOOST_TEST(!log.records_args());
    BOOST_TEST(!args_recorded("dropped again"));
    log.remove_listener(counter);
    BOOST_TEST(!log.active());
}

BOOST_FIXTURE_TEST_CASE(one_of_two_listeners_removed_keeps_the_hook, BackendBlog) {
    SqlLog& log = db().log();
    int a = 0, b = 0;
    std::size_t ida = log.add_listener([&](const LoggedStatement&) { ++a; });
    std::size_t idb = log.add_listener([&](const LoggedStatement&) { ++b; });
    db().scalar("SELECT 1");
    log.remove_listener(ida);
    BOOST_TEST(log.active());
    db().scalar("SELECT 2");
    BOOST_TEST(a == 1);
    BOOST_TEST(b == 2);
    log.remove_listener(idb);
    BOOST_TEST(!log.active());
    db().scalar("SELECT 3");
    BOOST_TEST(b == 2);
}

// Listeners run inside SQLite's trace callback (C frames): what one throws
// must not unwind through SQLite. It comes out of the step that ran the
// statement, and the connection keeps working.
BOOST_FIXTURE_TEST_CASE(a_throwing_listener_does_not_unwind_through_sqlite, BackendBlog) {
    SqlLog& log = db().log();
    int calls = 0;
    std::size_t id = log.add_listener([&](const LoggedStatement& s) {
        ++calls;
        if (s.sql.find("UPDATE") != std::string::npos) throw std::runtime_error("listener refused " + s.sql);
    });
    BOOST_CHECK_EXCEPTION(db().execute("UPDATE author SET bio = 'x' WHERE id = -1"), std::runtime_error,
                          [](const std::runtime_error& e) { return std::string(e.what()).find("listener refused") == 0; });
    log.remove_listener(id);
    BOOST_TEST(calls == 1);
    BOOST_TEST(db().scalar("SELECT 41 + 1").as_integer() == 42);
}

// Another connection's schema change makes SQLite re-prepare a cached
// statement inside one sqlite3_step() and report a profile event for each run
// (the first ends in SQLITE_SCHEMA): the log must still show one statement.
// This was the flaky count of `folio serve`'s unindexed-page test.
// (On PostgreSQL the server re-plans a named prepared statement after DDL.)
BOOST_FIXTURE_TEST_CASE(a_statement_reprepared_after_another_connections_schema_change_counts_once, SharedBackendBlog) {
    make_author(db(), "ann");
    BOOST_TEST(blog.authors().get("username", std::string("ann")).username() == "ann"); // now cached
    for (int round = 0; round < 3; ++round) {
        {
            Blog other = Blog::open(path);
            if (round == 0) drop_index(other.db(), "author_username");
            else other.db().execute(round == 1 ? "CREATE TABLE scratch (x integer)" : "DROP TABLE scratch");
        }
        QueryCapture q(db());
        BOOST_TEST(blog.authors().get("username", std::string("ann")).username() == "ann");
        BOOST_TEST_MESSAGE(dump(q));
        BOOST_REQUIRE_MESSAGE(q.count() == 1u, "round " << round << ": " << dump(q));
        BOOST_TEST(q.queries()[0].rows == 1);
        BOOST_REQUIRE(!q.queries()[0].args.empty());
        BOOST_TEST(q.queries()[0].args[0] == Value("ann"));
    }
}

BOOST_AUTO_TEST_SUITE_END()
