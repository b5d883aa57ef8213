// compiler.cpp: SELECT / COUNT / EXISTS / UPDATE compilation from a Query,
// and the single-model and many-to-many statements: their structure, with
// every dialect spelling asked of the Operations given (compiler.hpp).
#include "lib/query/compiler.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "folio/database.hpp"
#include "folio/errors.hpp"
#include "lib/query/where.hpp"

namespace folio::detail {

std::vector<std::string> split_path(const std::string& path) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    while (true) {
        std::size_t pos = path.find("__", start);
        parts.push_back(path.substr(start, pos - start));
        if (pos == std::string::npos) break;
        start = pos + 2;
    }
    return parts;
}

std::string join_path(const std::vector<std::string>& parts) {
    std::string out;
    for (const auto& p : parts) {
        if (!out.empty()) out += "__";
        out += p;
    }
    return out;
}

std::vector<std::size_t> loaded_fields(const Query& q, const ModelMeta& meta, const std::string& prefix,
                                       const std::vector<std::size_t>& keep) {
    auto names_under = [&](const std::vector<std::string>& list) {
        std::vector<std::string> out;
        for (const auto& p : list) {
            if (p.size() > prefix.size() && p.compare(0, prefix.size(), prefix) == 0 &&
                p.find("__", prefix.size()) == std::string::npos)
                out.push_back(p.substr(prefix.size()));
        }
        return out;
    };
    std::vector<bool> load(meta.fields.size(), !q.has_only);
    if (q.has_only) {
        auto names = names_under(q.only);
        // only() naming nothing of this relation loads it whole (only("title")
        // with select_related("author") still shows the whole author).
        bool touches = !names.empty();
        if (!touches && !prefix.empty()) std::fill(load.begin(), load.end(), true);
        for (const auto& n : names) load[meta.field_index(n)] = true;
    }
    for (const auto& n : names_under(q.deferred)) load[meta.field_index(n)] = false;
    load[0] = true;  // the primary key is never deferred
    for (auto k : keep) load[k] = true;
    std::vector<std::size_t> out;
    for (std::size_t i = 0; i < load.size(); ++i)
        if (load[i]) out.push_back(i);
    return out;
}

