// repertoire_test.cpp: the rest of the QuerySet repertoire: lookups, boolean
// combinations, ordering, get/first/last, projections, relation managers and
// prefetching across levels.
#include <boost/test/unit_test.hpp>

#include <set>

#include "support/backend.hpp"
#include "support/blog_fixture.hpp"

using namespace folio;
using folio_test::BlogFixture;

namespace {
std::set<std::string> titles(const QuerySet<Article>& qs) {
    std::set<std::string> out;
    for (const Article& a : qs) out.insert(a.title());
    return out;
}
} // namespace

BOOST_AUTO_TEST_SUITE(repertoire)

// Each answer checked against plain SQL run on the same backend.
BOOST_AUTO_TEST_CASE(lookups_match_what_the_database_counts) {
    BlogFixture f;
    auto n = [&](const Q& q) { return f.blog.articles().filter(q).count(); };
    auto sql = [&](const char* where) { return f.db.scalar(folio_test::in_backend_spelling(std::string("SELECT COUNT(*) FROM article WHERE ") + where)).as_integer(); };
    BOOST_TEST(n(Q("title", "Article 7")) == 1);
    BOOST_TEST(n(Q("title__iexact", "ARTICLE 7")) == 1);
    BOOST_TEST(n(Q("title__contains", "cle 1")) == sql("instr(title, 'cle 1') > 0"));
    BOOST_TEST(n(Q("title__contains", "ARTICLE")) == 0);  // contains is case-sensitive
    BOOST_TEST(n(Q("title__icontains", "ARTICLE 1")) == sql("lower(title) LIKE '%article 1%'"));
    BOOST_TEST(n(Q("title__startswith", "Article 9")) == sql("title LIKE 'Article 9%'"));
    BOOST_TEST(n(Q("id__in", std::vector<Value>{1, 2, 3, 999})) == 3);
    BOOST_TEST(n(Q("id__gt", 90)) == 10);
    BOOST_TEST(n(Q("id__gte", 90)) == 11);
    BOOST_TEST(n(Q("id__lt", 10)) == 9);
    BOOST_TEST(n(Q("id__lte", 10)) == 10);
    BOOST_TEST(n(Q("id__range", std::vector<Value>{10, 19})) == 10);
    BOOST_TEST(n(Q("created_at__isnull", true)) == 0);
    BOOST_TEST(n(Q("created_at__year", 2000)) == sql("created_at BETWEEN '2000-01-01' AND '2000-12-31'"));
    BOOST_TEST(n(Q("created_at__year__lt", 2012)) == sql("created_at < '2012-01-01'"));
    BOOST_TEST(n(Q("created_at__year__lte", 2012)) == sql("created_at < '2013-01-01'"));
    BOOST_TEST(n(Q("created_at__year__gt", 2012)) == sql("created_at >= '2013-01-01'"));
    BOOST_TEST(n(Q("created_at__year__gte", 2012)) == sql("created_at >= '2012-01-01'"));
    BOOST_TEST(n(Q("created_at__month", 6)) == 100);
    BOOST_TEST(n(Q("created_at__day__gt", 15)) == 0);
    BOOST_TEST(n(Q("created_at__range", std::vector<Value>{"2000-01-01", "2001-12-31"})) == sql("created_at BETWEEN '2000-01-01' AND '2001-12-31'"));
    BOOST_TEST(n(F("created_at").year() < 2012) == n(Q("created_at__year__lt", 2012)));
    BOOST_TEST(n(Q("author__username", "user3")) == 5);
    BOOST_TEST(n(Q("author__username__startswith", "user1")) == sql("author_id IN (SELECT id FROM author WHERE username LIKE 'user1%')"));
    BOOST_TEST(n(Q("author", f.authors[3].id())) == 5);
    BOOST_TEST(n(Q("author__id", f.authors[3].id())) == 5);
    BOOST_TEST(n(Q("tags__name", "minus")) == 20);
    BOOST_TEST(n(Q("tags__name__in", std::vector<Value>{"minus", "lorem"})) ==
               sql("id IN (SELECT article_id FROM article_tags JOIN tag ON tag.id = tag_id WHERE name IN ('minus','lorem'))"));
    BOOST_TEST(n(Q("tags", f.tags[0].id())) == 20);
}

