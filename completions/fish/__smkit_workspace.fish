# The smkit workspace the command line being completed names with -d/--dir, else
# $SM_DIR, else the default one: shared by the completions of every smkit command
# (installed in vendor_functions.d, where fish finds it by its name).
function __smkit_workspace
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
    echo $dir
end
