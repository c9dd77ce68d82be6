"""./workbook grade SUBMISSIONS_DIR: grade every student's copy.

    grade_all.py SUBMISSIONS_DIR "ID ID ..." [-j N] [--out DIR] [--build DIR] [--cache DIR]
    grade_all.py --single SUBMISSION "ID ID ..." --out DIR [--build DIR]
    grade_all.py --prepare "ID ID ..." [--build DIR]

SUBMISSIONS_DIR holds one folder per student: a copy of the handout, or
just the exercise files (chNN/exercises/NAME/NAME.cpp, or NAME.cpp
anywhere in the folder). A student's code is code nobody has read, so:

- the submissions are input only: each student's exercise files are copied
  out before anything runs, and nothing is written into a student's folder
  but that student's results.json at the end (with --out, nothing at all:
  grades.csv and the results go there);
- every compile and every run of a student's program happens in the
  sandbox (sandbox.py): an unprivileged uid, a copy of this tree without
  the solutions, the graders and this tree's build, no other student's
  files, its own PID namespace, limits; the graders stay outside, each
  exercise in a private network namespace of its own;
- the programs the graders use (this tree's build: each grader names them
  as prog("chNN/NAME")) and the libraries the exercises link with are built
  first, once, and nothing else; if this tree does not build, nothing is
  graded and the first error is shown. --prepare builds them and stops
  (the Gradescope autograder's setup.sh).

Students are graded side by side (-j N exercises at a time; the default is
four times the cores, enough to keep them busy: a grader mostly waits, a
compile does not); the results do not depend on N. Writes grades.csv
(student, one column per exercise with "pass" or "fail: ...", total) and
each student's results.json in Gradescope's autograder format, and prints
a table. On a terminal a progress line
says how far it is. --single grades one student's folder (Gradescope's
/autograder/submission) into DIR/results.json alone; when there is no
sandbox, that results.json says so. Compiles are kept (CompileCache) in
the build's grading-cache/, or in --cache DIR.
"""

import concurrent.futures
import csv
import fcntl
import hashlib
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCE = HERE.parents[1]
sys.path.insert(0, str(HERE))
import sandbox  # noqa: E402

CHECK = HERE / "check.py"
BUILD_TIMEOUT = 120  # seconds, for one exercise's compile
GRADE_TIMEOUT = 180  # seconds, for one exercise's grader
OUTPUT_CAP = 256 << 10  # bytes of a grader's report kept
SOURCE_CAP = 1 << 20  # bytes: a bigger "source file" is not taken
# The environment of a compile: nothing of the teacher's
COMPILE_ENV = {"PATH": sandbox.PATH, "LANG": "C.UTF-8"}
CACHE_ENTRIES = 1000  # compiles kept (CompileCache), about 0.5 MB each: a class of 60, 13 exercises each
# What a student's compile must not see of this tree: the reference
# solutions, the graders and their known-wrong versions, any build, git.
HIDDEN = re.compile(r"^(ch\d\d/exercises/solutions/|tests/exercises/|build|\.git/|\.workbook/)")
USAGE = ("usage: grade_all.py [--single] SUBMISSIONS_DIR 'ID ID ...' [-j N] [--out DIR] [--build DIR]"
         " [--cache DIR]\n"
         "       grade_all.py --prepare 'ID ID ...' [--build DIR]")


def bounded(cmd, timeout, cwd=None, env=None):
    """Runs cmd in its own process group; returns (status or None when it
    ran out of time, output cut at OUTPUT_CAP). The group is killed at the end."""
    with tempfile.TemporaryFile() as out:
        p = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=subprocess.STDOUT,
                             stdin=subprocess.DEVNULL, start_new_session=True, env=env)
        try:
            status = p.wait(timeout)
        except subprocess.TimeoutExpired:
            status = None
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        p.wait()
        out.seek(0)
        text = out.read(OUTPUT_CAP).decode(errors="replace")
    return status, text


def private_network(cmd):
    """cmd inside a new network namespace with only lo (a user namespace
    too, for a normal user)."""
    user = [] if os.geteuid() == 0 else ["-r"]
    return ["unshare", *user, "-n", "sh", "-c", 'ip link set lo up && exec "$@"', "sh", *map(str, cmd)]


def first_error(log):
    """The compiler's first error and a few lines after it."""
    lines = log.splitlines()
    for i, line in enumerate(lines):
        if "error" in line and not line.startswith(("ninja", "[")):
            return "\n".join(lines[i:i + 6])
    return "\n".join(lines[-15:])


