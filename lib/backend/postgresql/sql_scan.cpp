// sql_scan.cpp: one scanner over PostgreSQL's lexical forms, two uses.
#include "lib/backend/postgresql/sql_scan.hpp"

#include <algorithm>
#include <cctype>
#include <string>

namespace folio::backend::postgresql {

namespace {

// Calls on_code(i) for each character of `sql` that is code (not inside a
// string, quoted name, dollar-quoted body or comment).
template <class OnCode>
void scan(std::string_view sql, OnCode on_code) {
    std::size_t i = 0;
    const std::size_t n = sql.size();
    while (i < n) {
        const char c = sql[i];
        if (c == '\'' || c == '"') {
            // '' and "" inside are the quote itself; E'...' backslash escapes
            // are read by skipping the character after a backslash.
            const bool escapes = c == '\'' && i > 0 && (sql[i - 1] == 'E' || sql[i - 1] == 'e');
            for (++i; i < n; ++i) {
                if (escapes && sql[i] == '\\') {
                    ++i;
                } else if (sql[i] == c) {
                    if (i + 1 < n && sql[i + 1] == c) ++i;
                    else break;
                }
            }
            ++i;
        } else if (c == '-' && i + 1 < n && sql[i + 1] == '-') {
            while (i < n && sql[i] != '\n') ++i;
        } else if (c == '/' && i + 1 < n && sql[i + 1] == '*') {
            const std::size_t end = sql.find("*/", i + 2);
            i = end == std::string_view::npos ? n : end + 2;
        } else if (c == '$' && (i == 0 || !(std::isalnum(static_cast<unsigned char>(sql[i - 1])) || sql[i - 1] == '_'))) {
            // $tag$ or $$ opens a body; $1 is a parameter (code).
            std::size_t j = i + 1;
            while (j < n && (std::isalpha(static_cast<unsigned char>(sql[j])) || sql[j] == '_')) ++j;
            if (j < n && sql[j] == '$') {
                const std::string_view tag = sql.substr(i, j - i + 1);
                const std::size_t end = sql.find(tag, j + 1);
                i = end == std::string_view::npos ? n : end + tag.size();
            } else {
                on_code(i++);
            }
        } else {
            on_code(i++);
        }
    }
}

} // namespace

std::string number_placeholders(std::string_view sql) {
    std::string out;
    out.reserve(sql.size() + 16);
    std::size_t copied = 0;
    long next = 1;
    scan(sql, [&](std::size_t i) {
        if (sql[i] != '?') return;
        out.append(sql.substr(copied, i - copied));
        out += '$';
        std::size_t digits = i + 1;
        while (digits < sql.size() && std::isdigit(static_cast<unsigned char>(sql[digits]))) ++digits;
        if (digits > i + 1) {
            // SQLite's ?NNN: parameter NNN, and a bare ? after it the next one
            // (as SQLite numbers them); its digits are copied as they stand
            // (more than 9 are past any limit: the server refuses them).
            if (digits - i - 1 <= 9)
                next = std::max(next, std::stol(std::string(sql.substr(i + 1, digits - i - 1))) + 1);
            copied = i + 1;
            return;
        }
        out += std::to_string(next++);
        copied = i + 1;
    });
    out.append(sql.substr(copied));
    return out;
}

std::vector<std::string> split_statements(std::string_view script) {
    std::vector<std::string> out;
    std::size_t start = 0;
    bool code = false;  // the piece holds more than blanks and comments
    auto push = [&](std::size_t end) {
        if (code) out.emplace_back(script.substr(start, end - start));
        start = end + 1;
        code = false;
    };
    scan(script, [&](std::size_t i) {
        if (script[i] == ';') push(i);
        else if (!std::isspace(static_cast<unsigned char>(script[i]))) code = true;
    });
    if (start < script.size()) push(script.size());
    return out;
}

} // namespace folio::backend::postgresql
