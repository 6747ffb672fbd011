# fish completion for sm-approve(1)

# __smkit_workspace: installed in vendor_functions.d; from the source tree, beside this file
type -q __smkit_workspace; or source (status dirname)/__smkit_workspace.fish

# Rows of the store, when sqlite3 is there.
function __sm_approve_sql -a query
    set -l db (__smkit_workspace)/store.db
    test -r $db; and command -q sqlite3; and sqlite3 -readonly $db $query 2>/dev/null
end

# The drafts a subcommand can work on.
function __sm_approve_drafts -a sub
    switch $sub
        case ok reject
            __sm_approve_sql "select id || char(9) || substr(replace(text, char(10), ' '), 1, 40) from drafts where state = 'pending' order by id"
        case edit
            __sm_approve_sql "select id || char(9) || state from drafts where state not in ('sending', 'published') order by id"
        case '*'
            __sm_approve_sql "select id || char(9) || state from drafts order by id"
    end
end

function __sm_approve_batches
    __sm_approve_sql "select distinct batch from drafts where batch is not null"
end

function __sm_approve_channels
    git config -f (__smkit_workspace)/config --includes --name-only --get-regexp '^channel\.' 2>/dev/null |
        string replace -r -f '^channel\.(.*)\.[^.]*$' '$1' | sort -u
end

function __sm_approve_templates
    for f in (__smkit_workspace)/templates/*
        test -f $f; and basename $f
    end
end

function __sm_approve_cases
    __sm_approve_sql "select id from cases where status != 'resolved' order by id"
end

# The words after the subcommand, not counting options and their arguments.
function __sm_approve_npos
    set -l tokens (commandline -opc)
    set -l seen 0
    set -l n 0
    set -l skip 0
    for t in $tokens[2..-1]
        if test $skip = 1
            set skip 0
            continue
        end
        if test $seen = 0
            switch $t
                case -d --dir
                    set skip 1
                case draft submit list show ok reject edit verify
                    set seen 1
            end
            continue
        end
        switch $t
            case -m --template --at --channel --batch
                set skip 1
            case '-*'
            case '*'
                set n (math $n + 1)
        end
    end
    echo $n
end

function __sm_approve_sub_pos -a sub pos
    __fish_seen_subcommand_from $sub; and test (__sm_approve_npos) = $pos
end

set -l subs draft submit list show ok reject edit verify
complete -c sm-approve -n "not __fish_seen_subcommand_from $subs" -s d -l dir -x -a '(__fish_complete_directories)' -d 'The workspace directory'
complete -c sm-approve -n "not __fish_seen_subcommand_from $subs" -s h -l help -d 'Print usage'
complete -c sm-approve -n "not __fish_seen_subcommand_from $subs" -l version -d 'Print the version'

complete -c sm-approve -f -n "not __fish_seen_subcommand_from $subs" -a draft -d 'Write a reply to a case or an item'
complete -c sm-approve -f -n "not __fish_seen_subcommand_from $subs" -a submit -d 'Write many drafts from JSON lines'
complete -c sm-approve -f -n "not __fish_seen_subcommand_from $subs" -a list -d 'List the drafts'
complete -c sm-approve -f -n "not __fish_seen_subcommand_from $subs" -a show -d 'Show a draft and what it answers'
complete -c sm-approve -f -n "not __fish_seen_subcommand_from $subs" -a ok -d 'Approve drafts'
complete -c sm-approve -f -n "not __fish_seen_subcommand_from $subs" -a reject -d 'Reject a draft, with a reason'
complete -c sm-approve -f -n "not __fish_seen_subcommand_from $subs" -a edit -d 'Change a draft (its approvals are void)'
complete -c sm-approve -f -n "not __fish_seen_subcommand_from $subs" -a verify -d 'Check the audit chain'

complete -c sm-approve -n '__sm_approve_sub_pos draft 0' -f -a '(__sm_approve_cases)' -d 'Case'
complete -c sm-approve -n '__fish_seen_subcommand_from draft' -f
complete -c sm-approve -n '__fish_seen_subcommand_from draft' -s m -x -d 'The text, instead of the editor'
complete -c sm-approve -n '__fish_seen_subcommand_from draft' -l template -x -a '(__sm_approve_templates)' -d 'Start from a canned answer'
complete -c sm-approve -n '__fish_seen_subcommand_from draft' -l at -x -d 'Send not before this time'
complete -c sm-approve -n '__fish_seen_subcommand_from draft' -l channel -x -a '(__sm_approve_channels)' -d 'Send on this channel'
complete -c sm-approve -n '__fish_seen_subcommand_from draft' -l batch -x -a '(__sm_approve_batches)' -d 'Put it into a batch'

complete -c sm-approve -n '__fish_seen_subcommand_from submit' -F

complete -c sm-approve -n '__fish_seen_subcommand_from list' -f
complete -c sm-approve -n '__fish_seen_subcommand_from list' -l pending -d 'Pending drafts I have not approved'
complete -c sm-approve -n '__fish_seen_subcommand_from list' -l mine -d 'My drafts'
complete -c sm-approve -n '__fish_seen_subcommand_from list' -l batch -x -a '(__sm_approve_batches)' -d 'The drafts of a batch'

complete -c sm-approve -n '__fish_seen_subcommand_from show ok reject edit verify' -f
complete -c sm-approve -n '__sm_approve_sub_pos show 0' -a '(__sm_approve_drafts show)'
complete -c sm-approve -n '__fish_seen_subcommand_from ok' -a '(__sm_approve_drafts ok)'
complete -c sm-approve -n '__fish_seen_subcommand_from ok' -a - -d 'Draft records on stdin'
complete -c sm-approve -n '__sm_approve_sub_pos reject 0' -a '(__sm_approve_drafts reject)'
complete -c sm-approve -n '__fish_seen_subcommand_from reject' -s m -x -d 'The reason (required)'
complete -c sm-approve -n '__sm_approve_sub_pos edit 0' -a '(__sm_approve_drafts edit)'
complete -c sm-approve -n '__fish_seen_subcommand_from edit' -s m -x -d 'The new text, instead of the editor'
