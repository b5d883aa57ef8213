// compiled_query_test.cpp: the compiled-query cache (a shape rendered once,
// its values bound each time, every value form its own shape) and the plan
// of a sliced select_related page (a plain JOIN when an index gives the
// order, the page cut before joining when SQLite must sort).
#include <boost/test/unit_test.hpp>

#include <folio/folio.hpp>

#include <string>
#include <vector>

#include "support/backend_only.hpp"
#include "support/blog_fixture.hpp"
#include "support/expect_invalid.hpp"
#include "lib/query/compiled_cache.hpp"

using folio::Q;
using folio::Value;
using folio::detail::compiled_cache_stats;
using folio_test::BlogFixture;

namespace {

// Renders and hits during `body`, on this thread.
template <class F>
std::pair<std::uint64_t, std::uint64_t> renders_and_hits(F&& body) {
    const auto before = compiled_cache_stats();
    body();
    const auto after = compiled_cache_stats();
    return {after.renders - before.renders, after.hits - before.hits};
}

std::int64_t sql_count(folio::Database& db, const std::string& where) {
    return db.scalar("SELECT COUNT(*) FROM article WHERE " + where).as_integer();
}

bool plan_sorts(const std::vector<std::string>& plan) {
    for (const auto& line : plan)
        if (line.find("TEMP B-TREE") != std::string::npos) return true;
    return false;
}

} // namespace

BOOST_AUTO_TEST_SUITE(compiled_query_cache)

BOOST_FIXTURE_TEST_CASE(same_shape_other_values_is_rendered_once_and_binds_each_value, BlogFixture) {
    (void)blog.authors().get("username", std::string("user1"));  // renders the shape, if this thread has not yet
    for (int i = 2; i < 8; ++i) {
        const std::string name = "user" + std::to_string(i);
        folio::Author a;
        auto [renders, hits] = renders_and_hits([&] { a = blog.authors().get("username", name); });
        BOOST_TEST(renders == 0u);
        BOOST_TEST(hits == 1u);
        BOOST_TEST(a.username() == name);  // the value was bound, not baked into the cached text
    }
    // A pk lookup is another shape, then cached too.
    (void)blog.authors().get("id", authors[0].id());
    auto [renders, hits] = renders_and_hits([&] { BOOST_TEST(blog.authors().get("id", authors[3].id()).username() == "user3"); });
    BOOST_TEST(renders == 0u);
    BOOST_TEST(hits == 1u);
}

BOOST_FIXTURE_TEST_CASE(each_value_form_is_its_own_shape, BlogFixture) {
    // Lists of other sizes, a long list (one JSON array), an empty one, NULL,
    // years at and beyond the edges: each gives the right rows, first time
    // and cached, whatever was evaluated before with the same path.
    std::vector<Value> ids3{authors[0].id(), authors[1].id(), authors[2].id()};
    std::vector<Value> many;
    for (int i = 0; i < 400; ++i) many.emplace_back(authors[static_cast<std::size_t>(i % 20)].id());
    for (int round = 0; round < 2; ++round) {
        BOOST_TEST(blog.articles().filter("author__in", ids3).count() == 15);
        BOOST_TEST(blog.articles().filter("author__in", std::vector<Value>{authors[0].id()}).count() == 5);
        BOOST_TEST(blog.articles().filter("author__in", many).count() == 100);
        BOOST_TEST(blog.articles().filter("author__in", std::vector<Value>{}).count() == 0);
        BOOST_TEST(blog.articles().filter("created_at__year", 2000).count() == sql_count(db, "created_at BETWEEN '2000-01-01' AND '2000-12-31'"));
        BOOST_TEST(blog.articles().filter("created_at__year", 10000).count() == 0);
        BOOST_TEST(blog.articles().filter("created_at__year__gt", 0).count() == 100);
        BOOST_TEST(blog.articles().filter("created_at__year__gt", 2010).count() == sql_count(db, "created_at > '2010-12-31'"));
        BOOST_TEST(blog.articles().filter("title", Value()).count() == 0);
        BOOST_TEST(blog.articles().exclude("title", Value()).count() == 100);
        BOOST_TEST(blog.articles().filter("title", std::string("Article 7")).count() == 1);
        BOOST_TEST(blog.articles().filter("tags__isnull", true).count() == 0);
        BOOST_TEST(blog.articles().filter("tags__isnull", false).count() == 100);
    }
}