namespace {

std::uint64_t mask_of(const ModelMeta& meta, const std::vector<std::size_t>& loaded) {
    std::uint64_t all = meta.fields.size() >= 64 ? ~0ull : ((1ull << meta.fields.size()) - 1);
    for (auto f : loaded) all &= ~(1ull << f);
    return all;
}

// "t"."a", "t"."b": the columns `fields` of `meta`, each qualified by its table.
std::string qualified_columns(const Ops& ops, const ModelMeta& meta, const std::vector<std::size_t>& fields) {
    const std::string table = ops.quote_name(meta.table);
    std::string cols;
    for (auto f : fields) cols += (cols.empty() ? "" : ", ") + table + "." + ops.quote_name(meta.fields[f].column);
    return cols;
}

// The quoted names of the columns `fields` of `meta`.
std::vector<std::string> quoted_columns(const Ops& ops, const ModelMeta& meta, const std::vector<std::size_t>& fields) {
    std::vector<std::string> out;
    out.reserve(fields.size());
    for (auto f : fields) out.push_back(ops.quote_name(meta.fields[f].column));
    return out;
}

std::string order_sql(const Query& q, QueryBuilder& b) {
    std::vector<std::string> keys = q.order_by;
    if (q.reversed && keys.empty()) keys.push_back("pk");
    std::string out;
    for (const auto& key : keys) {
        if (!out.empty()) out += ", ";
        if (key == "?") {
            out += b.ops().random_function_sql();
            continue;
        }
        bool desc = !key.empty() && key[0] == '-';
        std::string path = desc ? key.substr(1) : key;
        if (q.reversed) desc = !desc;
        auto col = b.column(path, "order_by");
        out += col.sql + (desc ? " DESC" : " ASC");
    }
    return out;
}

// The slice's clause; its values are bound by bind_query().
void limit_sql(const Ops& ops, const Query& q, std::string& sql) {
    if (q.sliced) sql += ops.limit_offset_sql(q.offset != 0);
}

std::string where_clause(const std::string& cond) { return cond.empty() ? std::string() : " WHERE " + cond; }

// True when SQLite can read `q`'s rows in their order and stop at the
// LIMIT: no ORDER BY at all, or one an index walks with no filter to skip
// rows: the primary key, or a declared db_index column followed by nothing
// but the primary key in the same direction (an index's entries end with
// the rowid, so "created_at DESC, id DESC" is its reverse walk).
bool read_in_order(const Query& q) {
    if (!q.where.matches_all()) return false;
    if (q.order_by.empty()) return true;  // reversed() alone orders by the primary key
    if (q.order_by.size() > 2) return false;
    auto key = [&](const std::string& k) -> std::pair<const FieldMeta*, bool> {
        const bool desc = !k.empty() && k[0] == '-';
        const FieldMeta* f = q.model->find_field(desc ? std::string_view(k).substr(1) : std::string_view(k));
        return {f, desc};
    };
    const auto [first, desc] = key(q.order_by[0]);
    if (!first || !(first->primary_key || first->db_index)) return false;
    if (q.order_by.size() == 1) return true;
    const auto [second, second_desc] = key(q.order_by[1]);
    return second && second->primary_key && !first->primary_key && second_desc == desc;
}

// A page of a select_related query (the guide's list page: 20 articles with
// their authors) that SQLite must sort is cheapest when the base table is
// filtered, sorted and cut to the page first and only those rows are joined:
//     SELECT ... FROM (SELECT ... FROM article ORDER BY ... LIMIT ?) AS article JOIN author ...
// A plain JOIN there makes SQLite join every row before the sort picks 20.
// Done when the filter and the ordering use the base table's own columns
// only, and not when the rows come in order (read_in_order): then the plain
// JOIN reads 20 rows and stops, and the subquery would only add its own
// materialisation. The joins are select_related's foreign keys, which never
// multiply rows, so both forms give the same rows.
bool sliced_before_join(const Query& q, CompiledSelect& out, QueryBuilder& outer, const std::string& cols) {
    const Ops& ops = outer.ops();
    const ModelMeta& meta = *q.model;
    std::vector<std::size_t> inner_fields = out.slots[0].fields;
    for (const auto& key : q.order_by) {
        if (key == "?") return false;
        std::string path = !key.empty() && key[0] == '-' ? key.substr(1) : key;
        if (path.find("__") != std::string::npos) return false;
        std::size_t f = meta.field_index(path);
        if (std::find(inner_fields.begin(), inner_fields.end(), f) == inner_fields.end()) inner_fields.push_back(f);
    }
    QueryBuilder inner(ops, meta);
    std::string cond = inner.where(q.where);
    std::string order = order_sql(q, inner);
    if (inner.has_joins()) return false;
    std::string sql = "SELECT " + qualified_columns(ops, meta, inner_fields) + " FROM " + inner.from_sql() +
                      where_clause(cond);
    if (!order.empty()) sql += " ORDER BY " + order;
    limit_sql(ops, q, sql);
    // The outer ORDER BY keeps the page's order through the join (20 rows).
    std::string outer_order = order_sql(q, outer);
    out.sql = "SELECT " + cols + " FROM (" + sql + ") AS " + ops.quote_name(meta.table) + outer.joins_sql();
    if (!outer_order.empty()) out.sql += " ORDER BY " + outer_order;
    return true;
}

} // namespace

