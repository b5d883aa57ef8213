// errors.cpp: SQLSTATEs to folio errors, constraint violations in folio's words,
// and passwords kept out of every message.
#include "lib/backend/postgresql/errors.hpp"

#include <cctype>
#include <vector>

#include <fmt/format.h>

#include "folio/errors.hpp"
#include "lib/sqlite_errors.hpp"

namespace folio::backend::postgresql {

namespace {

std::string_view field(const PGresult* r, int code) {
    const char* v = r ? PQresultErrorField(r, code) : nullptr;
    return v ? std::string_view(v) : std::string_view();
}

std::string while_running(std::string_view sql) {
    if (sql.empty()) return {};
    return fmt::format(" (while running: {}{})", detail::shorten_sql(sql), sql.size() > 160 ? "..." : "");
}

const char* constraint_kind(std::string_view state) {
    if (state == "23505") return "UNIQUE";
    if (state == "23503") return "FOREIGN KEY";
    if (state == "23502") return "NOT NULL";
    if (state == "23514") return "CHECK";
    if (state == "23P01") return "EXCLUSION";
    return "integrity";
}

// "UNIQUE constraint failed: tag.name, value (python) already exists
// [constraint "tag_name_key"]": the words of SQLite's message (kind,
// table.field), then the value from PostgreSQL's DETAIL
// "Key (name)=(python) already exists.".
std::string integrity_message(const PGresult* r, std::string_view state) {
    const std::string_view table = field(r, PG_DIAG_TABLE_NAME);
    const std::string_view column = field(r, PG_DIAG_COLUMN_NAME);
    const std::string_view constraint = field(r, PG_DIAG_CONSTRAINT_NAME);
    const std::string_view detail = field(r, PG_DIAG_MESSAGE_DETAIL);
    std::string out = fmt::format("{} constraint failed: ", constraint_kind(state));
    // DETAIL: Key (a, b)=(1, 2) <rest>.
    std::string_view columns, values, rest;
    if (detail.starts_with("Key (")) {
        const auto close = detail.find(")=(");
        if (close != std::string_view::npos) {
            columns = detail.substr(5, close - 5);
            // The values end at the last ") " before the rest of the sentence.
            const auto end = detail.rfind(") ");
            if (end != std::string_view::npos && end > close) {
                values = detail.substr(close + 3, end - close - 3);
                rest = detail.substr(end + 2);
            }
        }
    }
    auto qualified = [&](std::string_view col) {
        return table.empty() ? std::string(col) : fmt::format("{}.{}", table, col);
    };
    if (!columns.empty()) {
        std::string names;
        std::size_t start = 0;
        while (start <= columns.size()) {
            auto comma = columns.find(", ", start);
            if (comma == std::string_view::npos) comma = columns.size();
            names += (names.empty() ? "" : ", ") + qualified(columns.substr(start, comma - start));
            start = comma + 2;
        }
        out += names;
        if (!rest.empty() || !values.empty()) out += fmt::format(", value ({}) {}", values, rest);
    } else if (!column.empty()) {
        out += qualified(column);
    } else if (!table.empty()) {
        out += table;
        if (!detail.empty()) out += fmt::format(": {}", detail);
    } else {
        out += field(r, PG_DIAG_MESSAGE_PRIMARY);
    }
    if (!constraint.empty()) out += fmt::format(" [constraint \"{}\"]", constraint);
    return out;
}

} // namespace

std::string Endpoint::describe() const {
    return fmt::format("database \"{}\" at host {} port {}", database.empty() ? "(default)" : database,
                       host.empty() ? "(default)" : host, port.empty() ? "(default)" : port);
}

std::string one_line(std::string_view message) {
    std::string out;
    for (char c : message) {
        if (c == '\n') out += "; ";
        else out += c;
    }
    while (out.ends_with("; ") || out.ends_with(' ')) out.erase(out.size() - (out.ends_with("; ") ? 2 : 1));
    return out;
}

std::string redact_password(std::string message, std::string_view conninfo) {
    std::vector<std::string> secrets;
    // postgresql://user:secret@host/db and postgres://...
    if (const auto scheme = conninfo.find("://"); scheme != std::string_view::npos) {
        const auto authority_end = conninfo.find_first_of("/?", scheme + 3);
        const std::string_view authority = conninfo.substr(scheme + 3, authority_end == std::string_view::npos
                                                                         ? std::string_view::npos
                                                                         : authority_end - scheme - 3);
        const auto at = authority.rfind('@');
        if (at != std::string_view::npos) {
            const std::string_view userinfo = authority.substr(0, at);
            const auto colon = userinfo.find(':');
            if (colon != std::string_view::npos) secrets.emplace_back(userinfo.substr(colon + 1));
        }
    }
    // password=secret, password='sec ret' (also as a URI query parameter password=...)
    for (std::size_t pos = conninfo.find("password"); pos != std::string_view::npos;
         pos = conninfo.find("password", pos + 8)) {
        std::size_t i = pos + 8;
        while (i < conninfo.size() && conninfo[i] == ' ') ++i;
        if (i >= conninfo.size() || conninfo[i] != '=') continue;
        ++i;
        while (i < conninfo.size() && conninfo[i] == ' ') ++i;
        std::size_t end = i;
        if (i < conninfo.size() && conninfo[i] == '\'') {
            end = conninfo.find('\'', i + 1);
            secrets.emplace_back(conninfo.substr(i + 1, end == std::string_view::npos ? end : end - i - 1));
        } else {
            end = conninfo.find_first_of(" &", i);
            secrets.emplace_back(conninfo.substr(i, end == std::string_view::npos ? end : end - i));
        }
    }
    // Percent-decoded forms too (a URI's password may be encoded).
    const std::size_t raw = secrets.size();
    for (std::size_t k = 0; k < raw; ++k) {
        std::string decoded;
        const std::string& s = secrets[k];
        for (std::size_t i = 0; i < s.size(); ++i) {
            if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
                std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
                decoded += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
                i += 2;
            } else {
                decoded += s[i];
            }
        }
        if (decoded != s) secrets.push_back(decoded);
    }
    for (const std::string& secret : secrets) {
        if (secret.empty()) continue;
        for (auto pos = message.find(secret); pos != std::string::npos; pos = message.find(secret, pos + 3))
            message.replace(pos, secret.size(), "***");
    }
    return message;
}

