# SPDX-License-Identifier: MIT
# bash completion for zipscan(1)                            -*- shell-script -*-
# Copyright (c) 2026 The zipscan authors.  MIT License (see LICENSE).
#
# Installed as share/bash-completion/completions/zipscan; to try it by hand:
#   source completion/zipscan.bash

_zipscan_commands="test list check stats extract cat diff create help"

# Options of each command.  -o is --output except in extract, where it is
# --overwrite and takes no argument.
_zipscan_common="-j --threads -q --quiet --json --progress -i --include
    -x --exclude --memory-limit --allow-overlap --max-total --max-ratio
    --max-input --strict --ignore -h --help"
_zipscan_report="-o --output"
_zipscan_stats="--ndjson --csv --html --top --hash"
_zipscan_list="--ndjson --csv"
_zipscan_db="--db --refresh --shard"
_zipscan_extract="-d --dir -o --overwrite -n --never-overwrite
    --keep-special -u --update -f --freshen"
_zipscan_diff="--csv --hash --db"
_zipscan_create="-l --level -x --exclude --store -y --symlinks -@ --names-stdin
    -0 --null -j --threads --memory-limit --chunk-size --json --progress
    --sozip --sozip-chunk-size --sozip-min-size -q --quiet -h --help"
_zipscan_top="-h --help -V --version"

# Archives: ZIP-like files and directories first; every file if none.
_zipscan_archives()
{
    local IFS=$'\n' f
    local -a all
    all=($(compgen -f -- "$1"))
    COMPREPLY=()
    for f in "${all[@]}"; do
        case ${f,,} in
        *.zip | *.jar | *.war | *.whl | *.apk | *.xpi | *.epub | *.docx | \
            *.xlsx | *.pptx | *.odt | *.ods | *.odp)
            COMPREPLY+=("$f") ;;
        *) [[ -d $f ]] && COMPREPLY+=("$f") ;;
        esac
    done
    ((${#COMPREPLY[@]})) || COMPREPLY=("${all[@]}")
    compopt -o filenames 2>/dev/null
}

_zipscan_files()
{
    local IFS=$'\n'
    COMPREPLY=($(compgen -f -- "$1"))
    compopt -o filenames 2>/dev/null
}

_zipscan_dirs()
{
    local IFS=$'\n'
    COMPREPLY=($(compgen -d -- "$1"))
    compopt -o filenames 2>/dev/null
}

# Does option $2 of command $1 take an argument?
_zipscan_takes_arg()
{
    case $2 in
    -j | --threads | -i | --include | -x | --exclude | --memory-limit | \
        --max-total | --max-ratio | --max-input | --top | --output | -d | --dir | \
        --db | --shard | -l | --level | --store | --chunk-size)
        return 0 ;;
    -o) [[ $1 != extract ]] ;;
    *) return 1 ;;
    esac
}

_zipscan()
{
    local cur prev cmd opts i npos=0
    COMPREPLY=()
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=
    ((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}

    # --opt=value
    if [[ $cur == --*=* ]]; then
        prev=${cur%%=*}
        cur=${cur#*=}
    elif [[ $cur == = && $prev == --* ]]; then
        cur=
    elif [[ $prev == = ]] && ((COMP_CWORD > 1)); then
        prev=${COMP_WORDS[COMP_CWORD - 2]}
    fi

    # The first word: a command, or an archive (the short form).
    if ((COMP_CWORD == 1)); then
        if [[ $cur == -* ]]; then
            COMPREPLY=($(compgen -W "$_zipscan_top" -- "$cur"))
            return
        fi
        COMPREPLY=($(compgen -W "$_zipscan_commands" -- "$cur"))
        ((${#COMPREPLY[@]})) || _zipscan_archives "$cur"
        return
    fi

    cmd=${COMP_WORDS[1]}
    case " $_zipscan_commands " in
    *" $cmd "*) ;;
    *) cmd=short ;;
    esac

    if [[ $cmd == help ]]; then
        ((COMP_CWORD == 2)) &&
            COMPREPLY=($(compgen -W "${_zipscan_commands% help}" -- "$cur"))
        return
    fi

    # The argument of an option.
    case $prev in
    -d | --dir)
        [[ $cmd == extract ]] && { _zipscan_dirs "$cur"; return; } ;;
    -o | --output)
        if [[ $cmd != extract ]]; then
            _zipscan_files "$cur"
            return
        fi ;;
    --db)
        _zipscan_files "$cur"
        return ;;
    -j | --threads | -i | --include | -x | --exclude | --memory-limit | \
        --max-total | --max-ratio | --max-input | --top | --shard | -l | \
        --level | --store | --chunk-size | --sozip-chunk-size | \
        --sozip-min-size)
        return ;;
    esac

    case $cmd in
    test | check) opts="$_zipscan_common $_zipscan_report $_zipscan_db" ;;
    list) opts="$_zipscan_common $_zipscan_report $_zipscan_list $_zipscan_db" ;;
    stats) opts="$_zipscan_common $_zipscan_report $_zipscan_stats $_zipscan_db" ;;
    short) opts="$_zipscan_common $_zipscan_report $_zipscan_stats" ;;
    extract) opts="$_zipscan_common $_zipscan_extract" ;;
    cat) opts="$_zipscan_common" ;;
    diff) opts="$_zipscan_common $_zipscan_report $_zipscan_diff" ;;
    create) opts="$_zipscan_create" ;;
    esac
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$opts" -- "$cur"))
        return
    fi

    # Count the words before this one that are not options or their
    # arguments (the short form's archive is the first of them).
    [[ $cmd == short ]] && npos=1
    for ((i = 2; i < COMP_CWORD; i++)); do
        case ${COMP_WORDS[i]} in
        --*=* | =) ;;
        -) ((npos++)) ;;
        -*) _zipscan_takes_arg "$cmd" "${COMP_WORDS[i]}" && ((i++)) ;;
        *) ((npos++)) ;;
        esac
    done

    case $cmd in
    extract | cat)
        # the archive, then entry names or patterns (left to the user)
        ((npos == 0)) && _zipscan_archives "$cur" ;;
    create)
        # the archive to write, then the files and directories to put in
        _zipscan_files "$cur" ;;
    short)
        # zipscan ARCHIVE REPORT
        ((npos == 1)) && _zipscan_files "$cur" ;;
    *)
        _zipscan_archives "$cur" ;;
    esac
} &&
    complete -F _zipscan zipscan

# ex: filetype=sh