CompiledSelect render_select(const Ops& ops, const Query& q) {
    CompiledSelect out;
    QueryBuilder b(ops, *q.model);
    // Slots for select_related, parents before children.
    std::vector<std::string> paths;
    for (const auto& p : q.select_related) {
        auto parts = split_path(p);
        std::string acc;
        for (const auto& part : parts) {
            acc += acc.empty() ? part : "__" + part;
            if (std::find(paths.begin(), paths.end(), acc) == paths.end()) paths.push_back(acc);
        }
    }
    std::vector<std::string> slot_paths{""};
    std::vector<const ModelMeta*> metas{q.model};
    out.slots.push_back(Slot{});
    out.slots[0].meta = q.model;
    for (const auto& p : paths) {
        auto parts = split_path(p);
        std::string parent_path = parts.size() == 1 ? "" : p.substr(0, p.rfind("__"));
        int parent = static_cast<int>(std::find(slot_paths.begin(), slot_paths.end(), parent_path) - slot_paths.begin());
        const ModelMeta& pm = *metas[parent];
        const FieldMeta* f = pm.find_field(parts.back());
        if (!f || f->type != FieldType::ForeignKey)
            throw InvalidQuery(fmt::format("Invalid field name '{}' in select_related on model {}: not a foreign key",
                                           p, pm.name));
        Slot s;
        s.parent = parent;
        s.fk_field = static_cast<std::size_t>(f - pm.fields.data());
        s.meta = &f->related();
        out.slots.push_back(s);
        slot_paths.push_back(p);
        metas.push_back(s.meta);
    }
    std::string cols;
    for (std::size_t k = 0; k < out.slots.size(); ++k) {
        Slot& s = out.slots[k];
        std::vector<std::size_t> keep;
        for (std::size_t c = 1; c < out.slots.size(); ++c)
            if (out.slots[c].parent == static_cast<int>(k)) keep.push_back(out.slots[c].fk_field);
        std::string prefix = k == 0 ? "" : slot_paths[k] + "__";
        s.fields = loaded_fields(q, *s.meta, prefix, keep);
        s.deferred_mask = mask_of(*s.meta, s.fields);
        const std::string alias = ops.quote_name(k == 0 ? b.base_alias() : b.join(split_path(slot_paths[k])));
        for (auto f : s.fields) {
            if (!cols.empty()) cols += ", ";
            cols += alias + "." + ops.quote_name(s.meta->fields[f].column);
        }
    }
    if (out.slots.size() > 1 && q.sliced && !read_in_order(q) && sliced_before_join(q, out, b, cols)) return out;
    std::string cond = b.where(q.where);
    std::string order = order_sql(q, b);
    out.sql = "SELECT " + cols + " FROM " + b.from_sql() + where_clause(cond);
    if (!order.empty()) out.sql += " ORDER BY " + order;
    limit_sql(ops, q, out.sql);
    return out;
}

std::string render_pk_select(const Ops& ops, const Query& q) {
    QueryBuilder b(ops, *q.model);
    std::string cond = b.where(q.where);
    std::string order = q.sliced ? order_sql(q, b) : std::string();
    std::string sql = fmt::format("SELECT {}.{} FROM {}{}", ops.quote_name(b.base_alias()),
                                  ops.quote_name(q.model->fields[0].column), b.from_sql(), where_clause(cond));
    if (!order.empty()) sql += " ORDER BY " + order;
    limit_sql(ops, q, sql);
    return sql;
}

namespace {
// A derived table of a slice's primary keys, named as Django names it: SQL
// requires the name (PostgreSQL before 16 refuses a derived table without
// one; SQLite accepts both).
std::string sliced_pks(const Ops& ops, const Query& q) {
    return "(" + render_pk_select(ops, q) + ") AS " + ops.quote_name("subquery");
}
} // namespace

std::string render_count(const Ops& ops, const Query& q) {
    if (q.sliced) return "SELECT COUNT(*) FROM " + sliced_pks(ops, q);
    QueryBuilder b(ops, *q.model);
    std::string cond = b.where(q.where);
    return "SELECT COUNT(*) FROM " + b.from_sql() + where_clause(cond);
}

std::string render_exists(const Ops& ops, const Query& q) {
    if (q.sliced) return "SELECT 1 FROM " + sliced_pks(ops, q) + ops.fixed_limit_sql(1);
    QueryBuilder b(ops, *q.model);
    std::string cond = b.where(q.where);
    return "SELECT 1 FROM " + b.from_sql() + where_clause(cond) + ops.fixed_limit_sql(1);
}

int bind_query(const Ops& ops, Statement& st, const Query& q) {
    int at = 0;
    q.where.each_value([&](const Value& v) { st.bind(++at, v); });
    if (q.sliced) {
        if (q.limit) st.bind(++at, *q.limit);
        else st.bind(++at, ops.no_limit());
        if (q.offset) st.bind(++at, q.offset);
    }
    return at;
}