def source_of(folder, ex_id):
    """The student's file for ex_id: chNN/exercises/NAME/NAME.cpp, or else
    the one NAME.cpp anywhere in the folder (a Gradescope upload); a
    regular file in the folder, not a link, of at most SOURCE_CAP bytes.
    None if there is no such file."""
    laid_out = folder / student_file(ex_id)
    found = [laid_out] if laid_out.is_file() else sorted(folder.rglob(laid_out.name))
    for path in found:
        # (inside the folder: a linked folder could lead to another student's)
        if (path.is_file() and not path.is_symlink() and path.resolve().is_relative_to(folder.resolve())
                and path.stat().st_size <= SOURCE_CAP):
            return path
    return None


PCH = "pch/workbook_pch.hpp.gch"  # the build's precompiled standard headers (pch/meson.build)


def faster(command, pch, as_deps=False):
    """A compile command of this tree's build, made cheaper for grading
    (the compile is most of grading's work): it starts from the build's
    precompiled standard headers (`pch`: mounted at /pch), and makes no
    debug information unless the build has sanitizers (whose reports show
    source lines). The program is the same; a student's missing #include
    may go unnoticed here, where ./workbook ex check (no precompiled
    headers) reports it. Without -Winvalid-pch a .gch that does not fit
    is only slower: GCC then reads the empty header beside it. With
    `as_deps` (GNU as) the assembler writes the files it read too (an
    .incbin's), beside the compiler's list: -MF FILE, FILE.as."""
    if " -c " not in command:
        return command  # the link
    command = command.replace(" -Winvalid-pch", "")
    if "-fsanitize" not in command:
        command = command.replace(" -g ", " ")
    if pch:
        compiler, rest = command.split(" ", 1)
        command = f"{compiler} -I/pch -include workbook_pch.hpp {rest}"
    depfile = depfile_of(command)
    if as_deps and depfile:
        command = command.replace(" -c ", f" -Wa,--MD,{depfile}.as -c ", 1)
    return command


def depfile_of(command):
    """Where a compile command writes its dependency list (-MF FILE), or None."""
    found = re.search(r" -MF (\S+)", command)
    return found.group(1) if found else None


def gnu_as(compiler):
    """Whether `compiler` assembles with GNU as (which can list the files
    it read: --MD)."""
    r = subprocess.run([compiler, "-Wa,--version", "-c", "-x", "c", "/dev/null", "-o", "/dev/null"],
                       capture_output=True, text=True)
    return "GNU assembler" in r.stdout + r.stderr


