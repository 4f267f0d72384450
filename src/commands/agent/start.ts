import { AgentCommand } from '../../cli/agent-command.js';
import { AgentClient } from '../../native/client.js';
import type { Parsed, Plan } from '../../cli/plan.js';

export default class AgentStart extends AgentCommand {
  /** What --json prints (docs/COMMANDS.md) */
  static result = '{"running": true, "started", "pid", "socket"}';
  static summary = 'Start the per-user agent that keeps the /dev/xen file descriptors open (native commands start it on demand)';
  static description = 'Mappings and bindings made through xgt live until they are unmapped or unbound, or until the agent stops.';
  static examples = ['<%= config.bin %> agent start'];

  plan({ flags }: Parsed<typeof AgentStart>): Plan {
    return {
      choice: this.choice(flags),
      step: { local: async () => {
        const socket = this.requireNative();
        let client = await AgentClient.ifRunning();
        const started = !client;
        if (!client) {
          await AgentClient.start();
          client = await AgentClient.open({ start: false });
        }
        try {
          const s = await client.call<{ pid: number }>('agent.status');
          return { running: true, started, pid: s.pid, socket };
        } finally {
          client.close();
        }
      } },
    };
  }
}
