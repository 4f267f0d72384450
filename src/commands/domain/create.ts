import { Flags } from '@oclif/core';
import { XgtCommand } from '../../cli/base.js';
import { uintFlag } from '../../cli/flags.js';
import { parseMemoryKb } from '../../cli/numbers.js';
import { usage } from '../../errors.js';
import { call } from '../../backend/calls.js';
import type { Parsed, Plan } from '../../cli/plan.js';

export default class DomainCreate extends XgtCommand {
  /** What --json prints (docs/COMMANDS.md) */
  static result = '{"domid", "name", "type", "hap", "memory_kb", "vcpus", "state", "max_grant_frames", "max_evtchn_port", "dm_target"}';
  static summary = 'Create a domain on the emulated host (natively: use xl create)';
  static examples = ['<%= config.bin %> domain create --name guest1', '<%= config.bin %> domain create --name pv1 --type pv --memory 256M'];
  static flags = {
    name: Flags.string({ summary: 'domain name (unique)', required: true }),
    type: Flags.option({ options: ['pv', 'pvh', 'hvm'] as const, default: 'hvm' as const, summary: 'guest type' })(),
    'no-hap': Flags.boolean({ summary: 'shadow paging instead of HAP (HVM/PVH only)', default: false }),
    memory: Flags.string({ summary: 'memory (K/M/G suffix; default 512M)', default: '512M' }),
    vcpus: uintFlag('vcpus', 'virtual CPUs', 128, 1)({ default: 1 }),
    'max-grant-frames': uintFlag('max-grant-frames', 'grant-table frames the domain may grow to', 4096, 1)({ default: 64 }),
    'max-evtchn-port': uintFlag('max-evtchn-port', 'highest event-channel port', 131071, 1)({ default: 1023 }),
    'dm-target': uintFlag('dm-target', 'make it the device-model stub domain of this domain (it may use dmop on it)', 0xffff)(),
  };

  plan({ flags }: Parsed<typeof DomainCreate>): Plan {
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(flags.name)) {
      throw usage(this.op, '--name: 1 to 64 letters, digits, _ . - (starting with a letter or digit)');
    }
    const opts = {
      name: flags.name, type: flags.type, hap: !flags['no-hap'], memory_kb: parseMemoryKb(flags.memory, '--memory'),
      vcpus: flags.vcpus, max_grant_frames: flags['max-grant-frames'], max_evtchn_port: flags['max-evtchn-port'],
      dm_target: flags['dm-target'],
    };
    return { choice: this.choice(flags), step: call('domains.create', opts) };
  }
}
