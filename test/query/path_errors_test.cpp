// path_errors_test.cpp: a bad field path outside filter() (order_by, only,
// values_list) raises InvalidQuery naming the step, the model, the call and
// the whole path, before any statement runs: a step through a field that is
// not a relation, a many-valued relation where one value is needed, an
// unknown field.
#include <boost/test/unit_test.hpp>

#include "support/blog_fixture.hpp"
#include "support/expect_invalid.hpp"

using namespace folio;
using folio_test::BlogFixture;
using folio_test::expect_invalid;

BOOST_AUTO_TEST_SUITE(path_errors)

BOOST_AUTO_TEST_CASE(a_step_through_a_plain_field_names_field_model_call_and_path) {
    BlogFixture f(2, 4);
    expect_invalid(f.db, [&] { (void)f.blog.articles().order_by({"title__length"}).results(); },
                   {"Field 'title' of model Article is not a relation", "'title__length'"});
    expect_invalid(f.db, [&] { (void)f.blog.articles().order_by({"author__username__x"}).results(); },
                   {"Field 'username' of model Author is not a relation", "'author__username__x'"});
}

BOOST_AUTO_TEST_CASE(a_many_valued_relation_where_one_value_is_needed_is_refused) {
    BlogFixture f(2, 4);
    expect_invalid(f.db, [&] { (void)f.blog.articles().order_by({"tags__name"}).results(); },
                   {"many-valued relation 'tags' of model Article", "'tags__name'"});
    expect_invalid(f.db, [&] { (void)f.blog.articles().order_by({"author__nope"}).results(); }, {"nope", "Author"});
}

BOOST_AUTO_TEST_SUITE_END()
