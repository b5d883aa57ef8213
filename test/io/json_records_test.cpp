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

BOOST_AUTO_TEST_CASE(a_repeated_key_is_judged_by_its_last_value_only) {
    // The README and json_records.hpp: "a repeated key keeps its last value".
    // An earlier value of the wrong type no longer counts (a fresh user saw
    // {"title": null, "title": "Last"} rejected), a later wrong one does.
    const auto v = articles_from(
        R"([{"title": null, "title": "Last", "content": {"a": [1, {"b": 2}]}, "content": "c",)"
        R"( "created_at": 5, "created_at": "2011-03-04", "author": ["x"], "author": "a",)"
        R"( "tags": [1, ["y"], {"z": 1}], "tags": "t", "tags": ["ok"]}])");
    BOOST_REQUIRE_EQUAL(v.size(), 1u);
    BOOST_TEST(v[0].title == "Last");
    BOOST_TEST(v[0].content == "c");
    BOOST_TEST(v[0].created_at == "2011-03-04");
    BOOST_TEST(v[0].author == "a");
    BOOST_TEST((v[0].tags == std::vector<std::string>{"ok"}));
    auto e = article_error("[" + good_article.substr(0, good_article.size() - 1) + R"(, "title": 7}])");
    BOOST_TEST(e.field() == "title");
    BOOST_TEST(e.message() == "expected a string, got number 7");
    e = article_error("[" + good_article.substr(0, good_article.size() - 1) + R"(, "tags": ["a", null]}])");
    BOOST_TEST(e.message() == "element 1: expected a string, got null");
    // Of two fields wrong at the end, the first found is reported.
    e = author_error(R"([{"bio": 1, "username": null, "email": ""}])");
    BOOST_TEST(e.field() == "bio");
    BOOST_TEST(e.message() == "expected a string, got number 1");
}

BOOST_AUTO_TEST_CASE(empty_array_gives_no_records) {
    BOOST_TEST(authors_from(" [ ] \n").empty());
}

