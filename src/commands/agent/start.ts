import { AgentCommand } from '../../cli/agent-command.js';
import { record } from '../../cli/output.js';
import { AgentClient } from '../../native/client.js';

export default class AgentStart extends AgentCommand {
  static summary = 'Start the per-user agent that keeps the /dev/xen file descriptors open (native commands start it on demand)';
  static description = 'Mappings and bindings made through xgt live until they are unmapped or unbound, or until the agent stops.';
  static examples = ['<%= config.bin %> agent start'];

  async run() {
    await this.parse(AgentStart);
    const socket = this.requireNative();
    let client = await AgentClient.ifRunning();
    const started = !client;
    if (!client) {
      await AgentClient.start();
      client = await AgentClient.open({ start: false });
    }
    try {
      const s = await client.call<{ pid: number }>('agent.status');
      const res = { running: true, started, pid: s.pid, socket };
      this.human(() => record(res));
      return res;
    } finally {
      client.close();
    }
  }
}
