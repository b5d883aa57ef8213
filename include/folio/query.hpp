// query.hpp: the pieces of a query a user writes: Q filters, F expressions
// and update assignments.
//
// Fields are named as in Django: "title", "created_at__year__lt",
// "author__username", "tags__name__in". Every name is checked against the
// model's metadata before any SQL is built, and an unknown one raises
// InvalidQuery naming the field and the model. Values are always bound.
//
//     qs.filter(Q("created_at__year__lt", 2012) | !Q("title__icontains", "draft"))
//     qs.filter(F("created_at").year() < 2012)           // the same leaf, typed
//     qs.update({{"comments_on", false}, {"articles_count", F("articles_count") + 1}})
#pragma once

#include <initializer_list>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "folio/value.hpp"

namespace folio {

class Q {
public:
    enum class Kind { All, Leaf, And, Or, Not };
    struct Node {
        Kind kind = Kind::All;
        std::string lookup;         // Leaf: "author__username__iexact"
        std::vector<Value> values;  // Leaf: one value, or a list for __in / __range
        bool list = false;          // Leaf: values is a list (in, range)
        std::vector<Q> children;    // And / Or / Not
    };

    // Matches every row.
    Q();
    // A lookup with one value: Q("title__startswith", "How").
    Q(std::string lookup, Value value);
    // A lookup with a list: Q("id__in", {1, 2, 3}), Q("created_at__range", {"2010-01-01", "2011-12-31"}).
    Q(std::string lookup, std::vector<Value> values);

    // Combinations, with Django's Q semantics: an empty Q() is no condition,
    // so Q() & x, Q() | x are x and !Q() is Q() (exclude(Q()) keeps every
    // row). !x keeps, as Django's exclude(), the rows where x's column is
    // NULL. Never throw except std::bad_alloc; names are checked by filter().
    friend Q operator&(const Q& a, const Q& b);
    friend Q operator|(const Q& a, const Q& b);
    friend Q operator!(const Q& a);

    bool matches_all() const noexcept { return node_->kind == Kind::All; }
    const Node& node() const noexcept { return *node_; }

private:
    explicit Q(std::shared_ptr<const Node> node) : node_(std::move(node)) {}
    std::shared_ptr<const Node> node_;
};

// An arithmetic expression on a row's own column, for update():
// F("articles_count") + 1 compiles to "articles_count" + ?.
struct Expr {
    std::string field;
    char op = '+';  // + - * / % (% and an integer / truncate toward zero, as C++ and both backends do)
    Value operand;
};

// A field reference: builds Q leaves and update expressions.
class F {
public:
    explicit F(std::string path) : path_(std::move(path)) {}
    F year() const { return F(path_ + "__year"); }
    F month() const { return F(path_ + "__month"); }
    F day() const { return F(path_ + "__day"); }

    Q operator==(Value v) const { return Q(path_, std::move(v)); }
    Q operator!=(Value v) const { return !Q(path_, std::move(v)); }
    Q operator<(Value v) const { return Q(path_ + "__lt", std::move(v)); }
    Q operator<=(Value v) const { return Q(path_ + "__lte", std::move(v)); }
    Q operator>(Value v) const { return Q(path_ + "__gt", std::move(v)); }
    Q operator>=(Value v) const { return Q(path_ + "__gte", std::move(v)); }
    Q in(std::vector<Value> vs) const { return Q(path_ + "__in", std::move(vs)); }
    Q contains(Value v) const { return Q(path_ + "__contains", std::move(v)); }
    Q icontains(Value v) const { return Q(path_ + "__icontains", std::move(v)); }
    Q startswith(Value v) const { return Q(path_ + "__startswith", std::move(v)); }
    Q isnull(bool yes = true) const { return Q(path_ + "__isnull", yes); }

    Expr operator+(Value v) const { return {path_, '+', std::move(v)}; }
    Expr operator-(Value v) const { return {path_, '-', std::move(v)}; }
    Expr operator*(Value v) const { return {path_, '*', std::move(v)}; }
    Expr operator/(Value v) const { return {path_, '/', std::move(v)}; }
    Expr operator%(Value v) const { return {path_, '%', std::move(v)}; }

    const std::string& path() const noexcept { return path_; }

private:
    std::string path_;
};

// One "field = value" or "field = expression" of an update().
struct Assign {
    Assign(std::string f, Value v) : field(std::move(f)), value(std::move(v)) {}
    template <class V>
        requires std::is_constructible_v<Value, V>
    Assign(std::string f, V&& v) : field(std::move(f)), value(Value(std::forward<V>(v))) {}
    Assign(std::string f, Expr e) : field(std::move(f)), value(std::move(e)) {}
    std::string field;
    std::variant<Value, Expr> value;
};

} // namespace folio
