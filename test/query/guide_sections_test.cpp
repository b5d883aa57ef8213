// guide_sections_test.cpp: the statement counts of every section of the
// guide, before and after, as the library's own capture sees them. These
// counts are part of folio's API contract.
#include <boost/test/unit_test.hpp>

#include <algorithm>

#include "support/backend_only.hpp"
#include "support/blog.hpp"
#include "support/blog_fixture.hpp"
#include "support/list_page.hpp"
#include "support/m2m_import.hpp"

using namespace folio;
using folio_test::render;
using folio_test::BackendBlog;
using folio_test::BlogFixture;
using folio_test::import_in_bulk;
using folio_test::import_one_by_one;
using folio_test::import_records;

namespace {
bool starts_with(const std::string& s, const char* p) { return s.rfind(p, 0) == 0; }
} // namespace

BOOST_AUTO_TEST_SUITE(guide_sections)

BOOST_AUTO_TEST_CASE(s1_bulk_insert_200_authors) {
    BackendBlog b;
    Blog& blog = b.blog;
    auto make = [](int offset) {
        std::vector<Author> v;
        for (int i = 0; i < 200; ++i) v.emplace_back("u" + std::to_string(offset + i), "", "bio");
        return v;
    };
    {
        auto authors = make(0);
        QueryCapture q(blog.db());
        for (auto& a : authors) a.save(blog.db());
        BOOST_TEST(q.count() == 200u);
        BOOST_TEST(q.count_starting_with("INSERT") == 200u);
    }
    {
        auto authors = make(1000);
        QueryCapture q(blog.db());
        blog.authors().bulk_create(authors);
        BOOST_REQUIRE(q.count() == 1u);
        BOOST_TEST(authors.front().id() > 0);
        BOOST_TEST(authors.back().id() == authors.front().id() + 199);
        BOOST_TEST(blog.authors().get("id", authors[57].id()).username() == "u1057");
    }
    {
        auto authors = make(2000);
        QueryCapture q(blog.db());
        blog.authors().bulk_create(authors, {.batch_size = 50});
        BOOST_TEST(q.count() == 4u);
    }
    BOOST_TEST(blog.authors().count() == 600);
}

BOOST_AUTO_TEST_CASE(s1_batches_stay_below_the_variable_limit) {
    BackendBlog b;
    Blog& blog = b.blog;
    const int limit = blog.db().variable_limit();
    const std::size_t per_statement = static_cast<std::size_t>(limit) / 3;  // username, email, bio
    std::vector<Author> authors;
    for (std::size_t i = 0; i < per_statement + 10; ++i) authors.emplace_back("x" + std::to_string(i), "", "");
    QueryCapture q(blog.db());
    blog.authors().bulk_create(authors, {.batch_size = 1000000});  // capped, never "too many SQL variables"
    BOOST_TEST(q.count() == 2u);
    BOOST_TEST(blog.authors().count() == static_cast<std::int64_t>(authors.size()));
}

BOOST_AUTO_TEST_CASE(s2_article_import_before_and_after) {
    // 30 articles of 3 tags each, from 10 tags: three ways of importing them.
    BlogFixture f(5, 0);
    auto& db = f.db;
    // Before: tags one by one (get_or_create + add for each tag).
    std::size_t one_by_one;
    {
        auto rs = import_records(30, "a");
        QueryCapture q(db);
        import_one_by_one(f.blog, rs);
        one_by_one = q.count();
        // 30 x (author + article + 3 x (tag SELECT + add)) + 10 tag INSERTs
        BOOST_TEST(one_by_one == 30u * (1 + 1 + 3 * 2) + 10u);
    }
    // Better: all the tags of an article in one add().
    {
        auto rs = import_records(30, "b");
        QueryCapture q(db);
        for (const auto& r : rs) {
            Author author = f.blog.authors().get("username", r.author);
            Article a;
            a.set_title(r.title).set_created_at("2016-06-11").set_author_id(author.id());
            a.save(db);
            std::vector<Tag> ts;
            for (const auto& t : r.tags) ts.push_back(f.blog.tags().get_or_create(Q("name", t), Tag(t)).first);
            a.tags().add(ts);
        }
        BOOST_TEST(q.count() == 30u * (1 + 1 + 3 + 1));
        BOOST_TEST(q.count() < one_by_one);
    }
    // After: fully bulk, a constant number of statements whatever the count.
    auto bulk = [&](int n, const std::string& prefix) {
        auto rs = import_records(n, prefix);
        QueryCapture q(db);
        import_in_bulk(f.blog, rs);
        return q.count();
    };
    std::size_t small = bulk(30, "c");
    std::size_t large = bulk(600, "d");
    BOOST_TEST(small == 5u);  // authors IN, tags insert + select, articles, links
    BOOST_TEST(large == small);
    BOOST_TEST(f.blog.articles().count() == 30 + 30 + 30 + 600);
    BOOST_TEST(f.blog.tags().count() == 20);  // the fixture's 10 + t0..t9
    BOOST_TEST(f.blog.articles().filter("title", "d599").get().tags().count() == 3);
}

