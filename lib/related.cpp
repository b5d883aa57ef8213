// related.cpp: linking and unlinking many-to-many rows, one statement per
// call (and per chunk of pairs for the bulk form).
#include <fmt/format.h>

#include <algorithm>
#include <optional>

#include "folio/database.hpp"
#include "folio/errors.hpp"
#include "folio/queryset.hpp"
#include "folio/transaction.hpp"
#include "lib/backend/operations.hpp"
#include "lib/query/compiler.hpp"

namespace folio {

namespace {
void require_saved(const ManyToManyMeta& rel, std::int64_t owner) {
    if (owner == 0)
        throw ValidationError(fmt::format("{}: the object must be saved before its links change", rel.name));
}
std::size_t pair_chunk(Database& db) { return static_cast<std::size_t>(std::max(1, db.variable_limit() / 2)); }
} // namespace

void bulk_link(Database& db, const ManyToManyMeta& rel, const std::vector<std::pair<std::int64_t, std::int64_t>>& pairs) {
    if (pairs.empty()) return;
    const backend::Operations& ops = db.operations();
    if (detail::as_arrays(ops, pairs.size())) {
        // Many pairs: one statement, its rows bound as arrays.
        std::vector<std::vector<Value>> columns(2);
        columns[0].reserve(pairs.size());
        columns[1].reserve(pairs.size());
        for (const auto& [source, target] : pairs) {
            columns[0].emplace_back(source);
            columns[1].emplace_back(target);
        }
        Statement st = db.prepare(detail::m2m_link_from_arrays_sql(ops, rel));
        int k = 1;
        for (const Value& v : ops.rows_from_arrays_params(columns)) st.bind(k++, v);
        st.execute();
        return;
    }
    const std::size_t chunk = pair_chunk(db);
    std::optional<Transaction> tx;
    if (pairs.size() > chunk) tx.emplace(db);
    for (std::size_t at = 0; at < pairs.size(); at += chunk) {
        std::size_t n = std::min(chunk, pairs.size() - at);
        Statement st = db.prepare(detail::m2m_link_sql(ops, rel, n));
        int k = 1;
        for (std::size_t i = 0; i < n; ++i) {
            st.bind(k++, pairs[at + i].first);
            st.bind(k++, pairs[at + i].second);
        }
        st.execute();
    }
    if (tx) tx->commit();
}

namespace detail {

void m2m_add(Database& db, const ManyToManyMeta& rel, std::int64_t owner, const std::vector<std::int64_t>& targets) {
    require_saved(rel, owner);
    std::vector<std::pair<std::int64_t, std::int64_t>> pairs;
    pairs.reserve(targets.size());
    for (auto t : targets) {
        if (t == 0) throw ValidationError(fmt::format("{}.add(): a target was never saved", rel.name));
        pairs.emplace_back(owner, t);
    }
    bulk_link(db, rel, pairs);
}

void m2m_remove(Database& db, const ManyToManyMeta& rel, std::int64_t owner, const std::vector<std::int64_t>& targets) {
    require_saved(rel, owner);
    if (targets.empty()) return;
    Statement st = db.prepare(m2m_unlink_sql(db.operations(), rel, targets.size()));
    st.bind(1, owner);
    for (std::size_t i = 0; i < targets.size(); ++i) st.bind(static_cast<int>(i + 2), targets[i]);
    st.execute();
}

void m2m_clear(Database& db, const ManyToManyMeta& rel, std::int64_t owner) {
    require_saved(rel, owner);
    Statement st = db.prepare(m2m_clear_sql(db.operations(), rel));
    st.bind(1, owner);
    st.execute();
}

void m2m_set(Database& db, const ManyToManyMeta& rel, std::int64_t owner, const std::vector<std::int64_t>& targets) {
    require_saved(rel, owner);
    Transaction tx(db);
    if (targets.empty()) {
        m2m_clear(db, rel, owner);
    } else {
        Statement st = db.prepare(m2m_unlink_others_sql(db.operations(), rel, targets.size()));
        st.bind(1, owner);
        for (std::size_t i = 0; i < targets.size(); ++i) st.bind(static_cast<int>(i + 2), targets[i]);
        st.execute();
        m2m_add(db, rel, owner, targets);
    }
    tx.commit();
}

} // namespace detail
} // namespace folio
