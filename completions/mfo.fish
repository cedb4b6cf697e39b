# fish completion for mfo, installed in
# /usr/share/fish/vendor_completions.d. Role names and user emails come
# from the database the command line points at, through `mfo role list` and
# `mfo user list`.

# Prints the command words typed so far ("user", "create") and then one
# ARG per argument after them, skipping options and their values.
function __mfo_position
    set -l tokens (commandline -opc)
    set -l takes_value --db --config --env-file --salt --role-map --check \
        -r --role --username -d --description -p --permission \
        --host --port --threads
    set -l skip 0
    set -l words
    for token in $tokens[2..-1]
        if test $skip -eq 1
            set skip 0
        else if contains -- $token $takes_value
            set skip 1
        else if string match -q -- '-*' $token
            continue
        else if test (count $words) -lt 1
            set -a words $token
        else if test (count $words) -lt 2 -a "$words[1]" != serve
            set -a words $token
        else
            set -a words ARG
        end
    end
    string join ' ' -- $words
end

# Whether the words typed so far are exactly $argv (e.g. "role grant ARG").
function __mfo_at
    set -l position (__mfo_position)
    test "$position" = "$argv"
end

# First column of `mfo role list` or `mfo user list` ($argv[1]).
function __mfo_names
    set -l tokens (commandline -opc)
    set -l database_args
    for i in (seq 2 (count $tokens))
        switch $tokens[$i]
            case --db --config --env-file
                set -a database_args $tokens[$i] $tokens[(math $i + 1)]
            case '--db=*' '--config=*' '--env-file=*'
                set -a database_args $tokens[$i]
        end
    end
    set -l program $tokens[1]
    if command -q timeout
        timeout 3 $program $database_args --quiet $argv[1] list \
            2>/dev/null </dev/null | string split -f1 \t
    else
        $program $database_args --quiet $argv[1] list 2>/dev/null \
            </dev/null | string split -f1 \t
    end
end

complete -c mfo -f

# Global options, accepted before or after the command.
complete -c mfo -s h -l help -d 'Print help and exit'
complete -c mfo -l version -d 'Print version and commit and exit'
complete -c mfo -l db -r -F -d 'SQLite database file'
complete -c mfo -l config -r -F -d 'Config file to read'
complete -c mfo -l env-file -r -F -d 'Dotenv file to read'
complete -c mfo -s q -l quiet -d 'Print only errors and requested data'

# Command groups.
complete -c mfo -n '__mfo_at ""' -a db -d 'Create and inspect the database'
complete -c mfo -n '__mfo_at ""' -a user -d 'Manage user accounts'
complete -c mfo -n '__mfo_at ""' -a role -d 'Manage roles and permissions'
complete -c mfo -n '__mfo_at ""' -a config \
    -d 'Inspect the effective configuration'
complete -c mfo -n '__mfo_at ""' -a serve -d 'Run the web app'

# mfo db
complete -c mfo -n '__mfo_at db' -a init \
    -d 'Create the database or upgrade its schema'
complete -c mfo -n '__mfo_at db' -a status -d 'Show schema version and counts'
complete -c mfo -n '__mfo_at db' -a backup -d 'Copy the database consistently'
complete -c mfo -n '__mfo_at db' -a check \
    -d 'Check integrity and foreign keys'
complete -c mfo -n '__mfo_at db' -a import-flask-security \
    -d 'Import from a Flask-Security-Too database'
complete -c mfo -n 'string match -q "db status*" (__mfo_position)' \
    -l json -d 'Print one JSON object'
complete -c mfo -n '__mfo_at db backup' -F -d 'New backup file'
complete -c mfo -n '__mfo_at db import-flask-security' -F \
    -d 'Flask-Security-Too database'
set -l __mfo_import \
    'string match -q "db import-flask-security*" (__mfo_position)'
complete -c mfo -n $__mfo_import -l salt -x \
    -d "The Flask app's SECURITY_PASSWORD_SALT"
complete -c mfo -n $__mfo_import -l dry-run -d 'Show what would be imported'
complete -c mfo -n $__mfo_import -l role-map -x -d 'Rename a role: OLD=NEW'
complete -c mfo -n $__mfo_import -l check -x \
    -d 'Verify a known password of this user'