BOOST_AUTO_TEST_CASE(and_or_not_and_exclude) {
    BlogFixture f;
    auto qs = f.blog.articles();
    BOOST_TEST(qs.filter(Q("id__lt", 10) | Q("id__gt", 95)).count() == 9 + 5);
    BOOST_TEST(qs.filter(Q("id__lt", 10) & Q("id__gt", 5)).count() == 4);
    BOOST_TEST(qs.filter(!Q("id__lt", 10)).count() == 91);
    BOOST_TEST(qs.filter("id__lt", 10).filter("id__gt", 5).count() == 4);
    // exclude across a many-to-many: articles with NO 'minus' tag (not: with a non-minus tag).
    BOOST_TEST(qs.exclude("tags__name", "minus").count() == 80);
    BOOST_TEST(qs.filter(Q("tags__name", "minus") | Q("author__username", "user1")).count() ==
               f.db.scalar("SELECT COUNT(*) FROM article WHERE id IN (SELECT article_id FROM article_tags WHERE tag_id = 1) "
                           "OR author_id = (SELECT id FROM author WHERE username = 'user1')").as_integer());
    // No duplicated rows from the many-to-many path, without DISTINCT.
    BOOST_TEST(qs.filter("tags__name__in", std::vector<Value>{"minus", "lorem", "ipsum"}).size() ==
               static_cast<std::size_t>(qs.filter("tags__name__in", std::vector<Value>{"minus", "lorem", "ipsum"}).count()));
}

BOOST_AUTO_TEST_CASE(ordering_slicing_first_last_get) {
    BlogFixture f;
    auto by_author = f.blog.articles().order_by({"-author__username", "id"});
    BOOST_TEST(by_author.first()->author().username() == "user9");
    BOOST_TEST(by_author.last()->author().username() == "user0");
    BOOST_TEST(f.blog.articles().last()->id() == 100);  // no ordering: by primary key
    auto page = f.blog.articles().order_by({"id"}).slice(10, 20);
    BOOST_REQUIRE(page.size() == 10u);
    BOOST_TEST(page[0].id() == 11);
    BOOST_TEST(page.slice(2, 4).results().at(0).id() == 13);
    BOOST_TEST(f.blog.articles().order_by({"id"}).slice(5, 15).slice(2, 4)[0].id() == 8);  // narrowing, unevaluated
    BOOST_CHECK_THROW(f.blog.articles().get("author__username", "user1"), MultipleObjectsReturned);
    BOOST_CHECK_THROW(f.blog.articles().get("title", "nope"), DoesNotExist);
    BOOST_TEST(!f.blog.articles().filter("title", "nope").first().has_value());
    auto [tag, created] = f.blog.tags().get_or_create(Q("name", "new"), Tag("new"));
    BOOST_TEST(created);
    BOOST_TEST(tag.id() > 0);
    auto [again, created2] = f.blog.tags().get_or_create(Q("name", "new"), Tag("new"));
    BOOST_TEST(!created2);
    BOOST_TEST(again.id() == tag.id());
    Tag made = f.blog.tags().create(Tag("made"));
    BOOST_TEST(made.id() > tag.id());
}

BOOST_AUTO_TEST_CASE(values_list_projects_without_objects) {
    BlogFixture f;
    QueryCapture q(f.db);
    auto rows = f.blog.articles().filter("id__lte", 3).order_by({"id"}).values_list({"title", "author__username"});
    BOOST_TEST(q.count() == 1u);
    BOOST_REQUIRE(rows.size() == 3u);
    BOOST_TEST(rows[0][0].as_text() == "Article 0");
    BOOST_TEST(rows[0][1].as_text() == "user0");
    auto names = f.blog.tags().order_by({"name"}).values_list_flat("name");
    BOOST_TEST(names.front().as_text() == "amet");
}

