import { AgentCommand } from '../../cli/agent-command.js';
import { record } from '../../cli/output.js';
import { AgentClient } from '../../native/client.js';

export default class AgentStop extends AgentCommand {
  static summary = 'Stop the agent: every mapping, grant and binding made through xgt is released';
  static examples = ['<%= config.bin %> agent stop'];

  async run() {
    await this.parse(AgentStop);
    const socket = this.requireNative();
    const client = await AgentClient.ifRunning();
    if (!client) {
      const res = { stopped: null, socket };
      this.human('no agent was running');
      return res;
    }
    const { stopping } = await client.call<{ stopping: number }>('agent.stop');
    client.close();
    const res = { stopped: stopping, socket };
    this.human(() => record(res));
    return res;
  }
}
