# fish completion for sm-assign(1)

# __smkit_workspace: installed in vendor_functions.d; from the source tree, beside this file
type -q __smkit_workspace; or source (status dirname)/__smkit_workspace.fish

function __sm_assign_agents
    git config -f (__smkit_workspace)/config --includes --name-only --get-regexp '^agent\.' 2>/dev/null |
        string replace -r -f '^agent\.(.*)\.[^.]*$' '$1' | sort -u
end

function __sm_assign_teams
    set -l cfg (__smkit_workspace)/config
    begin
        git config -f $cfg --includes --name-only --get-regexp '^team\.' 2>/dev/null |
            string replace -r -f '^team\.(.*)\.[^.]*$' '$1'
        git config -f $cfg --includes --get-regexp '^agent\..*\.team$' 2>/dev/null |
            string replace -r '^\S+ ' ''
        git config -f $cfg --includes --get assign.default-team 2>/dev/null
    end | sort -u
end

# The cases not resolved, when sqlite3 is there.
function __sm_assign_cases
    set -l db (__smkit_workspace)/store.db
    test -r $db; and command -q sqlite3; and \
        sqlite3 -readonly $db "select id from cases where status != 'resolved' order by id" 2>/dev/null
end

# The words after the subcommand, not counting options and their arguments.
function __sm_assign_npos
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
                case -d --dir --since --config
                    set skip 1
                case list take set set-agent forward escalate
                    set seen 1
            end
            continue
        end
        switch $t
            case --agent --team --status -m
                set skip 1
            case '-*'
            case '*'
                set n (math $n + 1)
        end
    end
    echo $n
end

function __sm_assign_sub_pos -a sub pos
    __fish_seen_subcommand_from $sub; and test (__sm_assign_npos) = $pos
end

set -l subs list take set set-agent forward escalate
complete -c sm-assign -s d -l dir -x -a '(__fish_complete_directories)' -d 'The workspace directory'
complete -c sm-assign -n "not __fish_seen_subcommand_from $subs" -s e -l explain -d 'Say why each new case went to its agent'
complete -c sm-assign -n "not __fish_seen_subcommand_from $subs" -l simulate -d 'Replay a period under another config'
complete -c sm-assign -n "not __fish_seen_subcommand_from $subs" -l since -x -a '24h 7d 30d' -d 'With --simulate: the period to replay'
complete -c sm-assign -n "not __fish_seen_subcommand_from $subs" -l config -r -F -d 'With --simulate: the config to try'
complete -c sm-assign -s h -l help -d 'Print usage'
complete -c sm-assign -l version -d 'Print the version'

complete -c sm-assign -n __fish_use_subcommand -a list -d 'List the cases'
complete -c sm-assign -n __fish_use_subcommand -a take -d 'Claim a case nobody has'
complete -c sm-assign -n __fish_use_subcommand -a set -d 'Change a case'
complete -c sm-assign -n __fish_use_subcommand -a set-agent -d 'Mark an agent away or back'
complete -c sm-assign -n __fish_use_subcommand -a forward -d 'Hand a case to a team by mail or webhook'
complete -c sm-assign -n __fish_use_subcommand -a escalate -d 'Escalate overdue cases, retry forwards'

complete -c sm-assign -n '__fish_seen_subcommand_from list' -l mine -d 'My cases'
complete -c sm-assign -n '__fish_seen_subcommand_from list' -l agent -x -a '(__sm_assign_agents)' -d 'The cases of an agent'
complete -c sm-assign -n '__fish_seen_subcommand_from list' -l team -x -a '(__sm_assign_teams)' -d 'The cases of a team'
complete -c sm-assign -n '__fish_seen_subcommand_from list' -l status -x -a 'new open pending resolved' -d 'The cases of a status'
complete -c sm-assign -n '__fish_seen_subcommand_from list' -l overdue -d 'Only the cases past a due time'

complete -c sm-assign -n '__sm_assign_sub_pos take 0' -f -a '(__sm_assign_cases)' -d 'Case'
complete -c sm-assign -n '__fish_seen_subcommand_from take escalate list' -f

complete -c sm-assign -n '__sm_assign_sub_pos set 0' -f -a '(__sm_assign_cases)' -d 'Case'
complete -c sm-assign -n '__fish_seen_subcommand_from set; and not __sm_assign_sub_pos set 0' -f \
    -a 'status=new status=open status=pending status=resolved priority=low priority=normal priority=high priority=urgent' \
    -d 'Field'
complete -c sm-assign -n '__fish_seen_subcommand_from set; and not __sm_assign_sub_pos set 0' -f \
    -a '(__sm_assign_agents | string replace -r "^" assignee=)' -d 'Agent'
complete -c sm-assign -n '__fish_seen_subcommand_from set; and not __sm_assign_sub_pos set 0' -f \
    -a '(__sm_assign_teams | string replace -r "^" team=)' -d 'Team'

complete -c sm-assign -n '__sm_assign_sub_pos set-agent 0' -f -a '(__sm_assign_agents)' -d 'Agent'
complete -c sm-assign -n '__sm_assign_sub_pos set-agent 1' -f -a 'away back'
complete -c sm-assign -n '__fish_seen_subcommand_from set-agent' -f

complete -c sm-assign -n '__sm_assign_sub_pos forward 0' -f -a '(__sm_assign_cases)' -d 'Case'
complete -c sm-assign -n '__sm_assign_sub_pos forward 1' -f -a '(__sm_assign_teams)' -d 'Team'
complete -c sm-assign -n '__fish_seen_subcommand_from forward' -s m -x -d 'A note for the team'
