// m2m_edges_test.cpp: many-to-many links at their edges: an unsaved owner
// or target is refused with a ValidationError naming the relation, and
// nothing is linked; removing no targets runs no statement; set() to
// nothing clears the owner's links only; bulk_link() past the bound-variable
// limit splits into one INSERT per chunk inside one transaction, so a bad
// pair in the last chunk leaves no link of the earlier chunks behind.
#include <boost/test/unit_test.hpp>

#include <sqlite3.h>

#include "support/backend_only.hpp"
#include "support/blog_fixture.hpp"

using namespace folio;
using folio_test::BlogFixture;

namespace {
std::int64_t links(Database& db) { return db.scalar("SELECT COUNT(*) FROM article_tags").as_integer(); }
template <class Fn>
std::string validation_message(Fn fn) {
    try {
        fn();
    } catch (const ValidationError& e) {
        return e.what();
    }
    BOOST_ERROR("no ValidationError");
    return {};
}
} // namespace

BOOST_AUTO_TEST_SUITE(m2m_edges)

BOOST_AUTO_TEST_CASE(unsaved_owner_or_target_is_refused_and_links_nothing) {
    BlogFixture f(2, 4);
    const std::int64_t before = links(f.db);
    Article saved = f.blog.articles().get("id", f.blog.articles().first()->id());
    Tag new_tag("never-saved");
    const std::string target = validation_message([&] { saved.tags().add({f.tags[1], new_tag}); });
    BOOST_TEST(target.find("add(): a target was never saved") != std::string::npos, target);
    BOOST_TEST(target.find("tags") != std::string::npos, target);
    BOOST_TEST(links(f.db) == before);  // the saved target of the same call was not linked either
    // An owner never saved (id 0), its manager bound to the database.
    Article unsaved;
    const ManyToMany<Tag> of_unsaved(f.blog.tags(), unsaved, Article::meta().many_to_many[0]);
    const std::string owner = validation_message([&] { of_unsaved.add({f.tags[1]}); });
    BOOST_TEST(owner.find("must be saved before its links change") != std::string::npos, owner);
    BOOST_TEST(links(f.db) == before);
}

BOOST_AUTO_TEST_CASE(removing_no_targets_runs_nothing_and_set_to_nothing_clears_only_the_owner) {
    BlogFixture f(2, 4);
    Article a = f.blog.articles().get("id", f.blog.articles().first()->id());
    const std::int64_t mine = a.tags().count();
    BOOST_REQUIRE(mine > 0);
    const std::int64_t before = links(f.db);
    {
        QueryCapture q(f.db);
        a.tags().remove(std::vector<std::int64_t>{});
        BOOST_TEST(q.count() == 0u);
    }
    a.tags().set(std::vector<std::int64_t>{});
    BOOST_TEST(a.tags().count() == 0);
    BOOST_TEST(links(f.db) == before - mine);  // the other articles keep theirs
}

BOOST_AUTO_TEST_CASE(bulk_link_past_the_variable_limit_is_one_insert_per_chunk_in_one_transaction,
                     *folio_test::sqlite_only("lowers SQLITE_LIMIT_VARIABLE_NUMBER through sqlite3_limit")) {
    BlogFixture f(2, 12);
    f.db.execute("DELETE FROM article_tags");
    // Four variables per statement: chunks of two (article, tag) pairs.
    sqlite3_limit(f.db.handle(), SQLITE_LIMIT_VARIABLE_NUMBER, 4);
    BOOST_REQUIRE(f.db.variable_limit() == 4);
    std::vector<std::int64_t> articles;
    for (const Article& a : f.blog.articles().order_by({"id"})) articles.push_back(a.id());
    BOOST_REQUIRE(articles.size() == 12u);
    std::vector<std::pair<std::int64_t, std::int64_t>> pairs;
    for (std::size_t i = 0; i < 5; ++i) pairs.emplace_back(articles[i], f.tags[i].id());
    {
        QueryCapture q(f.db);
        bulk_link(f.db, Article::meta().many_to_many[0], pairs);
        BOOST_TEST(q.count_starting_with("INSERT") == 3u);  // 2 + 2 + 1 pairs
    }
    BOOST_TEST(links(f.db) == 5);
    for (std::size_t i = 0; i < 5; ++i)
        BOOST_TEST(f.db.scalar("SELECT COUNT(*) FROM article_tags WHERE article_id = ? AND tag_id = ?",
                               {Value(pairs[i].first), Value(pairs[i].second)})
                       .as_integer() == 1);
    // A pair naming no tag, in the third chunk: the whole call changes nothing.
    std::vector<std::pair<std::int64_t, std::int64_t>> bad;
    for (std::size_t i = 5; i < 9; ++i) bad.emplace_back(articles[i], f.tags[0].id());
    bad.emplace_back(articles[9], 999999);
    BOOST_CHECK_THROW(bulk_link(f.db, Article::meta().many_to_many[0], bad), IntegrityError);
    BOOST_TEST(links(f.db) == 5);
    BOOST_TEST(!f.db.in_transaction());
}

BOOST_AUTO_TEST_SUITE_END()