BOOST_AUTO_TEST_CASE(s3_mass_update) {
    BlogFixture f;
    const auto old = f.articles_before_2012();
    BOOST_REQUIRE(old > 0);
    {
        QueryCapture q(f.db);
        auto qs = f.blog.articles().filter("created_at__year__lt", 2012);
        for (const Article& a : qs) {
            Article copy = a;
            copy.set_comments_on(false);
            copy.save();
        }
        BOOST_REQUIRE(q.count() == static_cast<std::size_t>(old) + 1);
        const auto qs_list = q.queries();
        // Each save is a full-row UPDATE: it rewrites the title and content too.
        BOOST_TEST(qs_list.back().sql.find("\"title\" = ?") != std::string::npos);
        BOOST_TEST(qs_list.back().sql.find("\"content\" = ?") != std::string::npos);
    }
    f.db.execute("UPDATE article SET comments_on = TRUE");
    {
        QueryCapture q(f.db);
        auto n = f.blog.articles().filter("created_at__year__lt", 2012).update({{"comments_on", false}});
        BOOST_TEST(n == old);
        BOOST_REQUIRE(q.count() == 1u);
        const std::string sql = q.queries().front().sql;
        BOOST_TEST(starts_with(sql, "UPDATE \"article\" SET \"comments_on\" = ?"));
        BOOST_TEST(sql.find("title") == std::string::npos);
    }
    BOOST_TEST(f.blog.articles().filter("comments_on", false).count() == old);
    BOOST_TEST(f.blog.articles().filter("comments_on", false).filter("created_at__gte", "2012-01-01").count() == 0);
}

BOOST_AUTO_TEST_CASE(s3_update_with_expression_has_no_read_modify_write) {
    BlogFixture f(3, 9);
    QueryCapture q(f.db);
    f.blog.authors().filter("username", "user1").update({{"articles_count", F("articles_count") + 10}});
    BOOST_REQUIRE(q.count() == 1u);
    // The new value is computed by SQLite from the column, not read and written back.
    BOOST_TEST(q.queries()[0].sql.starts_with("UPDATE"));
    BOOST_TEST(q.queries()[0].sql.find("\"articles_count\" + ?") != std::string::npos);
    BOOST_TEST(f.blog.authors().get("username", "user1").articles_count() == 13);
}

BOOST_AUTO_TEST_CASE(s4_mass_delete) {
    BlogFixture f;
    const std::int64_t minus = f.blog.articles().filter("tags__name", "minus").count();
    BOOST_REQUIRE(minus == 20);
    {
        QueryCapture q(f.db);
        for (const Article& a : f.blog.articles().filter("tags__name", "minus").slice(0, 10)) {
            Article copy = a;
            copy.remove();
        }
        BOOST_TEST(q.count() == 1u + 2u * 10u);  // the SELECT, then 2 per article
    }
    {
        QueryCapture q(f.db);
        DeleteCounts counts = f.blog.articles().filter("tags__name", "minus").remove();
        BOOST_TEST(q.count() <= 3u);
        BOOST_TEST(counts["article"] == 10);
        BOOST_TEST(counts["article_tags"] == 30);  // minus + 2 others each
    }
    BOOST_TEST(f.blog.articles().filter("tags__name", "minus").exists() == false);
    BOOST_TEST(f.db.scalar("SELECT COUNT(*) FROM article_tags WHERE article_id NOT IN (SELECT id FROM article)").as_integer() == 0);
    // The denormalized counter followed every delete.
    BOOST_TEST(f.db.scalar("SELECT COUNT(*) FROM author WHERE articles_count <> "
                           "(SELECT COUNT(*) FROM article WHERE author_id = author.id)").as_integer() == 0);
}

