# shellcheck shell=bash
# The exercise commands of ./workbook (sourced by it): the student's
# `ex ...` and the teacher's `handout` and `grade`. Each exercise is
# chNN/exercises/NAME/ (README.md, hints.md, the student's NAME.cpp), in the
# order of chNN/exercises/list; its id is chNN-NAME; its grader is
# tests/exercises/grade_chNN_NAME.py; its reference solution, where the
# teacher kept it, chNN/exercises/solutions/NAME.cpp. Uses note, die,
# bootstrap, build and $B from ./workbook.

PROGRESS=.workbook/progress  # "ID STATUS DATE" a line; the student may commit it
HINTS_SEEN=.workbook/hints   # "ID N": how many hints each exercise has shown
PY=/usr/bin/python3          # Debian's, which has pytest

# ex_ids: every exercise id, in the workbook's order
ex_ids() {
  local list name
  for list in ch0*/exercises/list; do
    [ -f "$list" ] || continue
    while read -r name; do if [ -n "$name" ]; then echo "${list%%/*}-$name"; fi; done <"$list"
  done
}

# ex_dir ID: the exercise's folder (chNN/exercises/NAME); dies on a bad id
ex_dir() {
  local ch=${1%%-*} name=${1#*-}
  # (grep reads all of ex_ids' output: with pipefail, grep -q would stop
  # early and ex_ids' broken pipe would count as "not found")
  if [[ ! $1 =~ ^ch[0-9][0-9]-[a-z0-9]+$ ]] || ! ex_ids | grep -x "$1" >/dev/null; then
    note "no exercise '$1'; ./workbook ex lists them"
    exit 2
  fi
  echo "$ch/exercises/$name"
}

# record_get FILE ID: the value after ID on its line in FILE ("" if none);
# record_set FILE ID VALUE...: that line, written anew
record_get() { awk -v id="$2" '$1 == id { v = $2 } END { print v }' "$1" 2>/dev/null || true; }
record_set() {
  local file=$1 id=$2; shift 2
  mkdir -p "$(dirname "$file")"
  { grep -v "^$id " "$file" 2>/dev/null || true; echo "$id $*"; } >"$file.new"
  mv "$file.new" "$file"
}

# ex_status ID: not started / failing / passed, from the progress file
ex_status() {
  local s
  s=$(record_get "$PROGRESS" "$1")
  case $s in
    passed) echo passed ;;
    failing) echo failing ;;
    *) echo "not started" ;;
  esac
}

# ex_record ID STATUS: note the outcome of a check in the progress file
ex_record() { record_set "$PROGRESS" "$1" "$2" "$(date +%F)"; }

# ex_list: every exercise with its title and the student's status
ex_list() {
  local id title
  printf '%-18s %-12s %s\n' EXERCISE STATUS TITLE
  for id in $(ex_ids); do
    title=$(head -n 1 "$(ex_dir "$id")/README.md" | sed 's/^# [^:]*: *//')
    printf '%-18s %-12s %s\n' "$id" "$(ex_status "$id")" "$title"
  done
  printf '\n./workbook ex check ID grades one; ./workbook ex hint ID gives a hint; ./workbook ex watch re-checks on save.\n'
}

# ex_program ID [--solution]: build the student's program (or the reference
# solution) and print its path. A compile error shows the compiler's first
# error and its context, and fails.
ex_program() {
  local dir target log
  dir=$(ex_dir "$1")
  target=$dir  # the target chNN/exercises/NAME (its meson.build is chNN/exercises/)
  if [ "${2:-}" = --solution ]; then
    [ -f "${dir%/*}/solutions/${dir##*/}.cpp" ] ||
      die "the reference solutions are not in this copy (the teacher left them out)"
    target=${dir%/*}/solutions/${dir##*/}
  fi
  log=$(mktemp)
  if ! compile "$target" >"$log" 2>&1; then
    printf 'FAILED: %s.cpp does not compile. The first error:\n' "$target" >&2
    grep -m 1 -B 2 -A 6 'error' "$log" | grep -v '^ninja\|^\[' >&2 || tail -n 20 "$log" >&2
    rm -f "$log"
    return 1
  fi
  rm -f "$log"
  echo "$B/$target"
}

