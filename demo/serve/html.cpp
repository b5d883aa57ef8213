// html.cpp: escaping and the shared layout of `folio serve`'s pages. The CSS
// is inline and small so that a page is one response and works without
// JavaScript; the panel's collapsing is a <details> element.
#include "html.hpp"

#include <cctype>

#include <fmt/format.h>

#include "text.hpp"

namespace folio_cli::web {

namespace {
constexpr std::string_view replacement = "\xEF\xBF\xBD";  // U+FFFD
}

std::string escape(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    scan_utf8(
        s,
        [&out](char c) {
            const auto b = static_cast<unsigned char>(c);
            switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&#39;"; break;
            default:
                // Control characters other than white space are not text in
                // HTML (a NUL from a URL, say): shown as the replacement character.
                if ((b < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f') || b == 0x7f) out += replacement;
                else out += c;
            }
        },
        // A byte that is not UTF-8, shown as a browser's decoder shows it.
        [&out](unsigned char) { out += replacement; });
    return out;
}

std::string url_segment(std::string_view s) {
    // "." and ".." are dot segments: a browser resolves /authors/.. to /
    // (RFC 3986 5.2.4) before sending it; percent-encoded they are data.
    if (s == "." || s == "..") return s.size() == 1 ? "%2E" : "%2E%2E";
    std::string out;
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') out += static_cast<char>(c);
        else out += fmt::format("%{:02X}", c);
    }
    return out;
}

namespace {
constexpr std::string_view css = R"css(
body{font-family:system-ui,sans-serif;max-width:60rem;margin:0 auto;padding:0 1rem 2rem;color:#222}
header{border-bottom:2px solid #36c;margin-bottom:1rem}header a{margin-right:1rem}
a{color:#2355a8;text-decoration:none}a:hover{text-decoration:underline}
article{border-bottom:1px solid #ddd;padding:.5rem 0}article h2{font-size:1.1rem;margin:.2rem 0}
.meta{color:#666;font-size:.9rem}.tag{background:#eef;border-radius:3px;padding:0 .3rem;margin-right:.3rem}
nav.pages{margin:1rem 0}nav.pages a,nav.pages span{margin-right:1rem}
.variants a.on{font-weight:bold}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2rem .4rem;text-align:left;vertical-align:top}
#folio-panel{margin-top:2rem;border:2px solid #36c;border-radius:4px;padding:.3rem .6rem;background:#f7f9ff}
#folio-panel summary{cursor:pointer;font-weight:bold}#folio-panel code{white-space:pre-wrap;font-size:.85rem}
#folio-panel .finding{background:#fff4e0;border-left:4px solid #e90;padding:.3rem;margin:.3rem 0}
#folio-panel tr.failed td{background:#fde8e8;color:#a00}
)css";
} // namespace

std::string layout(std::string_view title, std::string_view body, std::string_view panel) {
    return fmt::format(R"(<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>{} - folio blog</title><style>{}</style></head>
<body><header><h1><a href="/">folio blog</a></h1><p><a href="/">Articles</a><a href="/top">Top authors</a></p></header>
<main>
{}
</main>
{}
</body></html>
)",
                       escape(title), css, body, panel);
}

std::string_view status_title(int status) {
    switch (status) {
    case 400: return "Bad request";
    case 404: return "Not found";
    case 405: return "Method not allowed";
    case 408: return "Request timeout";
    case 414: return "URI too long";
    case 500: return "Server error";
    case 501: return "Not implemented";
    case 503: return "Service unavailable";
    default: return "Error";
    }
}

std::string error_body(int status, std::string_view message) {
    return fmt::format("<h2>{} {}</h2>\n<p class=\"error\">{}</p>\n", status, status_title(status), escape(message));
}

} // namespace folio_cli::web