BOOST_AUTO_TEST_CASE(s4_delete_statement_count_does_not_grow_with_rows) {
    BlogFixture f(10, 3000);
    QueryCapture q(f.db);
    auto counts = f.blog.articles().filter("created_at__year__lt", 2012).remove();
    BOOST_TEST(q.count() == 3u);
    BOOST_TEST(counts["article"] > 2000);
}

BOOST_AUTO_TEST_CASE(s5_iterator_streams_and_evaluation_caches) {
    BlogFixture f;
    {
        auto qs = f.blog.articles().select_related({"author"});
        QueryCapture q(f.db);
        std::size_t n = 0;
        for (const Article& a : qs.iterator()) n += a.author().username().empty() ? 0 : 1;
        BOOST_TEST(n == 100u);
        BOOST_TEST(q.count() == 1u);
        BOOST_TEST(!qs.evaluated());  // nothing cached
        for (const Article& a : qs.iterator()) (void)a;
        BOOST_TEST(q.count() == 2u);  // a second pass is a second query
    }
    {
        auto qs = f.blog.articles().select_related({"author"});
        QueryCapture q(f.db);
        std::size_t n = 0;
        for (const Article& a : qs) n += a.id() > 0;
        for (const Article& a : qs) n += a.id() > 0;
        BOOST_TEST(n == 200u);
        BOOST_TEST(q.count() == 1u);  // one fetch, then the cache
        BOOST_TEST(qs.evaluated());
    }
}

BOOST_AUTO_TEST_CASE(s6_clone_through_author_id_runs_no_author_select) {
    BlogFixture f;
    const std::int64_t id = f.blog.articles().order_by({"id"}).first()->id();
    {
        QueryCapture q(f.db);
        Article origin = f.blog.articles().get("id", id);
        Article clone;
        clone.set_title(origin.title() + " (COPY)").set_content(origin.content()).set_created_at(origin.created_at());
        clone.set_author_id(origin.author_id());
        clone.save(f.db);
        BOOST_TEST(q.count() == 2u);
        BOOST_TEST(q.count_starting_with("SELECT \"author\"") == 0u);
    }
    {
        QueryCapture q(f.db);
        Article origin = f.blog.articles().get("id", id);
        Article clone;
        clone.set_title(origin.title() + " (COPY)").set_content(origin.content()).set_created_at(origin.created_at());
        clone.set_author(origin.author());
        clone.save(f.db);
        BOOST_TEST(q.count() == 3u);
        BOOST_TEST(q.count_starting_with("SELECT \"author\"") == 1u);
    }
}

BOOST_AUTO_TEST_CASE(s7_list_page_41_21_2) {
    BlogFixture f;
    auto base = f.blog.articles().order_by({"-created_at", "-id"});
    std::size_t expected;
    {
        QueryCapture q(f.db);
        expected = render(base.slice(0, 20));
        BOOST_TEST(q.count() == 41u);
    }
    {
        QueryCapture q(f.db);
        BOOST_TEST(render(base.select_related({"author"}).slice(0, 20)) == expected);
        BOOST_TEST(q.count() == 21u);
    }
    {
        QueryCapture q(f.db);
        BOOST_TEST(render(base.select_related({"author"}).prefetch_related({"tags"}).slice(0, 20)) == expected);
        BOOST_REQUIRE(q.count() == 2u);
        BOOST_TEST(q.queries()[0].sql.find("JOIN \"author\"") != std::string::npos);
        BOOST_TEST(q.queries()[1].sql.find("IN (?") != std::string::npos);
    }
}

BOOST_AUTO_TEST_CASE(s8_defer_and_only_select_only_those_columns) {
    BlogFixture f;
    auto page = f.blog.articles().select_related({"author"}).prefetch_related({"tags"}).order_by({"-created_at"}).slice(0, 20);
    {
        QueryCapture q(f.db);
        auto deferred = page.defer({"content", "comments_on"});
        const auto& rows = deferred.results();
        BOOST_REQUIRE(rows.size() == 20u);
        BOOST_REQUIRE(q.count() == 2u);
        const std::string sql = q.queries()[0].sql;
        BOOST_TEST(sql.find("\"content\"") == std::string::npos);
        BOOST_TEST(sql.find("\"comments_on\"") == std::string::npos);
        BOOST_TEST(sql.find("\"author\".\"bio\"") != std::string::npos);
        // Reading a deferred field loads it with one query, as Django does.
        BOOST_TEST(rows[0].content().rfind("content of article", 0) == 0);
        BOOST_TEST(q.count() == 3u);
        BOOST_TEST(rows[0].content().size() > 0u);
        BOOST_TEST(q.count() == 3u);  // and keeps it
    }
    {
        QueryCapture q(f.db);
        auto only = page.only({"title", "created_at", "author__username", "tags__name"});
        BOOST_TEST(render(only) > 0u);
        BOOST_TEST(q.count() == 2u);
        const std::string sql = q.queries()[0].sql;
        BOOST_TEST(sql.rfind("SELECT \"article\".\"id\", \"article\".\"title\", \"article\".\"created_at\", "
                             "\"article\".\"author_id\", \"author\".\"id\", \"author\".\"username\" FROM",
                             0) == 0);
    }
}