BOOST_FIXTURE_TEST_CASE(kinds_of_evaluation_do_not_share_text, BlogFixture) {
    auto qs = [&] { return blog.articles().filter("tags__name", std::string("minus")); };
    for (int round = 0; round < 2; ++round) {
        BOOST_TEST(qs().count() == 20);
        BOOST_TEST(qs().exists());
        BOOST_REQUIRE(qs().results().size() == 20u);  // front() below
        BOOST_TEST(qs().slice(0, 3).count() == 3);
        BOOST_TEST(qs().slice(18).count() == 2);  // an OFFSET: another text
        BOOST_TEST(qs().slice(0, 3).results().size() == 3u);
        BOOST_TEST(qs().select_related({"author"}).results().front().author().username().rfind("user", 0) == 0u);
        BOOST_TEST(qs().only({"title"}).results().front().is_deferred(folio::Article::CONTENT));
        BOOST_TEST(!qs().results().front().is_deferred(folio::Article::CONTENT));
    }
}

BOOST_FIXTURE_TEST_CASE(a_bad_name_fails_in_filter_and_caches_nothing, BlogFixture) {
    BOOST_CHECK_THROW(blog.articles().filter("author__nickname", std::string("x")), folio::InvalidQuery);
    BOOST_CHECK_THROW(blog.articles().filter("created_at__year", std::string("x")), folio::InvalidQuery);
    BOOST_TEST(blog.articles().filter("author__username", std::string("user0")).count() == 5);
}

// Paths are walked once per thread and memoised; what depends on the value
// (its type, its text, the form it takes) and on the QuerySet (a slice) is
// checked on every call, and a bad path is refused every time.
BOOST_FIXTURE_TEST_CASE(a_memoised_path_still_checks_every_value_and_a_bad_path_every_time, BlogFixture) {
    for (int round = 0; round < 2; ++round) {
        BOOST_TEST(blog.authors().get("username", std::string("user4")).id() == authors[4].id());
        BOOST_TEST(blog.articles().filter("author__username", std::string("user1")).count() == 5);
        folio_test::expect_invalid(db, [&] { (void)blog.authors().get("username", 5); }, {"Author.username", "text"});
        folio_test::expect_invalid(db, [&] { (void)blog.articles().filter("author__username", 5); },
                                   {"Author.username", "text"});
        folio_test::expect_invalid(db, [&] { (void)blog.authors().get("username__nope", std::string("x")); },
                                   {"nope", "Author.username"});
        folio_test::expect_invalid(db, [&] { (void)blog.authors().get("nickname", std::string("x")); },
                                   {"nickname", "Author"});
        folio_test::expect_invalid(db, [&] { (void)blog.authors().slice(0, 5).get("username", std::string("user1")); },
                                   {"slice"});
        BOOST_CHECK_THROW((void)blog.authors().get("username", std::string("\xff")), folio::ValidationError);
        BOOST_CHECK_THROW((void)blog.authors().get("username", std::string("nobody")), folio::DoesNotExist);
        // The same lookup as a Q: the same row, the same statement.
        BOOST_TEST(blog.authors().get(Q("username", std::string("user2"))).id() == authors[2].id());
        BOOST_TEST(blog.authors().filter("id__gt", 0).get("id", authors[3].id()).username() == "user3");
    }
}

