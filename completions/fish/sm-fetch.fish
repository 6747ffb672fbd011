# fish completion for sm-fetch(1)

# The channels of the workspace named by --dir earlier on the line, else the default one.
function __sm_fetch_channels
    set -l tokens (commandline -opc)
    set -l dir
    set -l i 2
    while test $i -le (count $tokens)
        switch $tokens[$i]
            case -d --dir
                set i (math $i + 1)
                test $i -le (count $tokens); and set dir $tokens[$i]
            case '--dir=*'
                set dir (string replace -- --dir= '' $tokens[$i])
            case '-d?*'
                set dir (string sub -s 3 -- $tokens[$i])
        end
        set i (math $i + 1)
    end
    set dir (string replace -r -- '^~(?=/|$)' $HOME "$dir")
    if test -z "$dir"
        if set -q SM_DIR[1]; and test -n "$SM_DIR"
            set dir $SM_DIR
        else if set -q XDG_DATA_HOME[1]; and test -n "$XDG_DATA_HOME"
            set dir $XDG_DATA_HOME/smkit
        else
            set dir $HOME/.local/share/smkit
        end
    end
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
