# bash completion for fbnic-emu, fbnic-vm and fbnic-selftests (installed
# as completions/fbnic-emu, with links for the other two): their long
# options, read from their own --help; file names otherwise.
_fbnic_emu_complete() {
	local cur=${COMP_WORDS[COMP_CWORD]}
	if [[ $cur == -* ]]; then
		local opts
		opts=$("$1" --help 2>&1 | grep -oE -- '--[a-z][a-z0-9-]*' | sort -u)
		mapfile -t COMPREPLY < <(compgen -W "$opts" -- "$cur")
	else
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
	fi
}
complete -F _fbnic_emu_complete fbnic-emu fbnic-vm fbnic-selftests
