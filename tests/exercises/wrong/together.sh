#!/bin/sh
# tests/exercises/wrong/together.sh OUT ID FILE...: writes OUT, one C++
# program that holds every known-wrong version of exercise ID. Each FILE is
# a version (ID-WHAT.cpp, the solution with its patch applied, as the build
# makes it); in OUT each is #included into a namespace of its own,
# wrong_WHAT, and OUT's main() runs the version named by the last part of
# argv[0]. The build gives the program one name per version (a hard link,
# ID-WHAT), so a grader runs each as before.
#
# Why (#17): the versions of an exercise are one solution with one mistake
# each. Compiled apart, each compile parsed the same headers and made the
# same templates again; compiled together they take about a third of the
# time (52 compiles of 1.3 s became 13 of 1.1 s).
#
# Every header the versions include comes first, outside the namespaces:
# inside one, a version's own #include lines then add nothing (the headers
# were read once already).
set -eu
out=$1
id=$2
shift 2
{
  echo "// $(basename "$out"): every known-wrong version of $id in one program."
  echo "// Written by tests/exercises/wrong/together.sh at each build; do not edit."
  grep -h '^#include <' "$@" | sort -u
  grep -h '^#include "' "$@" | sort -u
  echo '#include <cstdio>'
  echo '#include <string_view>'
  dispatch=""  # main()'s lines, one for each version
  names=""
  for file in "$@"; do
    name=$(basename "$file" .cpp)
    what=${name#"$id"-}
    case $what in
      *[!a-z0-9_]* | '') echo "together.sh: '$file' is not $id-WHAT.cpp (WHAT: a-z, 0-9, _)" >&2; exit 1 ;;
    esac
    printf '\nnamespace wrong_%s {\n#include "%s"\n}  // namespace wrong_%s\n' "$what" "$name.cpp" "$what"
    dispatch="$dispatch    if (called == \"$name\") return wrong_$what::main(argc, argv);
"
    names="$names${names:+ }$name"
  done
  printf '\nint main(int argc, char* argv[]) {\n'
  printf '    std::string_view called = argc > 0 ? argv[0] : "";\n'
  printf '    called.remove_prefix(called.find_last_of(%s) + 1);  // (npos + 1 is 0)\n' "'/'"
  printf '%s' "$dispatch"
  printf '    std::fprintf(stderr, "%%s: run me as one of: %s\\n", argc > 0 ? argv[0] : "?");\n' "$names"
  printf '    return 2;\n}\n'
} >"$out.new"
mv "$out.new" "$out"
