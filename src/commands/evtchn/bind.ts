import { Flags } from '@oclif/core';
import { XgtCommand } from '../../cli/base.js';
import { uintFlag } from '../../cli/flags.js';
import { U16_MAX, U32_MAX } from '../../cli/numbers.js';
import { usage } from '../../errors.js';
import { call } from '../../backend/calls.js';
import type { Parsed, Plan } from '../../cli/plan.js';

export default class EvtchnBind extends XgtCommand {
  /** What --json prints (docs/COMMANDS.md) */
  static result = '{"port", "state": "unbound" | "interdomain" | "virq", "remote_domid", "remote_port", "virq"} (the keys of its kind)';
  static summary = 'Bind an event channel: an unbound port, an interdomain channel, or a virq';
  static description = 'A new interdomain port is already pending (Xen marks it so): wait for it once before waiting for notifications.';
  static examples = [
    '<%= config.bin %> evtchn bind --unbound --remote 1',
    '<%= config.bin %> evtchn bind --interdomain --remote 1 --remote-port 2',
    '<%= config.bin %> evtchn bind --virq 3',
  ];
  static flags = {
    unbound: Flags.boolean({ summary: 'allocate a port the remote domain can bind to (BIND_UNBOUND_PORT)', exclusive: ['interdomain', 'virq'] }),
    interdomain: Flags.boolean({ summary: "bind to the remote domain's unbound port (BIND_INTERDOMAIN)", exclusive: ['unbound', 'virq'] }),
    virq: uintFlag('virq', 'bind this virtual IRQ on vCPU 0 (BIND_VIRQ)', U32_MAX)({ exclusive: ['unbound', 'interdomain', 'remote'] }),
    remote: uintFlag('remote', 'the remote domain', U16_MAX)(),
    'remote-port': uintFlag('remote-port', "the remote domain's port", U32_MAX)(),
  };

  plan({ flags }: Parsed<typeof EvtchnBind>): Plan {
    const { remote } = flags;
    const remotePort = flags['remote-port'];
    const choice = this.choice(flags);
    if (flags.virq !== undefined) return { choice, step: call('evtchn.bindVirq', flags.virq) };
    if (!flags.unbound && !flags.interdomain) throw usage(this.op, 'one of --unbound, --interdomain or --virq is required');
    if (remote === undefined) throw usage(this.op, `--remote is required with --${flags.unbound ? 'unbound' : 'interdomain'}`);
    if (flags.unbound) return { choice, step: call('evtchn.bindUnbound', remote) };
    if (remotePort === undefined) throw usage(this.op, '--remote-port is required with --interdomain');
    return { choice, step: call('evtchn.bindInterdomain', remote, remotePort) };
  }
}