class Kit:
    """What a student's compile sees, made once from this tree: `src`, a
    copy of the tree less HIDDEN; `build`, the libraries the exercises link
    with, prebuilt; `pch`, the build's precompiled standard headers; and for
    each exercise the compile and link commands this tree's build uses
    (ninja's own, made faster()), run in the student's build folder."""

    def __init__(self, root, build, ids, cache=None):
        self.src = root / "src"
        self.build = root / "build"
        self.pch = root / "pch"
        self.commands = {}
        self.cache = CompileCache(cache or Path(build) / "grading-cache")
        self.reused = []
        # what every compile depends on besides the student's file, for the
        # cache: the names of the tree's files (a new one may come first on
        # an include path), the build's files (as ninja tells them apart),
        # the grading code, the installed packages (the compiler, the
        # system's headers and libraries); and each file's bytes as copied
        # (hashes), of which a compile's manifest names those it read
        self.hashes = {}
        depends = [(f, hashlib.sha256((HERE / f).read_bytes()).hexdigest())  # (a copy's are the same)
                   for f in ("grade_all.py", "sandbox.py")]
        depends.append(stamp("/var/lib/dpkg/status"))
        r = subprocess.run(["git", "-C", SOURCE, "ls-files"], capture_output=True, text=True)
        files = r.stdout.splitlines() if r.returncode == 0 and r.stdout else [
            str(p.relative_to(SOURCE)) for p in SOURCE.rglob("*") if p.is_file()]
        for f in files:
            if not HIDDEN.match(f) and (SOURCE / f).is_file():
                copy_readable(SOURCE / f, self.src / f)
                self.hashes[f] = hashlib.sha256((self.src / f).read_bytes()).hexdigest()  # the copy's
        depends.append(sorted(self.hashes))
        # (the precompiled headers, where the build makes them: GCC, b_pch)
        has_pch = PCH in ninja(build, "-t", "targets", "all")
        prebuilt = set()
        for ex_id in ids:
            target = exercise_target(ex_id)
            own = target + ".p/"
            inputs = ninja(build, "-t", "inputs", target).split()
            prebuilt |= {i for i in inputs if not i.startswith(("../", "/", own))}
            # the exercise's own steps (its compile and link), in order
            self.commands[ex_id] = [c.replace("-fdiagnostics-color=always", "-fdiagnostics-color=never")
                                    for c in ninja(build, "-t", "commands", target).splitlines()
                                    if target in c]
        compilers = {c.split(" ", 1)[0] for cs in self.commands.values() for c in cs}
        self.as_deps = all(gnu_as(c) for c in compilers)
        for ex_id, commands in self.commands.items():
            self.commands[ex_id] = [faster(c, has_pch, self.as_deps) for c in commands]
        (self.src / "build").mkdir()  # where the student's build folder is mounted
        built = subprocess.run(["ninja", "-C", build, *sorted(prebuilt), *([PCH] if has_pch else [])],
                               capture_output=True, text=True)
        if built.returncode != 0:
            raise BuildError(first_error(built.stdout + built.stderr))
        for f in prebuilt:
            copy_readable(Path(build) / f, self.build / f)
            depends.append(stamp(Path(build) / f))
        self.pch.mkdir()
        if has_pch:
            for f in (PCH, PCH.removesuffix(".gch")):
                copy_readable(Path(build) / f, self.pch / Path(f).name)
                depends.append(stamp(Path(build) / f))
        depends += [stamp(shutil.which(c, path=sandbox.PATH) or c) for c in sorted(compilers)]
        self.inputs = hashlib.sha256(repr(sorted(map(repr, depends))).encode()).hexdigest()
        self.tree = hashlib.sha256(repr(sorted(self.hashes.items())).encode()).hexdigest()
        make_traversable(root)

    def compile(self, ex_id, source, build_dir):
        """Compiles `source` as ex_id in the sandbox, in build_dir (the
        student's, the one writable place), unless the cache has made this
        same compile before; returns (program or None, log). Kit.reused
        lists, compile by compile, whether it was the cache's."""
        target = exercise_target(ex_id)
        source_hash = hashlib.sha256(Path(source).read_bytes()).hexdigest()
        key = hashlib.sha256(repr([self.inputs, self.commands[ex_id], source_hash]).encode()).hexdigest()
        made = self.cache.get(key, build_dir / target, self.unchanged)
        self.reused.append(made is not None)
        if made is not None:
            return made
        for depfile in self.depfiles(ex_id, build_dir):
            depfile.unlink(missing_ok=True)  # (only this compile's lists count)
        program, log, finished = self._compile(ex_id, source, build_dir)
        if finished:
            self.cache.put(key, program, log, self.manifest(ex_id, build_dir, program is not None))
        return program, log

    def manifest(self, ex_id, build_dir, compiled):
        """The tree's files the compile of ex_id read, as [path, hash]
        pairs: those its dependency lists (the compiler's, -MF, and the
        assembler's, in the student's build folder) name below /workbook,
        less the student's own file (its hash is in the key) and the
        student's build folder. The whole tree, ["*", Kit.tree], when that
        cannot be known: a list missing (GCC writes none after a fatal
        error, such as an #include of no file; a compiler other than GCC
        makes no assembler's list; a compile that failed may have stopped
        before the assembler), or a file named that is not the tree's,
        the system's (/usr: the installed packages, in the key), the
        precompiled headers' (/pch, in the key) or the compiler's own
        (/tmp, the sandbox's: empty when the compile starts), such as the
        tree through another path (/proc/self/root/workbook/...)."""
        depfiles = self.depfiles(ex_id, build_dir)
        whole = [["*", self.tree]]
        if len(depfiles) < 2:
            return whole  # (no -MF, or no assembler's list: not GNU as)
        read = set()
        for depfile in depfiles:
            try:
                text = depfile.read_text()
            except OSError:
                if depfile == depfiles[-1] and not compiled:
                    continue  # (stopped before assembling: the assembler read nothing)
                return whole
            # make's syntax: "object: dependency ...", lines joined by "\",
            # a space in a name written "\ " (and "$" as "$$")
            body = re.split(r":(?:\s|$)", text.replace("\\\n", " "), maxsplit=1)[-1]
            for word in re.findall(r"(?:\\.|[^\s\\])+", body):
                dep = re.sub(r"\\(.)", r"\1", word).replace("$$", "$")
                path = os.path.normpath(os.path.join("/workbook/build", dep))
                if path.startswith(("/usr/", "/pch/", "/tmp/", "/workbook/build/")):
                    continue
                if not path.startswith("/workbook/"):
                    return whole
                read.add(path[len("/workbook/"):])
        read.discard(student_file(ex_id))
        if not read <= self.hashes.keys():
            return whole  # (not a file of the tree: a folder, say)
        return [[f, self.hashes[f]] for f in sorted(read)]

    def depfiles(self, ex_id, build_dir):
        """Where the compile of ex_id writes its dependency lists: the
        compiler's (-MF FILE) and, with GNU as, the assembler's (FILE.as)."""
        depfile = depfile_of(" ".join(self.commands[ex_id]))
        if not depfile:
            return []
        return [build_dir / depfile] + ([build_dir / f"{depfile}.as"] if self.as_deps else [])

    def unchanged(self, manifest):
        """Whether each file a kept compile read is the same in this kit."""
        return all((h == self.tree) if f == "*" else (self.hashes.get(f) == h) for f, h in manifest)

    def _compile(self, ex_id, source, build_dir):
        target = exercise_target(ex_id)
        script = " && ".join([f"mkdir -p {shlex.quote(target + '.p')}", *self.commands[ex_id]])
        binds = ["--ro-bind", str(self.src), "/workbook", "--bind", str(build_dir), "/workbook/build",
                 "--ro-bind", str(self.pch), "/pch",
                 "--ro-bind", str(source), f"/workbook/{student_file(ex_id)}"]
        cmd = sandbox.bwrap(binds, ["/bin/sh", "-c", script], sandbox.COMPILE_LIMITS, network=False,
                            cwd="/workbook/build")
        # (none of the teacher's environment: what a compile makes, and
        # the language of its errors, depend on nothing CompileCache's key
        # leaves out: CPATH, LANG, ...)
        status, log = bounded(cmd, BUILD_TIMEOUT, env=COMPILE_ENV)
        program = build_dir / target
        if status == 0 and program.is_file() and not program.is_symlink():
            return program, log, True
        if status is None:
            return None, f"the compile ran out of time ({BUILD_TIMEOUT} s)", False
        # the compiler's own verdict, not the sandbox's or the machine's
        # trouble (bwrap, a limit, a full disk): only that is kept
        verdict = status == 1 and re.search(r"^\S+: (fatal )?error: ", log, re.M) and "bwrap:" not in log
        return None, log, bool(verdict)


