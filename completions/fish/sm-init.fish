# fish completion for sm-init(1)
complete -c sm-init -f
complete -c sm-init -s d -l dir -x -a '(__fish_complete_directories)' -d 'The workspace directory'
complete -c sm-init -s q -l quiet -d 'Say nothing unless something fails'
complete -c sm-init -s h -l help -d 'Print usage'
complete -c sm-init -l version -d 'Print the version'
complete -c sm-init -n 'not string match -q -- "-*" (commandline -ct)' -a '(__fish_complete_directories)'
