// main.cpp: the Boost.Test module of the query doctor's suite (test/doctor/).
#define BOOST_TEST_MODULE folio doctor
#ifndef BOOST_TEST_DYN_LINK
#define BOOST_TEST_DYN_LINK
#endif
#include <boost/test/unit_test.hpp>
