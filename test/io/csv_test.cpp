// Tests of the CSV writer (RFC 4180 quoting, delimiters, line ends,
// buffering) and of the reader through round trips.
#include "test_support.hpp"

#include <sstream>
#include <vector>

#include "folio/io/csv_writer.hpp"

using namespace folio::io;
using Rows = std::vector<std::vector<std::string>>;

namespace {

std::string write_rows(const Rows& rows, CsvOptions opts = {}) {
    std::ostringstream out;
    {
        CsvWriter w(out, opts);
        for (const auto& r : rows) w.write_row(std::span<const std::string>(r));
        w.flush();
        BOOST_TEST(w.rows_written() == rows.size());
        BOOST_TEST(w.bytes_written() == out.str().size());
    }
    return out.str();
}

Rows read_rows(const std::string& text, char delim = ';') {
    std::istringstream in(text);
    return read_csv_rows(in, delim);
}

} // namespace

BOOST_AUTO_TEST_SUITE(csv)

BOOST_AUTO_TEST_CASE(plain_fields_are_not_quoted) {
    std::ostringstream out;
    {
        CsvWriter w(out);
        w.write_row({"title", "content", "created_at", "author", "comments_on"});
        w.write_row({"Saepe eius.", "plain text, with comma", "1992-03-01", "nichole52", "False"});
    } // destructor flushes
    BOOST_TEST(out.str() == "title;content;created_at;author;comments_on\n"
                            "Saepe eius.;plain text, with comma;1992-03-01;nichole52;False\n");
}

BOOST_AUTO_TEST_CASE(quoting_rules) {
    std::ostringstream out;
    CsvWriter w(out);
    w.write_row({"a;b", "say \"hi\"", "line1\nline2", "cr\rhere", "caf\xC3\xA9 \xE2\x82\xAC", ""});
    w.write_row({"\"", ";", ""});
    w.flush();
    BOOST_TEST(out.str() == "\"a;b\";\"say \"\"hi\"\"\";\"line1\nline2\";\"cr\rhere\";caf\xC3\xA9 \xE2\x82\xAC;\n"
                            "\"\"\"\";\";\";\n");
}

BOOST_AUTO_TEST_CASE(other_delimiter_and_crlf) {
    std::ostringstream out;
    CsvWriter w(out, CsvOptions{.delimiter = ',', .crlf = true});
    w.write_row({"a,b", "a;b", "x"});
    w.flush();
    BOOST_TEST(out.str() == "\"a,b\",a;b,x\r\n");
    BOOST_CHECK_THROW(CsvWriter(out, CsvOptions{.delimiter = '"'}), std::invalid_argument);
    BOOST_CHECK_THROW(CsvWriter(out, CsvOptions{.delimiter = '\n'}), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(single_empty_field_and_empty_row) {
    std::ostringstream out;
    CsvWriter w(out);
    w.write_row({""});
    w.write_row(std::span<const std::string_view>{});
    w.flush();
    BOOST_TEST(out.str() == "\"\"\n\n");
    const Rows back = read_rows(out.str());
    BOOST_TEST(back == (Rows{{""}, {""}}));
}

BOOST_AUTO_TEST_CASE(round_trip_tricky_fields) {
    const Rows rows{
        {"title", "content", "created_at"},
        {"Q \"quoted\"", "multi\nline\r\ncontent;with;delims", "2016-06-11"},
        {"", "\"", ";;"},
        {"unicode \xF0\x9F\x98\x80 \xC3\xA9", "\r", "\n"},
        {"trailing empty", "", ""},
    };
    for (bool crlf : {false, true})
        for (char delim : {';', ',', '\t'}) {
            const std::string text = write_rows(rows, {.delimiter = delim, .crlf = crlf});
            BOOST_TEST(read_rows(text, delim) == rows);
        }
}

BOOST_AUTO_TEST_CASE(small_buffer_flushes_in_blocks) {
    std::ostringstream out;
    CsvWriter w(out, {.buffer_size = 16});
    for (int i = 0; i < 1000; ++i) w.write_row({"row", std::to_string(i), "x;y"});
    // Everything but the last row or so was already handed to the stream.
    BOOST_TEST(out.str().size() + 32 >= w.bytes_written());
    w.flush();
    const Rows back = read_rows(out.str());
    BOOST_REQUIRE_EQUAL(back.size(), 1000u);
    BOOST_TEST(back[999] == (std::vector<std::string>{"row", "999", "x;y"}));
}

BOOST_AUTO_TEST_CASE(failed_stream_is_reported) {
    std::ostringstream out;
    out.setstate(std::ios::badbit);
    CsvWriter w(out);
    w.write_row({"a"});
    BOOST_CHECK_THROW(w.flush(), std::ios_base::failure);
}

BOOST_AUTO_TEST_CASE(reader_accepts_missing_final_newline_and_lone_cr) {
    BOOST_TEST(read_rows("a;b\nc;d") == (Rows{{"a", "b"}, {"c", "d"}}));
    BOOST_TEST(read_rows("a;b\rc;\"d\"") == (Rows{{"a", "b"}, {"c", "d"}}));
    BOOST_TEST(read_rows("a;") == (Rows{{"a", ""}}));
    BOOST_TEST(read_rows("").empty());
}

BOOST_AUTO_TEST_CASE(reader_errors_name_the_row_as_record) {
    auto e = folio_test::catch_input_error([] { read_rows("a\nb;\"open\nstill open"); });
    BOOST_TEST(e.what() == std::string("csv: record 1: unterminated quoted field"));
    e = folio_test::catch_input_error([] { read_rows("a;b\"c\n"); });
    BOOST_TEST(e.record() == 0u);
    BOOST_TEST(e.message() == "quote inside unquoted field");
    e = folio_test::catch_input_error([] { read_rows("x\ny\n\"a\"b\n"); });
    BOOST_TEST(e.record() == 2u);
    BOOST_TEST(e.message() == "unexpected character after closing quote");
}

BOOST_AUTO_TEST_SUITE_END()
