// ill_formed_utf8_test.cpp: a record whose strings are not well-formed UTF-8
// (RFC 3629) is a bad record like a mistyped one: reported with the file, the
// record, the field and the byte (value and offset), skipped with on_invalid
// while the read goes on, the first bad record without it. Every kind of
// ill-formed byte (a stray continuation byte, an overlong form, a surrogate,
// a code point past U+10FFFF, a cut sequence, a byte no sequence starts with),
// in values, keys, ignored values and tags; sequences that a read chunk's end
// (or a stream giving one byte per read) cuts in two are not ill-formed. An
// ill-formed byte where no string is (or right after a backslash) is
// malformed JSON, which the read cannot resume after.
#include "test_support.hpp"

#include <algorithm>
#include <sstream>
#include <streambuf>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "folio/io/json_records.hpp"

using namespace folio::io;
using folio_test::catch_input_error;

namespace {

std::string author(const std::string& username, const std::string& bio = "") {
    return R"({"username": ")" + username + R"(", "email": "", "bio": ")" + bio + R"("})";
}

struct Read {
    std::vector<std::size_t> delivered;
    std::vector<AuthorRecord> records;
    std::vector<std::string> errors;
};

// Reads `in` with on_invalid.
Read read_skipping(std::istream& in) {
    Read r;
    read_authors(
        in, "a.json",
        [&](AuthorRecord&& a, std::size_t i) {
            r.delivered.push_back(i);
            r.records.push_back(std::move(a));
        },
        {}, [&](const InputError& e) { r.errors.push_back(e.what()); });
    return r;
}

Read read_skipping(const std::string& text) {
    std::istringstream in(text);
    return read_skipping(in);
}

// The message a record with an ill-formed byte at `at` of `text` gets.
std::string ill_formed(const std::string& text, std::size_t at) {
    return fmt::format("ill-formed UTF-8 (byte 0x{:02X} at byte {})", static_cast<unsigned char>(text[at]), at);
}

// A stream that hands over one byte per read, as a slow pipe may: every
// multi-byte sequence arrives cut.
class OneByteAtATime : public std::streambuf {
public:
    explicit OneByteAtATime(std::string text) : text_(std::move(text)) {}

protected:
    std::streamsize xsgetn(char* s, std::streamsize n) override {
        if (n <= 0 || at_ == text_.size()) return 0;
        *s = text_[at_++];
        return 1;
    }
    int_type underflow() override { return at_ == text_.size() ? traits_type::eof() : text_[at_]; }

private:
    std::string text_;
    std::size_t at_ = 0;
};

} // namespace

BOOST_AUTO_TEST_SUITE(ill_formed_utf8)

