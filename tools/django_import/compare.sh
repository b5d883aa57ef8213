#!/bin/bash
# Whole-process comparison of the guide's import: Django 3.2's bulk variant
# (import_guide.py, Debian's python3-django) against folio's import-authors +
# import-articles (with and without --exclusive, SQLite's rollback journal
# for the import), on the same gen-data files (200 authors; 2,000 and 20,000
# articles of ~2 KB), three alternating rounds per file, with /usr/bin/time.
#
#   tools/django_import/compare.sh FOLIO_BIN WORK_DIR
#
# WORK_DIR holds the data files (made once) and the databases (removed before
# each run). Run it on a quiet machine: the times are whole-process.
set -euo pipefail
folio=$(realpath "$1")
work=$2
guide=$(realpath "$(dirname "$0")/import_guide.py")
mkdir -p "$work"
cd "$work"
for n in 2000 20000; do
    [ -f "d$n/old_articles.json" ] || "$folio" gen-data --authors 200 --articles "$n" --out "d$n" >/dev/null
done
for n in 2000 20000; do
    for round in 1 2 3; do
        rm -f "django$n.sqlite3"* "folio$n.sqlite3"* "excl$n.sqlite3"*
        echo "round $round, $n articles, $(uptime | sed 's/.*load/load/')"
        /usr/bin/time -f "  django: wall %e s, user %U s, sys %S s, peak RSS %M KB" \
            /usr/bin/python3 "$guide" "django$n.sqlite3" "d$n" bulk 2>&1 | sed 's/^django bulk/  django bulk/'
        /usr/bin/time -f "  folio import-authors: wall %e s, user %U s, sys %S s, peak RSS %M KB" \
            "$folio" --db "folio$n.sqlite3" import-authors "d$n/old_authors.json" 2>&1 >/dev/null
        /usr/bin/time -f "  folio import-articles: wall %e s, user %U s, sys %S s, peak RSS %M KB" \
            "$folio" --db "folio$n.sqlite3" import-articles "d$n/old_articles.json" 2>&1 >/dev/null
        /usr/bin/time -f "  folio import-authors --exclusive: wall %e s, user %U s, sys %S s, peak RSS %M KB" \
            "$folio" --db "excl$n.sqlite3" import-authors --exclusive "d$n/old_authors.json" 2>&1 >/dev/null
        /usr/bin/time -f "  folio import-articles --exclusive: wall %e s, user %U s, sys %S s, peak RSS %M KB" \
            "$folio" --db "excl$n.sqlite3" import-articles --exclusive "d$n/old_articles.json" 2>&1 >/dev/null
    done
done
