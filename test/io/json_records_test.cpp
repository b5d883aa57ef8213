// Tests of the streaming JSON readers: the happy path (escapes, unicode,
// unknown keys, progress) and every error, checking the file, record and
// field that InputError names.
#include "test_support.hpp"

#include <sstream>
#include <vector>

#include "folio/io/json_records.hpp"

using namespace folio::io;
using folio_test::catch_input_error;
using folio_test::TempDir;
using folio_test::write_file;

namespace {

std::vector<AuthorRecord> authors_from(std::string_view text, std::string_view name = "a.json") {
    std::istringstream in{std::string(text)};
    std::vector<AuthorRecord> out;
    read_authors(in, name, [&](AuthorRecord&& a, std::size_t i) {
        BOOST_TEST(i == out.size());
        out.push_back(std::move(a));
    });
    return out;
}

std::vector<ArticleRecord> articles_from(std::string_view text, std::string_view name = "b.json") {
    std::istringstream in{std::string(text)};
    std::vector<ArticleRecord> out;
    read_articles(in, name, [&](ArticleRecord&& a, std::size_t) { out.push_back(std::move(a)); });
    return out;
}

InputError author_error(std::string_view text, std::string_view name = "old_authors.json") {
    return catch_input_error([&] { authors_from(text, name); });
}

InputError article_error(std::string_view text, std::string_view name = "old_articles.json") {
    return catch_input_error([&] { articles_from(text, name); });
}

const std::string good_article =
    R"({"created_at": "2016-06-11", "author": "nichole52", "tags": ["minus", "fugiat"],)"
    R"( "title": "T", "content": "C"})";

} // namespace

BOOST_AUTO_TEST_SUITE(json_records)

BOOST_AUTO_TEST_CASE(reads_authors_with_escapes_unicode_and_unknown_keys) {
    const auto v = authors_from(R"([
      {"username": "mackchristopher", "email": "", "bio": "Vitae \"mollitia\"\nin.\u00e9\ud83d\ude00"},
      {"id": 7, "username": "b\u00fcr", "extra": {"x": [1, {"y": null}], "z": []},
       "email": "b@example.com", "bio": "", "more": [[["deep"]]]}
    ])");
    BOOST_REQUIRE_EQUAL(v.size(), 2u);
    BOOST_TEST(v[0].username == "mackchristopher");
    BOOST_TEST(v[0].email == "");
    BOOST_TEST(v[0].bio == "Vitae \"mollitia\"\nin.\xC3\xA9\xF0\x9F\x98\x80");
    BOOST_TEST(v[1].username == "b\xC3\xBCr");
    BOOST_TEST(v[1].email == "b@example.com");
    BOOST_TEST(v[1].bio == "");
}

BOOST_AUTO_TEST_CASE(reads_articles_in_any_key_order) {
    const auto v = articles_from("[" + good_article + R"(,
      {"content": "x;y", "title": "Saepe eius.", "tags": [], "author": "a1", "created_at": "1992-03-01"}])");
    BOOST_REQUIRE_EQUAL(v.size(), 2u);
    BOOST_TEST(v[0].created_at == "2016-06-11");
    BOOST_TEST(v[0].author == "nichole52");
    BOOST_TEST((v[0].tags == std::vector<std::string>{"minus", "fugiat"}));
    BOOST_TEST(v[0].title == "T");
    BOOST_TEST(v[0].content == "C");
    BOOST_TEST(v[1].tags.empty());
    BOOST_TEST(v[1].title == "Saepe eius.");
    BOOST_TEST(v[1].content == "x;y");
}

BOOST_AUTO_TEST_CASE(duplicate_key_last_wins_and_tags_do_not_accumulate) {
    const auto v = articles_from(
        R"([{"created_at": "2016-06-11", "author": "a", "tags": ["x", "y"], "tags": ["z"],)"
        R"( "title": "t1", "title": "t2", "content": "c"}])");
    BOOST_REQUIRE_EQUAL(v.size(), 1u);
    BOOST_TEST((v[0].tags == std::vector<std::string>{"z"}));
    BOOST_TEST(v[0].title == "t2");
}

BOOST_AUTO_TEST_CASE(empty_array_gives_no_records) {
    BOOST_TEST(authors_from(" [ ] \n").empty());
}

