/**
 * Shell completion scripts for bash and zsh, generated from the command manifest
 * (oclif.manifest.json): commands and topics, each command's flags, and the values of flags that
 * take one of a fixed set. Everything is in the script itself, so completing runs no xgt
 * process. (oclif's autocomplete plugin completes no flag values in bash, and its current
 * versions need Node 22.)
 */

export interface ManifestFlag { name: string; type: 'boolean' | 'option'; options?: string[]; char?: string }
export interface Manifest { commands: Record<string, { id: string; flags: Record<string, ManifestFlag> }> }

/** A word safe inside single quotes in a shell script (ids, flag names and options are plain). */
const plain = (w: string) => {
  if (!/^[A-Za-z0-9_.:=-]+$/.test(w)) throw new Error(`not a plain word for a completion script: ${w}`);
  return w;
};

/** The bash function; zsh runs it through bashcompinit. */
function bashFunction(m: Manifest, bin: string): string {
  const ids = Object.keys(m.commands).sort();
  const spaced = ids.map((id) => id.split(':').map(plain).join(' '));
  const firstWords = [...new Set(spaced.map((s) => s.split(' ')[0]))];
  const topics = [...new Set(spaced.filter((s) => s.includes(' ')).map((s) => s.split(' ')[0]))];
  const flagCases: string[] = [];
  const valueCases: string[] = [];
  const valued = new Set<string>();
  for (const [id, c] of Object.entries(m.commands)) {
    const name = id.split(':').join(' ');
    const flags = Object.values(c.flags);
    flagCases.push(`    '${name}') echo '${flags.map((f) => `--${plain(f.name)}`).join(' ')} --help' ;;`);
    for (const f of flags) {
      if (f.type === 'option') valued.add(`--${plain(f.name)}`);
      if (f.options?.length && f.name !== 'backend') valueCases.push(`    '${name} --${f.name}') values='${f.options.map(plain).join(' ')}' ;;`);
    }
  }
  const fn = `_${bin.replace(/\W/g, '_')}_complete`;
  return `# the words of $1 that start with what is being completed
${fn}_pick() {
  [[ -n \${ZSH_VERSION-} ]] && emulate -L ksh
  local w
  for w in $1; do case "$w" in "$cur"*) COMPREPLY+=("$w") ;; esac; done
}
${fn}() {
  [[ -n \${ZSH_VERSION-} ]] && emulate -L ksh
  local cur=\${COMP_WORDS[COMP_CWORD]} prev= cmd= w i skip=
  (( COMP_CWORD > 0 )) && prev=\${COMP_WORDS[COMP_CWORD-1]}
  # the command so far: the words that are not flags nor a flag's value
  for (( i = 1; i < COMP_CWORD; i++ )); do
    w=\${COMP_WORDS[i]}
    if [[ -n $skip ]]; then skip=; continue; fi
    case "$w" in
      --*=*) ;;
      -*) case " ${[...valued].sort().join(' ')} " in *" $w "*) skip=1 ;; esac ;;
      *) case "$cmd" in
           '') cmd=$w ;;
           ${topics.map((t) => `'${t}'`).join('|') || "''"}) cmd="$cmd $w" ;;
         esac ;;
    esac
  done
  local values=
  case "$cmd $prev" in
${valueCases.sort().join('\n')}
    *' --backend') values='${(Object.values(m.commands)[0]?.flags.backend?.options ?? []).map(plain).join(' ')}' ;;
  esac
  COMPREPLY=()
  if [[ -n $values ]]; then ${fn}_pick "$values"; return; fi
  if [[ $cur == -* ]]; then
    local flags
    flags=$(case "$cmd" in
${flagCases.sort().join('\n')}
    *) echo '--json --backend --state --as --help --version' ;;
    esac)
    ${fn}_pick "$flags"
    return
  fi
  case "$cmd" in
    '') ${fn}_pick '${firstWords.join(' ')} help' ;;
${topics.map((t) => `    '${t}') ${fn}_pick '${spaced.filter((x) => x.startsWith(`${t} `)).map((x) => x.split(' ')[1]).join(' ')}' ;;`).join('\n')}
    'help') ${fn}_pick '${firstWords.join(' ')}' ;;
  esac
}`;
}

export function completionScript(shell: 'bash' | 'zsh', m: Manifest, bin = 'xgt'): string {
  const fn = `_${bin.replace(/\W/g, '_')}_complete`;
  const body = bashFunction(m, bin);
  if (shell === 'bash') {
    return `# ${bin} completion for bash: source this file, or add to ~/.bashrc:\n#   source <(${bin} completion bash)\n${body}\ncomplete -o default -F ${fn} ${bin}\n`;
  }
  return `#compdef ${bin}\n# ${bin} completion for zsh: add to ~/.zshrc:\n#   source <(${bin} completion zsh)\n`
    + 'autoload -U +X compinit && compinit\nautoload -U +X bashcompinit && bashcompinit\n'
    + `${body}\ncomplete -o default -F ${fn} ${bin}\n`;
}
