# bash completion for mfo                                  -*- shell-script -*-
# Installed as /usr/share/bash-completion/completions/mfo. Role names and
# user emails come from the database the command line points at, through
# `mfo role list` and `mfo user list`; tests/shell/completion_test.sh checks
# the commands and options against the built mfo's --help.

_mfo_groups="db user role config serve"

# Subcommands of each group.
declare -A _mfo_subcommands=(
    [db]="init status backup check import-flask-security"
    [user]="create list show activate deactivate passwd reset-access delete"
    [role]="create list show delete grant revoke add-permission
            remove-permission"
    [config]="show"
)

_mfo_global_options="--help --version --db --config --env-file --quiet"

# Long options of each command, besides the global ones.
declare -A _mfo_options=(
    [db init]=""
    [db status]="--json"
    [db backup]=""
    [db check]=""
    [db import-flask-security]="--salt --dry-run --role-map --check"
    [user create]="--role --username --inactive --password-stdin
                   --generate-password"
    [user list]="--role --json"
    [user show]="--json"
    [user activate]=""
    [user deactivate]=""
    [user passwd]="--password-stdin --generate-password"
    [user reset-access]=""
    [user delete]=""
    [role create]="--description --permission"
    [role list]="--json"
    [role show]="--json"
    [role delete]=""
    [role grant]=""
    [role revoke]=""
    [role add-permission]=""
    [role remove-permission]=""
    [config show]="--json"
    [serve]="--host --port --threads"
)

# Options that take a value, so the word after them is not an argument.
_mfo_value_options="--db --config --env-file --salt --role-map --check
                    -r --role --username -d --description -p --permission
                    --host --port --threads"

# What each positional argument is: role, email, file or text.
declare -A _mfo_arguments=(
    [db backup]="file"
    [db import-flask-security]="file"
    [user create]="text"
    [user show]="email"
    [user activate]="email"
    [user deactivate]="email"
    [user passwd]="email"
    [user reset-access]="email"
    [user delete]="email"
    [role create]="text"
    [role show]="role"
    [role delete]="role"
    [role grant]="role email"
    [role revoke]="role email"
    [role add-permission]="role"
    [role remove-permission]="role"
)

_mfo_takes_value()
{
    [[ " ${_mfo_value_options//$'\n'/ } " == *" $1 "* ]]
}

# First column of `mfo role list` or `mfo user list`, run against the
# database the command line names; silent and empty when that fails.
_mfo_names()
{
    local what=$1
    local -a runner=()
    if type -P timeout >/dev/null; then
        runner=(timeout 3)
    fi
    "${runner[@]}" "${_mfo_program:-mfo}" "${_mfo_database_args[@]}" \
        --quiet "$what" list 2>/dev/null </dev/null | cut -f1
}

# Sets COMPREPLY to the words of the list $1 that start with $2.
_mfo_reply()
{
    mapfile -t COMPREPLY < <(compgen -W "$1" -- "$2")
}

# Compared as plain strings, since compgen -W would expand a '$' in a name.
_mfo_reply_names()
{
    local name
    COMPREPLY=()
    while IFS= read -r name; do
        [[ $name == "$2"* ]] && COMPREPLY+=("$name")
    done < <(_mfo_names "$1")
    if declare -F __ltrim_colon_completions >/dev/null; then
        __ltrim_colon_completions "$2"
    fi
}

_mfo_reply_files()
{
    compopt -o filenames 2>/dev/null
    mapfile -t COMPREPLY < <(compgen -f -- "$1")
}

_mfo_reply_value()
{
    local option=$1 cur=$2
    case $option in
        --db | --config | --env-file) _mfo_reply_files "$cur" ;;
        -r | --role) _mfo_reply_names role "$cur" ;;
        *) COMPREPLY=() ;;
    esac
}

_mfo()
{
    local cur prev words cword
    if declare -F _init_completion >/dev/null; then
        _init_completion -n =: || return
    else
        words=("${COMP_WORDS[@]}")
        cword=$COMP_CWORD
        cur=${COMP_WORDS[COMP_CWORD]}
        prev=${COMP_WORDS[COMP_CWORD - 1]}
    fi

    # Walk the words before the cursor: the command, its arguments so far,
    # and the global options that choose the database.
    local _mfo_program=${words[0]}
    if [[ $_mfo_program == "~/"* ]]; then
        _mfo_program=$HOME/${_mfo_program#"~/"}
    fi
    local -a _mfo_database_args=()
    local group="" command="" argument_count=0 word i
    for ((i = 1; i < cword; i++)); do
        word=${words[i]}
        if _mfo_takes_value "$word"; then
            case $word in
                --db | --config | --env-file)
                    _mfo_database_args+=("$word" "${words[i + 1]}") ;;
            esac
            i=$((i + 1))
        elif [[ $word == -* ]]; then
            continue
        elif [[ -z $group ]]; then
            group=$word
        elif [[ -z $command && $group != serve ]]; then
            command="$group $word"
        else
            argument_count=$((argument_count + 1))
        fi
    done
    [[ $group == serve ]] && command=serve

    if [[ $cur == --*=* ]]; then
        _mfo_reply_value "${cur%%=*}" "${cur#*=}"
        return
    fi
    if [[ $cword -gt 1 ]] && _mfo_takes_value "$prev"; then
        _mfo_reply_value "$prev" "$cur"
        return
    fi
    if [[ $cur == -* ]]; then
        local options=$_mfo_global_options
        [[ -n $command ]] && options+=" ${_mfo_options[$command]-}"
        _mfo_reply "$options" "$cur"
        return
    fi
    if [[ -z $group ]]; then
        _mfo_reply "$_mfo_groups" "$cur"
        return
    fi
    if [[ -z $command ]]; then
        _mfo_reply "${_mfo_subcommands[$group]-}" "$cur"
        return
    fi

    # Arguments past the listed kinds, such as permissions, are free text.
    local -a kinds=(${_mfo_arguments[$command]-})
    local kind=${kinds[argument_count]-}
    case $kind in
        role) _mfo_reply_names role "$cur" ;;
        email) _mfo_reply_names user "$cur" ;;
        file) _mfo_reply_files "$cur" ;;
        *) COMPREPLY=() ;;
    esac
} &&
    complete -F _mfo mfo
