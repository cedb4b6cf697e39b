# Completes each LINE in an interactive zsh on a pseudo-terminal, as a
# person pressing Tab would, and writes what the completion offered:
# "<line>LINE", one candidate per line, then "<done>".
# Usage: zsh -f zsh_complete.zsh COMPLETIONS_DIR OUT_FILE LINE...
zmodload zsh/zpty || exit 77
completions=$1
out=$2
shift 2
: >$out

zpty mfo_zsh zsh -f -i
zpty -w mfo_zsh "PS1=''; fpath=(${(q)completions} \$fpath)"
zpty -w mfo_zsh "autoload -U compinit; compinit -u -D"
# compadd -O only collects what would be added; the real call follows.
zpty -w mfo_zsh "compadd() { local -a hits; builtin compadd -O hits \"\$@\";" \
    "print -rl -- \$hits >>${(q)out}; builtin compadd \"\$@\"; }"
# Tab runs completion, then marks the end of this line's candidates.
zpty -w mfo_zsh "mfo-tab() { zle complete-word;" \
    "print -r -- '<done>' >>${(q)out}; }; zle -N mfo-tab; bindkey '^I' mfo-tab"

for line in "$@"; do
    print -r -- "<line>$line" >>$out
    zpty -w -n mfo_zsh "$line"$'\t'
    for attempt in {1..200}; do
        [[ $(tail -n 1 $out) == '<done>' ]] && break
        sleep 0.05
    done
    [[ $(tail -n 1 $out) == '<done>' ]] || print -r -- '<timeout>' >>$out
    # Ctrl-U clears the line for the next one.
    zpty -w -n mfo_zsh $'\C-u'
done
zpty -d mfo_zsh
