# fish completion for sm-plan(1)

# __smkit_workspace: installed in vendor_functions.d; from the source tree, beside this file
type -q __smkit_workspace; or source (status dirname)/__smkit_workspace.fish

function __sm_plan_git
    set -l ws (__smkit_workspace)
    set -l repo (git config -f $ws/config plan.repo 2>/dev/null; or echo plan)
    string match -q '/*' -- $repo; or set repo $ws/$repo
    git -C $repo $argv 2>/dev/null
end

function __sm_plan_channels
    git config -f (__smkit_workspace)/config --includes --name-only --get-regexp '^channel\.' 2>/dev/null |
        string replace -r -f '^channel\.(.*)\.[^.]*$' '$1' | sort -u
end

function __sm_plan_entries
    set -l b (git config -f (__smkit_workspace)/config plan.branch 2>/dev/null; or echo main)
    __sm_plan_git ls-tree -r --name-only $b -- | string match -r '.*\.txt$'
end

function __sm_plan_branches
    __sm_plan_git for-each-ref --format='%(refname:short)' refs/heads
end

set -l subs add list show check sync
complete -c sm-plan -n "not __fish_seen_subcommand_from $subs" -s d -l dir -x -a '(__fish_complete_directories)' -d 'The workspace directory'
complete -c sm-plan -n "not __fish_seen_subcommand_from $subs" -l repo -x -a '(__fish_complete_directories)' -d 'The plan repository'
complete -c sm-plan -n "not __fish_seen_subcommand_from $subs" -s h -l help -d 'Print usage'
complete -c sm-plan -n "not __fish_seen_subcommand_from $subs" -l version -d 'Print the version'
complete -c sm-plan -f -n "not __fish_seen_subcommand_from $subs" -a add -d 'Write an entry and commit it'
complete -c sm-plan -f -n "not __fish_seen_subcommand_from $subs" -a list -d 'The calendar'
complete -c sm-plan -f -n "not __fish_seen_subcommand_from $subs" -a show -d 'One entry and its occurrences'
complete -c sm-plan -f -n "not __fish_seen_subcommand_from $subs" -a check -d 'Lint a revision'
complete -c sm-plan -f -n "not __fish_seen_subcommand_from $subs" -a sync -d 'Make drafts of the reviewed branch'

complete -c sm-plan -n '__fish_seen_subcommand_from add' -f
complete -c sm-plan -n '__fish_seen_subcommand_from add' -s b -l branch -x -a '(__sm_plan_branches)' -d 'The branch to commit on'
complete -c sm-plan -n '__fish_seen_subcommand_from add' -l at -x -d 'When: 2026-11-28 09:00 Europe/Berlin'
complete -c sm-plan -n '__fish_seen_subcommand_from add' -l channel -x -a '(__sm_plan_channels)' -d 'Where (repeatable)'
complete -c sm-plan -n '__fish_seen_subcommand_from add' -l tag -x -d 'A tag (repeatable)'
complete -c sm-plan -n '__fish_seen_subcommand_from add' -l repeat -x -a 'daily weekly monthly' -d 'A repetition'
complete -c sm-plan -n '__fish_seen_subcommand_from add' -l until -x -d 'The last day of the repetition'
complete -c sm-plan -n '__fish_seen_subcommand_from add' -l title -x -d 'A title for the calendar'
complete -c sm-plan -n '__fish_seen_subcommand_from add' -l media -x -d "A picture: 'PATH | ALT'"
complete -c sm-plan -n '__fish_seen_subcommand_from add' -s m -l message -x -d 'The text, instead of the editor'
complete -c sm-plan -n '__fish_seen_subcommand_from add' -s M -l commit-message -x -d 'The commit message'

complete -c sm-plan -n '__fish_seen_subcommand_from list show' -f
complete -c sm-plan -n '__fish_seen_subcommand_from list show' -l from -x -d 'From (a date, 7d, +7d)'
complete -c sm-plan -n '__fish_seen_subcommand_from list show' -l to -x -d 'To (a date, 7d, +30d)'
complete -c sm-plan -n '__fish_seen_subcommand_from list' -l channel -x -a '(__sm_plan_channels)' -d 'Only this channel'
complete -c sm-plan -n '__fish_seen_subcommand_from list' -s f -l format -x -a 'table jsonl ics' -d 'The output'
complete -c sm-plan -n '__fish_seen_subcommand_from show' -a '(__sm_plan_entries)' -d 'Entry'
complete -c sm-plan -n '__fish_seen_subcommand_from check' -f -a '(__sm_plan_branches) HEAD' -d 'Revision'
complete -c sm-plan -n '__fish_seen_subcommand_from sync' -f -s v -d 'Say what was done'
