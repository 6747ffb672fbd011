# fish completion for sm-report(1)

# __smkit_workspace: installed in vendor_functions.d; from the source tree, beside this file
type -q __smkit_workspace; or source (status dirname)/__smkit_workspace.fish

function __sm_report_names -a section
    git config -f (__smkit_workspace)/config --includes --name-only --get-regexp "^$section\." 2>/dev/null |
        string replace -r -f "^$section\.(.*)\.[^.]*\$" '$1' | sort -u
end

set -l reports volume response sla backlog agents topics superusers approvals publishing benchmark audit
complete -c sm-report -f
complete -c sm-report -n "not __fish_seen_subcommand_from $reports" -a 'volume' -d 'Items in, matched, dropped'
complete -c sm-report -n "not __fish_seen_subcommand_from $reports" -a 'response' -d 'First-response and resolution times'
complete -c sm-report -n "not __fish_seen_subcommand_from $reports" -a 'sla' -d 'Targets met and breached'
complete -c sm-report -n "not __fish_seen_subcommand_from $reports" -a 'backlog' -d 'Open cases by age; the queue'
complete -c sm-report -n "not __fish_seen_subcommand_from $reports" -a 'agents' -d 'Each agent, load against capacity'
complete -c sm-report -n "not __fish_seen_subcommand_from $reports" -a 'topics' -d 'Tags and rules over time, spikes'
complete -c sm-report -n "not __fish_seen_subcommand_from $reports" -a 'superusers' -d 'The community helpers'
complete -c sm-report -n "not __fish_seen_subcommand_from $reports" -a 'approvals' -d 'Drafts and their approvals'
complete -c sm-report -n "not __fish_seen_subcommand_from $reports" -a 'publishing' -d 'Published, failed; the plan ahead'
complete -c sm-report -n "not __fish_seen_subcommand_from $reports" -a 'benchmark' -d 'Own channels against competitors'
complete -c sm-report -n "not __fish_seen_subcommand_from $reports" -a 'audit' -d 'The audit log'

complete -c sm-report -s d -l dir -x -a '(__fish_complete_directories)' -d 'The workspace directory'
complete -c sm-report -s s -l since -x -a '24h 7d 30d' -d 'From this time'
complete -c sm-report -s u -l until -x -a '24h 7d 30d' -d 'Up to this time'
complete -c sm-report -s b -l by -x -a 'day week month channel network team agent tag' -d 'Rows by'
complete -c sm-report -s c -l channel -x -a '(__sm_report_names channel)' -d 'Only this channel'
complete -c sm-report -s t -l team -x -a '(__sm_report_names team)' -d 'Only this team'
complete -c sm-report -s f -l format -x -a 'table csv tsv jsonl html md' -d 'Output format'
complete -c sm-report -s o -l output -r -F -d 'Write this file'
complete -c sm-report -l table -x -a 'sla breached backlog queue superusers contributions publishing ahead' -d 'Only this table'
complete -c sm-report -n '__fish_seen_subcommand_from audit' -l verify -d 'Check the hash chain'
complete -c sm-report -s h -l help -d 'Print usage'
complete -c sm-report -l version -d 'Print the version'
