// Deterministic generator of the guide's test data: old_authors.json and
// old_articles.json full of lorem-ipsum text. Output is a pure function of
// GenOptions (own PRNG, no std:: distributions), and everything is streamed,
// so hundreds of MB can be produced in constant memory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <iosfwd>
#include <span>
#include <string_view>
#include <vector>

#include "folio/io/json_records.hpp"

namespace folio::io {

struct GenOptions {
    std::size_t authors = 200;
    std::size_t articles = 1000;
    std::size_t content_bytes = 2000; // per article, approximate (never less, ~+80)
    std::size_t tags_per_article = 3; // distinct tags per article, capped at the vocabulary size
    std::uint64_t seed = 42;
};

// Sizes of the files written by write_dataset.
struct GenResult {
    std::uint64_t authors_bytes = 0;
    std::uint64_t articles_bytes = 0;
};

// The fixed tag vocabulary (about 100 lorem words, "minus" among them, all
// distinct, lowercase ASCII).
std::span<const std::string_view> tag_vocabulary() noexcept;

// Contract: username of author `index` (< opts.authors) for `seed`: lowercase
// lorem word(s) followed by the decimal index, hence unique per index. Lets
// articles name their author without keeping the author list in memory.
std::string username_for(std::uint64_t seed, std::size_t index);

// Contract: calls `cb` for authors 0..n-1 of the data set with `seed`, in
// order. username is username_for(seed, i); email is empty for about one
// author in five, otherwise passes is_valid_email; bio is 1-3 sentences.
void for_each_author(std::size_t n, std::uint64_t seed, const AuthorCallback& cb);

// Contract: the same authors as for_each_author, collected in a vector.
std::vector<AuthorRecord> make_authors(std::size_t n, std::uint64_t seed);

// Contract: calls `cb` for articles 0..opts.articles-1, in order. Each one
// depends only on (seed, index, content_bytes, tags_per_article, authors):
// created_at is a valid date uniform in 1990-01-01..2016-12-31, author is
// username_for(seed, k) for some k < opts.authors, tags are distinct words of
// tag_vocabulary(), title is a sentence of at most 64 characters, content is
// paragraphs of sentences ("\n\n" between paragraphs) of about content_bytes.
// Throws std::invalid_argument if articles > 0 and authors == 0.
void for_each_article(const GenOptions& opts, const ArticleCallback& cb);

// Contract: write the authors (resp. articles) of `opts` as a JSON array, one
// object per line, keys in the guide's order, strings escaped by nlohmann_json.
// Return the number of bytes written; throw std::ios_base::failure if `out`
// fails.
std::uint64_t write_authors_json(std::ostream& out, const GenOptions& opts);
std::uint64_t write_articles_json(std::ostream& out, const GenOptions& opts);

// Contract: creates `dir` if needed and writes dir/old_authors.json and
// dir/old_articles.json (replacing existing files). Same options -> same bytes.
// Throws std::filesystem::filesystem_error / std::ios_base::failure on I/O errors.
GenResult write_dataset(const std::filesystem::path& dir, const GenOptions& opts);

} // namespace folio::io
