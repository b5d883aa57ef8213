#!/bin/sh
# check_sql_spelling.sh: SQL text is written only behind the dialect seam.
#
# Every string literal in lib/, include/ and demo/ that spells SQL (a literal
# starting with a statement keyword, a raw R"sql( string, or a literal holding
# a dialect's clause: LIMIT ?, RETURNING, ON CONFLICT, json_each, ESCAPE,
# PRAGMA names, sqlite_schema) must live in lib/query/ (the compiler: SQL
# structure) or lib/backend/ (each dialect's spellings). A line elsewhere
# fails the check, named file:line, unless tools/sql_spelling_allow.txt
# allows it: only code that *reads* SQL text (classifies or parses it), each
# entry with its reason.
#
# Inside lib/query/ (the compiler) only SQL *structure* may be written: a
# literal there holding a dialect's spelling (LIMIT/OFFSET, RETURNING, ON
# CONFLICT, LIKE/ESCAPE, json_each, strftime, RANDOM(), instr/substr/typeof/
# CAST, PRAGMA, sqlite_schema) or quoting an identifier by hand ('"', "\"")
# fails, with no allow-list: those come from the Database's Operations
# (lib/backend/operations.hpp).
#
# Usage: check_sql_spelling.sh [SOURCE_ROOT]   (default: the repository root)
# Exit: 0 clean, 1 with the offending lines on stderr.
set -eu
root=${1:-$(dirname "$0")/..}
cd "$root"
allow=tools/sql_spelling_allow.txt

# A literal that starts with a statement keyword, a raw SQL string, or a
# dialect-specific clause inside a literal.
starts='"[[:space:]]*(SELECT|INSERT|UPDATE|DELETE|CREATE|DROP|ALTER|PRAGMA|BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE|EXPLAIN|WITH|REPLACE|VACUUM|ANALYZE)([^A-Za-z_]|$)'
raw='R"sql\('
clauses='"[^"]*( LIMIT \?| OFFSET \?|RETURNING |ON CONFLICT|DO NOTHING|json_each|ESCAPE |sqlite_schema|user_version|journal_mode|cache_size =|foreign_keys =|strftime\()'

hits=$(grep -rnE "$starts|$raw|$clauses" lib include demo --include='*.cpp' --include='*.hpp' \
       | grep -vE '^lib/(query|backend)/' \
       | grep -vE '^[^:]+:[0-9]+:[[:space:]]*(//|\*)' || true)  # comments describe SQL, they do not run it

# Dialect spellings inside the compiler.
dialect='"[^"]*( LIMIT| OFFSET|RETURNING|ON CONFLICT|DO NOTHING|json_each|ESCAPE|LIKE |strftime|RANDOM\(|CAST\(|PRAGMA|sqlite_schema)|"([^"]*[^.a-z_"])?(instr|substr|typeof)\('
hand_quoted="'\"'|\"\\\\\""
compiler_hits=$(grep -rnE "$dialect|$hand_quoted" lib/query --include='*.cpp' --include='*.hpp' \
       | grep -vE '^[^:]+:[0-9]+:[[:space:]]*(//|\*)' || true)
if [ -n "$compiler_hits" ]; then
    printf 'a dialect spelling in the compiler (ask the Operations, lib/backend/operations.hpp): %s\n' "$compiler_hits" >&2
    exit 1
fi

# Each hit is allowed when an allow-list line "path|text|reason" names its
# file and a piece of its text.
printf '%s\n' "$hits" | while IFS= read -r hit; do
    [ -n "$hit" ] || continue
    file=${hit%%:*}
    ok=0
    while IFS='|' read -r path text reason; do
        case "$path" in ''|'#'*) continue ;; esac
        if [ "$path" = "$file" ] && printf '%s' "$hit" | grep -qF -- "$text"; then ok=1; break; fi
    done < "$allow"
    if [ "$ok" -eq 0 ]; then
        printf 'SQL spelled outside lib/query/ and lib/backend/: %s\n' "$hit" >&2
        printf 'x\n'
    fi
done > /tmp/check_sql_spelling.$$ 
found=$(wc -l < /tmp/check_sql_spelling.$$)
rm -f /tmp/check_sql_spelling.$$
total=$(printf '%s\n' "$hits" | grep -c . || true)
if [ "$found" -ne 0 ]; then
    echo "$found line(s) spell SQL outside the seam ($total literal(s) matched, the rest allow-listed as readers)" >&2
    exit 1
fi
echo "sql_spelling: no SQL written outside lib/query/ and lib/backend/ ($total literal(s) matched, all allow-listed readers of SQL text); no dialect spelling in lib/query/"
