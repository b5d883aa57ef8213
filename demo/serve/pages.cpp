// pages.cpp: the blog's pages. Each page asks for exactly the rows and
// columns it shows (the guide's sections 7, 8, 10-12); the list page can
// also be built the guide's two slower ways, to compare them in the panel.
//
// Pagination costs no COUNT(*): a page fetches one row more than it shows
// to know whether a next page exists, and the row it does not show is never
// touched: lazy loads (naive, select_related) run for the 20 shown, and the
// optimized page prefetches their tags only (prefetch_related_objects()).
#include "pages.hpp"

#include <algorithm>
#include <charconv>
#include <span>

#include <fmt/format.h>

#include "html.hpp"
#include "text.hpp"

namespace folio_cli::web {

std::int64_t parse_page(const std::optional<std::string>& raw) {
    if (!raw) return 1;
    const std::string& s = *raw;
    const bool negative = !s.empty() && s[0] == '-';
    const std::size_t digits_from = negative ? 1 : 0;
    if (s.size() == digits_from || s.find_first_not_of("0123456789", digits_from) != std::string::npos)
        throw HttpError(400, fmt::format("page must be a whole number, not '{}'", printable(s)));
    if (negative) throw HttpError(404, fmt::format("there is no page {}: pages start at 1", printable(s)));
    std::int64_t n = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    // More pages than an int64 offset can reach: beyond the last page.
    if (ec != std::errc() || n > INT64_MAX / per_page - 1) throw HttpError(404, fmt::format("there is no page {}", printable(s)));
    if (n < 1) throw HttpError(404, fmt::format("there is no page {}: pages start at 1", printable(s)));
    return n;
}

Variant parse_variant(const std::optional<std::string>& raw) {
    if (!raw || *raw == "optimized") return Variant::optimized;
    if (*raw == "naive") return Variant::naive;
    if (*raw == "select_related") return Variant::select_related;
    throw HttpError(400, fmt::format("variant must be naive, select_related or optimized, not '{}'", printable(*raw)));
}

std::int64_t parse_id(const std::string& raw) {
    std::int64_t id = 0;
    auto [end, ec] = std::from_chars(raw.data(), raw.data() + raw.size(), id);
    if (raw.empty() || ec != std::errc() || end != raw.data() + raw.size() || id < 1)
        throw HttpError(404, fmt::format("there is no article '{}'", printable(raw)));
    return id;
}

namespace {

const char* variant_name(Variant v) {
    switch (v) {
    case Variant::naive: return "naive";
    case Variant::select_related: return "select_related";
    case Variant::optimized: return "optimized";
    }
    return "optimized";
}

std::string tags_html(const folio::Article& a) {
    std::string out;
    for (const folio::Tag& t : a.tags()) out += fmt::format("<span class=\"tag\">{}</span>", escape(t.name()));
    return out;
}

// The author page's address, escaped for an attribute: every link to an
// author (its name, its pager) is built here.
std::string author_href(const std::string& username) { return "/authors/" + escape(url_segment(username)); }

std::string author_link(const folio::Author& author) {
    return fmt::format("<a class=\"author\" href=\"{}\">{}</a>", author_href(author.username()),
                       escape(author.username()));
}

// One article of a list: title linking to it, date, author (when shown), tags.
std::string article_item(const folio::Article& a, bool with_author) {
    return fmt::format("<article><h2><a href=\"/articles/{}\">{}</a></h2>\n<p class=\"meta\">{}{}</p>\n<p>{}</p></article>\n",
                       a.id(), escape(a.title()), escape(a.created_at()),
                       with_author ? " by " + author_link(a.author()) : std::string(), tags_html(a));
}

// The previous/next links; `base` is the path with any query already escaped.
std::string pager(const std::string& base, std::int64_t page, bool has_next, const std::string& extra = {}) {
    const char sep = base.find('?') == std::string::npos ? '?' : '&';
    std::string out = "<nav class=\"pages\">";
    if (page > 1) out += fmt::format("<a rel=\"prev\" href=\"{}{}page={}{}\">&larr; newer</a>", base, sep, page - 1, extra);
    out += fmt::format("<span>page {}</span>", page);
    if (has_next) out += fmt::format("<a rel=\"next\" href=\"{}{}page={}{}\">older &rarr;</a>", base, sep, page + 1, extra);
    return out + "</nav>\n";
}

// The articles of `qs` (sliced one past the page) as a list; sets `has_next`.
template <class QS>
std::string article_list(const QS& qs, bool with_author, bool& has_next) {
    std::string out;
    std::int64_t shown = 0;
    has_next = false;
    for (const folio::Article& a : qs) {
        if (shown == per_page) {
            has_next = true;  // the extra row: counted, not rendered (no lazy load on it)
            break;
        }
        out += article_item(a, with_author);
        ++shown;
    }
    return out;
}

} // namespace

Page Pages::list(std::int64_t page, Variant variant) {
    const std::int64_t start = (page - 1) * per_page;
    auto newest = blog_.articles().order_by({"-created_at", "-id"});
    // One row past the page tells whether there is a next one.
    auto window = [&](const folio::QuerySet<folio::Article>& qs) { return qs.slice(start, start + per_page + 1); };
    bool has_next = false;
    std::string items;
    switch (variant) {
    case Variant::naive:  // 1 + 20 author SELECTs + 20 tag SELECTs
        items = article_list(window(newest), true, has_next);
        break;
    case Variant::select_related:  // 1 + 20 tag SELECTs
        items = article_list(window(newest.select_related({"author"})), true, has_next);
        break;
    case Variant::optimized: {  // 2: articles JOIN author, then the tags of the 20 shown
        std::vector<folio::Article> rows =
            window(newest.select_related({"author"}).only({"title", "created_at", "author__username"})).results();
        has_next = static_cast<std::int64_t>(rows.size()) > per_page;
        if (has_next) rows.pop_back();  // the look-ahead row: not shown, so its tags are not fetched
        folio::prefetch_related_objects(std::span<folio::Article>(rows), {"tags"});
        for (const folio::Article& a : rows) items += article_item(a, true);
        break;
    }
    }
    if (items.empty() && page > 1) throw HttpError(404, fmt::format("there is no page {} of articles", page));
    std::string body = "<p class=\"variants\">Built the guide's way: ";
    for (Variant v : {Variant::naive, Variant::select_related, Variant::optimized})
        body += fmt::format("<a class=\"{}\" href=\"/?variant={}&amp;page={}\">{}</a> ", v == variant ? "on" : "",
                            variant_name(v), page, variant_name(v));
    body += "</p>\n";
    body += items.empty() ? "<p>No articles yet.</p>\n" : items;
    const std::string extra = variant == Variant::optimized ? "" : std::string("&amp;variant=") + variant_name(variant);
    body += pager("/", page, has_next, extra);
    return {page == 1 ? "Articles" : fmt::format("Articles, page {}", page), std::move(body)};
}

Page Pages::author(const std::string& username, std::int64_t page) {
    std::optional<folio::Author> a;
    try {
        a = blog_.authors().filter("username", username).first();
    } catch (const folio::ValidationError&) {
        // A name no author can have (/authors/%00x, /authors/%FF): folio
        // refuses it as a filter value before any query.
    }
    if (!a) throw HttpError(404, fmt::format("there is no author '{}'", printable(username)));
    // articles_count is kept by triggers: the page count costs no COUNT(*).
    const std::int64_t pages = std::max<std::int64_t>(1, (a->articles_count() + per_page - 1) / per_page);
    if (page > pages)
        throw HttpError(404, fmt::format("there is no page {} of {}'s articles ({})", page, printable(username),
                                         count_of(pages, "page", "pages")));
    const std::int64_t start = (page - 1) * per_page;
    // The page count says whether a next page exists: exactly the page's rows
    // are fetched, and only their tags prefetched (no look-ahead row).
    bool more_rows = false;
    std::string items = article_list(a->articles()
                                         .prefetch_related({"tags"})
                                         .only({"title", "created_at", "tags__name"})
                                         .order_by({"-created_at", "-id"})
                                         .slice(start, start + per_page),
                                     false, more_rows);
    const bool has_next = page < pages;
    std::string body = fmt::format("<h2>{}</h2>\n<p class=\"meta\">{}{}</p>\n<p>{}</p>\n", escape(a->username()),
                                   count_of(a->articles_count(), "article", "articles"), a->email().empty() ? "" : " &middot; " + escape(a->email()),
                                   escape(a->bio()));
    body += items.empty() ? "<p>No articles yet.</p>\n" : items;
    body += pager(author_href(a->username()), page, has_next);
    return {a->username(), std::move(body)};
}

Page Pages::top() {
    std::string rows;
    int rank = 0;
    for (const folio::Author& a :
         blog_.authors().order_by({"-articles_count", "username"}).only({"username", "articles_count"}).slice(0, 20))
        rows += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td></tr>\n", ++rank, author_link(a), a.articles_count());
    std::string body = "<h2>Top authors</h2>\n";
    body += rows.empty() ? "<p>No authors yet.</p>\n"
                         : "<table><tr><th>#</th><th>author</th><th>articles</th></tr>\n" + rows + "</table>\n";
    return {"Top authors", std::move(body)};
}

Page Pages::article(std::int64_t id) {
    std::optional<folio::Article> a =
        blog_.articles().select_related({"author"}).prefetch_related({"tags"}).filter("id", id).first();
    if (!a) throw HttpError(404, fmt::format("there is no article {}", id));
    std::string paragraphs;
    const std::string& text = a->content();
    for (std::size_t at = 0; at <= text.size();) {
        std::size_t end = text.find("\n\n", at);
        if (end == std::string::npos) end = text.size();
        if (end > at) paragraphs += "<p>" + escape(text.substr(at, end - at)) + "</p>\n";
        at = end + 2;
    }
    std::string body = fmt::format("<article><h2>{}</h2>\n<p class=\"meta\">{} by {}</p>\n<p>{}</p>\n{}</article>\n",
                                   escape(a->title()), escape(a->created_at()), author_link(a->author()),
                                   tags_html(*a), paragraphs);
    return {a->title(), std::move(body)};
}

} // namespace folio_cli::web