# mfo user
complete -c mfo -n '__mfo_at user' -a create -d 'Create a user'
complete -c mfo -n '__mfo_at user' -a list -d 'List users'
complete -c mfo -n '__mfo_at user' -a show -d 'Show one user'
complete -c mfo -n '__mfo_at user' -a activate -d 'Allow a user to log in'
complete -c mfo -n '__mfo_at user' -a deactivate \
    -d 'Stop a user logging in'
complete -c mfo -n '__mfo_at user' -a passwd -d 'Set a new password'
complete -c mfo -n '__mfo_at user' -a reset-access \
    -d 'End every session of a user'
complete -c mfo -n '__mfo_at user' -a delete -d 'Delete a user'
for command in show activate deactivate passwd reset-access delete
    complete -c mfo -n "__mfo_at user $command" -a '(__mfo_names user)' \
        -d 'User'
end
set -l __mfo_create 'string match -q "user create*" (__mfo_position)'
complete -c mfo -n $__mfo_create -s r -l role -x -a '(__mfo_names role)' \
    -d 'Give the user this role'
complete -c mfo -n $__mfo_create -l username -x -d 'Unique user name'
complete -c mfo -n $__mfo_create -l inactive -d 'Create the account disabled'
set -l __mfo_password \
    'string match -qr "^user (create|passwd)( |\$)" (__mfo_position)'
complete -c mfo -n $__mfo_password -l password-stdin \
    -d 'Read the password from standard input'
complete -c mfo -n $__mfo_password -l generate-password \
    -d 'Generate a password and print it once'
set -l __mfo_user_list 'string match -q "user list*" (__mfo_position)'
complete -c mfo -n $__mfo_user_list -s r -l role -x -a '(__mfo_names role)' \
    -d 'Only users holding this role'
complete -c mfo -n $__mfo_user_list -l json -d 'Print a JSON array'
complete -c mfo -n 'string match -q "user show*" (__mfo_position)' \
    -l json -d 'Print one JSON object'

# mfo role
complete -c mfo -n '__mfo_at role' -a create -d 'Create a role'
complete -c mfo -n '__mfo_at role' -a list -d 'List roles'
complete -c mfo -n '__mfo_at role' -a show -d 'Show one role'
complete -c mfo -n '__mfo_at role' -a delete -d 'Delete a role'
complete -c mfo -n '__mfo_at role' -a grant -d 'Give a user a role'
complete -c mfo -n '__mfo_at role' -a revoke -d 'Take a role from a user'
complete -c mfo -n '__mfo_at role' -a add-permission \
    -d 'Add permissions to a role'
complete -c mfo -n '__mfo_at role' -a remove-permission \
    -d 'Remove permissions from a role'
for command in show delete grant revoke add-permission remove-permission
    complete -c mfo -n "__mfo_at role $command" -a '(__mfo_names role)' \
        -d 'Role'
end
for command in grant revoke
    complete -c mfo -n "__mfo_at role $command ARG" -a '(__mfo_names user)' \
        -d 'User'
end
set -l __mfo_role_create 'string match -q "role create*" (__mfo_position)'
complete -c mfo -n $__mfo_role_create -s d -l description -x \
    -d 'What the role is for'
complete -c mfo -n $__mfo_role_create -s p -l permission -x \
    -d 'Give the role this permission'
complete -c mfo -n 'string match -q "role list*" (__mfo_position)' \
    -l json -d 'Print a JSON array'
complete -c mfo -n 'string match -q "role show*" (__mfo_position)' \
    -l json -d 'Print one JSON object'

# mfo config
complete -c mfo -n '__mfo_at config' -a show \
    -d 'Print every setting and where it came from'
complete -c mfo -n 'string match -q "config show*" (__mfo_position)' \
    -l json -d 'Print a JSON array'

# mfo serve
set -l __mfo_serve 'string match -q "serve*" (__mfo_position)'
complete -c mfo -n $__mfo_serve -l host -x -d 'Address to listen on'
complete -c mfo -n $__mfo_serve -l port -x -d 'Port to listen on'
complete -c mfo -n $__mfo_serve -l threads -x -d 'Connection threads'
