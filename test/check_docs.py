#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Check that the man page and the shell completions keep up with the CLI.

    test/check_docs.py build/zipscan

(a) Every long option that `zipscan --help` (and `zipscan COMMAND --help`,
    where the binary has it) prints must appear in man/zipscan.1,
    completion/zipscan.bash and completion/_zipscan; so must every command
    the help lists.  The options are taken from whatever the binary prints,
    so an option added to the CLI fails this check until it is documented.
(b) The bash completion, sourced in `bash -c` with a simulated COMP_WORDS
    and COMP_CWORD, completes commands, options, directories and help's
    argument.
(c) `zsh -n` accepts the zsh completion, and a real zsh (driven through
    zpty) completes the same words.
(d) groff prints no warning for the man page.

Python 3 standard library only.  Exits 1 with a message per failure.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MAN = os.path.join(ROOT, "man", "zipscan.1")
BASH = os.path.join(ROOT, "completion", "zipscan.bash")
ZSH = os.path.join(ROOT, "completion", "_zipscan")

passed = 0
failures = []


def check(ok, what, detail=""):
    global passed
    if ok:
        passed += 1
    else:
        failures.append(what + (": " + detail if detail else ""))


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def run(args, **kw):
    return subprocess.run(args, capture_output=True, text=True, timeout=120,
                          **kw)


def need(tool):
    if shutil.which(tool) is None:
        failures.append(f"{tool} is not installed (apt-get install {tool})")
        return False
    return True


# ---- (a) options and commands from --help ---------------------------------

def help_texts(zipscan):
    r = run([zipscan, "--help"])
    if r.returncode != 0 or not r.stdout:
        sys.exit(f"check_docs: '{zipscan} --help' failed (exit "
                 f"{r.returncode}): {r.stderr.strip()}")
    texts = [r.stdout]
    commands = []
    in_commands = False
    for line in r.stdout.splitlines():
        if re.match(r"^Commands?:", line):
            in_commands = True
            continue
        if in_commands:
            if not line.strip() or re.match(r"^\S", line):
                in_commands = False
                continue
            m = re.match(r"^  ([a-z][a-z0-9-]*)(\s{2,}|$)", line)
            if m:
                commands.append(m.group(1))
    # per-command help, where this binary has it
    for cmd in commands + ["help"]:
        r = run([zipscan, cmd, "--help"])
        if r.returncode == 0 and r.stdout:
            texts.append(r.stdout)
    return texts, sorted(set(commands))


def check_options(zipscan):
    texts, commands = help_texts(zipscan)
    options = sorted(set(re.findall(r"(?<![\w-])--[a-z][a-z0-9-]*",
                                    "\n".join(texts))))
    check(len(options) >= 10, "--help lists long options",
          f"found only {options}")
    check(len(commands) >= 6, "--help lists the commands",
          f"found only {commands}")
    man = read(MAN).replace("\\-", "-").replace("\\&", "")
    bash = read(BASH)
    zsh = read(ZSH)
    docs = (("man/zipscan.1", man), ("completion/zipscan.bash", bash),
            ("completion/_zipscan", zsh))
    for opt in options:
        pat = re.compile(re.escape(opt) + r"(?![a-z0-9-])")
        for name, text in docs:
            check(pat.search(text) is not None,
                  f"option {opt} (in --help) is missing from {name}")
    for cmd in commands + ["help"]:
        check(re.search(r"\.B zipscan " + cmd + r"\b|^\.B " + cmd + r"\b",
                        man, re.M) is not None,
              f"command {cmd} is missing from man/zipscan.1")
        check(re.search(r"\b" + cmd + r"\b", bash.split("\n_zipscan_common")[0])
              is not None,
              f"command {cmd} is missing from completion/zipscan.bash's "
              "command list")
        check(f"'{cmd}:" in zsh,
              f"command {cmd} is missing from completion/_zipscan's "
              "command list")
    for short in ("-V", "--version"):
        check(re.search(re.escape(short) + r"\b", man) is not None,
              f"{short} is missing from man/zipscan.1")
    return len(options), commands


# ---- (b) bash completion ---------------------------------------------------

BASH_CASES = [
    # words (the last is the word being completed), expected COMPREPLY
    (["zipscan", "te"], ["test"]),
    (["zipscan", "extract", "--ne"], ["--never-overwrite"]),
    (["zipscan", "help", "ca"], ["cat"]),
    (["zipscan", "stats", "--ht"], ["--html"]),
    (["zipscan", "extract", "a.zip", "-d", ""], ["sub"]),
    (["zipscan", "test", "notes"], ["notes.txt"]),   # no archive: any file
    (["zipscan", "test", "-j", ""], []),
]


