# fish completion for sm-publish(1)

# __smkit_workspace: installed in vendor_functions.d; from the source tree, beside this file
type -q __smkit_workspace; or source (status dirname)/__smkit_workspace.fish

function __sm_publish_channels
    git config -f (__smkit_workspace)/config --includes --name-only --get-regexp '^channel\..*\.kind$' 2>/dev/null |
        string replace -r '^channel\.(.*)\.kind$' '$1'
end

# The drafts a run could send (approved, or left sending), with their channel and text.
function __sm_publish_drafts
    set -l db (__smkit_workspace)/store.db
    test -r $db; and command -q sqlite3; and sqlite3 -readonly $db "select id || char(9) || channel || ': ' || substr(replace(text, char(10), ' '), 1, 40) from drafts where state in ('approved', 'sending') order by id" 2>/dev/null
end

complete -c sm-publish -f
complete -c sm-publish -s d -l dir -x -a '(__fish_complete_directories)' -d 'The workspace directory'
complete -c sm-publish -s n -l dry-run -d 'Print what would be sent; send nothing'
complete -c sm-publish -s c -l channel -x -a '(__sm_publish_channels)' -d 'Only the drafts of this channel'
complete -c sm-publish -l plan -d 'The drafts of the editorial plan'
complete -c sm-publish -s v -l verbose -d 'Say what was done; twice: trace HTTP'
complete -c sm-publish -s q -l quiet -d 'No warnings, only errors'
complete -c sm-publish -s h -l help -d 'Print usage'
complete -c sm-publish -l version -d 'Print the version'
complete -c sm-publish -a '(__sm_publish_drafts)'
complete -c sm-publish -a - -d 'Draft records on stdin'
