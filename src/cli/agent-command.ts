/** Base of the agent commands: they need a Xen host (or exit 3 saying why). */
import { unavailable } from '../errors.js';
import { nativeUnavailableReason } from '../native/backend.js';
import { agentSocket } from '../native/paths.js';
import { XgtCommand } from './base.js';

export abstract class AgentCommand extends XgtCommand {
  protected requireNative(): string {
    const why = nativeUnavailableReason();
    if (why) throw unavailable('agent', `native backend unavailable: ${why}`);
    return agentSocket();
  }
}
