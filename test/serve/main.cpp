// Entry point of the `folio serve` suite (Boost.Test, dynamically linked).
#ifndef BOOST_TEST_DYN_LINK
#define BOOST_TEST_DYN_LINK
#endif
#define BOOST_TEST_MODULE folio_serve
#include <boost/test/unit_test.hpp>