// The compiled-query cache hands the statement cache the text's hash: that
// finds the handle prepared for the same text given as a plain string, and
// the other way round (one prepare for both).
BOOST_FIXTURE_TEST_CASE(a_compiled_query_finds_the_handle_of_the_same_text, BlogFixture) {
    const auto qs = [&] { return blog.authors().filter("email__startswith", std::string("user1")).order_by({"-username"}); };
    const std::string sql = qs().sql();
    db.statement_cache().clear();
    const auto start = db.statement_cache().stats();
    { folio::Statement st = db.prepare(sql); }
    BOOST_TEST(qs().results().size() == 11u);  // user1, user10..user19
    { folio::Statement st = db.prepare(sql); }
    BOOST_TEST(qs().results().size() == 11u);
    const auto end = db.statement_cache().stats();
    BOOST_TEST(end.misses - start.misses == 1u);
    BOOST_TEST(end.hits - start.hits == 3u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(list_page_plan)

BOOST_FIXTURE_TEST_CASE(a_page_in_index_order_is_a_plain_join_without_a_sort, BlogFixture,
                        *folio_test::sqlite_only("reads SQLite's EXPLAIN QUERY PLAN wording (USE TEMP B-TREE)")) {
    auto page = blog.articles().order_by({"-created_at", "-id"}).select_related({"author"}).slice(0, 20);
    BOOST_TEST(page.sql().find("FROM (SELECT") == std::string::npos);
    BOOST_TEST(!plan_sorts(page.explain()));
    // The same rows, in the same order, as the page's ids alone.
    auto ids = blog.articles().order_by({"-created_at", "-id"}).slice(0, 20).values_list_flat("id");
    const auto& rows = page.results();
    BOOST_REQUIRE_EQUAL(rows.size(), ids.size());
    for (std::size_t i = 0; i < rows.size(); ++i) BOOST_TEST(rows[i].id() == ids[i].as_integer());
    BOOST_TEST(rows[0].author().username().rfind("user", 0) == 0u);
}

BOOST_FIXTURE_TEST_CASE(a_page_sqlite_must_sort_is_cut_before_the_join, BlogFixture) {
    // No index on title; a filter may skip most of an index walk; mixed
    // directions are no index's order.
    for (auto qs : {blog.articles().order_by({"title"}),
                    blog.articles().filter("comments_on", true).order_by({"-created_at", "-id"}),
                    blog.articles().order_by({"-created_at", "id"})}) {
        auto page = qs.select_related({"author"}).slice(0, 20);
        BOOST_TEST(page.sql().find("FROM (SELECT") != std::string::npos);
        auto ids = qs.slice(0, 20).values_list_flat("id");
        const auto& rows = page.results();
        BOOST_REQUIRE_EQUAL(rows.size(), ids.size());
        for (std::size_t i = 0; i < rows.size(); ++i) BOOST_TEST(rows[i].id() == ids[i].as_integer());
    }
}

BOOST_FIXTURE_TEST_CASE(declared_db_index_fields_have_their_index_in_the_schema, BlogFixture,
                        *folio_test::sqlite_only("reads the schema through SQLite's pragma_index_list/pragma_index_info")) {
    // FieldMeta::db_index is a declaration the compiler plans by: each one
    // must match an index of the migrated schema led by that column.
    int declared = 0;
    for (const folio::ModelMeta* meta : {&folio::Author::meta(), &folio::Article::meta(), &folio::Tag::meta()}) {
        for (const auto& f : meta->fields) {
            if (!f.db_index) continue;
            ++declared;
            const auto n = db.scalar("SELECT COUNT(*) FROM pragma_index_list(?) AS l "
                                     "WHERE (SELECT name FROM pragma_index_info(l.name) WHERE seqno = 0) = ?",
                                     {meta->table, f.column})
                               .as_integer();
            BOOST_TEST(n >= 1, meta->table << "." << f.column << " is declared db_index but has no index");
        }
    }
    BOOST_TEST(declared >= 2);
}

BOOST_AUTO_TEST_SUITE_END()
