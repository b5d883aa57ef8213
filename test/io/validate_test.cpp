// Tests of the semantic checks in folio/io/validate.hpp (dates, UTF-8
// length, e-mail syntax) that the model layer relies on.
#include "test_support.hpp"

#include "folio/io/validate.hpp"

using namespace folio::io;

BOOST_AUTO_TEST_SUITE(validate)

BOOST_AUTO_TEST_CASE(dates) {
    BOOST_TEST(is_valid_date("2016-06-11"));
    BOOST_TEST(is_valid_date("1990-01-01"));
    BOOST_TEST(is_valid_date("2016-12-31"));
    BOOST_TEST(is_valid_date("2000-02-29"));  // divisible by 400: leap
    BOOST_TEST(!is_valid_date("1900-02-29")); // century: not leap
    BOOST_TEST(is_valid_date("2016-02-29"));
    BOOST_TEST(!is_valid_date("2015-02-29"));
    BOOST_TEST(!is_valid_date("2015-04-31"));
    BOOST_TEST(is_valid_date("2015-01-31"));
    BOOST_TEST(!is_valid_date("2015-13-01"));
    BOOST_TEST(!is_valid_date("2015-00-10"));
    BOOST_TEST(!is_valid_date("2015-01-00"));
    BOOST_TEST(!is_valid_date("0000-01-01"));
    BOOST_TEST(is_valid_date("9999-12-31"));
    BOOST_TEST(!is_valid_date("2015-1-01"));
    BOOST_TEST(!is_valid_date("2015/01/01"));
    BOOST_TEST(!is_valid_date("2015-01-01 "));
    BOOST_TEST(!is_valid_date(" 015-01-01"));
    BOOST_TEST(!is_valid_date("2015-0a-01"));
    BOOST_TEST(!is_valid_date(""));
}

BOOST_AUTO_TEST_CASE(utf8_lengths) {
    BOOST_TEST(utf8_length("") == 0u);
    BOOST_TEST(utf8_length("abc") == 3u);
    BOOST_TEST(utf8_length("caf\xC3\xA9") == 4u);           // é: 2 bytes
    BOOST_TEST(utf8_length("\xE2\x82\xAC") == 1u);          // €: 3 bytes
    BOOST_TEST(utf8_length("\xF0\x9F\x98\x80!") == 2u);     // emoji: 4 bytes
    const std::string sixty_four_e_acute = [] {
        std::string s;
        for (int i = 0; i < 64; ++i) s += "\xC3\xA9";
        return s;
    }();
    BOOST_TEST(sixty_four_e_acute.size() == 128u);
    BOOST_TEST(utf8_length(sixty_four_e_acute) == 64u); // fits max_length=64
}

BOOST_AUTO_TEST_CASE(emails) {
    BOOST_TEST(is_valid_email(""));
    BOOST_TEST(is_valid_email("a@example.com"));
    BOOST_TEST(is_valid_email("first.last+tag@mail.example.co.uk"));
    BOOST_TEST(is_valid_email("nichole52@ex-ample.org"));
    BOOST_TEST(!is_valid_email("nichole52"));
    BOOST_TEST(!is_valid_email("@example.com"));
    BOOST_TEST(!is_valid_email("a@"));
    BOOST_TEST(!is_valid_email("a@localhost"));
    BOOST_TEST(!is_valid_email("a@example.c"));
    BOOST_TEST(!is_valid_email("a@example.c0m"));
    BOOST_TEST(!is_valid_email("a b@example.com"));
    BOOST_TEST(!is_valid_email("ab@exa mple.com"));
    BOOST_TEST(!is_valid_email(" ab@example.com"));
    BOOST_TEST(!is_valid_email("a@b@example.com"));
    BOOST_TEST(!is_valid_email("a..b@example.com"));
    BOOST_TEST(!is_valid_email(".ab@example.com"));
    BOOST_TEST(!is_valid_email("ab@-example.com"));
    BOOST_TEST(!is_valid_email("ab@example..com"));
    BOOST_TEST(!is_valid_email("ab@example.com."));
    BOOST_TEST(!is_valid_email("a\n@example.com"));
    BOOST_TEST(!is_valid_email(std::string(65, 'a') + "@example.com"));
    BOOST_TEST(is_valid_email(std::string(64, 'a') + "@example.com"));
}

BOOST_AUTO_TEST_SUITE_END()