def stamp(path):
    """What tells one version of a file from another without reading it
    (as ninja tells): its path, size and modification time."""
    try:
        st = os.stat(path)
    except OSError:
        return str(path), -1, -1  # (no such file: a compile that needs it fails, and says so)
    return str(path), st.st_size, st.st_mtime_ns


class CompileCache:
    """The compiles grading has made, kept in the teacher's build folder
    (grading-cache/, which the sandbox never sees; --cache DIR names
    another), named by a hash of what every compile depends on (the
    student's file, the compile commands, Kit.inputs: the names of the
    tree's files, the build's files, the grading code, the installed
    packages) and, beside it, of the tree's files this compile read (its
    manifest: the files the compiler's and the assembler's dependency lists
    name, with their hashes; ccache's "direct mode"; Kit.manifest). Grading
    a class again after a grader changed, or after a change to files no
    compile reads (a README, a test, another chapter), or a file handed in
    twice, compiles nothing already compiled; a change to a header a
    compile read compiles it afresh. Where the lists cannot say (one is
    missing, or names a file outside the tree, /usr and /pch), the
    manifest is the whole tree. A compiler's error is kept too (its log is
    the result); a compile that ran out of time, or that the sandbox or
    the machine stopped, is not. At most CACHE_ENTRIES are kept, the least
    recently used go first. Delete the folder to start afresh."""

    def __init__(self, folder):
        self.dir = Path(folder)

    def get(self, key, program, unchanged):
        """(program, log) for a compile made before whose manifest still
        holds (`unchanged(manifest)`), its program copied to `program`;
        (None, log) for one that failed; None if not made."""
        try:
            for entry in sorted(self.dir.glob(f"{key}-*")):
                if unchanged(json.loads((entry / "manifest").read_text())):
                    break
            else:
                return None
            compiled = (entry / "compiled").read_text() == "yes"
            log = (entry / "log").read_text()
            if compiled:
                # (into the student's build folder, where only a compiler
                # has written: no link there)
                shutil.copyfile(entry / "program", program)
                program.chmod(0o755)
                give_to_sandbox(program)
            os.utime(entry)  # recently used
        except (OSError, ValueError):
            return None  # not there (or evicted while read): compile it
        return (program if compiled else None), log

    def put(self, key, program, log, manifest):
        try:
            self.dir.mkdir(mode=0o700, parents=True, exist_ok=True)
            new = Path(tempfile.mkdtemp(dir=self.dir, prefix=".new-"))
            if program is not None:
                shutil.copyfile(program, new / "program")
            (new / "log").write_text(log)
            (new / "manifest").write_text(json.dumps(manifest))
            (new / "compiled").write_text("yes" if program is not None else "no")  # written last
            try:
                digest = hashlib.sha256(json.dumps(manifest).encode()).hexdigest()[:16]
                new.rename(self.dir / f"{key}-{digest}")  # whole, or not at all
            except OSError:
                shutil.rmtree(new, ignore_errors=True)  # another grading kept it first
            self.evict()
        except OSError:
            pass  # a cache that cannot be written only costs the next compile

    def evict(self):
        """Past CACHE_ENTRIES, the least recently used go (renamed first, so
        that a grading reading one sees it whole or not at all); so does
        what an interrupted grading left half made, after an hour, and
        entries of the cache's first kind (named by the key alone, with no
        manifest: never found now)."""
        entries, first_kind, now = [], [], time.time()
        for e in self.dir.iterdir():
            if e.name.startswith("."):
                if now - e.stat().st_mtime > 3600:
                    shutil.rmtree(e, ignore_errors=True)
            elif "-" in e.name:
                entries.append((e.stat().st_mtime_ns, e))
            else:
                first_kind.append(e)
        for old in first_kind + [e for _, e in sorted(entries)[:-CACHE_ENTRIES]]:
            gone = old.with_name(f".old-{old.name}")
            old.rename(gone)
            shutil.rmtree(gone, ignore_errors=True)


