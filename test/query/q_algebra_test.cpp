// q_algebra_test.cpp: the shape of Q trees and what they select. As
// Django's Q._combine: a & b & c (from either side, in any grouping) is one
// AND node of three leaves, an OR nested in an AND stays a child, !!x is x,
// an empty Q() drops out of & and | from either side; and each tree selects
// the rows the same condition selects when written in SQL.
#include <boost/test/unit_test.hpp>

#include <string>

#include "support/blog_fixture.hpp"

using namespace folio;
using folio_test::BlogFixture;

namespace {
std::size_t children(const Q& q) { return q.node().children.size(); }
} // namespace

BOOST_AUTO_TEST_SUITE(q_algebra)

BOOST_AUTO_TEST_CASE(and_or_flatten_their_own_kind_from_either_side) {
    const Q a("id__gt", 1), b("id__lt", 50), c("title__contains", "1"), d("title__contains", "2");
    const Q left = (a & b) & c, right = a & (b & c), both = (a & b) & (c & d);
    BOOST_TEST((left.node().kind == Q::Kind::And));
    BOOST_TEST(children(left) == 3u);
    BOOST_TEST(children(right) == 3u);
    BOOST_TEST(children(both) == 4u);
    for (const Q& leaf : both.node().children) BOOST_TEST((leaf.node().kind == Q::Kind::Leaf));
    const Q ors = (a | b) | (c | d);
    BOOST_TEST((ors.node().kind == Q::Kind::Or));
    BOOST_TEST(children(ors) == 4u);
    // Another kind is kept as a child: (a | b) & c is AND(OR(a, b), c).
    const Q mixed = (a | b) & c;
    BOOST_TEST((mixed.node().kind == Q::Kind::And));
    BOOST_REQUIRE(children(mixed) == 2u);
    BOOST_TEST((mixed.node().children[0].node().kind == Q::Kind::Or));
    BOOST_TEST(children(mixed.node().children[0]) == 2u);
}

BOOST_AUTO_TEST_CASE(double_negation_and_empty_q_drop_out) {
    const Q a("title", "x");
    const Q not_a = !a;
    BOOST_TEST((not_a.node().kind == Q::Kind::Not));
    BOOST_REQUIRE(children(not_a) == 1u);
    BOOST_TEST(&(!not_a).node() == &a.node());  // !!a is a itself, not NOT(NOT(a))
    BOOST_TEST(&(a | Q()).node() == &a.node());
    BOOST_TEST(&(Q() | a).node() == &a.node());
    BOOST_TEST(&(a & Q()).node() == &a.node());
    BOOST_TEST(&(Q() & a).node() == &a.node());
    BOOST_TEST((!Q()).matches_all());
    BOOST_TEST((Q() | Q()).matches_all());
    // A list leaf keeps its list.
    const Q in("id__in", std::vector<Value>{1, 2, 3});
    BOOST_TEST(in.node().list);
    BOOST_TEST(in.node().values.size() == 3u);
    BOOST_TEST(!a.node().list);
}

BOOST_AUTO_TEST_CASE(trees_select_what_the_same_sql_selects) {
    BlogFixture f(20, 100);
    auto sql = [&](const std::string& where) {
        return f.db.scalar(folio_test::in_backend_spelling("SELECT COUNT(*) FROM article WHERE " + where)).as_integer();
    };
    auto n = [&](const Q& q) { return static_cast<std::int64_t>(f.blog.articles().filter(q).count()); };
    const Q a("id__gt", 10), b("id__lte", 60), c("title__contains", "1"), d("title__contains", "2");
    BOOST_TEST(n((a & b) & (c | d)) == sql("id > 10 AND id <= 60 AND (instr(title, '1') > 0 OR instr(title, '2') > 0)"));
    BOOST_TEST(n((a | b) | (c & d)) == sql("id > 10 OR id <= 60 OR (instr(title, '1') > 0 AND instr(title, '2') > 0)"));
    BOOST_TEST(n(!!(a & b)) == sql("id > 10 AND id <= 60"));
    BOOST_TEST(n(!(a | c)) == sql("NOT (id > 10 OR instr(title, '1') > 0)"));
    BOOST_TEST(n(c | Q()) == sql("instr(title, '1') > 0"));
    BOOST_TEST(n((a & b) & (c | d)) > 0);
}

BOOST_AUTO_TEST_SUITE_END()
