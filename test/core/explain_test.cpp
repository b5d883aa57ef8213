// explain_test.cpp: folio::explain_query_plan, the public EXPLAIN QUERY PLAN
// call (EXPLAIN on PostgreSQL): what it returns, that it stays out of
// captures, what it refuses. Runs on every backend; what differs is each
// planner's wording, named once below.
#include "fixtures.hpp"

#include <folio/explain.hpp>

#include <sstream>

#include "support/backend.hpp"

using namespace folio;
using namespace folio_test;

namespace {
// Whether a plan sorts rows no index delivers in order: SQLite's temporary
// B-tree, PostgreSQL's Sort node (an Incremental Sort reads an index's order
// and sorts only the ties, as the list page's second key does).
bool sorts(const std::string& plan) {
    if (!on_postgresql()) return contains(plan, "USE TEMP B-TREE FOR ORDER BY");
    std::istringstream lines(plan);
    for (std::string line; std::getline(lines, line);)
        if (line.find_first_not_of(' ') != std::string::npos &&
            line.compare(line.find_first_not_of(' '), 7, "Sort  (") == 0)
            return true;
    return false;
}
} // namespace

BOOST_AUTO_TEST_SUITE(explain)

BOOST_AUTO_TEST_CASE(plan_of_a_select_names_the_index_and_is_not_counted) {
    BackendBlog m;
    QueryCapture q(m.db());
    auto plan = explain_query_plan(m.db(), R"(SELECT "id" FROM "author" WHERE "username" = ?)");
    BOOST_REQUIRE(!plan.empty());
    BOOST_TEST(contains(plan_to_string(plan), on_postgresql() ? "author_username"
                                                                : "USING COVERING INDEX author_username"),
               plan_to_string(plan));
    // The list page's order is served by migration 0005's index: no sort.
    auto page = explain_query_plan(m.db(), R"(SELECT "id" FROM "article" ORDER BY "created_at" DESC, "id" DESC LIMIT 20)");
    BOOST_TEST(!sorts(plan_to_string(page)), plan_to_string(page));
    BOOST_TEST(contains(plan_to_string(page), "article_created_at"), plan_to_string(page));
    BOOST_TEST(q.all().size() == 0u, dump(q));  // the EXPLAINs are not the program's statements
}

BOOST_AUTO_TEST_CASE(plans_with_the_schema_another_connection_changed) {
    SharedBackendBlog f;
    const std::string sql = R"(SELECT "id" FROM "article" ORDER BY "created_at" DESC LIMIT 20)";
    BOOST_TEST(contains(plan_to_string(explain_query_plan(f.db(), sql)), "article_created_at"));
    {
        Database other(f.path);
        other.execute("DROP INDEX article_created_at");
    }
    const std::string plan = plan_to_string(explain_query_plan(f.db(), sql));
    BOOST_TEST(!contains(plan, "article_created_at"), plan);
    BOOST_TEST(sorts(plan), plan);
}

BOOST_AUTO_TEST_CASE(nesting_shows_as_indentation) {
    BackendBlog m;
    auto plan = explain_query_plan(
        m.db(), R"(SELECT * FROM (SELECT "id" FROM "article" ORDER BY "title" LIMIT 3) AS a JOIN "author" ON 1 = 1)");
    const std::string text = plan_to_string(plan);
    BOOST_TEST(contains(text, "\n  "), text);  // a child step is indented under its parent
    BOOST_TEST(sorts(text), text);
}

BOOST_AUTO_TEST_CASE(refuses_what_is_not_one_select) {
    BackendBlog m;
    make_author(m.db(), "ann");
    std::string msg = message_of<InvalidQuery>([&] { explain_query_plan(m.db(), "DELETE FROM author"); });
    BOOST_TEST(contains(msg, "DELETE FROM author"), msg);
    msg = message_of<InvalidQuery>([&] { explain_query_plan(m.db(), "SELECT 1; DELETE FROM author"); });
    BOOST_TEST(contains(msg, "one statement"), msg);
    BOOST_TEST(count_rows(m.db(), "author") == 1);  // nothing ran
    msg = message_of<OperationalError>([&] { explain_query_plan(m.db(), "SELECT * FROM no_such_table"); });
    BOOST_TEST(contains(msg, "no_such_table"), msg);
    // The log is not left muted by a failure.
    QueryCapture q(m.db());
    m.db().scalar("SELECT 1");
    BOOST_TEST(q.count() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
