import { Flags } from '@oclif/core';
import { EmuCommand } from '../../../cli/emu-command.js';
import { optionalDomidFlag, uintFlag } from '../../../cli/flags.js';
import { addFault, checkFault, type Fault, FAULT_OPS } from '../../../emu/faults.js';
import type { Parsed, Plan } from '../../../cli/plan.js';

export default class EmuFaultAdd extends EmuCommand {
  /** What --json prints (docs/COMMANDS.md) */
  static result = '{"id", "op", "domid": D | null, "code", "gntst": G | null, "after", "times"}';
  static summary = 'Make an operation fail the way Xen or Linux fails it, to test a script\'s error paths';
  static description = `From now on the matching command (--op as errors name it, acting as --domid when given) is
refused with that errno, and GNTST code for gnttab.map and gnttab.copy, exactly as a real refusal:
exit 1, the usual error, nothing changed. --after N lets N matching calls through first; --times N
refuses N of them (0: until cleared). Faults live in the state file: every process using it meets
them, batch lines included; emu export and import carry them.

Operations: ${FAULT_OPS.join(', ')}.`;
  static examples = [
    '<%= config.bin %> emu fault add --op gnttab.map --code EINVAL --gntst GNTST_eagain',
    '<%= config.bin %> emu fault add --op gnttab.grant --code ENOSPC --domid 1 --after 2',
    '<%= config.bin %> emu fault add --op evtchn.wait --code ETIMEDOUT --times 0',
  ];
  static flags = {
    op: Flags.string({ summary: 'the operation, as errors name it (gnttab.map, evtchn.bind…)', required: true, helpValue: 'OP' }),
    code: Flags.string({ summary: 'the errno name it fails with (EINVAL, ENOSPC, EAGAIN…)', required: true }),
    gntst: Flags.string({ summary: 'the grant status too (gnttab.map, gnttab.copy): GNTST_eagain, GNTST_bad_page…' }),
    domid: optionalDomidFlag('only calls acting as this domain (default: any)'),
    after: uintFlag('after', 'matching calls to let through first (default 0)')({ default: 0 }),
    times: uintFlag('times', 'how many to refuse; 0 = until cleared (default 1)')({ default: 1 }),
  };

  plan({ flags }: Parsed<typeof EmuFaultAdd>): Plan<Fault> {
    const { code, gntst } = checkFault(this.op, flags);
    return {
      choice: this.choice(flags),
      step: { local: async () => this.withStore(flags, (st) => st.tx(() => addFault(st, {
        op: flags.op, domid: flags.domid ?? null, code, gntst, after: flags.after, times: flags.times,
      }))) },
    };
  }
}
