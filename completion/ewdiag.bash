# bash completion for ewdiag(1)                            -*- shell-script -*-
#
# What to offer is read at completion time, so that it never lags behind
# the program: the options, the values an option lists ("text, json or
# jsonl") and the --set keys from `ewdiag [COMMAND] --help`; rule ids from
# the rule directory ($EWDIAG_RULES, else the installed rules). A rule id
# given to -r/--rules completes to its rule file: run one rule alone.

_ewdiag_rules_dir='@RULES_DIR@'

# The options of a --help text, one a line: long|short|argument|values.
_ewdiag_options()
{
    awk '
    function flush() {
        if (long == "") return
        vals = ""
        if (arg == "KEY=VALUE") {
            # the keys listed after the colon: "...: max-line, max-depth, ..."
            d = desc; sub(/^[^:]*:/, "", d); sub(/\(.*/, "", d)
            while (match(d, /[a-z]+(-[a-z]+)+/)) {
                vals = vals " " substr(d, RSTART, RLENGTH) "="
                d = substr(d, RSTART + RLENGTH)
            }
        } else if (arg != "") {
            # a description that starts with a list of words: "auto, always or never"
            d = desc; sub(/ *[(;].*/, "", d); gsub(/,? or |, /, "|", d)
            n = split(d, w, "|")
            for (i = 1; i <= n; i++)
                if (w[i] !~ /^[a-z0-9][a-z0-9-]*$/) { n = 0; break }
            if (n > 1)
                for (i = 1; i <= n; i++) vals = vals " " w[i]
        }
        printf "%s|%s|%s|%s\n", long, short, arg, vals
        long = ""
    }
    /^  +-/ {
        flush()
        line = $0; sub(/^ +/, "", line)
        spec = line; desc = ""
        if (match(line, /   */)) { spec = substr(line, 1, RSTART - 1); desc = substr(line, RSTART + RLENGTH) }
        short = ""; arg = ""
        if (match(spec, /^-[A-Za-z]/)) short = substr(spec, 1, 2)
        if (match(spec, /--[a-z][a-z0-9-]*/)) long = substr(spec, RSTART, RLENGTH)
        if (match(spec, /=.*/)) arg = substr(spec, RSTART + 1)
        next
    }
    /^        +[^ ]/ && long != "" { line = $0; sub(/^ +/, "", line); desc = desc " " line; next }
    { flush() }
    END { flush() }'
}

# The rule files of the rule directory whose id starts with $1, as
# "id<TAB>file" lines.
_ewdiag_rules()
{
    local dir=${EWDIAG_RULES:-$_ewdiag_rules_dir} f id
    [[ -d $dir ]] || return
    for f in "$dir"/*.json; do
        [[ -f $f ]] || continue
        id=$(sed -n 's/^ *"id" *: *"\([a-z0-9-]*\)".*/\1/p' "$f" | head -n 1)
        [[ $id && $id == "$1"* ]] && printf '%s\t%s\n' "$id" "$f"
    done
}

_ewdiag()
{
    local cur prev words cword split
    _init_completion -s || return

    local ewdiag=${words[0]} cmd=()
    # A first word that `ewdiag WORD --help` calls a command is one.
    if ((cword > 1)) && [[ ${words[1]} != -* && ${words[1]} != */* ]] &&
        "$ewdiag" "${words[1]}" --help 2>/dev/null | head -n 1 |
        grep -q "^Usage: ewdiag ${words[1]}\b"; then
        cmd=("${words[1]}")
    fi

    local -A args values
    local long short arg vals
    while IFS="|" read -r long short arg vals; do
        args[$long]=$arg
        values[$long]=$vals
        [[ $short ]] && args[$short]=$arg values[$short]=$vals
    done < <("$ewdiag" "${cmd[@]}" --help 2>/dev/null | _ewdiag_options)

    # The argument of an option.
    if [[ $prev == -* && ${args[$prev]-} ]]; then
        if [[ ${values[$prev]} ]]; then
            COMPREPLY=($(compgen -W "${values[$prev]}" -- "$cur"))
            [[ ${COMPREPLY-} == *= ]] && compopt -o nospace
        elif [[ $prev == @(-r|--rules) ]]; then
            local id file ids=() files=()
            if [[ $cur != */* ]]; then
                while IFS=$'\t' read -r id file; do
                    ids+=("$id") files+=("$file")
                done < <(_ewdiag_rules "$cur")
            fi
            _filedir '@(json|JSON)'
            if ((${#ids[@]} == 1 && ${#COMPREPLY[@]} == 0)); then
                COMPREPLY=("${files[0]}")
            elif ((${#ids[@]})); then
                COMPREPLY+=("${ids[@]}")
                compopt -o nospace
            fi
        elif [[ ${args[$prev]} == @(FILE|PATH|DIR) ]]; then
            _filedir
        fi
        return
    fi
    $split && return

    if [[ $cur == -* ]]; then
        local o opts=()
        for o in "${!args[@]}"; do
            [[ $o == --* ]] || continue
            [[ ${args[$o]} ]] && opts+=("$o=") || opts+=("$o")
        done
        COMPREPLY=($(compgen -W "${opts[*]}" -- "$cur"))
        [[ ${COMPREPLY-} == *= ]] && compopt -o nospace
        return
    fi
    _filedir
} &&
    complete -F _ewdiag ewdiag

# ex: filetype=sh
