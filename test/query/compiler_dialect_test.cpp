// compiler_dialect_test.cpp: the compiler speaks through the dialect seam.
// A second dialect that spells every choice differently from SQLite (a
// SQLite Operations with each spelling overridden: backtick quoting, FETCH
// for LIMIT, EXTRACT for date parts, = ANY for long lists, ...) renders the
// same queries and model writes: none of SQLite's spellings may remain, each
// of its own must appear, and the compiled-query cache must never hand one
// dialect's SQL to the other.
#include <boost/test/unit_test.hpp>

#include <folio/folio.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "lib/backend/sqlite/operations.hpp"
#include "lib/query/compiled_cache.hpp"
#include "lib/query/compiler.hpp"
#include "lib/query/resolve.hpp"
#include "support/backend_only.hpp"

using folio::Q;
using folio::Value;
namespace detail = folio::detail;

namespace {

// " a b c": each column after a space. (Plain concatenation, not fmt: GCC 12
// at -O3 reports a false -Wstringop-overflow inside fmt's format-spec parser.)
std::string joined(const std::vector<std::string>& cols) {
    std::string out;
    for (const auto& c : cols) out += " " + c;
    return out;
}

// Every spelling the compiler may ask for, spelled so that it cannot be
// mistaken for SQLite's.
class MarkedDialect final : public folio::backend::sqlite::Operations {
public:
    using folio::backend::sqlite::Operations::Operations;
    std::string_view vendor() const noexcept override { return "marked"; }
    std::string quote_name(std::string_view id) const override { return "`" + std::string(id) + "`"; }
    Value date_value(int y, int m, int d) const override { return Value("D" + std::to_string(y) + "/" + std::to_string(m) + "/" + std::to_string(d)); }
    std::string limit_offset_sql(bool with_offset) const override {
        return with_offset ? " OFFSET ? ROWS FETCH NEXT ? ROWS ONLY" : " FETCH NEXT ? ROWS ONLY";
    }
    Value no_limit() const override { return Value(std::int64_t{1} << 62); }
    std::string fixed_limit_sql(std::int64_t n) const override { return " FETCH FIRST " + std::to_string(n) + " ROWS ONLY"; }
    std::string_view false_sql() const override { return "FALSE"; }
    std::string_view true_sql() const override { return "TRUE"; }
    std::string_view random_function_sql() const override { return "RANDOMISH()"; }
    std::string date_extract_sql(std::string_view part, std::string_view expr) const override {
        return "EXTRACT(" + std::string(part) + " FROM " + std::string(expr) + ")";
    }
    std::string text_lookup_sql(std::string_view lookup, std::string_view expr) const override {
        return "TEXT_" + std::string(lookup) + "(" + std::string(expr) + ", ?)";
    }
    std::vector<Value> text_lookup_params(std::string_view lookup, const std::string& v) const override {
        return {Value(std::string(lookup) + ":" + v)};
    }
    std::string in_array_sql(std::string_view expr) const override { return std::string(expr) + " = ANY(?)"; }
    Value array_param(const std::vector<Value>& values) const override {
        return Value("{" + std::to_string(values.size()) + " values}");
    }
    std::string returning_sql(const std::vector<std::string>& cols) const override {
        return " BACK" + joined(cols);
    }
    std::string ignore_conflicts_sql(const std::vector<std::string>& cols) const override {
        return " SKIP DUPLICATES" + joined(cols);
    }
    Checked checked_integer_sql(const std::string& expr) const override { return {"CHECKED(" + expr + ")", 1}; }
};

// SQLite's own spellings: none may show in the marked dialect's SQL.
const std::vector<std::string_view> kSqliteSpellings = {
    "\"", "LIMIT", "strftime", "json_each", "RANDOM()", "LIKE", "ESCAPE", "instr(", "substr(",
    "RETURNING", "ON CONFLICT", "CASE WHEN", "typeof", "WHERE 0", "WHERE 1"};

void check_marked(const std::string& sql, const std::vector<std::string_view>& must_hold) {
    BOOST_TEST_CONTEXT(sql) {
        for (std::string_view s : kSqliteSpellings) BOOST_TEST(sql.find(s) == std::string::npos, "holds " << s);
        for (std::string_view s : must_hold) BOOST_TEST(sql.find(s) != std::string::npos, "lacks " << s);
    }
}

detail::Query query_of(const folio::backend::Operations& ops, const folio::ModelMeta& meta, const Q& where) {
    detail::Query q;
    q.model = &meta;
    if (!where.matches_all()) q.where = detail::resolve_where(ops, meta, where);
    return q;
}

struct Dialects {
    folio::Blog blog = folio::Blog::open(":memory:");
    const folio::backend::Operations& sqlite = blog.db().operations();
    MarkedDialect marked{blog.db().handle(), 0};  // busy timeout: never waits
};

} // namespace

// A SQLite Operations subclass on its own :memory: blog: it needs no
// database of the run's backend, so the other runs do not repeat it.
BOOST_AUTO_TEST_SUITE(compiler_dialect,
                      *folio_test::sqlite_only("renders through a SQLite Operations subclass on its own :memory: blog"))

