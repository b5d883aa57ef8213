// Implementation of folio/io/datagen.hpp. Every record is drawn from its own
// splitmix64 stream keyed by (seed, kind, index), so a record never depends on
// how many came before it and output is identical on every platform.
#include "folio/io/datagen.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <fstream>
#include <numeric>
#include <ostream>
#include <stdexcept>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace folio::io {
namespace {

// Lorem-ipsum vocabulary, all distinct. The first tag_count words double as
// the tag vocabulary (it must contain "minus": the guide deletes those).
constexpr std::array<std::string_view, 150> words{
    "a", "ab", "accusamus", "accusantium", "ad", "adipisci", "alias", "aliquam", "aliquid",
    "amet", "animi", "aperiam", "architecto", "asperiores", "aspernatur", "assumenda", "atque",
    "aut", "autem", "beatae", "blanditiis", "commodi", "consectetur", "consequatur", "corporis",
    "corrupti", "culpa", "cum", "cumque", "cupiditate", "debitis", "delectus", "deleniti",
    "deserunt", "dicta", "dignissimos", "distinctio", "dolor", "dolore", "dolorem", "dolores",
    "doloribus", "dolorum", "ducimus", "earum", "eius", "eligendi", "enim", "eos", "error",
    "esse", "est", "eum", "eveniet", "excepturi", "expedita", "explicabo", "facere", "facilis",
    "fuga", "fugiat", "fugit", "harum", "hic", "illo", "illum", "impedit", "incidunt",
    "inventore", "ipsa", "ipsam", "ipsum", "iste", "itaque", "iure", "iusto", "labore",
    "laboriosam", "laborum", "laudantium", "libero", "magnam", "magni", "maiores", "maxime",
    "minima", "minus", "modi", "molestiae", "molestias", "mollitia", "nam", "natus", "nemo",
    "neque", "nesciunt", "nihil", "nisi", "nobis", "non",
    // --- tag vocabulary ends here (100 words) ---
    "nostrum", "nulla", "numquam", "obcaecati", "odio", "odit", "officia", "officiis", "omnis",
    "optio", "pariatur", "perferendis", "perspiciatis", "placeat", "porro", "possimus",
    "praesentium", "provident", "quae", "quaerat", "quam", "quas", "quasi", "quia", "quibusdam",
    "quidem", "quis", "quisquam", "quod", "quos", "ratione", "recusandae", "reiciendis", "rem",
    "repellat", "repellendus", "reprehenderit", "repudiandae", "rerum", "saepe", "sapiente",
    "sequi", "similique", "sint", "soluta", "suscipit", "tempora", "tempore", "vitae",
    "voluptatem"};
constexpr std::size_t tag_count = 100;

constexpr std::array<std::string_view, 4> domains{"example.com", "example.org", "example.net",
                                                  "mail.example.com"};

// Stream identifiers, so authors, usernames and articles never share draws.
enum Stream : std::uint64_t { author_stream = 1, username_stream = 2, article_stream = 3 };

// splitmix64 (Steele, Lea, Flood 2014): tiny, fast, well mixed, and fully
// specified, unlike std:: distributions whose output varies by library.
class Rng {
public:
    Rng(std::uint64_t seed, std::uint64_t stream, std::uint64_t index)
        : state_(seed) {
        state_ = next() ^ (stream * 0xD1B54A32D192ED03ULL);
        state_ = next() ^ index;
        next();
    }
    std::uint64_t next() noexcept {
        std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        return z ^ (z >> 31);
    }
    // Uniform in [0, n) up to a bias of n / 2^64, negligible for our n.
    std::size_t below(std::size_t n) noexcept { return static_cast<std::size_t>(next() % n); }
    std::size_t between(std::size_t lo, std::size_t hi) noexcept { return lo + below(hi - lo + 1); }
    std::string_view word() noexcept { return words[below(words.size())]; }

private:
    std::uint64_t state_;
};

void append_sentence(Rng& rng, std::string& out, std::size_t min_words, std::size_t max_words) {
    const std::size_t n = rng.between(min_words, max_words);
    for (std::size_t i = 0; i < n; ++i) {
        const std::string_view w = rng.word();
        if (i == 0) {
            out.push_back(static_cast<char>(w[0] - 'a' + 'A'));
            out.append(w.substr(1));
        } else {
            out.push_back(' ');
            out.append(w);
        }
    }
    out.push_back('.');
}

// A sentence of 3..8 words, cut to whole words so it fits in 64 characters
// (Article.title is CharField(max_length=64)).
std::string make_title(Rng& rng) {
    std::string t;
    const std::size_t n = rng.between(3, 8);
    for (std::size_t i = 0; i < n; ++i) {
        const std::string_view w = rng.word();
        if (t.size() + 1 + w.size() + 1 > 64) break;
        if (i == 0) {
            t.push_back(static_cast<char>(w[0] - 'a' + 'A'));
            t.append(w.substr(1));
        } else {
            t.push_back(' ');
            t.append(w);
        }
    }
    t.push_back('.');
    return t;
}

std::string make_content(Rng& rng, std::size_t target) {
    std::string c;
    c.reserve(target + 128);
    std::size_t left_in_paragraph = rng.between(3, 7);
    do {
        if (left_in_paragraph == 0) {
            c.append("\n\n");
            left_in_paragraph = rng.between(3, 7);
        } else if (!c.empty()) {
            c.push_back(' ');
        }
        append_sentence(rng, c, 4, 12);
        --left_in_paragraph;
    } while (c.size() < target);
    return c;
}

std::string make_date(Rng& rng) {
    using namespace std::chrono;
    static const sys_days first{year{1990} / January / 1};
    static const sys_days last{year{2016} / December / 31};
    const auto span = static_cast<std::size_t>((last - first).count()) + 1;
    const year_month_day d{first + days{static_cast<int>(rng.below(span))}};
    return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(d.year()),
                       static_cast<unsigned>(d.month()), static_cast<unsigned>(d.day()));
}