class BuildError(Exception):
    """This (the teacher's) tree does not build."""


def exercise_target(ex_id):
    chapter, name = ex_id.split("-", 1)
    return f"{chapter}/exercises/{name}"


def student_file(ex_id):
    """The student's file for ex_id, relative to a tree or a submission:
    chNN/exercises/NAME/NAME.cpp."""
    return f"{exercise_target(ex_id)}/{ex_id.split('-', 1)[1]}.cpp"


def ninja(build, *args):
    return subprocess.run(["ninja", "-C", build, *args], capture_output=True, text=True, check=True).stdout


def copy_readable(src, dest):
    """Copies a file so that the sandbox's uid can read it (and run it, if
    it was executable), making its folders as needed."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dest)
    os.chmod(dest, 0o755 if os.access(src, os.X_OK) else 0o644)


def make_traversable(top):
    """Every folder below `top` (and top) readable and searchable by all:
    the sandbox's uid reads the kit through them."""
    for d, _, _ in os.walk(top):
        os.chmod(d, 0o755)


def give_to_sandbox(path):
    """As root, the sandbox runs as nobody: its build folder (or a file
    in it) is nobody's."""
    if sandbox.real_root():
        os.lchown(path, sandbox.NOBODY, sandbox.NOBODY)
        for d, dirs, files in os.walk(path):
            for n in dirs + files:
                os.lchown(os.path.join(d, n), sandbox.NOBODY, sandbox.NOBODY)


class Student:
    """One student: their files (copied out), their build folder, results."""

    def __init__(self, number, folder, ids, work, kit):
        self.name = folder.name
        self.dir = work / "students" / str(number)
        self.results = {}
        self.sources = {}
        for ex_id in ids:
            found = source_of(folder, ex_id)
            if found is None:
                self.results[ex_id] = (False, f"no {student_file(ex_id)} in the submission", "", 0.0)
                continue
            copy = self.dir / "src" / f"{ex_id}.cpp"
            copy_readable(found, copy)
            self.sources[ex_id] = copy
        self.build = self.dir / "build"
        shutil.copytree(kit.build, self.build)
        for ex_id in self.sources:  # (each program's folder, there before a compile or a cached one)
            (self.build / exercise_target(ex_id)).parent.mkdir(parents=True, exist_ok=True)
        make_traversable(self.dir)
        give_to_sandbox(self.build)


