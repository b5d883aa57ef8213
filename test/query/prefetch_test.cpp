// prefetch_related split into several chunks of ids (the connection's
// bound-variable limit lowered through its raw handle), over every kind of
// relation: each object's related rows must equal what SQL says, and the
// statement count must show one query per chunk.
#include <boost/test/unit_test.hpp>

#include <sqlite3.h>

#include <map>
#include <set>

#include "support/backend_only.hpp"
#include "support/blog_fixture.hpp"

using namespace folio;
using folio_test::BlogFixture;

namespace {

// The limit that makes prefetch chunks of `ids` ids (the loader keeps 16
// variables spare, as documented in Database::variable_limit()).
void limit_chunks_to(Database& db, int ids) {
    sqlite3_limit(db.handle(), SQLITE_LIMIT_VARIABLE_NUMBER, ids + 16);
    BOOST_REQUIRE(db.variable_limit() == ids + 16);
}

std::string dump(const QueryCapture& q) {
    std::string out;
    for (const auto& s : q.all()) out += s.to_string() + "\n";
    return out;
}

std::size_t chunks(std::size_t n, std::size_t per) { return (n + per - 1) / per; }

std::set<std::string> sql_set(Database& db, const std::string& sql, std::int64_t id) {
    std::set<std::string> out;
    Statement st = db.prepare(sql);
    st.bind(1, id);
    while (st.step()) out.emplace(st.column_text(0));
    return out;
}

// The names of an article's tags as the object holds them (from the prefetch).
std::set<std::string> held_tag_names(const Article& a) {
    std::set<std::string> out;
    for (const Tag& t : a.tags()) out.insert(t.name());
    return out;
}

std::set<std::string> titles(const QuerySet<Article>& qs) {
    std::set<std::string> out;
    for (const Article& a : qs) out.insert(a.title());
    return out;
}

std::set<std::string> tag_names(Database& db, std::int64_t article) {
    return sql_set(db,
                   "SELECT t.name FROM tag t JOIN article_tags l ON l.tag_id = t.id WHERE l.article_id = ?", article);
}

} // namespace

// The chunks come from lowering SQLite's SQLITE_LIMIT_VARIABLE_NUMBER on the
// raw handle; PostgreSQL's limit is the protocol's fixed 65,535.
BOOST_AUTO_TEST_SUITE(prefetch_chunks,
                      *folio_test::sqlite_only("makes small chunks by lowering SQLITE_LIMIT_VARIABLE_NUMBER "
                                               "through sqlite3_limit on the raw handle"))

BOOST_AUTO_TEST_CASE(many_to_many_in_several_chunks_fills_every_object) {
    BlogFixture f(4, 23);
    limit_chunks_to(f.db, 5);
    QueryCapture q(f.db);
    const auto& articles = f.blog.articles().order_by({"id"}).prefetch_related({"tags"}).results();
    BOOST_REQUIRE(articles.size() == 23u);
    BOOST_TEST(q.count() == 1u + chunks(23, 5));
    q.clear();
    for (const Article& a : articles) {
        BOOST_TEST_CONTEXT("article " << a.id()) {
            const std::set<std::string> got = held_tag_names(a);
            BOOST_TEST(got == tag_names(f.db, a.id()), boost::test_tools::per_element());
            BOOST_TEST(!got.empty());
        }
    }
    BOOST_TEST(q.count_starting_with("SELECT t.name") == 23u);  // only this test's own checks ran
    BOOST_TEST(q.count() == 23u);
}

BOOST_AUTO_TEST_CASE(reverse_many_to_many_and_reverse_fk_in_chunks) {
    BlogFixture f(7, 40);
    limit_chunks_to(f.db, 2);
    {
        QueryCapture q(f.db);
        const auto& tags = f.blog.tags().prefetch_related({"articles"}).results();
        BOOST_REQUIRE(tags.size() == 10u);
        BOOST_TEST(q.count() == 1u + chunks(10, 2));
        for (const Tag& t : tags) {
            BOOST_TEST(titles(t.articles()) == sql_set(f.db,
                                      "SELECT a.title FROM article a JOIN article_tags l ON l.article_id = a.id "
                                      "WHERE l.tag_id = ?",
                                      t.id()),
                       boost::test_tools::per_element());
        }
    }
    QueryCapture q(f.db);
    const auto& authors = f.blog.authors().prefetch_related({"articles"}).results();
    BOOST_REQUIRE(authors.size() == 7u);
    BOOST_TEST(q.count() == 1u + chunks(7, 2));
    for (const Author& au : authors) {
        const std::set<std::string> got = titles(au.articles());
        BOOST_TEST(got == sql_set(f.db, "SELECT title FROM article WHERE author_id = ?", au.id()),
                   boost::test_tools::per_element());
        BOOST_TEST(got.size() == static_cast<std::size_t>(au.articles_count()));
    }
}

BOOST_AUTO_TEST_CASE(forward_foreign_key_prefetch_in_chunks) {
    BlogFixture f(9, 30);
    limit_chunks_to(f.db, 4);
    QueryCapture q(f.db);
    const auto& articles = f.blog.articles().prefetch_related({"author"}).results();
    BOOST_REQUIRE(articles.size() == 30u);
    // One SELECT of the articles, then the 9 distinct authors by id in chunks.
    BOOST_TEST(q.count() == 1u + chunks(9, 4), dump(q));
    q.clear();
    std::map<std::int64_t, std::string> held;  // article id -> its author's username, as held
    for (const Article& a : articles) {
        const Author& au = a.author();
        BOOST_TEST(au.id() == a.author_id());
        held[a.id()] = au.username();
    }
    BOOST_TEST(q.count() == 0u);  // every author came from the prefetch
    std::set<std::string> distinct;
    for (const auto& [article, username] : held) {
        BOOST_TEST(username == f.db.scalar("SELECT u.username FROM author u JOIN article a ON a.author_id = u.id "
                                           "WHERE a.id = ?",
                                           {article})
                                   .as_text());
        distinct.insert(username);
    }
    BOOST_TEST(distinct.size() == 9u);
}

BOOST_AUTO_TEST_CASE(nested_levels_in_chunks) {
    BlogFixture f(5, 25);
    limit_chunks_to(f.db, 3);
    QueryCapture q(f.db);
    const auto& authors = f.blog.authors().prefetch_related({"articles__tags"}).results();
    BOOST_REQUIRE(authors.size() == 5u);
    BOOST_TEST(q.count() == 1u + chunks(5, 3) + chunks(25, 3));
    q.clear();
    std::size_t articles = 0;
    for (const Author& au : authors)
        for (const Article& a : au.articles()) {
            ++articles;
            BOOST_TEST(held_tag_names(a) == tag_names(f.db, a.id()), boost::test_tools::per_element());
        }
    BOOST_TEST(articles == 25u);
    BOOST_TEST(q.count() == 25u);  // only the checks' own SELECTs
}

BOOST_AUTO_TEST_CASE(streaming_with_prefetch_in_chunks) {
    BlogFixture f(3, 12);
    limit_chunks_to(f.db, 5);
    std::size_t rows = 0;
    std::vector<std::pair<std::int64_t, std::set<std::string>>> got;
    for (const Article& a : f.blog.articles().prefetch_related({"tags"}).iterator()) {
        got.emplace_back(a.id(), held_tag_names(a));
        ++rows;
    }
    BOOST_TEST(rows == 12u);
    for (const auto& [id, names] : got) BOOST_TEST(names == tag_names(f.db, id), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_SUITE_END()