BOOST_AUTO_TEST_CASE(reads_from_path_and_reports_progress) {
    TempDir dir;
    std::string text = "[";
    for (int i = 0; i < 3000; ++i) {
        if (i > 0) text += ",\n";
        text += R"({"username": "user)" + std::to_string(i) + R"(", "email": "", "bio": ")" +
                std::string(100, 'b') + "\"}";
    }
    text += "]";
    BOOST_REQUIRE_GT(text.size(), 3 * read_chunk_size);
    write_file(dir / "old_authors.json", text);

    std::vector<std::pair<std::uint64_t, std::uint64_t>> calls;
    std::size_t seen = 0;
    const std::size_t n = read_authors(
        dir / "old_authors.json",
        [&](AuthorRecord&& a, std::size_t i) {
            BOOST_TEST(a.username == "user" + std::to_string(i));
            ++seen;
        },
        [&](std::uint64_t done, std::uint64_t total) { calls.emplace_back(done, total); });
    BOOST_TEST(n == 3000u);
    BOOST_TEST(seen == 3000u);
    // One call per 64 KiB chunk plus the final one.
    BOOST_REQUIRE(calls.size() == (text.size() + read_chunk_size - 1) / read_chunk_size + 1);
    for (std::size_t i = 0; i < calls.size(); ++i) {
        BOOST_TEST(calls[i].second == text.size());
        BOOST_TEST(calls[i].first <= calls[i].second);
        if (i > 0) BOOST_TEST(calls[i].first >= calls[i - 1].first);
    }
    BOOST_TEST(calls.front().first == read_chunk_size);
    BOOST_TEST(calls.back().first == text.size());
}