BOOST_FIXTURE_TEST_CASE(every_select_spelling_comes_from_the_operations, Dialects) {
    std::vector<Value> many;
    for (int i = 0; i < 300; ++i) many.emplace_back(i);
    const Q where = Q("created_at__year__gt", 2011) & Q("created_at__month", 6) & Q("title__icontains", std::string("a_b")) &
                    Q("id__in", many) & Q("id__in", std::vector<Value>{}) & Q("tags__name__startswith", std::string("mi"));
    detail::Query q = query_of(marked, folio::Article::meta(), where);
    q.order_by = {"?", "-created_at"};
    q.select_related = {"author"};
    q.sliced = true;
    q.offset = 5;
    const detail::CompiledSelect cs = detail::compile_select(marked, q);
    check_marked(cs.sql, {"`article`.`title`", "EXTRACT(month FROM `article`.`created_at`)", "TEXT_icontains(",
                          "TEXT_startswith(", "= ANY(?)", "FALSE", "RANDOMISH()", " OFFSET ? ROWS FETCH NEXT ? ROWS ONLY"});
    // The values were converted for the marked dialect when filter() resolved them.
    const std::vector<std::string> expected = {"D2011/12/31", "icontains:a_b", "{300 values}", "startswith:mi"};
    std::vector<std::string> bound;
    for (const Value& v : cs.params)
        if (v.is_text()) bound.push_back(v.as_text());
    BOOST_TEST(bound == expected, boost::test_tools::per_element());
    // A slice without a stop binds the dialect's "no limit".
    q.limit.reset();
    BOOST_TEST(detail::query_params(marked, q).at(cs.params.size() - 2).as_integer() == std::int64_t{1} << 62);

    detail::Query all = query_of(marked, folio::Article::meta(), Q());
    all.sliced = true;
    all.limit = 3;
    check_marked(detail::render_count(marked, all), {"SELECT COUNT(*) FROM (SELECT `article`.`id`", "FETCH NEXT ? ROWS ONLY"});
    check_marked(detail::render_exists(marked, all), {"FETCH FIRST 1 ROWS ONLY"});
    check_marked(detail::render_exists(marked, query_of(marked, folio::Article::meta(), !Q())), {"FETCH FIRST 1 ROWS ONLY"});
    check_marked(detail::compile_values(marked, all, {"author__username"}).sql, {"`author`.`username`"});
}

BOOST_FIXTURE_TEST_CASE(every_write_spelling_comes_from_the_operations, Dialects) {
    const folio::ModelMeta& article = folio::Article::meta();
    const folio::ModelMeta& author = folio::Author::meta();
    const folio::ManyToManyMeta& tags = article.many_to_many.at(0);
    const std::size_t username = author.field_index("username");
    detail::Query q = query_of(marked, author, Q("articles__title", std::string("x")));
    const detail::Compiled up = detail::compile_update(
        marked, q, {{"articles_count", folio::F("articles_count") + 1}, {"bio", Value(std::string("b"))}});
    check_marked(up.sql, {"UPDATE `author` SET `articles_count` = CHECKED(`articles_count` + ?)", "`bio` = ?"});
    BOOST_TEST(up.params.size() == 3u);  // the operand once (CHECKED uses it once), the value, the filter's
    check_marked(detail::insert_sql(marked, article, {1, 2}, 2) + detail::returning_sql(marked, article, {0}),
                 {"INSERT INTO `article`", " BACK `id`"});
    check_marked(detail::insert_ignore_unique_sql(marked, author, username, 3), {" SKIP DUPLICATES `username`"});
    check_marked(detail::m2m_link_sql(marked, tags, 2), {" SKIP DUPLICATES `article_id` `tag_id`"});
    check_marked(detail::delete_in_array_sql(marked, "article", "id"), {"`article`.`id` = ANY(?)"});
    check_marked(detail::delete_in_sql(marked, "article", "id", 2), {"`article`.`id` IN (?, ?)"});
    check_marked(detail::update_row_sql(marked, author, {username}), {"`username` = ?"});
    check_marked(detail::select_by_pk_sql(marked, author, {0, username}), {"`author`.`username`"});
    check_marked(detail::select_where_in_sql(marked, author, {0}, username, 2), {"`author`.`username` IN (?, ?)"});
    check_marked(detail::m2m_unlink_sql(marked, tags, 1), {"`article_tags`.`tag_id` IN (?)"});
    check_marked(detail::m2m_clear_sql(marked, tags), {"DELETE FROM `article_tags`"});
    check_marked(detail::m2m_unlink_others_sql(marked, tags, 1), {"NOT IN (?)"});
    check_marked(detail::m2m_prefetch_sql(marked, tags, true, folio::Tag::meta(), {0, 1}, 2), {"INNER JOIN `article_tags`"});
}

BOOST_FIXTURE_TEST_CASE(the_compiled_query_cache_never_shares_sql_between_dialects, Dialects) {
    // The same shape, resolved for each dialect, evaluated in turn: each
    // dialect's text is rendered once, then served from the cache, and
    // never the other's.
    for (int round = 0; round < 3; ++round) {
        const folio::backend::Operations* const order[] = {&sqlite, &marked, &sqlite};
        for (const folio::backend::Operations* ops : order) {
            const detail::Query q = query_of(*ops, folio::Author::meta(), Q("username", std::string("u")));
            const auto before = detail::compiled_cache_stats();
            const auto c = detail::compiled(*ops, q, detail::Evaluation::Select);
            const auto after = detail::compiled_cache_stats();
            const bool first_time = round == 0 && ops == &marked;
            BOOST_TEST(c->sql.find(ops == &marked ? "`author`.`username` = ?" : "\"author\".\"username\" = ?") !=
                       std::string::npos);
            if (round > 0 || ops == &marked) BOOST_TEST(after.renders - before.renders == (first_time ? 1u : 0u));
        }
    }
    // The SQLite text still runs on SQLite, unchanged by the other dialect.
    auto q = query_of(sqlite, folio::Author::meta(), Q("username", std::string("nobody")));
    folio::Statement st = blog.db().prepare(detail::compiled(sqlite, q, detail::Evaluation::Count)->sql);
    detail::bind_query(sqlite, st, q);
    BOOST_TEST(st.step());
    BOOST_TEST(st.column_int(0) == 0);
}

BOOST_AUTO_TEST_SUITE_END()