BOOST_AUTO_TEST_CASE(s9_index_on_username_turns_scan_into_search,
                     *folio_test::sqlite_only("reads SQLite's EXPLAIN QUERY PLAN wording (SEARCH ... USING INDEX, SCAN)")) {
    BlogFixture f;
    auto qs = f.blog.authors().filter("username", "user7");
    auto plan = [&] {
        std::string all;
        for (const auto& l : qs.explain()) all += l + "\n";
        return all;
    };
    BOOST_TEST(plan().find("SEARCH author USING INDEX author_username") != std::string::npos);
    f.db.execute("DROP INDEX author_username");
    BOOST_TEST(plan().find("SCAN author") != std::string::npos);
    BOOST_TEST(qs.get().username() == "user7");
}

BOOST_AUTO_TEST_CASE(s10_count_runs_count_len_fetches) {
    BlogFixture f;
    {
        QueryCapture q(f.db);
        BOOST_TEST(f.blog.authors().count() == 20);
        BOOST_REQUIRE(q.count() == 1u);
        BOOST_TEST(q.queries()[0].sql == "SELECT COUNT(*) FROM \"author\"");
        BOOST_TEST(q.queries()[0].rows == 1);
    }
    {
        QueryCapture q(f.db);
        auto qs = f.blog.authors().all();
        BOOST_REQUIRE(qs.size() == 20u);  // len(qs): every row fetched
        BOOST_TEST(q.queries()[0].rows == 20);
        BOOST_TEST(qs.count() == 20);  // served by the cache
        BOOST_TEST(q.count() == 1u);
    }
}

BOOST_AUTO_TEST_CASE(s11_exists_is_one_limit_1_query) {
    BlogFixture f;
    Author a = f.blog.authors().get("username", "user3");
    QueryCapture q(f.db);
    BOOST_TEST(a.articles().exists());
    BOOST_REQUIRE(q.count() == 1u);
    BOOST_TEST(q.queries()[0].sql.find("SELECT 1 FROM") == 0u);
    BOOST_TEST(q.queries()[0].sql.find("LIMIT 1") != std::string::npos);
    BOOST_TEST(a.articles().count() > 0);
    BOOST_REQUIRE(q.count() == 2u);
    BOOST_TEST(q.queries()[1].sql.find("SELECT COUNT(*)") == 0u);
}

BOOST_AUTO_TEST_CASE(s12_slice_is_limit_in_sql) {
    BlogFixture f(50, 200);
    {
        QueryCapture q(f.db);
        auto top = f.blog.authors().order_by({"-articles_count", "id"}).slice(0, 20);
        BOOST_TEST(top.size() == 20u);
        BOOST_REQUIRE(q.count() == 1u);
        BOOST_TEST(q.queries()[0].sql.find("LIMIT ?") != std::string::npos);
        BOOST_TEST(q.queries()[0].rows == 20);
    }
    {
        QueryCapture q(f.db);
        auto all = f.blog.authors().order_by({"-articles_count", "id"});
        const auto& rows = all.results();
        std::vector<Author> top(rows.begin(), rows.begin() + 20);
        BOOST_REQUIRE(top.size() == 20u);
        BOOST_TEST(q.queries()[0].rows == 50);  // everything was fetched
        BOOST_TEST(q.queries()[0].sql.find("LIMIT") == std::string::npos);
        auto sliced = all.slice(0, 20);  // slicing an evaluated QuerySet uses its rows
        BOOST_TEST(sliced.evaluated());
        BOOST_TEST(q.count() == 1u);
    }
}

BOOST_AUTO_TEST_SUITE_END()
