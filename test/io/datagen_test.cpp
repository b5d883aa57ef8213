// Tests of the data generator, mostly through the JSON readers: counts,
// determinism, the guide's constraints on every record, and that the files
// are valid JSON with correctly escaped strings.
#include "test_support.hpp"

#include <algorithm>
#include <set>
#include <sstream>

#include "folio/io/datagen.hpp"
#include "folio/io/json_records.hpp"
#include "folio/io/validate.hpp"

using namespace folio::io;
using folio_test::read_file;
using folio_test::TempDir;

namespace {

GenOptions small_options(std::uint64_t seed = 7) {
    GenOptions o;
    o.authors = 150;
    o.articles = 600;
    o.content_bytes = 700;
    o.tags_per_article = 3;
    o.seed = seed;
    return o;
}

} // namespace

BOOST_AUTO_TEST_SUITE(datagen)

BOOST_AUTO_TEST_CASE(vocabulary_has_about_100_distinct_words_with_minus) {
    const auto tags = tag_vocabulary();
    BOOST_TEST(tags.size() == 100u);
    std::set<std::string_view> distinct(tags.begin(), tags.end());
    BOOST_TEST(distinct.size() == tags.size());
    BOOST_TEST(distinct.count("minus") == 1u);
}

BOOST_AUTO_TEST_CASE(dataset_round_trips_through_the_readers) {
    TempDir dir;
    const GenOptions opts = small_options();
    const GenResult r = write_dataset(dir.path(), opts);
    BOOST_TEST(r.authors_bytes == std::filesystem::file_size(dir / "old_authors.json"));
    BOOST_TEST(r.articles_bytes == std::filesystem::file_size(dir / "old_articles.json"));

    const std::vector<AuthorRecord> expected_authors = make_authors(opts.authors, opts.seed);
    std::set<std::string> usernames;
    std::size_t empty_emails = 0;
    const std::size_t n_authors = read_authors(dir / "old_authors.json", [&](AuthorRecord&& a, std::size_t i) {
        BOOST_TEST((a == expected_authors.at(i)));
        BOOST_TEST(a.username == username_for(opts.seed, i));
        BOOST_TEST(utf8_length(a.username) <= 64u);
        BOOST_TEST(is_valid_email(a.email), a.email);
        BOOST_TEST(!a.bio.empty());
        if (a.email.empty()) ++empty_emails;
        usernames.insert(a.username);
    });
    BOOST_TEST(n_authors == opts.authors);
    BOOST_TEST(usernames.size() == opts.authors); // unique
    // About one in five without e-mail, like the guide's export.
    BOOST_TEST(empty_emails > opts.authors / 10);
    BOOST_TEST(empty_emails < opts.authors / 3);

    std::vector<ArticleRecord> expected;
    for_each_article(opts, [&](ArticleRecord&& a, std::size_t) { expected.push_back(std::move(a)); });
    const std::set<std::string_view> vocab(tag_vocabulary().begin(), tag_vocabulary().end());
    std::size_t minus = 0;
    std::string min_date = "9999", max_date = "0000";
    const std::size_t n_articles = read_articles(dir / "old_articles.json", [&](ArticleRecord&& a, std::size_t i) {
        BOOST_TEST((a == expected.at(i)));
        BOOST_TEST(is_valid_date(a.created_at), a.created_at);
        BOOST_TEST(a.created_at >= "1990-01-01");
        BOOST_TEST(a.created_at <= "2016-12-31");
        min_date = std::min(min_date, a.created_at);
        max_date = std::max(max_date, a.created_at);
        BOOST_TEST(usernames.count(a.author) == 1u, a.author);
        BOOST_TEST(!a.title.empty());
        BOOST_TEST(utf8_length(a.title) <= 64u, a.title);
        BOOST_TEST(a.content.size() >= opts.content_bytes);
        BOOST_TEST(a.content.size() < opts.content_bytes + 200);
        BOOST_TEST(a.tags.size() == opts.tags_per_article);
        std::set<std::string> distinct(a.tags.begin(), a.tags.end());
        BOOST_TEST(distinct.size() == a.tags.size());
        for (const auto& t : a.tags) BOOST_TEST(vocab.count(t) == 1u, t);
        if (distinct.count("minus")) ++minus;
    });
    BOOST_TEST(n_articles == opts.articles);
    BOOST_TEST(minus > 0u);
    // Dates spread over the whole range, not bunched at one end.
    BOOST_TEST(min_date < "1992-01-01");
    BOOST_TEST(max_date > "2015-01-01");
    // Multi-paragraph content exercises escaped newlines in the JSON file.
    BOOST_TEST(std::any_of(expected.begin(), expected.end(),
                           [](const ArticleRecord& a) { return a.content.find("\n\n") != std::string::npos; }));
}

BOOST_AUTO_TEST_CASE(same_seed_same_bytes_different_seed_different_bytes) {
    TempDir a, b, c;
    write_dataset(a.path(), small_options(11));
    write_dataset(b.path(), small_options(11));
    write_dataset(c.path(), small_options(12));
    for (const char* name : {"old_authors.json", "old_articles.json"}) {
        const std::string fa = read_file(a / name), fb = read_file(b / name), fc = read_file(c / name);
        BOOST_TEST(!fa.empty());
        BOOST_TEST((fa == fb), name);
        BOOST_TEST((fa != fc), name);
    }
}

BOOST_AUTO_TEST_CASE(stream_writers_match_files_and_handle_zero_records) {
    GenOptions o = small_options();
    o.articles = 20;
    std::ostringstream out;
    const std::uint64_t n = write_articles_json(out, o);
    BOOST_TEST(n == out.str().size());
    BOOST_TEST(out.str().front() == '[');
    o.authors = 0;
    o.articles = 0;
    std::ostringstream empty;
    write_authors_json(empty, o);
    BOOST_TEST(empty.str() == "[]\n");
    std::istringstream in(empty.str());
    BOOST_TEST(read_authors(in, "e.json", [](AuthorRecord&&, std::size_t) {}) == 0u);
}

BOOST_AUTO_TEST_CASE(article_depends_only_on_its_index) {
    GenOptions few = small_options(), many = small_options();
    few.articles = 5;
    many.articles = 50;
    std::vector<ArticleRecord> a, b;
    for_each_article(few, [&](ArticleRecord&& r, std::size_t) { a.push_back(std::move(r)); });
    for_each_article(many, [&](ArticleRecord&& r, std::size_t) { b.push_back(std::move(r)); });
    BOOST_REQUIRE_EQUAL(a.size(), 5u);
    for (std::size_t i = 0; i < a.size(); ++i) BOOST_TEST((a[i] == b[i]));
}

BOOST_AUTO_TEST_CASE(articles_need_authors) {
    GenOptions o = small_options();
    o.authors = 0;
    BOOST_CHECK_THROW(for_each_article(o, [](ArticleRecord&&, std::size_t) {}), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(content_size_is_approximately_requested) {
    GenOptions o = small_options();
    o.articles = 10;
    o.content_bytes = 100000;
    std::size_t total = 0;
    for_each_article(o, [&](ArticleRecord&& a, std::size_t) { total += a.content.size(); });
    BOOST_TEST(total >= 10 * o.content_bytes);
    BOOST_TEST(total < 10 * (o.content_bytes + 200));
}

BOOST_AUTO_TEST_SUITE_END()
