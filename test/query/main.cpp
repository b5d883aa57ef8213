// main.cpp: the Boost.Test module of the QuerySet suites (test/query/).
#define BOOST_TEST_MODULE folio query
#ifndef BOOST_TEST_DYN_LINK
#define BOOST_TEST_DYN_LINK
#endif
#include <boost/test/unit_test.hpp>
