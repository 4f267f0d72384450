/** Where the native backend finds the Xen devices and its agent. */
import { userInfo } from 'node:os';

export const XEN_DEVICE_DIR = process.env.XGT_XEN_DEVICE_DIR ?? '/dev/xen';

/** A directory only its owner can enter, holding the agent's socket, pid file and log. */
export function agentDir(env = process.env): string {
  if (env.XGT_AGENT_DIR) return env.XGT_AGENT_DIR;
  const base = env.XDG_RUNTIME_DIR && env.XDG_RUNTIME_DIR.startsWith('/') ? env.XDG_RUNTIME_DIR : '/tmp';
  return `${base}/xgt-agent-${userInfo().uid}`;
}

export const agentSocket = (dir = agentDir()) => `${dir}/agent.sock`;