Statement prepare_query(Database& db, const Ops& ops, const CompiledSelect& cs, const Query& q) {
    if (db.log().records_args()) return db.prepare(cs.sql, query_params(ops, q));
    StatementCache& cache = db.statement_cache();
    CachedStatement* again = cs.last_cache == &cache ? cache.reacquire(cs.last_entry, cs.last_epoch) : nullptr;
    Statement st = again ? Statement(db, again) : Statement(db, cs.hashed_sql());
    cs.last_cache = &cache;
    cs.last_epoch = cache.epoch();
    cs.last_entry = st.cache_entry();
    bind_query(ops, st, q);
    return st;
}

std::vector<Value> query_params(const Ops& ops, const Query& q) {
    std::vector<Value> out;
    q.where.each_value([&](const Value& v) { out.push_back(v); });
    if (q.sliced) {
        out.push_back(q.limit ? Value(*q.limit) : ops.no_limit());
        if (q.offset) out.emplace_back(q.offset);
    }
    return out;
}

CompiledSelect compile_select(const Ops& ops, const Query& q) {
    CompiledSelect out = render_select(ops, q);
    out.params = query_params(ops, q);
    return out;
}

Compiled compile_pk_select(const Ops& ops, const Query& q) { return {render_pk_select(ops, q), query_params(ops, q)}; }

Compiled compile_update(const Ops& ops, const Query& q, const std::vector<Assign>& assignments) {
    if (q.sliced) throw InvalidQuery("Cannot update a query once a slice has been taken");
    if (assignments.empty()) throw InvalidQuery(fmt::format("update() on model {} names no field", q.model->name));
    const ModelMeta& meta = *q.model;
    Compiled out;
    std::string sets;
    for (const auto& a : assignments) {
        const FieldMeta* f = meta.find_field(a.field);
        if (!f) throw InvalidQuery(fmt::format("Cannot update unknown field '{}' of model {}. Choices are: {}", a.field,
                                               meta.name, meta.choices()));
        if (f->primary_key) throw InvalidQuery(fmt::format("Cannot update the primary key of model {}", meta.name));
        if (!sets.empty()) sets += ", ";
        sets += ops.quote_name(f->column) + " = ";
        if (const auto* v = std::get_if<Value>(&a.value)) {
            sets += "?";
            out.params.push_back(*v);
            continue;
        }
        const Expr& e = std::get<Expr>(a.value);
        const FieldMeta* src = meta.find_field(e.field);
        if (!src) throw InvalidQuery(fmt::format("Cannot resolve '{}' into a field of model {} in F()", e.field, meta.name));
        if (std::string("+-*/%").find(e.op) == std::string::npos)
            throw InvalidQuery(fmt::format("Unsupported operator '{}' in F() expression", e.op));
        const std::string expr = fmt::format("{} {} ?", ops.quote_name(src->column), e.op);
        int uses = 1;
        if (f->type == FieldType::Integer || f->type == FieldType::ForeignKey) {
            // An integer result past 64 bits fails the statement (the
            // dialect's guard) instead of being stored as something else.
            const Ops::Checked checked = ops.checked_integer_sql(expr);
            sets += checked.sql;
            uses = checked.uses;
        } else {
            sets += expr;
        }
        for (int i = 0; i < uses; ++i) out.params.push_back(e.operand);
    }
    QueryBuilder b(ops, meta);
    std::string cond = b.where(q.where);
    const std::string table = ops.quote_name(meta.table), pk = ops.quote_name(meta.fields[0].column);
    out.sql = fmt::format("UPDATE {} SET {}", table, sets);
    if (b.has_joins()) {
        // UPDATE has no JOIN; filter through the joined SELECT of the ids.
        out.sql += fmt::format(" WHERE {}.{} IN (SELECT {}.{} FROM {}{})", table, pk, ops.quote_name(b.base_alias()),
                               pk, b.from_sql(), where_clause(cond));
    } else {
        out.sql += where_clause(cond);
    }
    q.where.each_value([&](const Value& v) { out.params.push_back(v); });
    return out;
}