BOOST_AUTO_TEST_CASE(without_on_invalid_the_first_bad_record_is_reported_with_its_field_and_byte) {
    const std::string text = "[" + author("ann") + ", " + author("b\xFF" "b") + ", " +
                             R"({"username": 5, "email": "", "bio": ""}])";
    std::istringstream in(text);
    std::vector<std::string> names;
    const InputError e = catch_input_error([&] {
        read_authors(in, "old_authors.json", [&](AuthorRecord&& a, std::size_t) { names.push_back(a.username); });
    });
    BOOST_TEST(e.record() == 1u);
    BOOST_TEST(e.field() == "username");
    BOOST_TEST(e.what() == "old_authors.json: record 1: field \"username\": " + ill_formed(text, text.find('\xFF')));
    BOOST_TEST(names == std::vector<std::string>{"ann"}, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(with_on_invalid_every_kind_is_skipped_and_listed_and_the_read_goes_on) {
    struct Case {
        std::string bytes, why;
    };
    const std::vector<Case> kinds = {
        {"\x80", "a continuation byte with no lead"},
        {"\xC0\xAF", "an overlong '/'"},
        {"\xE0\x80\xAF", "an overlong '/' in three bytes"},
        {"\xED\xA0\x80", "a UTF-16 surrogate"},
        {"\xF4\x90\x80\x80", "past U+10FFFF"},
        {"\xF5\x80\x80\x80", "a byte no sequence starts with"},
        {"\xE2\x82", "a sequence cut by the closing quote"},
        {"\xFE", "never in UTF-8"},
    };
    for (const Case& k : kinds) {
        BOOST_TEST_CONTEXT(k.why) {
            // In a value, twice in one string (reported once), in a key, in
            // an unknown key's value, and before a good record that holds
            // every length of sequence.
            const std::string good_bio = "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80";
            const std::string text = "[" + author("ok") + ", " + author("x", "a" + k.bytes + "b" + k.bytes) + ", " +
                                     R"({"user)" + k.bytes + R"(name": "y", "email": "", "bio": ""}, )" +
                                     R"({"username": "z", "email": "", "bio": "", "note": [")" + k.bytes + R"("]}, )" +
                                     author("last", good_bio) + "]";
            const Read r = read_skipping(text);
            BOOST_TEST(r.delivered == (std::vector<std::size_t>{0, 4}), boost::test_tools::per_element());
            BOOST_REQUIRE(r.records.size() == 2u);
            BOOST_TEST(r.records[1].bio == good_bio);
            const std::size_t first = text.find(k.bytes);
            const std::size_t key = text.find("\"user" + k.bytes) + 5;
            const std::size_t note = text.find(k.bytes, text.find("\"note\""));
            const std::vector<std::string> expected = {
                "a.json: record 1: field \"bio\": " + ill_formed(text, first),
                "a.json: record 2: a key holds " + ill_formed(text, key),
                "a.json: record 3: an ignored value holds " + ill_formed(text, note),
            };
            BOOST_TEST(r.errors == expected, boost::test_tools::per_element());
        }
    }
}

BOOST_AUTO_TEST_CASE(in_an_articles_tags_the_element_is_named) {
    const std::string ok = R"({"created_at": "2016-06-11", "author": "a", "title": "t", "content": "", )";
    const std::string text = "[" + ok + "\"tags\": [\"fine\", \"b\xC3\"]}, " + ok + "\"tags\": [\"\xC3\xA9\"]}]";
    std::istringstream in(text);
    std::vector<ArticleRecord> delivered;
    std::vector<InputError> bad;
    read_articles(
        in, "b.json", [&](ArticleRecord&& a, std::size_t) { delivered.push_back(std::move(a)); }, {},
        [&](const InputError& e) { bad.push_back(e); });
    BOOST_REQUIRE(bad.size() == 1u);
    BOOST_TEST(bad[0].field() == "tags");
    BOOST_TEST(bad[0].what() ==
               "b.json: record 0: field \"tags\": element 1: " + ill_formed(text, text.find('\xC3')));
    BOOST_REQUIRE(delivered.size() == 1u);
    BOOST_TEST(delivered[0].tags == std::vector<std::string>{"\xC3\xA9"}, boost::test_tools::per_element());
}

// The input is checked chunk by chunk: a sequence the chunk's end cuts is
// judged with the next chunk, wherever the cut falls in it.
BOOST_AUTO_TEST_CASE(a_sequence_cut_by_a_chunks_end_is_judged_whole) {
    const std::string emoji = "\xF0\x9F\x98\x80";
    for (std::size_t cut = 1; cut <= 4; ++cut) {
        BOOST_TEST_CONTEXT("the chunk ends " << cut << " byte(s) into the sequence") {
            // Pads the first record's bio so that the emoji starts `cut`
            // bytes before the chunk's end, then an ill-formed byte at the
            // same place in the next chunk's end.
            const std::string prefix = "[" + std::string(R"({"username": "a", "email": "", "bio": ")");
            const std::string text1 = prefix + std::string(read_chunk_size - cut - prefix.size(), 'p') + emoji +
                                      R"("}, )" + author("b", "\xF0\x9F\x98") + "]";
            const Read r = read_skipping(text1);
            BOOST_TEST(r.delivered == std::vector<std::size_t>{0}, boost::test_tools::per_element());
            BOOST_REQUIRE(r.records.size() == 1u);
            BOOST_TEST(r.records[0].bio.substr(r.records[0].bio.size() - 4) == emoji);
            BOOST_REQUIRE(r.errors.size() == 1u);
            const std::size_t bad = text1.rfind("\xF0\x9F\x98");
            BOOST_TEST(r.errors[0] == "a.json: record 1: field \"bio\": " + ill_formed(text1, bad));
            // An ill-formed byte right at the chunk's end.
            const std::string text2 = prefix + std::string(read_chunk_size - cut - prefix.size(), 'p') + "\xFF" +
                                      R"("}, )" + author("b", emoji) + "]";
            const Read r2 = read_skipping(text2);
            BOOST_TEST(r2.delivered == std::vector<std::size_t>{1}, boost::test_tools::per_element());
            BOOST_REQUIRE(r2.errors.size() == 1u);
            BOOST_TEST(r2.errors[0] ==
                       "a.json: record 0: field \"bio\": " + ill_formed(text2, read_chunk_size - cut));
        }
    }
}

