import { Args } from '@oclif/core';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { XgtCommand } from '../cli/base.js';
import { completionScript, type Manifest } from '../cli/completion.js';
import type { Parsed, Plan } from '../cli/plan.js';
import { packageRoot } from '../package-root.js';
import { usage } from '../errors.js';

export default class Completion extends XgtCommand {
  /** What --json prints (docs/COMMANDS.md) */
  static result = '{"shell", "script"}';
  static summary = 'Print a shell completion script (commands, flags, and the values of flags that take one of a set)';
  static description = 'bash: add `source <(xgt completion bash)` to ~/.bashrc. zsh: add `source <(xgt completion zsh)` to ~/.zshrc.';
  static examples = ['<%= config.bin %> completion bash > /etc/bash_completion.d/xgt', 'source <(<%= config.bin %> completion zsh)'];
  static args = { shell: Args.string({ required: true, description: 'the shell: bash or zsh' }) };

  plan({ args, flags }: Parsed<typeof Completion>): Plan<{ shell: string; script: string }> {
    if (args.shell !== 'bash' && args.shell !== 'zsh') throw usage(this.op, `SHELL: bash or zsh, not '${args.shell}'`);
    const shell = args.shell;
    return {
      choice: this.choice(flags),
      step: { local: async () => {
        const manifest = JSON.parse(readFileSync(join(packageRoot(), 'oclif.manifest.json'), 'utf8')) as Manifest;
        return { shell, script: completionScript(shell, manifest, this.config.bin ?? 'xgt') };
      } },
      human: ({ script }) => script.trimEnd(),
    };
  }
}
