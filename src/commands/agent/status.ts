import { AgentCommand } from '../../cli/agent-command.js';
import { record } from '../../cli/output.js';
import { AgentClient } from '../../native/client.js';

export default class AgentStatus extends AgentCommand {
  static summary = 'Is the agent running, since when, and on which build of xgt (stale: the installed xgt is another build)';
  static examples = ['<%= config.bin %> agent status --json'];

  async run() {
    await this.parse(AgentStatus);
    const socket = this.requireNative();
    const client = await AgentClient.ifRunning();
    if (!client) {
      const res = { running: false, socket };
      this.human(() => record(res));
      return res;
    }
    try {
      const s = await client.call<{ pid: number; domid: number; uptime_s: number; build: string | null; stale: boolean }>('agent.status');
      const res = { running: true, socket, ...s };
      this.human(() => record(res));
      return res;
    } finally {
      client.close();
    }
  }
}