# ex_check [--solution] ID: build, grade, record; exit 0 pass, 1 fail, 2 usage
ex_check() {
  local solution="" program status=0
  [ "${1:-}" = --solution ] && { solution=--solution; shift; }
  [ $# -eq 1 ] || { note "usage: ./workbook ex check [--solution] ID"; exit 2; }
  ex_dir "$1" >/dev/null
  if ! program=$(ex_program "$1" $solution); then
    [ -z "$solution" ] && ex_record "$1" failing
    return 1
  fi
  # (WORKBOOK_BUILD: the build whose programs and sandbox-exec the grader uses)
  WORKBOOK_BUILD=$B_ABS "$PY" tests/exercises/check.py "$1" "$program" || status=$?
  [ "$status" -eq 2 ] && exit 2
  if [ -z "$solution" ]; then
    if [ "$status" -eq 0 ]; then ex_record "$1" passed; else ex_record "$1" failing; fi
  fi
  return "$status"
}

# ex_hint ID [N]: the next hint not yet shown (or hint N)
ex_hint() {
  local dir seen n total
  if [ $# -lt 1 ] || [ $# -gt 2 ]; then note "usage: ./workbook ex hint ID [N]"; exit 2; fi
  dir=$(ex_dir "$1")
  total=$(grep -c '^## Hint ' "$dir/hints.md")
  seen=$(record_get "$HINTS_SEEN" "$1")
  seen=${seen:-0}
  if [ $# -eq 2 ]; then
    if ! [[ $2 =~ ^[0-9]+$ ]] || [ "$2" -lt 1 ] || [ "$2" -gt "$total" ]; then
      note "bad hint number '$2': $1 has hints 1 to $total"; exit 2
    fi
    n=$2
  else
    n=$((seen < total ? seen + 1 : total))
  fi
  awk -v n="$n" '/^## Hint / { on = ($3 == n) } on' "$dir/hints.md"
  if [ "$n" -ge "$total" ]; then
    printf '\n(That is the last hint, %s of %s.)\n' "$n" "$total"
  else
    printf '\n(Hint %s of %s; ./workbook ex hint %s shows the next.)\n' "$n" "$total" "$1"
  fi
  if [ "$n" -gt "$seen" ]; then record_set "$HINTS_SEEN" "$1" "$n"; fi
}

# ex_solution ID: the reference solution, once the exercise has passed
ex_solution() {
  local dir file
  [ $# -eq 1 ] || { note "usage: ./workbook ex solution ID"; exit 2; }
  dir=$(ex_dir "$1")
  file=${dir%/*}/solutions/${dir##*/}.cpp
  [ -f "$file" ] || die "the reference solutions were left out of this copy by the teacher"
  [ "$(ex_status "$1")" = passed ] ||
    die "$1 has not passed yet: ./workbook ex check $1 first (the solution is shown after a pass)"
  cat "$file"
}

# ex_run [--solution] ID ARGS...: run the student's program (or the solution) by hand
ex_run() {
  local solution="" program
  [ "${1:-}" = --solution ] && { solution=--solution; shift; }
  [ $# -ge 1 ] || { note "usage: ./workbook ex run [--solution] ID [ARGS...]"; exit 2; }
  program=$(ex_program "$1" $solution) || exit 1
  shift
  exec "$program" "$@"
}

# ex_watch [ID]: check on every save of the exercise's folder; Ctrl-C ends it
ex_watch() {
  local id=${1:-} dir stamp now
  if [ -z "$id" ]; then
    for id in $(ex_ids) ""; do
      [ -z "$id" ] || [ "$(ex_status "$id")" != passed ] && break
    done
    [ -n "$id" ] || { echo "Every exercise has passed."; return 0; }
  fi
  dir=$(ex_dir "$id")
  trap 'printf "\nStopped watching %s.\n" "$id"; exit 0' INT TERM
  local inotify=1
  command -v inotifywait >/dev/null || inotify=0
  while :; do
    if [ -t 1 ]; then clear; fi
    ex_check "$id" || true
    if [ "$inotify" -eq 1 ]; then
      printf '\nWatching %s for changes (Ctrl-C to stop).\n' "$dir"
      # -t: wake up now and then, so a vanished folder is noticed
      inotifywait -qq -r -t 600 -e close_write,moved_to,create,delete "$dir" 2>/dev/null
      case $? in
        0 | 2) continue ;;  # a change, or the time-out
        *) inotify=0; note "inotify does not work here; checking for changes once a second" ;;
      esac
    else
      printf '\nWatching %s for changes, polling once a second (Ctrl-C to stop).\n' "$dir"
    fi
    stamp=$(find "$dir" -type f -printf '%T@ %p\n' | sort | md5sum)
    while now=$(find "$dir" -type f -printf '%T@ %p\n' | sort | md5sum) && [ "$now" = "$stamp" ]; do
      sleep 1
    done
  done
}

# (the programs the graders run, and the sandbox's sandbox-exec)
EX_TARGETS=(programs tests/exercises/sandbox-exec)

ex() {
  local cmd=${1:-list}
  [ $# -gt 0 ] && shift
  case $cmd in
    list) ex_list ;;
    check) bootstrap; build "${EX_TARGETS[@]}"; ex_check "$@" ;;
    watch) bootstrap; build "${EX_TARGETS[@]}"; ex_watch "$@" ;;
    hint) ex_hint "$@" ;;
    solution) ex_solution "$@" ;;
    run) bootstrap; build "${EX_TARGETS[@]}"; ex_run "$@" ;;
    *) note "unknown: ex $cmd (ex, ex check, ex watch, ex hint, ex solution, ex run)"; exit 2 ;;
  esac
}