BOOST_AUTO_TEST_CASE(a_stream_giving_one_byte_per_read_reads_the_same) {
    const std::string text = "[" + author("\xC3\xA9t\xC3\xA9", "\xF0\x9F\x98\x80\xE2\x82\xAC") + ", " +
                             author("bad", "x\xE2\x82") + ", " + author("\xF0\x9F\x98\x80") + "]";
    OneByteAtATime slow(text);
    std::istream in(&slow);
    const Read r = read_skipping(in);
    const Read whole = read_skipping(text);
    BOOST_TEST(r.delivered == (std::vector<std::size_t>{0, 2}), boost::test_tools::per_element());
    BOOST_REQUIRE(r.records.size() == 2u);
    BOOST_TEST(r.records[0].username == "\xC3\xA9t\xC3\xA9");
    BOOST_TEST(r.records[0].bio == "\xF0\x9F\x98\x80\xE2\x82\xAC");
    BOOST_TEST(r.records[1].username == "\xF0\x9F\x98\x80");
    BOOST_TEST(r.errors == whole.errors, boost::test_tools::per_element());
    BOOST_REQUIRE(r.errors.size() == 1u);
    BOOST_TEST(r.errors[0] == "a.json: record 1: field \"bio\": " + ill_formed(text, text.find("x\xE2") + 1));
}

// Where no string is, or right after a backslash, the parser cannot go on:
// malformed JSON, with or without on_invalid, naming the byte.
BOOST_AUTO_TEST_CASE(an_ill_formed_byte_where_no_string_is_is_malformed_json_naming_it) {
    for (const std::string& text : {"[" + author("a") + " \xFF]", "[" + author("a") + ", {\"username\": \"a\\\xFF\"}]"}) {
        BOOST_TEST_CONTEXT(text) {
            const std::size_t at = text.find('\xFF');
            std::size_t reported = 0;
            std::istringstream in(text);
            const InputError e = catch_input_error([&] {
                read_authors(in, "a.json", [](AuthorRecord&&, std::size_t) {}, {},
                             [&](const InputError&) { ++reported; });
            });
            BOOST_TEST(e.byte_offset() == at);
            BOOST_TEST(std::string(e.what()).find(fmt::format("malformed JSON at byte {}: ill-formed UTF-8 (byte 0xFF)",
                                                              at)) != std::string::npos,
                       e.what());
            BOOST_TEST(reported == 0u);
        }
    }
    // A file cut inside a sequence inside a string: the string never ends
    // (the error), and the cut sequence is named beside it.
    const std::string cut = "[" + author("a") + ", {\"username\": \"a\xE2\x82";
    const InputError e = catch_input_error([&] { std::istringstream in(cut); read_skipping(in); });
    BOOST_TEST(std::string(e.what()).find(fmt::format("(and ill-formed UTF-8, byte 0xE2 at byte {})",
                                                      cut.find('\xE2'))) != std::string::npos,
               e.what());
}

BOOST_AUTO_TEST_SUITE_END()