def grade_one(student, ex_id, kit, build, work):
    """Compiles and grades one exercise of one student; returns
    (passed, short reason, output, seconds)."""
    start = time.monotonic()
    program, log = kit.compile(ex_id, student.sources[ex_id], student.build)
    if program is None:
        reason = "does not compile" if "ran out of time" not in log else "the compile ran out of time"
        return False, reason, first_error(log), time.monotonic() - start
    # (a short path: the graders' servers put Unix sockets in it, and a
    # socket's path has at most 107 bytes)
    tmp = sandbox.workdir("c", work)
    report = tmp / "report.json"
    env = {**os.environ, "TMPDIR": str(tmp), "WORKBOOK_BUILD": str(build)}
    status, out = bounded(private_network([sys.executable, CHECK, ex_id, program, "--sandbox",
                                           "--json", report]), GRADE_TIMEOUT, env=env)
    stages = json.loads(report.read_text())["stages"] if report.exists() else []
    shutil.rmtree(tmp, ignore_errors=True)
    failed = next((s for s in stages if s["status"] != "passed"), None)
    took = time.monotonic() - start
    if status == 0:
        return True, "pass", out, took
    if status is None:
        return False, f"the grader ran out of time ({GRADE_TIMEOUT} s)", out, took
    if failed:
        return False, f"stage {failed['number']} ({failed['title']})", out, took
    return False, "the grader did not finish", out, took


def results_json(ids, results, seconds):
    """Gradescope's results.json: a test per exercise (name, score,
    max_score, status, output), the score and the execution time."""
    tests = [{"name": ex_id, "score": 1 if ok else 0, "max_score": 1,
              "status": "passed" if ok else "failed", "visibility": "visible",
              "output": f"{'pass' if ok else 'fail: ' + reason}\n\n{out}"}
             for ex_id in ids for ok, reason, out, _ in [results[ex_id]]]
    return {"score": sum(t["score"] for t in tests), "execution_time": round(seconds, 1), "tests": tests}


class Progress:
    """`graded 12/60 students, 3 failing builds` on one line, on a terminal only."""

    def __init__(self, students):
        self.left = {s.name: len(s.sources) for s in students}
        self.total = len(students)
        self.failing_builds = set()
        self.lock = threading.Lock()
        self.show = sys.stderr.isatty()
        self.done(None, None)

    def done(self, student, reason):
        with self.lock:
            if student is not None:
                self.left[student.name] -= 1
                if reason in ("does not compile", "the compile ran out of time"):
                    self.failing_builds.add(student.name)
            if self.show:
                graded = sum(1 for n in self.left.values() if n == 0)
                builds = len(self.failing_builds)
                print(f"\rgraded {graded}/{self.total} students, {builds} failing build{'s' * (builds != 1)}",
                      end="", file=sys.stderr, flush=True)

    def end(self):
        if self.show:
            print(file=sys.stderr)


def programs_used(ids):
    """The programs of this tree that the graders of `ids` run: each grader
    names them as prog("chNN/NAME"). Grading builds these, not every program."""
    used = set()
    for ex_id in ids:
        grader = (HERE / f"grade_{ex_id.replace('-', '_')}.py").read_text()
        used |= set(re.findall(r'\bprog\("([^"]+)"\)', grader))
    return sorted(used)


def prepare(build, ids, work, cache=None):
    """Builds what grading `ids` needs from this tree (programs_used, the
    sandbox's sandbox-exec, the exercises' libraries) and makes the Kit in
    `work`; raises BuildError with the first compiler error if this tree
    does not build."""
    # (one build at a time in a build folder, as ./workbook's build takes it)
    with open(Path(build) / ".workbook-build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        made = subprocess.run(["ninja", "-C", build, *programs_used(ids), sandbox.EXEC_TARGET],
                              capture_output=True, text=True)
        if made.returncode != 0:
            raise BuildError(first_error(made.stdout + made.stderr))
        return Kit(work / "kit", build, ids, cache)


