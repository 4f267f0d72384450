// Writes the command reference (docs/COMMANDS.md) and the man page (docs/xgt.1) from
// oclif.manifest.json and package.json's topics: every command, its usage, flags, arguments,
// examples and the JSON it prints. Run by `npm run manifest`; CI fails when the committed files
// are not what this writes.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8'));
const manifest = JSON.parse(readFileSync(`${root}oclif.manifest.json`, 'utf8'));
const bin = pkg.oclif.bin;
const topics = pkg.oclif.topics;
const commands = Object.values(manifest.commands).sort((a, b) => a.id.localeCompare(b.id));
const GLOBAL = new Set(['backend', 'state', 'as', 'json']);

const name = (c) => c.id.split(':').join(' ');
const example = (e) => (typeof e === 'string' ? e : e.command).replace(/<%= config.bin %>/g, bin);
const usage = (c) => `${bin} ${c.usage ?? [name(c), ...Object.keys(c.args ?? {}).map((a) => a.toUpperCase()), '[FLAGS]'].join(' ')}`;
const flagLine = (f) => {
  const value = f.type === 'option' ? (f.options ? ` ${f.options.join('|')}` : ' VALUE') : '';
  const extra = [f.required ? 'required' : '', f.default !== undefined ? `default: ${f.default}` : '', f.env ? `env ${f.env}` : '',
    f.exclusive?.length ? `not with --${f.exclusive.join(', --')}` : ''].filter(Boolean);
  return { left: `--${f.name}${value}`, text: `${f.summary ?? f.description ?? ''}${extra.length ? ` (${extra.join('; ')})` : ''}` };
};
const ownFlags = (c) => Object.values(c.flags).filter((f) => !GLOBAL.has(f.name));
const globalFlags = Object.values(commands.find((c) => c.id === 'info').flags).filter((f) => GLOBAL.has(f.name));

// --- docs/COMMANDS.md
const md = [];
md.push(`# ${bin} command reference`, '',
  `Generated from the command definitions by \`scripts/reference.mjs\` (\`npm run manifest\`); do not edit by hand.`,
  'What the commands promise — exit codes, errors, the rules they follow — is in CONTRACT.md; `xgt COMMAND -h` prints the',
  'same as the entries here.', '', '## Global flags', '', 'Every command takes them, before or after the command.', '');
for (const f of globalFlags) {
  const l = flagLine(f);
  md.push(`- \`${l.left}\`: ${l.text}`);
}
let topic;
for (const c of commands) {
  const t = c.id.includes(':') ? c.id.split(':')[0] : '';
  if (t !== topic) {
    topic = t;
    md.push('', `## ${t || 'Other commands'}`, '');
    if (t && topics[t]) md.push(topics[t].description, '');
  }
  md.push(`### ${bin} ${name(c)}`, '', c.summary ?? '', '');
  if (c.description) md.push(c.description, '');
  md.push('```', usage(c), '```', '');
  const args = Object.entries(c.args ?? {});
  if (args.length) {
    md.push('Arguments:', '');
    for (const [a, d] of args) md.push(`- \`${a.toUpperCase()}\`: ${d.description ?? ''}${d.options ? ` (${d.options.join('|')})` : ''}${d.required ? '' : ' (optional)'}`);
    md.push('');
  }
  const flags = ownFlags(c);
  if (flags.length) {
    md.push('Flags:', '');
    for (const f of flags) {
      const l = flagLine(f);
      md.push(`- \`${l.left}\`: ${l.text}`);
    }
    md.push('');
  }
  if (c.result) md.push(`Result (\`--json\`): \`${c.result}\``, '');
  if (c.examples?.length) {
    md.push('Examples:', '', '```sh', ...c.examples.map(example), '```', '');
  }
}
writeFileSync(`${root}docs/COMMANDS.md`, `${md.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd()}\n`);

// --- docs/xgt.1
const roff = (s) => String(s).replace(/\\/g, '\\e').replace(/-/g, '\\-').replace(/^([.'])/gm, '\\&$1')
  .replace(/[^\x00-\x7f]/gu, (c) => `\\[u${c.codePointAt(0).toString(16).toUpperCase().padStart(4, '0')}]`);
const man = [];
man.push(`.TH ${bin.toUpperCase()} 1 "" "${bin} ${pkg.version}" "User Commands"`, '.SH NAME', `${bin} \\- ${roff(pkg.description)}`,
  '.SH SYNOPSIS', `.B ${bin}`, '\\fICOMMAND\\fR [\\fIARGUMENTS\\fR] [\\fIFLAGS\\fR]', '.SH DESCRIPTION',
  roff('Every command runs on one of two backends behind one interface: native (the /dev/xen devices, through a per-user agent) '
    + 'and emu (an emulated Xen host whose state lives in one SQLite file). The same script sees the same results on both: '
    + 'the same JSON, exit codes, errno names and numbering.'),
  '.SH GLOBAL FLAGS');
for (const f of globalFlags) {
  const l = flagLine(f);
  man.push('.TP', `.B ${roff(l.left)}`, roff(l.text));
}
man.push('.SH COMMANDS');
for (const c of commands) {
  man.push(`.SS ${roff(`${bin} ${name(c)}`)}`, roff(c.summary ?? ''));
  if (c.description) man.push('.PP', roff(c.description));
  man.push('.PP', `.B ${roff(usage(c))}`);
  for (const [a, d] of Object.entries(c.args ?? {})) man.push('.TP', `.I ${a.toUpperCase()}`, roff(d.description ?? ''));
  for (const f of ownFlags(c)) {
    const l = flagLine(f);
    man.push('.TP', `.B ${roff(l.left)}`, roff(l.text));
  }
  if (c.result) man.push('.PP', roff(`Result (--json): ${c.result}`));
  if (c.examples?.length) {
    man.push('.PP', 'Examples:', '.RS', '.nf', ...c.examples.map((e) => roff(example(e))), '.fi', '.RE');
  }
}
man.push('.SH EXIT STATUS', '.TP', '.B 0', 'success', '.TP', '.B 1',
  roff('refused by the hypervisor, the kernel driver or the emulator (an errno); or an internal error (EIO)'),
  '.TP', '.B 2', roff('usage error: unknown command or flag, missing or malformed argument'),
  '.TP', '.B 3', roff('the backend is unavailable: no Xen devices or addon, agent unreachable, state file unusable or locked'),
  '.SH ENVIRONMENT', '.TP', '.B XGT_BACKEND, XGT_STATE, XGT_AS', roff('defaults of --backend, --state and --as'),
  '.TP', '.B NO_COLOR', 'no colour in human output',
  '.SH SEE ALSO', roff('docs/COMMANDS.md, docs/CONTRACT.md and docs/XEN-RULES.md in the xgt sources; xl(1), xentop(1)'));
writeFileSync(`${root}docs/xgt.1`, `${man.join('\n')}\n`);
