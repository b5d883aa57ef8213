// pages.hpp: the blog's pages as `folio serve` renders them, built with
// folio's QuerySets the guide's way. Independent of HTTP: each call takes
// already-parsed parameters and returns the page's title and body markup,
// or throws HttpError for what the visitor asked wrongly.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

#include <folio/folio.hpp>

namespace folio_cli::web {

// A request the site cannot answer with a page: 400 (malformed) or 404
// (nothing there). The message is shown to the visitor, escaped.
class HttpError : public std::runtime_error {
public:
    HttpError(int status, const std::string& message) : std::runtime_error(message), status_(status) {}
    int status() const noexcept { return status_; }

private:
    int status_;
};

// The guide's three ways to build the list page (section 7).
enum class Variant { naive, select_related, optimized };

struct Page {
    std::string title;
    std::string body;  // markup, every piece of data escaped
};

constexpr std::int64_t per_page = 20;

// ?page=N: absent -> 1; digits -> that number (404 when < 1 or too large to
// be a page); anything else -> HttpError 400.
std::int64_t parse_page(const std::optional<std::string>& raw);
// ?variant=naive|select_related|optimized (absent -> optimized); else 400.
Variant parse_variant(const std::optional<std::string>& raw);
// An article id from the path: digits that fit an int64, else 404.
std::int64_t parse_id(const std::string& raw);

class Pages {
public:
    explicit Pages(folio::Blog& blog) : blog_(blog) {}

    // "/": 20 articles, newest first, with date, author link and tags.
    // Statements: optimized 2, select_related 21, naive 41 (on a full page).
    Page list(std::int64_t page, Variant variant);
    // "/authors/<username>": the author and their articles, 20 a page.
    // 3 statements (the author; the articles; their tags).
    Page author(const std::string& username, std::int64_t page);
    // "/top": the 20 authors with the most articles. 1 statement.
    Page top();
    // "/articles/<id>": one article, its author and tags. 2 statements.
    Page article(std::int64_t id);

private:
    folio::Blog& blog_;
};

} // namespace folio_cli::web
