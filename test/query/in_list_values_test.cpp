// in_list_values_test.cpp: __in lists of text that an array literal must
// escape (PostgreSQL binds a whole list as one array: double quotes,
// backslashes, braces, commas, blanks, the word NULL) find exactly their
// rows on every backend, next to decoys an unescaped list would match.
#include <boost/test/unit_test.hpp>

#include "support/blog_fixture.hpp"

using namespace folio;
using folio_test::BlogFixture;

BOOST_AUTO_TEST_SUITE(in_list_values)

BOOST_AUTO_TEST_CASE(text_an_array_literal_must_escape_matches_exactly) {
    BlogFixture f(1, 0);  // and its ten plain tags
    const std::vector<std::string> names = {"say \"hi\"", "back\\slash", "{braces}", "a,b", " padded ", "NULL",
                                            "\\\"both\\\"", "ünï ✓"};
    const std::vector<std::string> decoys = {"say hi", "backslash", "braces", "a", "b", "padded", "null", "\"both\""};
    std::vector<Tag> tags;
    for (const auto& n : names) tags.emplace_back(n);
    for (const auto& n : decoys) tags.emplace_back(n);
    f.blog.tags().bulk_create(tags);
    for (const auto& n : names) {
        BOOST_TEST_CONTEXT(n) {
            const auto found = f.blog.tags().filter("name__in", std::vector<Value>{Value(n)}).all();
            BOOST_REQUIRE(found.size() == 1u);
            BOOST_TEST(found[0].name() == n);
        }
    }
    std::vector<Value> all;
    for (const auto& n : names) all.emplace_back(n);
    BOOST_TEST(f.blog.tags().filter("name__in", all).count() == static_cast<std::int64_t>(names.size()));
    BOOST_TEST(f.blog.tags().exclude("name__in", all).count() == static_cast<std::int64_t>(decoys.size() + 10));
}

BOOST_AUTO_TEST_SUITE_END()
