/**
 * The CLI's output. A cold process of the fast path writes it to fds 1 and 2 with write(2)
 * (writeDirectly): the first touch of process.stdout or process.stderr builds Node's stream
 * machinery (net, tty and every stream module), ~2.5 ms of a start whose output is one line.
 * Elsewhere (oclif's path, commands run in-process by a test harness that captures the streams)
 * output goes through Node's streams as usual. Either way the bytes, their order and the blocking
 * are the same: on Linux Node's streams write to files and pipes synchronously too. Two cases:
 * - a descriptor left non-blocking by someone else (EAGAIN on a direct write): the rest goes
 *   through Node's stream for that fd, which waits for room instead of failing;
 * - a reader that has gone away (EPIPE): nothing more is written, and the command keeps its own
 *   exit code (Node's stream alone would crash the process with a stack trace).
 */
import { writeSync } from 'node:fs';

type Sink = 'fd' | 'stream' | 'gone';
const sinks: Record<1 | 2, Sink> = { 1: 'stream', 2: 'stream' };
const guarded = new Set<number>();

export function writeDirectly(): void {
  for (const fd of [1, 2] as const) if (sinks[fd] === 'stream' && !guarded.has(fd)) sinks[fd] = 'fd';
}

export const writeOut = (data: string | Uint8Array): void => write(1, data);
export const writeErr = (data: string | Uint8Array): void => write(2, data);

function write(fd: 1 | 2, data: string | Uint8Array): void {
  if (sinks[fd] === 'gone' || data.length === 0) return;
  if (sinks[fd] === 'stream') {
    streamOf(fd).write(data);
    return;
  }
  const bytes = typeof data === 'string' ? Buffer.from(data) : data;
  let done = 0;
  while (done < bytes.length) {
    try {
      done += writeSync(fd, bytes, done, bytes.length - done);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EPIPE') sinks[fd] = 'gone';
      else if (code === 'EAGAIN') {
        sinks[fd] = 'stream';
        streamOf(fd).write(bytes.subarray(done));
      } else throw e;
      return;
    }
  }
}

/** Node's stream for fd, told that a reader gone away ends the output, not the process. */
function streamOf(fd: 1 | 2): NodeJS.WriteStream {
  const stream = fd === 1 ? process.stdout : process.stderr;
  if (!guarded.has(fd)) {
    guarded.add(fd);
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EPIPE') throw e;
      sinks[fd] = 'gone';
    });
  }
  return stream;
}
