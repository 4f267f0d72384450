import { AgentCommand } from '../../cli/agent-command.js';
import { AgentClient } from '../../native/client.js';
import type { Parsed, Plan } from '../../cli/plan.js';

export default class AgentStatus extends AgentCommand {
  /** What --json prints (docs/COMMANDS.md) */
  static result = '{"running", "socket", "pid", "domid", "uptime_s", "build", "stale"} (pid… only while running)';
  static summary = 'Is the agent running, since when, and on which build of xgt (stale: the installed xgt is another build)';
  static examples = ['<%= config.bin %> agent status --json'];

  plan({ flags }: Parsed<typeof AgentStatus>): Plan {
    return {
      choice: this.choice(flags),
      step: { local: async () => {
        const socket = this.requireNative();
        const client = await AgentClient.ifRunning();
        if (!client) return { running: false, socket };
        try {
          const s = await client.call<{ pid: number; domid: number; uptime_s: number; build: string | null; stale: boolean }>('agent.status');
          return { running: true, socket, ...s };
        } finally {
          client.close();
        }
      } },
    };
  }
}