# ---------------------------------------------------------------- teacher

# teacher_options USAGE ARGS...: the one path (into TARGET) and --only
# ID,ID... (into ONLY, each id checked) that handout and autograder take
TARGET="" ONLY=""
teacher_options() {
  local usage=$1 id; shift
  while [ $# -gt 0 ]; do
    case $1 in
      --only) ONLY=${2:-}; [ -n "$ONLY" ] || { note "$usage"; exit 2; }; shift 2 ;;
      -*) note "$usage"; exit 2 ;;
      *) [ -z "$TARGET" ] || { note "$usage"; exit 2; }; TARGET=$1; shift ;;
    esac
  done
  [ -n "$TARGET" ] || { note "$usage"; exit 2; }
  for id in ${ONLY//,/ }; do ex_dir "$id" >/dev/null; done
}

# copy_for_students DIR [ID,ID...]: this tree as students may see it in
# DIR: the files git tracks (or, outside git, every file but builds), less
# the reference solutions and the known-wrong versions, and with only the
# exercises named (all, if none)
copy_for_students() {
  local dir=$1 only=${2:-} id
  mkdir -p "$dir"
  { git ls-files 2>/dev/null || find . -type f ! -path './build*' ! -path './.git/*' -printf '%P\n'; } |
    grep -v -E '^ch0[0-9]/exercises/solutions/|^tests/exercises/wrong/|^\.workbook/' |
    tar -cf - -T - | tar -xf - -C "$dir"
  [ -n "$only" ] || return 0
  for id in $(ex_ids); do
    [[ ,$only, == *",$id,"* ]] && continue
    rm -rf "${dir:?}/${id%%-*}/exercises/${id#*-}" "$dir/tests/exercises/grade_${id//-/_}.py"
    sed -i "/^${id#*-}\$/d" "$dir/${id%%-*}/exercises/list"
  done
}

# handout DIR [--only ID,ID...]: a copy for students, without the reference
# solutions and the known-wrong versions (in the files and in git), as a
# fresh git repository
handout() {
  teacher_options "usage: ./workbook handout DIR [--only ID,ID...]" "$@"
  local dir=$TARGET
  [ ! -e "$dir" ] || [ -z "$(ls -A "$dir")" ] || die "$dir exists and is not empty"
  copy_for_students "$dir" "$ONLY"
  (cd "$dir" && git init -q && git add -A &&
    git -c user.name=workbook -c user.email=workbook@localhost commit -qm "Exercises handed out")
  echo "Handout written to $dir: $(cd "$dir" && ex_ids | wc -l) exercises, no solutions."
}

