// filter_lookups.cpp: fuzz target for QuerySet::filter() / exclude() with
// arbitrary lookup paths ("author__username__istartswith") and arbitrary
// values (NULL, integers, reals, text that need not be UTF-8, lists of any
// length), on the three blog models. Properties: only folio::Error (and its
// subclasses) leaves the API; when the query is accepted, count() equals the
// rows fetched and exists() agrees with both.
//
// Input: byte 0 chooses filter/exclude, the model and one value or a list;
// then the path up to a NUL; then the values (kind byte + payload each).
#include <cstring>
#include <vector>

#include <folio/folio.hpp>

#include "fuzz_support.hpp"

namespace {

// One in-memory blog for the whole run: two authors, three articles, tags.
folio::Blog& blog() {
    static folio::Blog b = [] {
        folio::Blog blog = folio::Blog::open(":memory:");
        folio::Database& db = blog.db();
        db.execute("INSERT INTO author (id, username, email, bio) VALUES (1, 'ann', 'ann@example.com', 'é'), "
                   "(2, 'bob', '', '')");
        db.execute("INSERT INTO tag (id, name) VALUES (1, 'minus'), (2, 'plus'), (3, 'ünï')");
        db.execute("INSERT INTO article (id, title, content, created_at, author_id, comments_on) VALUES "
                   "(1, 'First', 'text', '2011-03-04', 1, 1), (2, 'Second', '', '2016-12-31', 1, 0), "
                   "(3, 'Third ''q''', 'x', '2000-02-29', 2, 1)");
        db.execute("INSERT INTO article_tags (article_id, tag_id) VALUES (1, 1), (1, 2), (2, 3), (3, 1)");
        return blog;
    }();
    return b;
}

folio::Value value(folio_fuzz::Bytes& in) {
    switch (in.byte() % 5) {
    case 0: return folio::Value();
    case 1: return folio::Value(in.int64());
    case 2: {
        const std::int64_t bits = in.int64();
        double d = 0;
        std::memcpy(&d, &bits, sizeof d);  // NaN and infinities included
        return folio::Value(d);
    }
    case 3: return folio::Value(static_cast<std::int64_t>(in.byte() % 3) - 1);  // -1, 0, 1: booleans and edges
    default: return folio::Value(in.until('\0'));
    }
}

template <class QS>
void run(const QS& set, bool negate, const std::string& path, folio_fuzz::Bytes& in, bool list) {
    const QS qs = [&]() -> QS {
        if (!list) return negate ? set.exclude(path, value(in)) : set.filter(path, value(in));
        // Small lists, or one value repeated past 256 (another code path for long IN lists).
        const std::uint8_t n = in.byte();
        std::vector<folio::Value> values;
        for (int i = 0; i < n % 8; ++i) values.push_back(value(in));
        if (n & 0x80) {
            const folio::Value v = value(in);
            values.insert(values.end(), 300, v);
        }
        return negate ? set.exclude(path, std::move(values)) : set.filter(path, std::move(values));
    }();
    const std::int64_t count = qs.count();
    const auto rows = qs.results();
    FUZZ_CHECK(count == static_cast<std::int64_t>(rows.size()), "count() equals the rows fetched");
    FUZZ_CHECK(qs.exists() == (count > 0), "exists() agrees with count()");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    folio_fuzz::Bytes in(data, size);
    const std::uint8_t op = in.byte();
    const bool negate = op & 1, list = op & 8;
    std::string path = in.until('\0');
    if (path.size() > 256) path.resize(256);
    try {
        switch ((op >> 1) % 3) {
        case 0: run(blog().articles(), negate, path, in, list); break;
        case 1: run(blog().authors(), negate, path, in, list); break;
        default: run(blog().tags(), negate, path, in, list); break;
        }
    } catch (const folio::Error&) {
        // The documented way to refuse a path, a lookup or a value.
    }
    return 0;
}