Compiled compile_values(const Ops& ops, const Query& q, const std::vector<std::string>& paths) {
    if (paths.empty()) throw InvalidQuery(fmt::format("values_list() on model {} names no field", q.model->name));
    Compiled out;
    QueryBuilder b(ops, *q.model);
    std::string cols;
    for (const auto& p : paths) cols += (cols.empty() ? "" : ", ") + b.column(p, "values_list").sql;
    std::string cond = b.where(q.where);
    std::string order = order_sql(q, b);
    out.sql = "SELECT " + cols + " FROM " + b.from_sql() + where_clause(cond);
    if (!order.empty()) out.sql += " ORDER BY " + order;
    limit_sql(ops, q, out.sql);
    out.params = query_params(ops, q);
    return out;
}

std::string insert_sql(const Ops& ops, const ModelMeta& meta, const std::vector<std::size_t>& fields,
                       std::size_t rows) {
    std::string cols, row = "(";
    for (std::size_t i = 0; i < fields.size(); ++i) {
        cols += (i ? ", " : "") + ops.quote_name(meta.fields[fields[i]].column);
        row += i ? ", ?" : "?";
    }
    row += ")";
    std::string sql = fmt::format("INSERT INTO {} ({}) VALUES ", ops.quote_name(meta.table), cols);
    sql.reserve(sql.size() + rows * (row.size() + 2));
    for (std::size_t r = 0; r < rows; ++r) {
        if (r) sql += ", ";
        sql += row;
    }
    return sql;
}

std::string returning_sql(const Ops& ops, const ModelMeta& meta, const std::vector<std::size_t>& fields) {
    return ops.returning_sql(quoted_columns(ops, meta, fields));
}

Compiled insert_with_keys_sql(const Ops& ops, const ModelMeta& meta, const std::vector<std::size_t>& fields,
                              std::size_t rows, const std::vector<std::size_t>& returned) {
    auto spelled = ops.insert_with_keys_sql(insert_sql(ops, meta, fields, rows) + returning_sql(ops, meta, returned),
                                            ops.quote_name(meta.table), meta.fields[0].column,
                                            ops.quote_name(meta.fields[0].column));
    return {std::move(spelled.sql), std::move(spelled.params)};
}

std::string max_pk_sql(const Ops& ops, const ModelMeta& meta) {
    return fmt::format("SELECT max({}) FROM {}", ops.quote_name(meta.fields[0].column), ops.quote_name(meta.table));
}

std::string update_row_sql(const Ops& ops, const ModelMeta& meta, const std::vector<std::size_t>& fields) {
    std::string sets;
    for (auto f : fields) sets += (sets.empty() ? "" : ", ") + ops.quote_name(meta.fields[f].column) + " = ?";
    const std::string table = ops.quote_name(meta.table);
    return fmt::format("UPDATE {} SET {} WHERE {}.{} = ?", table, sets, table, ops.quote_name(meta.fields[0].column));
}

std::string select_by_pk_sql(const Ops& ops, const ModelMeta& meta, const std::vector<std::size_t>& fields) {
    const std::string table = ops.quote_name(meta.table);
    return fmt::format("SELECT {} FROM {} WHERE {}.{} = ?", qualified_columns(ops, meta, fields), table, table,
                       ops.quote_name(meta.fields[0].column));
}

std::string delete_in_sql(const Ops& ops, const std::string& table, const std::string& column, std::size_t n) {
    const std::string t = ops.quote_name(table);
    return fmt::format("DELETE FROM {} WHERE {}.{} IN ({})", t, t, ops.quote_name(column), Ops::placeholders(n));
}

std::string delete_in_array_sql(const Ops& ops, const std::string& table, const std::string& column) {
    const std::string t = ops.quote_name(table);
    return fmt::format("DELETE FROM {} WHERE {}", t, ops.in_array_sql(t + "." + ops.quote_name(column)));
}

std::string insert_ignore_unique_sql(const Ops& ops, const ModelMeta& meta, std::size_t field, std::size_t rows) {
    return insert_sql(ops, meta, {field}, rows) + ops.ignore_conflicts_sql(quoted_columns(ops, meta, {field}));
}

std::string select_where_in_sql(const Ops& ops, const ModelMeta& meta, const std::vector<std::size_t>& fields,
                                std::size_t in_field, std::size_t n) {
    const std::string table = ops.quote_name(meta.table);
    return fmt::format("SELECT {} FROM {} WHERE {}.{} IN ({})", qualified_columns(ops, meta, fields), table, table,
                       ops.quote_name(meta.fields[in_field].column), Ops::placeholders(n));
}