BOOST_AUTO_TEST_CASE(stream_overload_reads_from_current_position) {
    std::istringstream in("garbage[" + good_article + "]");
    in.seekg(7);
    std::uint64_t last_total = 0;
    std::size_t n = read_articles(
        in, "s.json", [](ArticleRecord&&, std::size_t) {},
        [&](std::uint64_t, std::uint64_t total) { last_total = total; });
    BOOST_TEST(n == 1u);
    BOOST_TEST(last_total == 2 + good_article.size());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(json_record_errors)

BOOST_AUTO_TEST_CASE(cannot_open_file) {
    TempDir dir;
    const auto p = dir / "x.json";
    const auto e = catch_input_error([&] { read_authors(p, [](AuthorRecord&&, std::size_t) {}); });
    BOOST_TEST(e.what() == p.string() + ": cannot open file: No such file or directory");
    BOOST_TEST(e.file() == p.string());
    BOOST_TEST(e.record() == InputError::npos);
}

BOOST_AUTO_TEST_CASE(directory_is_not_a_file) {
    TempDir dir;
    const auto e = catch_input_error(
        [&] { read_articles(dir.path(), [](ArticleRecord&&, std::size_t) {}); });
    BOOST_TEST(e.what() == dir.path().string() + ": cannot open file: Is a directory");
}

BOOST_AUTO_TEST_CASE(empty_and_blank_files) {
    TempDir dir;
    write_file(dir / "x.json", "");
    const auto p = dir / "x.json";
    auto e = catch_input_error([&] { read_authors(p, [](AuthorRecord&&, std::size_t) {}); });
    BOOST_TEST(e.what() == p.string() + ": empty file");
    e = author_error(" \n\t\r\n", "x.json");
    BOOST_TEST(e.what() == std::string("x.json: empty file"));
}

BOOST_AUTO_TEST_CASE(top_level_must_be_array) {
    for (std::string_view text : {"{}", "\"s\"", "12", "null", R"({"username": "a"})"}) {
        const auto e = author_error(text, "x.json");
        BOOST_TEST(e.what() == std::string("x.json: top level must be an array of objects"));
        BOOST_TEST(e.record() == InputError::npos);
    }
}

BOOST_AUTO_TEST_CASE(element_must_be_object) {
    const std::string ok = R"({"username":"u","email":"","bio":""})";
    auto e = author_error("[" + ok + "," + ok + "," + ok + R"(, "hello"])");
    BOOST_TEST(e.what() == std::string("old_authors.json: record 3: expected an object, got string"));
    BOOST_TEST(e.record() == 3u);
    BOOST_TEST(e.field().empty());
    e = author_error("[[1]]");
    BOOST_TEST(e.what() == std::string("old_authors.json: record 0: expected an object, got array"));
    e = author_error("[" + ok + ", 12]");
    BOOST_TEST(e.what() == std::string("old_authors.json: record 1: expected an object, got number 12"));
    e = author_error("[null]");
    BOOST_TEST(e.what() == std::string("old_authors.json: record 0: expected an object, got null"));
}

BOOST_AUTO_TEST_CASE(missing_field_names_record_and_field) {
    const std::string ok = R"({"username":"u","email":"","bio":""})";
    std::string text = "[";
    for (int i = 0; i < 5; ++i) text += ok + ",";
    text += R"({"email": "", "bio": "", "name": "typo"}])";
    const auto e = author_error(text);
    BOOST_TEST(e.what() == std::string("old_authors.json: record 5: missing field \"username\""));
    BOOST_TEST(e.record() == 5u);
    BOOST_TEST(e.field() == "username");

    const auto e2 = article_error(
        R"([{"created_at": "2016-06-11", "author": "a", "title": "t", "content": "c"}])");
    BOOST_TEST(e2.what() == std::string("old_articles.json: record 0: missing field \"tags\""));
}

BOOST_AUTO_TEST_CASE(wrong_field_types) {
    std::string prefix = "[";
    for (int i = 0; i < 17; ++i) prefix += good_article + ",";
    auto e = article_error(prefix + R"({"created_at": 12, "author": "a"}])");
    BOOST_TEST(e.what() == std::string("old_articles.json: record 17: field \"created_at\": "
                                       "expected a string, got number 12"));
    BOOST_TEST(e.record() == 17u);
    BOOST_TEST(e.field() == "created_at");
    BOOST_TEST(e.message() == "expected a string, got number 12");

    e = article_error(R"([{"author": null}])");
    BOOST_TEST(e.what() == std::string("old_articles.json: record 0: field \"author\": "
                                       "expected a string, got null"));
    e = article_error(R"([{"title": -2.5e1}])");
    BOOST_TEST(e.message() == "expected a string, got number -2.5e1");
    e = article_error(R"([{"content": true}])");
    BOOST_TEST(e.message() == "expected a string, got boolean true");
    e = article_error(R"([{"content": {"text": "x"}}])");
    BOOST_TEST(e.message() == "expected a string, got object");
    e = article_error(R"([{"title": ["x"]}])");
    BOOST_TEST(e.message() == "expected a string, got array");
    e = author_error(R"([{"email": 18446744073709551615}])");
    BOOST_TEST(e.what() == std::string("old_authors.json: record 0: field \"email\": "
                                       "expected a string, got number 18446744073709551615"));
}

BOOST_AUTO_TEST_CASE(tags_must_be_array_of_strings) {
    auto e = article_error(R"([{"tags": "minus"}])");
    BOOST_TEST(e.what() == std::string("old_articles.json: record 0: field \"tags\": "
                                       "expected an array of strings, got string"));
    e = article_error(R"([{"tags": {"a": 1}}])");
    BOOST_TEST(e.message() == "expected an array of strings, got object");
    e = article_error("[" + good_article + R"(, {"tags": ["a", "b", 5]}])");
    BOOST_TEST(e.what() == std::string("old_articles.json: record 1: field \"tags\": "
                                       "element 2: expected a string, got number 5"));
    BOOST_TEST(e.field() == "tags");
    e = article_error(R"([{"tags": [["nested"]]}])");
    BOOST_TEST(e.message() == "element 0: expected a string, got array");
}

BOOST_AUTO_TEST_CASE(malformed_json_reports_byte_offset) {
    // The 't' of "tru" starts at byte 40; the parser notices at the ']' (43).
    const std::string text = R"([{"username":"a","email":"","bio":"x"}, tru])";
    auto e = author_error(text);
    BOOST_TEST(e.byte_offset() == 43u);
    BOOST_TEST(e.record() == 1u);
    const std::string what = e.what();
    BOOST_TEST(what.rfind("old_authors.json: record 1: malformed JSON at byte 43: line 1, column 44: ",
                          0) == 0u,
               what);
    BOOST_TEST(what.find('\n') == std::string::npos);

    // Leading whitespace skipped before parsing still counts in the offset.
    e = author_error("  \n  [,]");
    BOOST_TEST(e.byte_offset() == 6u, e.what());

    // Truncated file, invalid UTF-8, trailing garbage: all "malformed JSON".
    e = author_error(R"([{"username": "a)");
    BOOST_TEST(std::string(e.what()).find("malformed JSON at byte 16") != std::string::npos, e.what());
    e = author_error("[{\"username\": \"a\xFF\"}]");
    BOOST_TEST(e.byte_offset() == 16u);
    BOOST_TEST(std::string(e.what()).find("\\xFF") != std::string::npos, e.what());
    e = author_error("[] x");
    BOOST_TEST(e.record() == InputError::npos);
    BOOST_TEST(e.byte_offset() == 3u, e.what());
}

BOOST_AUTO_TEST_CASE(records_before_an_error_are_delivered) {
    std::istringstream in(R"([{"username":"a","email":"","bio":""}, {"username": 1}])");
    std::vector<std::string> names;
    BOOST_CHECK_THROW(read_authors(in, "x.json",
                                   [&](AuthorRecord&& a, std::size_t) { names.push_back(a.username); }),
                      InputError);
    BOOST_TEST(names.size() == 1u);
}

BOOST_AUTO_TEST_CASE(callback_exceptions_propagate) {
    std::istringstream in(R"([{"username":"a","email":"","bio":""}, {"username":"b","email":"","bio":""}])");
    std::size_t calls = 0;
    BOOST_CHECK_THROW(read_authors(in, "x.json",
                                   [&](AuthorRecord&&, std::size_t) {
                                       ++calls;
                                       throw std::domain_error("model rejected it");
                                   }),
                      std::domain_error);
    BOOST_TEST(calls == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
