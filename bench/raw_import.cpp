// raw_import.cpp: the hand-written old_articles.json importer (see
// raw_import.hpp). The scanner knows the file's shape: an array of objects
// whose values are strings or arrays of strings. It parses a record from a
// buffer that holds the whole record: when a record runs past the end of
// what was read, the unread tail moves to the front, more is read after it,
// and the record is parsed again from its start.
#include "raw_import.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "raw_detail.hpp"

namespace folio::bench::raw {
namespace {

using namespace detail;

struct Record {
    std::string created_at, author, title, content, key, scratch;
    std::vector<std::string> tags;
    std::size_t n_tags = 0;
};

// Thrown inside the scanner when the buffer ends inside a record.
struct NeedMore {};

class Scanner {
public:
    explicit Scanner(const std::string& path) : buf_(1 << 20) {
        fd_ = ::open(path.c_str(), O_RDONLY);
        if (fd_ < 0) throw std::runtime_error("cannot open " + path);
        (void)::posix_fadvise(fd_, 0, 0, POSIX_FADV_SEQUENTIAL);
    }
    ~Scanner() { ::close(fd_); }
    Scanner(const Scanner&) = delete;
    Scanner& operator=(const Scanner&) = delete;

    std::int64_t bytes() const { return bytes_; }

    // Reads the next record into `r`; false at the end of the array.
    bool next(Record& r) {
        while (true) {
            const char* p = buf_.data() + pos_;
            const char* end = buf_.data() + len_;
            try {
                if (!started_) {
                    ws(p, end);
                    expect(p, end, '[');
                    started_ = true;
                    pos_ = static_cast<std::size_t>(p - buf_.data());
                }
                ws(p, end);
                if (p < end && *p == ',') ++p, ws(p, end);
                if (p == end) throw NeedMore{};
                if (*p == ']') return false;
                object(p, end, r);
                pos_ = static_cast<std::size_t>(p - buf_.data());
                return true;
            } catch (const NeedMore&) {
                if (!fill()) throw std::runtime_error("unexpected end of file");
            }
        }
    }

private:
    // Moves the unread tail to the front and reads after it; grows the
    // buffer when one record does not fit.
    bool fill() {
        std::memmove(buf_.data(), buf_.data() + pos_, len_ - pos_);
        len_ -= pos_;
        pos_ = 0;
        if (len_ == buf_.size()) buf_.resize(buf_.size() * 2);
        const ssize_t got = ::read(fd_, buf_.data() + len_, buf_.size() - len_);
        if (got < 0) throw std::runtime_error("read error");
        len_ += static_cast<std::size_t>(got);
        bytes_ += got;
        return got > 0;
    }

    static void ws(const char*& p, const char* end) {
        while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')) ++p;
    }
    static void expect(const char*& p, const char* end, char c) {
        if (p == end) throw NeedMore{};
        if (*p != c) throw std::runtime_error(std::string("expected '") + c + "'");
        ++p;
    }