def check_bash(tmp):
    if not need("bash"):
        return
    script = r'''
source "$1" || exit 3
shift
COMP_WORDS=("$@")
COMP_CWORD=$(($# - 1))
COMP_LINE="$*"
COMP_POINT=${#COMP_LINE}
COMPREPLY=()
_zipscan 2>/dev/null
printf '%s\n' "${COMPREPLY[@]}"
'''
    for words, want in BASH_CASES:
        r = run(["bash", "--norc", "--noprofile", "-c", script, "bash", BASH]
                + words, cwd=tmp)
        got = sorted(l for l in r.stdout.split("\n") if l)
        shown = " ".join(w or "''" for w in words)
        check(r.returncode == 0 and got == sorted(want),
              f"bash completion of '{shown}<TAB>'",
              f"COMPREPLY {got}, expected {sorted(want)} "
              f"(exit {r.returncode}) {r.stderr.strip()}")


# ---- (c) zsh completion ----------------------------------------------------

# Types each line into an interactive zsh in a pseudo-terminal, presses TAB,
# then a key bound to a widget that prints the edit buffer between markers
# (spelt so that the shell's echo of its definition does not match).
ZSH_DRIVER = r'''
zmodload zsh/zpty || exit 3
zpty -b z 'zsh -f -i'
zpty -w z "fpath=(${(q)1} \$fpath); autoload -U compinit; compinit -u -D"
zpty -w z "PS1='%% '; unsetopt beep; zstyle ':completion:*' menu no; bindkey '^I' complete-word"
zpty -w z 'dumpbuf() { local m=BU; print -rn -- "${m}F<$BUFFER>"; BUFFER=; }; zle -N dumpbuf; bindkey "^G" dumpbuf'
shift
for w in "$@"; do
  zpty -n -w z "$w"$'\t'
  sleep 0.3
  zpty -n -w z $'\a'
  out=
  for i in {1..100}; do
    while zpty -r -t z line; do out+=$line; done
    [[ $out == *BUF\<*\>* ]] && break
    sleep 0.1
  done
  r=${${out##*BUF<}%%>*}
  print -r -- "RESULT<$r>"
done
zpty -d z
'''

ZSH_CASES = [
    ("zipscan te", "zipscan test "),
    ("zipscan extract --ne", "zipscan extract --never-overwrite "),
    ("zipscan help ca", "zipscan help cat "),
    ("zipscan stats --ht", "zipscan stats --html "),
    ("zipscan extract a.zip -d s", "zipscan extract a.zip -d sub/"),
    ("zipscan check --max-r", "zipscan check --max-ratio="),
]


def check_zsh(tmp):
    if not need("zsh"):
        return
    r = run(["zsh", "-n", ZSH])
    check(r.returncode == 0, "zsh -n completion/_zipscan",
          r.stderr.strip())
    r = run(["zsh", "-f", "-c", ZSH_DRIVER, "zsh",
             os.path.dirname(ZSH)] + [w for w, _ in ZSH_CASES], cwd=tmp)
    got = re.findall(r"RESULT<(.*?)>", r.stdout)
    if len(got) != len(ZSH_CASES):
        failures.append("zsh completion: the zpty driver gave "
                        f"{len(got)} results for {len(ZSH_CASES)} lines "
                        f"(exit {r.returncode}) {r.stderr.strip()[:300]}")
        return
    for (line, want), buf in zip(ZSH_CASES, got):
        check(buf == want, f"zsh completion of '{line}<TAB>'",
              f"got '{buf}', expected '{want}'")


# ---- (d) groff -------------------------------------------------------------

def check_groff():
    if not need("groff"):
        return
    r = run(["groff", "-man", "-Tutf8", "-ww", "-z", MAN])
    check(r.returncode == 0 and not r.stderr.strip(),
          "groff -man -Tutf8 -ww -z man/zipscan.1 prints no warning",
          r.stderr.strip())


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: check_docs.py PATH/TO/zipscan")
    zipscan = os.path.abspath(sys.argv[1])
    if not os.access(zipscan, os.X_OK):
        sys.exit(f"check_docs: {zipscan} is not an executable (make first)")
    for path in (MAN, BASH, ZSH):
        if not os.path.isfile(path):
            sys.exit(f"check_docs: {path} is missing")
    n_opts, commands = check_options(zipscan)
    with tempfile.TemporaryDirectory(prefix="zipscan-docs-") as tmp:
        for name in ("a.zip", "notes.txt"):
            open(os.path.join(tmp, name), "wb").close()
        os.mkdir(os.path.join(tmp, "sub"))
        check_bash(tmp)
        check_zsh(tmp)
    check_groff()
    for f in failures:
        print("FAIL:", f, file=sys.stderr)
    print(f"{passed} passed, {len(failures)} failed "
          f"({n_opts} long options, commands: {' '.join(commands)})")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