bool as_arrays(const Ops& ops, std::size_t n) { return n > ops.features().max_inline_in_list; }

std::string insert_ignore_unique_from_array_sql(const Ops& ops, const ModelMeta& meta, std::size_t field) {
    const std::vector<std::string> col = quoted_columns(ops, meta, {field});
    return fmt::format("INSERT INTO {} ({}) {}{}", ops.quote_name(meta.table), col[0],
                       ops.rows_from_arrays_sql({meta.fields[field].type}), ops.ignore_conflicts_sql(col));
}

std::string select_where_in_array_sql(const Ops& ops, const ModelMeta& meta, const std::vector<std::size_t>& fields,
                                      std::size_t in_field) {
    const std::string table = ops.quote_name(meta.table);
    return fmt::format("SELECT {} FROM {} WHERE {}", qualified_columns(ops, meta, fields), table,
                       ops.in_array_sql(table + "." + ops.quote_name(meta.fields[in_field].column)));
}

std::string m2m_link_from_arrays_sql(const Ops& ops, const ManyToManyMeta& rel) {
    const std::string source = ops.quote_name(rel.source_column), target = ops.quote_name(rel.target_column);
    return fmt::format("INSERT INTO {} ({}, {}) {}{}", ops.quote_name(rel.through_table), source, target,
                       ops.rows_from_arrays_sql({FieldType::ForeignKey, FieldType::ForeignKey}),
                       ops.ignore_conflicts_sql({source, target}));
}

std::string m2m_link_sql(const Ops& ops, const ManyToManyMeta& rel, std::size_t pairs) {
    const std::string source = ops.quote_name(rel.source_column), target = ops.quote_name(rel.target_column);
    std::string sql = fmt::format("INSERT INTO {} ({}, {}) VALUES ", ops.quote_name(rel.through_table), source, target);
    for (std::size_t i = 0; i < pairs; ++i) sql += i ? ", (?, ?)" : "(?, ?)";
    // Pairs that exist already are skipped by the UNIQUE (source, target) index.
    return sql + ops.ignore_conflicts_sql({source, target});
}

std::string m2m_unlink_sql(const Ops& ops, const ManyToManyMeta& rel, std::size_t targets) {
    const std::string t = ops.quote_name(rel.through_table);
    return fmt::format("DELETE FROM {} WHERE {}.{} = ? AND {}.{} IN ({})", t, t, ops.quote_name(rel.source_column), t,
                       ops.quote_name(rel.target_column), Ops::placeholders(targets));
}

std::string m2m_clear_sql(const Ops& ops, const ManyToManyMeta& rel) {
    const std::string t = ops.quote_name(rel.through_table);
    return fmt::format("DELETE FROM {} WHERE {}.{} = ?", t, t, ops.quote_name(rel.source_column));
}

std::string m2m_unlink_others_sql(const Ops& ops, const ManyToManyMeta& rel, std::size_t keep) {
    const std::string t = ops.quote_name(rel.through_table);
    return fmt::format("DELETE FROM {} WHERE {}.{} = ? AND {}.{} NOT IN ({})", t, t, ops.quote_name(rel.source_column),
                       t, ops.quote_name(rel.target_column), Ops::placeholders(keep));
}

std::string m2m_prefetch_sql(const Ops& ops, const ManyToManyMeta& rel, bool forward, const ModelMeta& target,
                             const std::vector<std::size_t>& fields, std::size_t n) {
    const std::string t = ops.quote_name(rel.through_table);
    const std::string from = ops.quote_name(forward ? rel.source_column : rel.target_column);
    const std::string to = ops.quote_name(forward ? rel.target_column : rel.source_column);
    const std::string table = ops.quote_name(target.table);
    std::string cols = t + "." + from;
    if (!fields.empty()) cols += ", " + qualified_columns(ops, target, fields);
    return fmt::format("SELECT {} FROM {} INNER JOIN {} ON {}.{} = {}.{} WHERE {}.{} IN ({})", cols, table, t, table,
                       ops.quote_name(target.fields[0].column), t, to, t, from, Ops::placeholders(n));
}

} // namespace folio::detail
