# fish completion for sm-fetch(1)

# __smkit_workspace: installed in vendor_functions.d; from the source tree, beside this file
type -q __smkit_workspace; or source (status dirname)/__smkit_workspace.fish

# The channels of the workspace named by --dir earlier on the line, else the default one.
function __sm_fetch_channels
    set -l dir (__smkit_workspace)
    git config -f $dir/config --includes --name-only --get-regexp '^channel\..*\.kind$' 2>/dev/null |
        string replace -r '^channel\.(.*)\.kind$' '$1'
end

complete -c sm-fetch -f
complete -c sm-fetch -s d -l dir -x -a '(__fish_complete_directories)' -d 'The workspace directory'
complete -c sm-fetch -s c -l channel -x -a '(__sm_fetch_channels)' -d 'Fetch only this channel'
complete -c sm-fetch -s j -l parallel -x -d 'At most N connections at once'
complete -c sm-fetch -s q -l quiet -d 'No progress line'
complete -c sm-fetch -s v -l verbose -d 'A summary line per channel'
complete -c sm-fetch -s h -l help -d 'Print usage'
complete -c sm-fetch -l version -d 'Print the version'
