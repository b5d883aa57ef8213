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

// get() checks out again the statement its compiled query last ran on
// (StatementCache::reacquire), without looking its text up, but only while
// that cache has finalized nothing since and the handle is idle: after a
// clear(), with the cache disabled, while the handle is checked out
// elsewhere, on another Database of the same dialect and after a Database
// closed, every get() finds (or prepares) a handle of its own Database and
// answers right.
BOOST_FIXTURE_TEST_CASE(get_reuses_its_last_statement_only_while_the_cache_kept_it, BlogFixture) {
    folio::StatementCache& cache = db.statement_cache();
    const auto name_of = [&](std::size_t i) { return blog.authors().get("id", authors[i].id()).username(); };
    const auto user = [](std::size_t i) { return "user" + std::to_string(i); };
    BOOST_TEST(name_of(0) == user(0));
    const auto s0 = cache.stats();
    for (std::size_t i = 1; i < 5; ++i) BOOST_TEST(name_of(i) == user(i));
    const auto s1 = cache.stats();
    BOOST_TEST(s1.misses == s0.misses);
    BOOST_TEST(s1.hits == s0.hits + 4);
    BOOST_TEST(s1.in_use == 0u);

    // clear() finalizes the handle: the next get() prepares its text again.
    const auto epoch = cache.epoch();
    cache.clear();
    BOOST_TEST(cache.epoch() != epoch);
    BOOST_TEST(name_of(5) == user(5));
    BOOST_TEST(name_of(6) == user(6));
    BOOST_TEST(cache.stats().misses == s1.misses + 1);

    // Disabled: every release finalizes. The idle handle serves the first
    // get() (as a lookup by text would), then every get() prepares.
    cache.set_enabled(false);
    const auto s2 = cache.stats();
    for (std::size_t i = 7; i < 10; ++i) BOOST_TEST(name_of(i) == user(i));
    BOOST_TEST(cache.stats().misses == s2.misses + 2);
    BOOST_TEST(cache.stats().hits == s2.hits + 1);
    cache.set_enabled(true);

    // The handle get() last ran on, checked out by a Statement of the same
    // text: get() takes another handle and leaves that one alone.
    BOOST_TEST(name_of(10) == user(10));
    const std::string sql = blog.authors().filter("id", authors[0].id()).slice(0, 2).sql();
    {
        folio::Statement held = db.prepare(sql, std::vector<Value>{authors[0].id(), 2});
        BOOST_TEST(held.step());
        BOOST_TEST(held.column_text(1) == user(0));
        const auto s3 = cache.stats();
        BOOST_TEST(name_of(11) == user(11));
        BOOST_TEST(cache.stats().misses == s3.misses + 1);
        BOOST_TEST(cache.stats().in_use == 1u);
        BOOST_TEST(held.column_text(1) == user(0));  // its row untouched
        BOOST_TEST(!held.step());
    }
    BOOST_TEST(name_of(12) == user(12));

    // Another Database of the same dialect on this thread shares the
    // compiled query, never the handle: each answers from its own rows.
    folio_test::TestDatabaseTarget other_where;
    {
        folio::Blog other = folio::Blog::open(other_where.target());
        std::vector<folio::Author> others{folio::Author("other0", "o0@example.com", "bio"),
                                          folio::Author("other1", "o1@example.com", "bio")};
        other.authors().bulk_create(others);
        for (int round = 0; round < 3; ++round) {
            BOOST_TEST(other.authors().get("id", others[1].id()).username() == "other1");
            BOOST_TEST(name_of(1) == user(1));
        }
        BOOST_CHECK_THROW(other.authors().get("id", authors[19].id() + 1000), folio::DoesNotExist);
    }
    // That Database closed; another opened (perhaps where it was): fine too.
    folio_test::TestDatabaseTarget third_where;
    folio::Blog third = folio::Blog::open(third_where.target());
    std::vector<folio::Author> thirds{folio::Author("third0", "t0@example.com", "bio")};
    third.authors().bulk_create(thirds);
    BOOST_TEST(third.authors().get("id", thirds[0].id()).username() == "third0");
    BOOST_TEST(third.authors().get("id", thirds[0].id()).username() == "third0");
    BOOST_TEST(name_of(2) == user(2));
}

// get() without a doctor loads its row straight into the result: still one
// statement (two with a prefetch), Django's errors with the SQL, and a slice
// taken before get() kept.
BOOST_FIXTURE_TEST_CASE(get_loads_one_row_in_one_statement, BlogFixture) {
    folio::QueryCapture capture(db);
    const folio::Author a = blog.authors().get("username", std::string("user3"));
    BOOST_TEST(capture.count() == 1u);
    BOOST_TEST(a.username() == "user3");
    BOOST_TEST(a.email() == "user3@example.com");
    BOOST_TEST(a.pk() == authors[3].id());
    BOOST_TEST(a.database() == &db);
    const folio::Article art = blog.articles().prefetch_related({"tags"}).get("title", std::string("Article 5"));
    BOOST_TEST(capture.count() == 3u);
    BOOST_REQUIRE(art.prefetched("tags") != nullptr);
    BOOST_TEST(art.prefetched("tags")->size() == 3u);
    BOOST_TEST(blog.articles().order_by({"id"}).slice(5, 6).get().title() == "Article 5");
    BOOST_TEST(capture.count() == 4u);
    try {
        (void)blog.articles().get("author", authors[0].id());
        BOOST_FAIL("no MultipleObjectsReturned");
    } catch (const folio::MultipleObjectsReturned& e) {
        BOOST_TEST(std::string(e.what()).find("get() returned more than one Article: SELECT") == 0u);
    }
    // By primary key equality one step suffices; any other filter on the
    // key still tells one row from several.
    BOOST_TEST(blog.authors().get("pk", authors[7].id()).username() == "user7");
    BOOST_CHECK_THROW(blog.authors().get("id__gt", authors[18].id() - 1), folio::MultipleObjectsReturned);
    BOOST_TEST(blog.authors().get("id__gt", authors[18].id()).username() == "user19");
    BOOST_CHECK_THROW(blog.authors().get("id", authors[19].id() + 1000), folio::DoesNotExist);
    BOOST_TEST(capture.count() == 9u);
    try {
        (void)blog.authors().get("username", std::string("nobody"));
        BOOST_FAIL("no DoesNotExist");
    } catch (const folio::DoesNotExist& e) {
        BOOST_TEST(std::string(e.what()).find("Author matching query does not exist: SELECT") == 0u);
    }
    BOOST_TEST(capture.count() == 10u);
    BOOST_TEST(db.statement_cache().stats().in_use == 0u);
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
