// q.cpp: building Q filter trees (AND/OR/NOT of lookups), flattening as it goes.
#include "folio/query.hpp"

namespace folio {

Q::Q() : node_(std::make_shared<const Node>()) {}

Q::Q(std::string lookup, Value value) {
    auto n = std::make_shared<Node>();
    n->kind = Kind::Leaf;
    n->lookup = std::move(lookup);
    n->values.push_back(std::move(value));
    node_ = std::move(n);
}

Q::Q(std::string lookup, std::vector<Value> values) {
    auto n = std::make_shared<Node>();
    n->kind = Kind::Leaf;
    n->lookup = std::move(lookup);
    n->values = std::move(values);
    n->list = true;
    node_ = std::move(n);
}

namespace {
// a & b & c becomes one AND node of three children, not a nested chain.
Q combine(Q::Kind kind, const Q& a, const Q& b, Q (*make)(std::shared_ptr<const Q::Node>)) {
    auto n = std::make_shared<Q::Node>();
    n->kind = kind;
    for (const Q* side : {&a, &b}) {
        if (side->node().kind == kind) {
            for (const auto& c : side->node().children) n->children.push_back(c);
        } else {
            n->children.push_back(*side);
        }
    }
    return make(std::move(n));
}
} // namespace

Q operator&(const Q& a, const Q& b) {
    if (a.matches_all()) return b;
    if (b.matches_all()) return a;
    return combine(Q::Kind::And, a, b, [](std::shared_ptr<const Q::Node> n) { return Q(std::move(n)); });
}

Q operator|(const Q& a, const Q& b) {
    // As Django's Q._combine: an empty Q is no condition at all, so it drops
    // out of an OR as it does of an AND (Q() | Q(x) is Q(x), not "all").
    if (a.matches_all()) return b;
    if (b.matches_all()) return a;
    return combine(Q::Kind::Or, a, b, [](std::shared_ptr<const Q::Node> n) { return Q(std::move(n)); });
}

Q operator!(const Q& a) {
    // ~Q() in Django is still no condition: exclude(Q()) keeps every row.
    if (a.matches_all()) return a;
    if (a.node().kind == Q::Kind::Not) return a.node().children.front();
    auto n = std::make_shared<Q::Node>();
    n->kind = Q::Kind::Not;
    n->children.push_back(a);
    return Q(std::move(n));
}

} // namespace folio