void raise_result(PGconn* conn, const PGresult* result, std::string_view sql, const Endpoint& endpoint) {
    const std::string_view state = field(result, PG_DIAG_SQLSTATE);
    // The server's sentence, its DETAIL and HINT; not its CONTEXT (the
    // PL/pgSQL call stack of a trigger, say), which would bury the point.
    std::string server(field(result, PG_DIAG_MESSAGE_PRIMARY));
    if (const auto detail = field(result, PG_DIAG_MESSAGE_DETAIL); !detail.empty())
        server += fmt::format(" ({})", one_line(detail));
    if (const auto hint = field(result, PG_DIAG_MESSAGE_HINT); !hint.empty())
        server += fmt::format(" (hint: {})", one_line(hint));
    if (server.empty()) server = one_line(PQerrorMessage(conn));
    const std::string tail = fmt::format("{}{}", while_running(sql), state.empty() ? "" : fmt::format(" [SQLSTATE {}]", state));

    if (PQstatus(conn) == CONNECTION_BAD)
        throw OperationalError(fmt::format("connection to PostgreSQL {} was lost: {}; an open transaction was rolled "
                                           "back by the server (a COMMIT in flight may or may not have happened){}",
                                           endpoint.describe(), server, tail));
    const std::string_view cls = state.substr(0, std::min<std::size_t>(2, state.size()));
    if (cls == "23") throw IntegrityError(integrity_message(result, state) + tail);
    if (state == "40001" || state == "40P01")
        throw OperationalError(fmt::format("{}: the transaction was rolled back; retry it{}", server, tail));
    // The server's own integer overflow in an expression ("bigint out of
    // range"; SQLSTATE 22003, not a trigger's RAISE) is what SQLite's guard
    // (Operations::checked_integer_sql) raises as "integer overflow":
    // QuerySet::update() turns either into its DataError naming the model.
    const std::string_view primary = field(result, PG_DIAG_MESSAGE_PRIMARY);
    if (state == "22003" &&
        (primary == "bigint out of range" || primary == "integer out of range" || primary == "smallint out of range"))
        throw OperationalError(fmt::format("integer overflow: {}{}", server, tail));
    if (cls == "22") throw DataError(server + tail);
    for (const char* c : {"08", "25", "28", "3D", "42", "53", "55", "57", "58", "XX"})
        if (cls == c) throw OperationalError(server + tail);
    throw Error(server + tail);
}

} // namespace folio::backend::postgresql