# autograder OUT.zip [--only ID,ID...]: a Gradescope autograder. The zip
# holds setup.sh (Gradescope runs it once, as root, to build its image: the
# workbook's packages and build), run_autograder (run for each submission:
# grades /autograder/submission in the sandbox into
# /autograder/results/results.json; AUTOGRADER_ROOT names another root, for
# trying it here) and workbook/, this tree without the solutions.
autograder() {
  teacher_options "usage: ./workbook autograder OUT.zip [--only ID,ID...]" "$@"
  local out=$TARGET stage
  case $out in *.zip) ;; *) note "usage: ./workbook autograder OUT.zip [--only ID,ID...]"; exit 2 ;; esac
  [ -d "$(dirname "$out")" ] || die "no folder $(dirname "$out") for $out"
  stage=$(mktemp -d)
  copy_for_students "$stage/workbook" "$ONLY"
  (cd "$stage/workbook" && ex_ids | tr '\n' ' ') >"$stage/ids"
  cat >"$stage/setup.sh" <<'SETUP'
#!/usr/bin/env bash
# Gradescope runs this once, as root, to make the autograder's image: the
# workbook installs its Debian/Ubuntu packages (apt-get) and builds what
# grading its exercises needs (the programs their graders run, the
# libraries the exercises link with).
set -euo pipefail
cd "$(dirname "$0")/workbook"
unset WORKBOOK_SANITIZE WORKBOOK_BUILD_DIR  # the plain build, in build/, which run_autograder uses
./workbook grade --prepare
SETUP
  cat >"$stage/run_autograder" <<'RUN'
#!/usr/bin/env bash
# Gradescope runs this for each submission: the workbook grades
# /autograder/submission (each program in its sandbox) and writes
# /autograder/results/results.json. AUTOGRADER_ROOT: another root than
# /autograder, to try it elsewhere.
set -euo pipefail
root=${AUTOGRADER_ROOT:-/autograder}
cd "$root/source/workbook"
mkdir -p "$root/results"
exec /usr/bin/python3 tests/exercises/grade_all.py --single "$root/submission" "$(cat ../ids)" \
  --out "$root/results" --build build
RUN
  chmod 755 "$stage/setup.sh" "$stage/run_autograder"
  local ids zip
  ids=$(cat "$stage/ids")
  zip="$(cd "$(dirname "$out")" && pwd)/$(basename "$out")"
  rm -f "$zip"
  (cd "$stage" && "$PY" -m zipfile -c "$zip" setup.sh run_autograder ids workbook)
  rm -rf "$stage"
  echo "Gradescope autograder written to $out; it grades $ids"
}

# grade SUBMISSIONS_DIR [-j N] [--out DIR] [--only ID,...]: grade every
# student's copy with this copy's graders, each program in the sandbox
# (tests/exercises/grade_all.py says how)
grade() {
  local usage="usage: ./workbook grade SUBMISSIONS_DIR [-j N] [--out DIR] [--only ID,ID...]
       ./workbook grade --prepare [--only ID,ID...]   (build what grading needs, and stop)"
  local subs="" only="" options=() id prepare=""
  while [ $# -gt 0 ]; do
    case $1 in
      --prepare) prepare=1; shift ;;
      -j | --out) [ $# -ge 2 ] || { note "$usage"; exit 2; }; options+=("$1" "$2"); shift 2 ;;
      --only) [ -n "${2:-}" ] || { note "$usage"; exit 2; }; only=$2; shift 2 ;;
      -*) note "$usage"; exit 2 ;;
      *) [ -z "$subs" ] || { note "$usage"; exit 2; }; subs=$1; shift ;;
    esac
  done
  if [ -n "$prepare" ]; then
    if [ -n "$subs" ] || [ ${#options[@]} -gt 0 ]; then note "$usage"; exit 2; fi
  elif [ -z "$subs" ] || [ ! -d "$subs" ]; then note "$usage"; exit 2; fi
  local ids=${only//,/ }
  for id in $ids; do ex_dir "$id" >/dev/null; done
  [ -n "$ids" ] || ids=$(ex_ids | tr '\n' ' ')
  [ -z "$prepare" ] || exec "$PY" tests/exercises/grade_all.py --prepare "$ids" --build "$B_ABS"
  "$PY" tests/exercises/grade_all.py "$subs" "$ids" --build "$B_ABS" "${options[@]}"
}
