// Entry point of the folio core test suite (Boost.Test, dynamically linked):
// the only file that defines BOOST_TEST_MODULE, so Boost generates main() here.
#ifndef BOOST_TEST_DYN_LINK
#define BOOST_TEST_DYN_LINK
#endif
#define BOOST_TEST_MODULE folio_core
#include <boost/test/unit_test.hpp>
