import { AgentCommand } from '../../cli/agent-command.js';
import { record } from '../../cli/output.js';
import { AgentClient } from '../../native/client.js';
import type { Parsed, Plan } from '../../cli/plan.js';

export default class AgentStop extends AgentCommand {
  /** What --json prints (docs/COMMANDS.md) */
  static result = '{"stopped": pid | null, "socket"}';
  static summary = 'Stop the agent: every mapping, grant and binding made through xgt is released';
  static examples = ['<%= config.bin %> agent stop'];

  plan({ flags }: Parsed<typeof AgentStop>): Plan<{ stopped: number | null; socket: string }> {
    return {
      choice: this.choice(flags),
      step: { local: async () => {
        const socket = this.requireNative();
        const client = await AgentClient.ifRunning();
        if (!client) return { stopped: null, socket };
        const { stopping } = await client.call<{ stopping: number }>('agent.stop');
        client.close();
        return { stopped: stopping, socket };
      } },
      human: (res) => (res.stopped === null ? 'no agent was running' : record(res)),
    };
  }
}