def grade(subs, ids, jobs, out_dir, build, single=False, cache=None):
    folders = [subs] if single else sorted(p for p in subs.iterdir() if p.is_dir() and not p.name.startswith("."))
    if not folders:
        print(f"grade: no student folders in {subs}", file=sys.stderr)
        return 2
    ok, why = sandbox.available()
    if not ok:
        why = f"students' code runs only in the sandbox, and there is none here: {why}"
        if single:  # Gradescope shows the student (and the teacher) results.json
            out_dir.mkdir(parents=True, exist_ok=True)
            (out_dir / "results.json").write_text(json.dumps({"score": 0, "output": f"Not graded: {why}.",
                                                              "tests": []}, indent=1))
        print(f"grade: {why}", file=sys.stderr)
        return 1
    started = time.monotonic()
    work = sandbox.workdir("workbook-grade-")
    try:
        try:
            kit = prepare(build, ids, work, cache)
        except BuildError as e:
            print(f"grade: this tree does not build, so nothing was graded. The first error:\n{e}", file=sys.stderr)
            return 1
        students = [Student(n, f, ids, work, kit) for n, f in enumerate(folders)]
        progress = Progress(students)
        with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
            futures = {pool.submit(grade_one, s, ex_id, kit, build, work): (s, ex_id)
                       for s in students for ex_id in s.sources}
            for future in concurrent.futures.as_completed(futures):
                student, ex_id = futures[future]
                student.results[ex_id] = future.result()
                progress.done(student, student.results[ex_id][1])
        progress.end()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    out_dir.mkdir(parents=True, exist_ok=True)
    for s in students:
        target = out_dir if single else out_dir / s.name
        target.mkdir(exist_ok=True)
        seconds = sum(r[3] for r in s.results.values())
        (target / "results.json").write_text(json.dumps(results_json(ids, s.results, seconds), indent=1))
    if single:
        return 0
    with open(out_dir / "grades.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["student", *ids, "total"])
        for s in students:
            cells = ["pass" if s.results[i][0] else "fail: " + s.results[i][1] for i in ids]
            w.writerow([s.name, *cells, sum(s.results[i][0] for i in ids)])
    width = max(len(s.name) for s in [*students]) + 2
    width = max(width, len("student") + 2)
    print("student".ljust(width) + "  ".join(i.ljust(16) for i in ids) + "  total")
    for s in students:
        print(s.name.ljust(width) + "  ".join(("pass" if s.results[i][0] else "FAIL").ljust(16) for i in ids)
              + f"  {sum(s.results[i][0] for i in ids)}/{len(ids)}")
    reused = sum(kit.reused)
    print(f"\n{len(students)} students graded in {time.monotonic() - started:.0f} s ({jobs} at a time;"
          f" {reused} of {len(kit.reused)} compiles reused from an earlier grading).")
    print(f"Written: {out_dir / 'grades.csv'} and each student's results.json")
    return 0


def main(argv):
    args = argv[1:]
    options = {"-j": str(4 * (os.cpu_count() or 1)), "--out": None, "--build": str(SOURCE / "build"),
               "--cache": None}
    positional = []
    single, only_prepare = "--single" in args, "--prepare" in args
    for flag in ("--single", "--prepare"):
        if flag in args:
            args.remove(flag)
    while args:
        a = args.pop(0)
        if a in options and args:
            options[a] = args.pop(0)
        elif a.startswith("-"):
            print(USAGE, file=sys.stderr)
            return 2
        else:
            positional.append(a)
    build = str(Path(options["--build"]).resolve())
    if only_prepare:
        if len(positional) != 1 or single:
            print(USAGE, file=sys.stderr)
            return 2
        work = sandbox.workdir("workbook-grade-")
        try:
            prepare(build, positional[0].split(), work)
        except BuildError as e:
            print(f"grade: this tree does not build. The first error:\n{e}", file=sys.stderr)
            return 1
        finally:
            shutil.rmtree(work, ignore_errors=True)
        return 0
    if (len(positional) != 2 or not options["-j"].isdigit() or int(options["-j"]) < 1
            or (single and not options["--out"])):
        print(USAGE, file=sys.stderr)
        return 2
    subs = Path(positional[0]).resolve()
    if not subs.is_dir():
        print(f"grade: no folder {subs}", file=sys.stderr)
        return 2
    out_dir = Path(options["--out"]).resolve() if options["--out"] else subs
    cache = Path(options["--cache"]).resolve() if options["--cache"] else None
    return grade(subs, positional[1].split(), int(options["-j"]), out_dir, build, single, cache)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