BOOST_AUTO_TEST_CASE(many_to_many_add_is_one_statement_that_skips_existing_pairs) {
    BlogFixture f;
    Article a = f.blog.articles().get("id", 2);
    std::vector<Tag> all = f.blog.tags().order_by({"id"}).results();
    {
        QueryCapture q(f.db);
        a.tags().add(all);  // 2 of them linked already
        BOOST_TEST(q.count() == 1u);
    }
    BOOST_TEST(a.tags().count() == 10);
    {
        QueryCapture q(f.db);
        a.tags().remove(std::vector<Tag>{all[0], all[1]});
        BOOST_TEST(q.count() == 1u);
    }
    BOOST_TEST(a.tags().count() == 8);
    a.tags().set(std::vector<Tag>{all[3], all[4]});
    BOOST_REQUIRE(a.tags().count() == 2);
    a.tags().clear();
    BOOST_TEST(!a.tags().exists());
    BOOST_TEST(all[0].articles().count() == 20);  // reverse of the M2M, from the tag's side
}

BOOST_AUTO_TEST_CASE(get_or_create_many_is_constant) {
    BlogFixture f;
    auto run = [&](int n) {
        std::vector<Value> names;
        for (int i = 0; i < n; ++i) names.emplace_back("w" + std::to_string(i % (n / 2 + 1)));
        names.emplace_back("minus");
        QueryCapture q(f.db);
        auto tags = f.blog.tags().get_or_create_many("name", names);
        BOOST_REQUIRE(tags.size() == static_cast<std::size_t>(n / 2 + 2));
        BOOST_TEST(tags.back().name() == "minus");
        BOOST_TEST(tags.back().id() == f.tags[0].id());
        return q.count();
    };
    BOOST_TEST(run(10) == 2u);
    BOOST_TEST(run(1000) == 2u);
}

BOOST_AUTO_TEST_CASE(prefetch_reverse_fk_and_nested_levels) {
    BlogFixture f;
    QueryCapture q(f.db);
    auto authors = f.blog.authors().order_by({"id"}).prefetch_related({"articles__tags"});
    std::size_t articles = 0, links = 0;
    for (const Author& a : authors) {
        for (const Article& art : a.articles()) {
            ++articles;
            links += art.tags().size();
        }
    }
    BOOST_TEST(articles == 100u);
    BOOST_TEST(links == 200u + 20u);
    BOOST_TEST(q.count() == 3u);  // authors, their articles, those articles' tags
}

BOOST_AUTO_TEST_CASE(prefetch_in_chunks_and_iterator_with_prefetch) {
    BlogFixture f(10, 2500);
    {
        QueryCapture q(f.db);
        std::size_t links = 0;
        for (const Article& a : f.blog.articles().prefetch_related({"tags"}).iterator()) links += a.tags().size();
        BOOST_TEST(links == 2500u * 2 + 500u);
        BOOST_TEST(q.count() == 1u + 3u);  // the cursor, one prefetch per chunk of 1000
    }
}

BOOST_AUTO_TEST_CASE(lazy_loads_inside_an_iteration_of_the_same_sql) {
    // The statement cache hands out a second handle for the same SQL while the
    // first is being stepped, so nested use never clobbers the outer cursor.
    BlogFixture f(5, 20);
    std::size_t pairs = 0;
    auto qs = f.blog.authors().order_by({"id"});
    for (const Author& a : qs.iterator())
        for (const Author& b : qs.iterator()) pairs += a.id() != b.id();
    BOOST_TEST(pairs == 20u);
}

BOOST_AUTO_TEST_CASE(chaining_is_immutable_and_lazy) {
    BlogFixture f;
    QueryCapture q(f.db);
    auto base = f.blog.articles();
    auto narrowed = base.filter("id__lt", 5).order_by({"-id"}).select_related({"author"});
    BOOST_TEST(q.count() == 0u);  // nothing ran yet
    BOOST_TEST(base.sql().find("WHERE") == std::string::npos);
    BOOST_TEST(narrowed.size() == 4u);
    BOOST_TEST(titles(narrowed).count("Article 3") == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