    static void utf8(std::string& out, unsigned cp) {
        if (cp < 0x80) out += static_cast<char>(cp);
        else if (cp < 0x800) out += static_cast<char>(0xC0 | (cp >> 6)), out += static_cast<char>(0x80 | (cp & 0x3F));
        else if (cp < 0x10000)
            out += static_cast<char>(0xE0 | (cp >> 12)), out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F)),
                out += static_cast<char>(0x80 | (cp & 0x3F));
        else
            out += static_cast<char>(0xF0 | (cp >> 18)), out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F)),
                out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F)), out += static_cast<char>(0x80 | (cp & 0x3F));
    }
    static unsigned hex4(const char*& p, const char* end) {
        if (end - p < 4) throw NeedMore{};
        unsigned v = 0;
        for (int i = 0; i < 4; ++i, ++p) {
            const char c = *p;
            v = v * 16 + static_cast<unsigned>(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
        }
        return v;
    }

    // A JSON string into `out`: runs without escapes are appended whole.
    static void string(const char*& p, const char* end, std::string& out) {
        expect(p, end, '"');
        out.clear();
        while (true) {
            const char* q = p;
            while (q < end && *q != '"' && *q != '\\') ++q;
            out.append(p, q);
            if (q == end) throw NeedMore{};
            p = q + 1;
            if (*q == '"') return;
            if (p == end) throw NeedMore{};
            const char e = *p++;
            switch (e) {
            case 'n': out += '\n'; break;
            case 't': out += '\t'; break;
            case 'r': out += '\r'; break;
            case 'b': out += '\b'; break;
            case 'f': out += '\f'; break;
            case 'u': {
                unsigned cp = hex4(p, end);
                if (cp >= 0xD800 && cp < 0xDC00) {
                    if (end - p < 2) throw NeedMore{};
                    p += 2;  // "\u"
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (hex4(p, end) - 0xDC00);
                }
                utf8(out, cp);
                break;
            }
            default: out += e;  // \" \\ \/
            }
        }
    }

    static void object(const char*& p, const char* end, Record& r) {
        expect(p, end, '{');
        r.n_tags = 0;
        while (true) {
            ws(p, end);
            if (p == end) throw NeedMore{};
            if (*p == '}') {
                ++p;
                return;
            }
            if (*p == ',') {
                ++p;
                continue;
            }
            string(p, end, r.key);
            ws(p, end);
            expect(p, end, ':');
            ws(p, end);
            if (p == end) throw NeedMore{};
            if (*p == '[') {
                ++p;
                std::size_t n = 0;
                while (true) {
                    ws(p, end);
                    if (p == end) throw NeedMore{};
                    if (*p == ']') {
                        ++p;
                        break;
                    }
                    if (*p == ',') {
                        ++p;
                        continue;
                    }
                    if (n == r.tags.size()) r.tags.emplace_back();
                    string(p, end, r.tags[n++]);
                }
                if (r.key == "tags") r.n_tags = n;
                continue;
            }
            std::string& dst = r.key == "created_at" ? r.created_at
                               : r.key == "author"   ? r.author
                               : r.key == "title"    ? r.title
                               : r.key == "content"  ? r.content
                                                     : r.scratch;
            string(p, end, dst);
        }
    }

    int fd_ = -1;
    std::vector<char> buf_;
    std::size_t pos_ = 0, len_ = 0;
    std::int64_t bytes_ = 0;
    bool started_ = false;
};

std::unordered_map<std::string, std::int64_t> id_map(sqlite3* db, const char* sql) {
    std::unordered_map<std::string, std::int64_t> m;
    Stmt st = prepare(db, sql);
    while (sqlite3_step(st.get()) == SQLITE_ROW) m.emplace(column_text(st.get(), 0), sqlite3_column_int64(st.get(), 1));
    return m;
}

}  // namespace

ImportFileStats import_articles_file(sqlite3* db, const std::string& path, int cache_kib) {
    Scanner in(path);
    if (cache_kib > 0) exec(db, ("PRAGMA cache_size = -" + std::to_string(cache_kib)).c_str());
    exec(db, "BEGIN");
    try {
        auto authors = id_map(db, "SELECT username, id FROM author");
        auto tags = id_map(db, "SELECT name, id FROM tag");
        Stmt ins_article = prepare(db, "INSERT INTO article(title,content,created_at,author_id) VALUES(?,?,?,?)");
        Stmt ins_tag = prepare(db, "INSERT INTO tag(name) VALUES(?)");
        Stmt ins_link = prepare(db, "INSERT OR IGNORE INTO article_tags(article_id,tag_id) VALUES(?,?)");
        Record r;
        ImportFileStats stats;
        while (in.next(r)) {
            const auto a = authors.find(r.author);
            if (a == authors.end()) throw std::runtime_error("no author " + r.author);
            bind_text(ins_article.get(), 1, r.title);
            bind_text(ins_article.get(), 2, r.content);
            bind_text(ins_article.get(), 3, r.created_at);
            bind_int(ins_article.get(), 4, a->second);
            step_done(ins_article.get());
            const std::int64_t article_id = sqlite3_last_insert_rowid(db);
            for (std::size_t i = 0; i < r.n_tags; ++i) {
                auto t = tags.find(r.tags[i]);
                if (t == tags.end()) {
                    bind_text(ins_tag.get(), 1, r.tags[i]);
                    step_done(ins_tag.get());
                    t = tags.emplace(r.tags[i], sqlite3_last_insert_rowid(db)).first;
                }
                bind_int(ins_link.get(), 1, article_id);
                bind_int(ins_link.get(), 2, t->second);
                step_done(ins_link.get());
            }
            ++stats.records;
        }
        exec(db, "COMMIT");
        stats.bytes = in.bytes();
        return stats;
    } catch (...) {
        sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
        throw;
    }
}

}  // namespace folio::bench::raw