BOOST_AUTO_TEST_CASE(reads_from_path_and_reports_progress) {
    TempDir dir;
    std::string text = "[";
    for (int i = 0; i < 8000; ++i) {
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
    BOOST_TEST(n == 8000u);
    BOOST_TEST(seen == 8000u);
    // One call per read chunk plus the final one.
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

BOOST_AUTO_TEST_CASE(a_stream_that_already_failed_is_refused) {
    std::istringstream in("[" + good_article + "]");
    in.setstate(std::ios::failbit);
    const auto e = catch_input_error([&] { read_articles(in, "s.json", [](ArticleRecord&&, std::size_t) {}); });
    BOOST_TEST(e.what() == std::string("s.json: cannot read stream"));
    BOOST_TEST(e.record() == InputError::npos);
}

// A pipe-like stream cannot seek: its size is unknown, reported as total 0
// while reading, and the records still arrive whole.
BOOST_AUTO_TEST_CASE(a_stream_that_cannot_seek_reads_with_an_unknown_total) {
    class Pipe : public std::streambuf {
    public:
        explicit Pipe(std::string text) : text_(std::move(text)) {}

    protected:
        int_type underflow() override {
            if (at_ >= text_.size()) return traits_type::eof();
            // Three bytes at a time, as a slow pipe hands them over.
            const std::size_t n = std::min<std::size_t>(3, text_.size() - at_);
            setg(text_.data() + at_, text_.data() + at_, text_.data() + at_ + n);
            at_ += n;
            return traits_type::to_int_type(*gptr());
        }

    private:
        std::string text_;
        std::size_t at_ = 0;
    } pipe("[" + good_article + "," + good_article + "]");
    std::istream in(&pipe);
    std::vector<std::uint64_t> totals;
    std::size_t n = read_articles(
        in, "pipe", [](ArticleRecord&& a, std::size_t) { BOOST_TEST(!a.title.empty()); },
        [&](std::uint64_t, std::uint64_t total) { totals.push_back(total); });
    BOOST_TEST(n == 2u);
    BOOST_REQUIRE(!totals.empty());
    for (std::size_t i = 0; i + 1 < totals.size(); ++i) BOOST_TEST(totals[i] == 0u);
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

    // Truncated file, trailing garbage: "malformed JSON". (Ill-formed UTF-8
    // in a string is its record's error: ill_formed_utf8_test.cpp.)
    e = author_error(R"([{"username": "a)");
    BOOST_TEST(std::string(e.what()).find("malformed JSON at byte 16") != std::string::npos, e.what());
    e = author_error("[] x");
    BOOST_TEST(e.record() == InputError::npos);
    BOOST_TEST(e.byte_offset() == 3u, e.what());
}

BOOST_AUTO_TEST_CASE(a_file_cut_inside_a_long_string_gives_a_short_message) {
    // nlohmann quotes the whole token it was reading: the message keeps its
    // first 40 bytes (not splitting a UTF-8 sequence) and says how long it was.
    for (const std::string& unit : {std::string("x"), std::string("\xC3\xA9")}) {
        std::string body;
        while (body.size() < 1'000'000) body += unit;
        const auto e = author_error(R"([{"username": ")" + body);
        const std::string what = e.what();
        BOOST_TEST(what.size() < 400u, what.substr(0, 400));
        BOOST_TEST(what.find("malformed JSON at byte") != std::string::npos, what);
        BOOST_TEST(what.find("... (" + std::to_string(body.size() + 1) + " bytes)") != std::string::npos, what);
        BOOST_TEST(e.record() == 0u);
    }
    // The same for numbers: in a field, in an ignored key, and cut by the end of the file.
    const std::string digits(1'000'000, '1');
    for (const std::string& text : {R"([{"username": 1.)" + digits + "}]", R"([{"x": )" + digits + "}]",
                                    R"([{"username": )" + digits}) {
        const auto e = author_error(text);
        BOOST_TEST(std::string(e.what()).size() < 400u, std::string(e.what()).substr(0, 400));
    }
    // A short token is quoted whole, as before.
    const auto e = author_error(R"([{"username": "abc)");
    BOOST_TEST(std::string(e.what()).find("last read: '\"abc'") != std::string::npos, e.what());
}

// A fresh user's finding: 1e999 in a key folio ignores is valid JSON, yet
// nlohmann refuses any number no double holds, and the parse stops there.
// The error says so instead of calling the file malformed.
BOOST_AUTO_TEST_CASE(a_number_out_of_range_is_named_as_such_not_as_malformed_json) {
    for (const std::string& number : {std::string("1e999"), std::string("-2e400"), std::string(400, '9')}) {
        const auto e = author_error(R"([{"username": "a", "email": "", "bio": ""}, {"x": )" + number + "}]");
        const std::string what = e.what();
        BOOST_TEST(what.find("number out of range at byte ") != std::string::npos, what);
        BOOST_TEST(what.find("malformed") == std::string::npos, what);
        BOOST_TEST(what.find("even one folio ignores") != std::string::npos, what);
        BOOST_TEST(e.record() == 1u);
    }
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

// With on_invalid, every kind of bad record (not an object, a null, a
// missing field, a mistyped field, a container where a string belongs) is
// reported with its index and reason, and the reading goes on with the next
// record: the good ones are all delivered, in order, with their own indexes.
BOOST_AUTO_TEST_CASE(on_invalid_skips_each_kind_of_bad_author) {
    const std::string ok = R"({"username":"ok","email":"","bio":""})";
    const std::string text = "[" + ok + R"(, {"username": 5, "email": "", "bio": ""}, null, 17, "s", [1, {"a": [2]}],)"
                             R"( {"username": "m", "email": ""}, {"username": null, "email": "", "bio": ""},)"
                             R"( {"username": {"deep": [1, {"x": null}]}, "email": "", "bio": ""}, true, )" +
                             ok + "]";
    std::istringstream in(text);
    std::vector<std::size_t> delivered;
    std::vector<InputError> bad;
    const std::size_t n = read_authors(
        in, "a.json", [&](AuthorRecord&& a, std::size_t i) {
            BOOST_TEST(a.username == "ok");
            delivered.push_back(i);
        },
        {}, [&](const InputError& e) { bad.push_back(e); });
    BOOST_TEST(n == 2u);
    BOOST_TEST(delivered == (std::vector<std::size_t>{0, 10}), boost::test_tools::per_element());
    BOOST_REQUIRE(bad.size() == 9u);
    const std::vector<std::string> expected = {
        "a.json: record 1: field \"username\": expected a string, got number 5",
        "a.json: record 2: expected an object, got null",
        "a.json: record 3: expected an object, got number 17",
        "a.json: record 4: expected an object, got string",
        "a.json: record 5: expected an object, got array",
        "a.json: record 6: missing field \"bio\"",
        "a.json: record 7: field \"username\": expected a string, got null",
        "a.json: record 8: field \"username\": expected a string, got object",
        "a.json: record 9: expected an object, got boolean true",
    };
    for (std::size_t i = 0; i < bad.size(); ++i) {
        BOOST_TEST(bad[i].what() == expected[i]);
        BOOST_TEST(bad[i].record() == i + 1);
    }
    BOOST_TEST(bad[0].field() == "username");
    BOOST_TEST(bad[5].field() == "bio");
}

BOOST_AUTO_TEST_CASE(on_invalid_skips_each_kind_of_bad_article) {
    const std::string text = "[" + good_article + R"(, {"created_at": 2016, "author": "a", "tags": [], "title": "t", "content": "c"},)"
                             R"( null, {"created_at": "2016-01-01", "author": "a", "tags": [], "title": "t"},)"
                             R"( {"created_at": "2016-01-01", "author": "a", "tags": ["x", null], "title": "t", "content": "c"},)"
                             R"( {"created_at": "2016-01-01", "author": "a", "tags": ["x", ["y"]], "title": "t", "content": "c"},)"
                             R"( {"created_at": "2016-01-01", "author": "a", "tags": {"x": 1}, "title": "t", "content": "c"},)"
                             R"( [], 3.5, )" + good_article + "]";
    std::istringstream in(text);
    std::vector<ArticleRecord> delivered;
    std::vector<std::size_t> indexes;
    std::vector<std::string> bad;
    read_articles(
        in, "b.json", [&](ArticleRecord&& a, std::size_t i) {
            delivered.push_back(std::move(a));
            indexes.push_back(i);
        },
        {}, [&](const InputError& e) { bad.push_back(e.what()); });
    BOOST_TEST(indexes == (std::vector<std::size_t>{0, 9}), boost::test_tools::per_element());
    BOOST_REQUIRE(delivered.size() == 2u);
    BOOST_TEST(delivered[1].tags == (std::vector<std::string>{"minus", "fugiat"}), boost::test_tools::per_element());
    const std::vector<std::string> expected = {
        "b.json: record 1: field \"created_at\": expected a string, got number 2016",
        "b.json: record 2: expected an object, got null",
        "b.json: record 3: missing field \"content\"",
        "b.json: record 4: field \"tags\": element 1: expected a string, got null",
        "b.json: record 5: field \"tags\": element 1: expected a string, got array",
        "b.json: record 6: field \"tags\": expected an array of strings, got object",
        "b.json: record 7: expected an object, got array",
        "b.json: record 8: expected an object, got number 3.5",
    };
    BOOST_TEST(bad == expected, boost::test_tools::per_element());
}

// Malformed JSON cannot be resynchronised: it throws even with on_invalid.
BOOST_AUTO_TEST_CASE(on_invalid_does_not_cover_malformed_json_or_top_level) {
    std::size_t reported = 0;
    const auto count = [&](const InputError&) { ++reported; };
    const auto ignore = [](AuthorRecord&&, std::size_t) {};
    std::istringstream bad_json(R"([{"username": 5}, {"username": )");
    BOOST_CHECK_THROW(read_authors(bad_json, "x.json", ignore, {}, count), InputError);
    BOOST_TEST(reported == 1u); // record 0 was reported before the syntax error
    std::istringstream top(R"({"username": "a"})");
    const auto e = catch_input_error([&] { read_authors(top, "x.json", ignore, {}, count); });
    BOOST_TEST(e.what() == std::string("x.json: top level must be an array of objects"));
}

// The record handed over is the reader's reused buffer: swapping strings out
// of it must give each later record its own values (no stale field leaks).
BOOST_AUTO_TEST_CASE(swapping_out_of_the_reused_record_is_safe) {
    std::istringstream in(R"([{"created_at": "2016-01-01", "author": "a", "tags": ["x", "y", "z"], "title": "one", "content": "c1"},)"
                          R"( {"created_at": "2016-01-02", "author": "b", "tags": ["w"], "title": "two", "content": "c2"},)"
                          R"( {"created_at": "2016-01-03", "author": "c", "tags": [], "title": "three", "content": "c3"}])");
    std::vector<ArticleRecord> kept(3);
    read_articles(in, "b.json", [&](ArticleRecord&& a, std::size_t i) { std::swap(kept[i], a); });
    BOOST_TEST(kept[0].tags == (std::vector<std::string>{"x", "y", "z"}), boost::test_tools::per_element());
    BOOST_TEST(kept[1].tags == (std::vector<std::string>{"w"}), boost::test_tools::per_element());
    BOOST_TEST(kept[2].tags.empty());
    BOOST_TEST(kept[2].title == "three");
    BOOST_TEST(kept[1].content == "c2");
}

// The reused record's short fields must not inherit the buffer the reader
// grew for a long one: a caller keeping records in reused slots (as the
// importers do) would otherwise hold a long-field-sized buffer in every field
// of every slot, and memory would grow with the file. Every field takes its
// turn as the long one, in authors and articles, and records cycle through
// a few slots by swapping.
BOOST_AUTO_TEST_CASE(short_fields_keep_short_buffers_after_long_values) {
    const std::string long_text(20000, 'x');
    const std::size_t bound = 1000;  // far above any short value here, far below long_text
    const std::vector<std::string> article_keys = {"created_at", "author", "title", "content"};
    for (const std::string& long_key : article_keys) {
        std::string text = "[";
        for (int i = 0; i < 60; ++i) {
            if (i) text += ",";
            text += "{";
            for (const auto& k : article_keys) text += "\"" + k + "\": \"" + (k == long_key && i % 2 ? long_text : "s") + "\", ";
            text += i % 3 ? R"("tags": ["t1", "t2"]})" : R"("tags": ["t1", ")" + long_text + R"("]})";
        }
        text += "]";
        std::istringstream in(text);
        std::vector<ArticleRecord> slots(4);
        read_articles(in, "b.json", [&](ArticleRecord&& a, std::size_t i) { std::swap(slots[i % slots.size()], a); });
        for (const auto& r : slots) {
            for (auto [name, s] : {std::pair{"created_at", &r.created_at}, {"author", &r.author}, {"title", &r.title},
                                   {"content", &r.content}})
                if (name != long_key) BOOST_TEST(s->capacity() < bound, long_key << " long, " << name << " has " << s->capacity());
            BOOST_TEST(r.tags.at(0).capacity() < bound, long_key << " long, tags[0] has " << r.tags.at(0).capacity());
        }
    }
    const std::vector<std::string> author_keys = {"username", "email", "bio"};
    for (const std::string& long_key : author_keys) {
        std::string text = "[";
        for (int i = 0; i < 60; ++i) {
            text += i ? ",{" : "{";
            for (std::size_t k = 0; k < author_keys.size(); ++k)
                text += (k ? ", \"" : "\"") + author_keys[k] + "\": \"" + (author_keys[k] == long_key && i % 2 ? long_text : "s") + "\"";
            text += "}";
        }
        text += "]";
        std::istringstream in(text);
        std::vector<AuthorRecord> slots(4);
        read_authors(in, "a.json", [&](AuthorRecord&& a, std::size_t i) { std::swap(slots[i % slots.size()], a); });
        for (const auto& r : slots)
            for (auto [name, s] : {std::pair{"username", &r.username}, {"email", &r.email}, {"bio", &r.bio}})
                if (name != long_key) BOOST_TEST(s->capacity() < bound, long_key << " long, " << name << " has " << s->capacity());
    }
}

BOOST_AUTO_TEST_SUITE_END()

// Every kind of JSON value in every place a record can hold one, for both
// record types: ignored under an unknown key, named in the error elsewhere.
BOOST_AUTO_TEST_SUITE(json_record_value_kinds)

namespace {
struct Kind {
    std::string json, what;  // the value, and how errors name it
};
const std::vector<Kind> kinds = {
    {"true", "boolean true"},   {"false", "boolean false"},   {"-3", "number -3"},
    {"18446744073709551615", "number 18446744073709551615"}, {"1.50", "number 1.50"},
    {"null", "null"},           {R"({"a": [1, {"b": null}]})", "object"}, {"[1, [2]]", "array"},
};

// Reads `text` as authors or articles with on_invalid, returning the errors.
std::vector<std::string> errors_of(bool articles, const std::string& text, std::size_t& delivered) {
    std::vector<std::string> errors;
    std::istringstream in(text);
    auto invalid = [&](const InputError& e) { errors.push_back(e.what()); };
    delivered = articles ? read_articles(in, "a.json", [](ArticleRecord&&, std::size_t) {}, {}, invalid)
                         : read_authors(in, "a.json", [](AuthorRecord&&, std::size_t) {}, {}, invalid);
    return errors;
}
} // namespace

BOOST_AUTO_TEST_CASE(every_kind_under_an_unknown_key_is_ignored) {
    for (const auto& k : kinds) {
        BOOST_TEST_CONTEXT(k.json) {
            std::size_t n = 0;
            auto e = errors_of(false, R"([{"username": "u", "x": )" + k.json + R"(, "email": "", "bio": ""}])", n);
            BOOST_TEST(e.empty());
            BOOST_TEST(n == 1u);
            e = errors_of(true, "[" + good_article.substr(0, good_article.size() - 1) + R"(, "x": )" + k.json + "}]", n);
            BOOST_TEST(e.empty());
            BOOST_TEST(n == 1u);
        }
    }
}

BOOST_AUTO_TEST_CASE(every_kind_but_a_string_is_refused_where_a_string_goes) {
    for (const auto& k : kinds) {
        BOOST_TEST_CONTEXT(k.json) {
            std::size_t n = 0;
            auto e = errors_of(false, R"([{"username": )" + k.json + R"(, "email": "", "bio": ""}])", n);
            BOOST_REQUIRE(e.size() == 1u);
            BOOST_TEST(e[0] == "a.json: record 0: field \"username\": expected a string, got " + k.what);
            BOOST_TEST(n == 0u);
            e = errors_of(true, R"([{"created_at": "2016-06-11", "author": "a", "tags": [], "content": "", "title": )" +
                                    k.json + "}]",
                          n);
            BOOST_REQUIRE(e.size() == 1u);
            BOOST_TEST(e[0] == "a.json: record 0: field \"title\": expected a string, got " + k.what);
        }
    }
}

BOOST_AUTO_TEST_CASE(every_kind_is_refused_as_tags_and_inside_them) {
    const std::string head = R"([{"created_at": "2016-06-11", "author": "a", "title": "t", "content": "", "tags": )";
    for (const auto& k : kinds) {
        if (k.what == "array") continue;  // an array is what tags are
        BOOST_TEST_CONTEXT(k.json) {
            std::size_t n = 0;
            auto e = errors_of(true, head + k.json + "}]", n);
            BOOST_REQUIRE(e.size() == 1u);
            BOOST_TEST(e[0] == "a.json: record 0: field \"tags\": expected an array of strings, got " + k.what);
            e = errors_of(true, head + R"(["ok", )" + k.json + "]}]", n);
            BOOST_REQUIRE(e.size() == 1u);
            BOOST_TEST(e[0] == "a.json: record 0: field \"tags\": element 1: expected a string, got " + k.what);
        }
    }
    std::size_t n = 0;
    auto e = errors_of(true, head + R"([["nested"]]}])", n);
    BOOST_REQUIRE(e.size() == 1u);
    BOOST_TEST(e[0] == "a.json: record 0: field \"tags\": element 0: expected a string, got array");
}

BOOST_AUTO_TEST_CASE(every_kind_but_an_object_is_refused_as_a_record_and_the_read_goes_on) {
    for (const auto& k : kinds) {
        if (k.what == "object") continue;
        BOOST_TEST_CONTEXT(k.json) {
            for (bool articles : {false, true}) {
                const std::string ok = articles ? good_article : R"({"username": "u", "email": "", "bio": ""})";
                std::size_t n = 0;
                auto e = errors_of(articles, "[" + k.json + ", " + ok + "]", n);
                BOOST_REQUIRE(e.size() == 1u);
                BOOST_TEST(e[0] == "a.json: record 0: expected an object, got " + k.what);
                BOOST_TEST(n == 1u);
            }
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()
