// bad_input_test.cpp: unknown fields, wrong types, empty and huge IN lists,
// unicode, hostile strings and slicing edge cases. Bad requests fail with
// InvalidQuery before any SQL runs; values are bound, never executed.
#include <boost/test/unit_test.hpp>

#include "support/blog_fixture.hpp"
#include "support/expect_invalid.hpp"

using namespace folio;
using folio_test::BlogFixture;
using folio_test::expect_invalid;

BOOST_AUTO_TEST_SUITE(bad_input)

BOOST_AUTO_TEST_CASE(unknown_fields_name_the_field_and_the_model) {
    BlogFixture f(2, 2);
    auto arts = f.blog.articles();
    expect_invalid(f.db, [&] { arts.filter("titel", "x"); }, {"'titel'", "Article", "title"});
    expect_invalid(f.db, [&] { arts.filter("author__nickname", "x"); }, {"'nickname'", "Author"});
    expect_invalid(f.db, [&] { arts.filter("tags__label", "x"); }, {"'label'", "Tag"});
    expect_invalid(f.db, [&] { arts.filter("title__near", "x"); }, {"'near'", "Article.title"});
    expect_invalid(f.db, [&] { arts.filter("title__year", 2012); }, {"year", "Article.title"});
    expect_invalid(f.db, [&] { arts.order_by({"-popularity"}); }, {"'popularity'", "Article"});
    expect_invalid(f.db, [&] { arts.order_by({"tags__name"}); }, {"many-valued", "tags"});
    expect_invalid(f.db, [&] { arts.select_related({"tags"}); }, {"'tags'", "select_related"});
    expect_invalid(f.db, [&] { arts.prefetch_related({"comments"}); }, {"'comments'", "Article"});
    expect_invalid(f.db, [&] { arts.only({"title", "subtitle"}); }, {"'subtitle'"});
    expect_invalid(f.db, [&] { arts.defer({"author__age"}); }, {"'age'", "Author"});
    expect_invalid(f.db, [&] { arts.update({{"views", 1}}); }, {"'views'", "Article"});
    expect_invalid(f.db, [&] { arts.values_list({"title", "nope"}); }, {"'nope'"});
    expect_invalid(f.db, [&] { f.blog.tags().get_or_create_many("label", {Value("x")}); }, {"'label'", "Tag"});
}

BOOST_AUTO_TEST_CASE(wrong_value_types_are_refused) {
    BlogFixture f(2, 2);
    auto arts = f.blog.articles();
    expect_invalid(f.db, [&] { arts.filter("id", "one"); }, {"Article.id", "integer", "'one'"});
    expect_invalid(f.db, [&] { arts.filter("title", 5); }, {"Article.title", "text", "5"});
    expect_invalid(f.db, [&] { arts.filter("created_at", "2021-02-29"); }, {"Article.created_at", "date"});
    expect_invalid(f.db, [&] { arts.filter("created_at__year__lt", "2012"); }, {"integer"});
    expect_invalid(f.db, [&] { arts.filter("id__in", 3); }, {"list"});
    expect_invalid(f.db, [&] { arts.filter("id__range", std::vector<Value>{1}); }, {"2 values"});
    expect_invalid(f.db, [&] { arts.filter(Q("id__in", std::vector<Value>{1, "x"})); }, {"integer", "'x'"});
    expect_invalid(f.db, [&] { arts.filter("author", "bob"); }, {"Article.author"});
}

BOOST_AUTO_TEST_CASE(empty_and_huge_in_lists) {
    BlogFixture f(10, 1000);
    {
        QueryCapture q(f.db);
        BOOST_TEST(f.blog.articles().filter("id__in", std::vector<Value>{}).size() == 0u);
        BOOST_TEST(f.blog.articles().exclude("id__in", std::vector<Value>{}).count() == 1000);
        BOOST_TEST(q.count() == 2u);
    }
    std::vector<Value> ids;
    for (int i = 1; i <= 100000; ++i) ids.emplace_back(i);
    QueryCapture q(f.db);
    BOOST_TEST(f.blog.articles().filter("id__in", ids).count() == 1000);
    BOOST_TEST(f.blog.articles().filter("id__in", ids).filter("id__lte", 10).size() == 10u);
    BOOST_TEST(q.count() == 2u);
}

BOOST_AUTO_TEST_CASE(unicode_quotes_and_sql_fragments_are_data) {
    BlogFixture f(1, 0);
    const std::vector<std::string> nasty = {
        "O'Brien", "\"quoted\"", "'; DROP TABLE article; --", "Robert'); DELETE FROM author;--",
        "100% _real_ \\ backslash", "日本語のタイトル", "emoji 🎉 title", "line\nbreak; semi;colon",
    };
    for (const auto& t : nasty) {
        Article a;
        a.set_title(t).set_content(t + t).set_created_at("2016-01-01").set_author_id(f.authors[0].id());
        a.save(f.db);
    }
    for (const auto& t : nasty) {
        BOOST_TEST(f.blog.articles().get("title", t).content() == t + t);
        BOOST_TEST(f.blog.articles().filter("title__contains", t).count() == 1);
        BOOST_TEST(f.blog.articles().filter("title__icontains", t).count() == 1);
        BOOST_TEST(f.blog.articles().filter("title__startswith", t).count() == 1);
    }
    BOOST_TEST(f.blog.articles().filter("title__contains", "%").count() == 1);  // LIKE wildcards are literal
    BOOST_TEST(f.blog.articles().filter("title__icontains", "_").count() == 1);
    BOOST_TEST(f.blog.articles().count() == static_cast<std::int64_t>(nasty.size()));
    BOOST_TEST(f.blog.authors().count() == 1);
    // 64 characters is the limit, not 64 bytes: 64 three-byte characters pass.
    std::string jp;
    for (int i = 0; i < 64; ++i) jp += "語";
    Tag ok(jp);
    BOOST_CHECK_NO_THROW(ok.save(f.db));
    Tag too_long(jp + "x");
    BOOST_CHECK_THROW(too_long.save(f.db), ValidationError);
}

BOOST_AUTO_TEST_CASE(slicing_edge_cases) {
    BlogFixture f(2, 10);
    auto qs = f.blog.articles().order_by({"id"});
    BOOST_TEST(qs.slice(0, 0).size() == 0u);
    BOOST_TEST(qs.slice(5, 5).size() == 0u);
    BOOST_TEST(qs.slice(8, 100).size() == 2u);
    BOOST_TEST(qs.slice(100, 200).size() == 0u);
    BOOST_TEST(qs.slice(100).size() == 0u);
    BOOST_TEST(qs.slice(7).size() == 3u);  // open-ended
    BOOST_TEST(qs.slice(3, 1).size() == 0u);
    BOOST_TEST(qs.slice(2, 6).count() == 4);
    BOOST_TEST(qs.slice(2, 6).exists());
    BOOST_TEST(!qs.slice(20).exists());
    BOOST_CHECK_THROW(qs.slice(-1, 2), InvalidQuery);
    BOOST_CHECK_THROW(qs.slice(0, 2).filter("id", 1), InvalidQuery);
    BOOST_CHECK_THROW(qs.slice(0, 2).update({{"comments_on", false}}), InvalidQuery);
    auto evaluated = qs.all();
    BOOST_TEST(evaluated.size() == 10u);
    BOOST_TEST(evaluated.slice(8, 100).size() == 2u);
    BOOST_TEST(evaluated.slice(100).size() == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