AuthorRecord make_author(std::uint64_t seed, std::size_t index) {
    Rng rng(seed, author_stream, index);
    AuthorRecord a;
    a.username = username_for(seed, index);
    if (rng.below(5) != 0) // like the guide's export, some authors have no e-mail
        a.email = a.username + "@" + std::string(domains[rng.below(domains.size())]);
    const std::size_t sentences = rng.between(1, 3);
    for (std::size_t i = 0; i < sentences; ++i) {
        if (i > 0) a.bio.push_back(' ');
        append_sentence(rng, a.bio, 3, 9);
    }
    return a;
}

ArticleRecord make_article(const GenOptions& opts, std::size_t index) {
    Rng rng(opts.seed, article_stream, index);
    ArticleRecord a;
    a.created_at = make_date(rng);
    a.author = username_for(opts.seed, rng.below(opts.authors));
    // Distinct tags: partial Fisher-Yates over the tag indices.
    std::array<std::uint8_t, tag_count> idx{};
    std::iota(idx.begin(), idx.end(), std::uint8_t{0});
    const std::size_t k = std::min(opts.tags_per_article, tag_count);
    a.tags.reserve(k);
    for (std::size_t i = 0; i < k; ++i) {
        std::swap(idx[i], idx[i + rng.below(tag_count - i)]);
        a.tags.emplace_back(words[idx[i]]);
    }
    a.title = make_title(rng);
    a.content = make_content(rng, opts.content_bytes);
    return a;
}

