// many_values_test.cpp: get_or_create_many() and bulk_link() with more
// values than an inline list holds (features().max_inline_in_list, 256):
// the values travel as array parameters (json_each on SQLite, unnest on
// PostgreSQL), so each statement's text is the same whatever their number
// (prepared once, and SQLite's parser no longer spends memory per value: a
// 100,000-value VALUES list took over 100 MB to prepare). What must not
// change: the statement counts (2 and 1), the rows found or made, the order
// of get_or_create_many's results, text an array must escape, and that a
// failing bulk_link() links nothing. Every backend.
#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "support/blog_fixture.hpp"

using namespace folio;
using folio_test::BlogFixture;

namespace {

std::int64_t links(Database& db) { return db.scalar("SELECT COUNT(*) FROM article_tags").as_integer(); }

// `n` tag names, every seventh one text that JSON and array literals must
// escape (quotes, backslashes, braces, commas, blanks, the word NULL, non-ASCII).
std::vector<Value> names_of(const std::string& prefix, int n) {
    const std::vector<std::string> odd = {"\"q\"", "b\\s", "{x}", "a,b", " p ", "NULL", "ü✓"};
    std::vector<Value> out;
    for (int i = 0; i < n; ++i)
        out.emplace_back(prefix + std::to_string(i) + (i % 7 == 0 ? odd[static_cast<std::size_t>(i / 7) % odd.size()] : ""));
    return out;
}

// The SQL of the counted statements, in order.
std::vector<std::string> sql_of(const QueryCapture& q) {
    std::vector<std::string> out;
    for (const auto& s : q.queries()) out.push_back(s.sql);
    return out;
}

} // namespace

BOOST_AUTO_TEST_SUITE(many_values)

BOOST_AUTO_TEST_CASE(get_or_create_many_of_many_values_is_two_statements_of_one_text) {
    BlogFixture f(1, 0);
    std::vector<Value> first = names_of("mv-", 600);
    // 200 of them exist already, with their ids.
    std::vector<Tag> existing;
    for (int i = 0; i < 600; i += 3) existing.emplace_back(first[static_cast<std::size_t>(i)].as_text());
    f.blog.tags().bulk_create(existing);
    std::vector<std::int64_t> existing_ids;
    for (const Tag& t : f.blog.tags().filter("name__startswith", "mv-").order_by({"id"})) existing_ids.push_back(t.id());
    BOOST_REQUIRE(existing_ids.size() == 200u);
    const std::int64_t before = f.blog.tags().count();

    // Asked twice over, in a shuffled order: each once in the result, in the order first asked.
    std::vector<Value> asked;
    for (int i = 599; i >= 0; --i) asked.push_back(first[static_cast<std::size_t>(i)]);
    for (const Value& v : first) asked.push_back(v);
    std::vector<std::string> sql_600;
    {
        QueryCapture q(f.db);
        const std::vector<Tag> tags = f.blog.tags().get_or_create_many("name", asked);
        BOOST_TEST(q.count() == 2u);
        sql_600 = sql_of(q);
        BOOST_REQUIRE(tags.size() == 600u);
        for (std::size_t i = 0; i < 600; ++i) {
            BOOST_TEST(tags[i].name() == asked[i].as_text());
            BOOST_TEST(tags[i].id() != 0);
        }
        // The existing rows were found, not made again.
        BOOST_TEST(tags[599].id() == existing_ids[0]);  // "mv-0..."
    }
    BOOST_TEST(f.blog.tags().count() == before + 400);
    for (const Value& v : first) BOOST_TEST(f.blog.tags().filter("name", v).count() == 1);

    // Another number of values: the same two statements, word for word.
    {
        QueryCapture q(f.db);
        const std::vector<Tag> tags = f.blog.tags().get_or_create_many("name", names_of("nv-", 700));
        BOOST_TEST(tags.size() == 700u);
        BOOST_TEST(sql_of(q) == sql_600);
    }
    BOOST_TEST(f.blog.tags().count() == before + 400 + 700);
}

BOOST_AUTO_TEST_CASE(bulk_link_of_many_pairs_is_one_statement_and_all_or_nothing) {
    BlogFixture f(2, 30);
    f.db.execute("DELETE FROM article_tags");
    std::vector<Tag> new_tags;
    for (const Value& v : names_of("lv-", 40)) new_tags.emplace_back(v.as_text());
    f.blog.tags().bulk_create(new_tags);
    std::vector<std::int64_t> articles, tags;
    for (const Article& a : f.blog.articles().order_by({"id"})) articles.push_back(a.id());
    for (const Tag& t : f.blog.tags().order_by({"id"})) tags.push_back(t.id());
    BOOST_REQUIRE(articles.size() == 30u);
    BOOST_REQUIRE(tags.size() >= 40u);
    // 30 x 40 = 1,200 pairs, 300 of them linked already.
    std::vector<std::pair<std::int64_t, std::int64_t>> pairs;
    for (std::int64_t a : articles)
        for (std::size_t t = 0; t < 40; ++t) pairs.emplace_back(a, tags[t]);
    std::vector<std::pair<std::int64_t, std::int64_t>> early(pairs.begin(), pairs.begin() + 300);
    bulk_link(f.db, Article::meta().many_to_many[0], early);
    BOOST_REQUIRE(links(f.db) == 300);
    std::vector<std::string> sql_1200;
    {
        QueryCapture q(f.db);
        bulk_link(f.db, Article::meta().many_to_many[0], pairs);
        BOOST_TEST(q.count() == 1u);
        sql_1200 = sql_of(q);
    }
    BOOST_TEST(links(f.db) == 1200);
    for (std::size_t i = 0; i < pairs.size(); i += 97)
        BOOST_TEST(f.db.scalar("SELECT COUNT(*) FROM article_tags WHERE article_id = ? AND tag_id = ?",
                               {Value(pairs[i].first), Value(pairs[i].second)})
                       .as_integer() == 1);

    // A pair naming no tag, last of 400 new ones: one statement, so nothing is linked.
    f.db.execute("DELETE FROM article_tags");
    std::vector<std::pair<std::int64_t, std::int64_t>> bad(pairs.begin(), pairs.begin() + 399);
    bad.emplace_back(articles[0], 999999);
    {
        QueryCapture q(f.db);
        BOOST_CHECK_THROW(bulk_link(f.db, Article::meta().many_to_many[0], bad), IntegrityError);
        BOOST_TEST(sql_of(q) == sql_1200);  // the same text for 400 pairs as for 1,200
    }
    BOOST_TEST(links(f.db) == 0);
    BOOST_TEST(!f.db.in_transaction());
}

BOOST_AUTO_TEST_SUITE_END()