// Collects JSON text and writes it to the stream in ~1 MiB blocks.
class BlockWriter {
public:
    explicit BlockWriter(std::ostream& out) : out_(out) { buf_.reserve(limit + 65536); }
    void append(std::string_view s) {
        buf_.append(s);
        if (buf_.size() >= limit) flush();
    }
    std::uint64_t finish() {
        flush();
        out_.flush();
        if (!out_) throw std::ios_base::failure("JSON output stream failed");
        return written_;
    }

private:
    static constexpr std::size_t limit = 1 << 20;
    void flush() {
        out_.write(buf_.data(), static_cast<std::streamsize>(buf_.size()));
        if (!out_) throw std::ios_base::failure("JSON output stream failed");
        written_ += buf_.size();
        buf_.clear();
    }
    std::ostream& out_;
    std::string buf_;
    std::uint64_t written_ = 0;
};

// Writes "[\n" rec ",\n" rec ... "\n]\n" (or "[]\n" when there are none).
template <class ForEach, class ToJson>
std::uint64_t write_array(std::ostream& out, ForEach for_each, ToJson to_json) {
    BlockWriter w(out);
    bool first = true;
    w.append("[");
    for_each([&](auto&& rec, std::size_t) {
        w.append(first ? "\n" : ",\n");
        first = false;
        w.append(to_json(rec).dump());
    });
    w.append(first ? "]\n" : "\n]\n");
    return w.finish();
}

} // namespace

std::span<const std::string_view> tag_vocabulary() noexcept {
    return std::span<const std::string_view>(words.data(), tag_count);
}

std::string username_for(std::uint64_t seed, std::size_t index) {
    Rng rng(seed, username_stream, index);
    std::string u(rng.word());
    if (rng.below(2) == 0) u.append(rng.word()); // "mackchristopher"-like pairs
    u.append(std::to_string(index)); // the numeric suffix makes it unique
    return u;
}

void for_each_author(std::size_t n, std::uint64_t seed, const AuthorCallback& cb) {
    for (std::size_t i = 0; i < n; ++i) cb(make_author(seed, i), i);
}

std::vector<AuthorRecord> make_authors(std::size_t n, std::uint64_t seed) {
    std::vector<AuthorRecord> v;
    v.reserve(n);
    for_each_author(n, seed, [&](AuthorRecord&& a, std::size_t) { v.push_back(std::move(a)); });
    return v;
}

void for_each_article(const GenOptions& opts, const ArticleCallback& cb) {
    if (opts.articles > 0 && opts.authors == 0)
        throw std::invalid_argument("datagen: articles need at least one author");
    for (std::size_t i = 0; i < opts.articles; ++i) cb(make_article(opts, i), i);
}

std::uint64_t write_authors_json(std::ostream& out, const GenOptions& opts) {
    return write_array(
        out, [&](auto&& f) { for_each_author(opts.authors, opts.seed, f); },
        [](const AuthorRecord& a) {
            nlohmann::ordered_json j;
            j["username"] = a.username;
            j["email"] = a.email;
            j["bio"] = a.bio;
            return j;
        });
}

std::uint64_t write_articles_json(std::ostream& out, const GenOptions& opts) {
    return write_array(
        out, [&](auto&& f) { for_each_article(opts, f); },
        [](ArticleRecord& a) {
            nlohmann::ordered_json j;
            j["created_at"] = a.created_at;
            j["author"] = a.author;
            j["tags"] = a.tags;
            j["title"] = a.title;
            j["content"] = std::move(a.content); // the big one: no copy
            return j;
        });
}

GenResult write_dataset(const std::filesystem::path& dir, const GenOptions& opts) {
    std::filesystem::create_directories(dir);
    GenResult r;
    {
        std::ofstream out(dir / "old_authors.json", std::ios::binary | std::ios::trunc);
        if (!out) throw std::ios_base::failure("cannot create " + (dir / "old_authors.json").string());
        r.authors_bytes = write_authors_json(out, opts);
    }
    {
        std::ofstream out(dir / "old_articles.json", std::ios::binary | std::ios::trunc);
        if (!out) throw std::ios_base::failure("cannot create " + (dir / "old_articles.json").string());
        r.articles_bytes = write_articles_json(out, opts);
    }
    return r;
}

} // namespace folio::io
