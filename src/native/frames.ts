/**
 * The agent's replies: one JSON message a line, except a batch's output, which comes as a header
 * line `{"id":…,"raw":N}` and then N bytes of output as they are. The client passes those bytes
 * to stdout untouched: escaped inside a JSON string, every quote of the output's JSON lines was
 * encoded, scanned for a line end, decoded and parsed again, and in a dom0 under emulation the
 * client's cold code doing that shared the one vCPU with the agent running the batch.
 */

/**
 * batch.run's fourth argument, `{ "output": "raw" }`, asks for raw parts: an agent of an earlier
 * build ignores it and sends JSON text, and a client of an earlier build, which does not ask,
 * gets JSON text too.
 */
export const RAW_OUTPUT = { output: 'raw' } as const;

export function wantsRawOutput(args: unknown[]): boolean {
  const o = args[3];
  return typeof o === 'object' && o !== null && (o as { output?: unknown }).output === 'raw';
}

/** The header line that announces a raw part of `bytes` bytes. */
export function rawHeader(id: unknown, bytes: number): string {
  return `${JSON.stringify({ id, raw: bytes })}\n`;
}

export interface FrameHandlers {
  /** a JSON message line (its text) */
  line(text: string): void;
  /** some bytes of the raw part announced by the last `raw` header, in order */
  raw(id: number, bytes: Buffer): void;
}

/** Splits the agent's stream into message lines and raw parts, whatever the chunks' boundaries. */
export class FrameReader {
  private rest: Buffer = Buffer.alloc(0);
  private rawId = 0;
  private rawLeft = 0;

  constructor(private readonly on: FrameHandlers) {}

  push(chunk: Buffer): void {
    const data = this.rest.length ? Buffer.concat([this.rest, chunk]) : chunk;
    let pos = 0;
    while (pos < data.length) {
      if (this.rawLeft > 0) {
        const n = Math.min(this.rawLeft, data.length - pos);
        this.rawLeft -= n;
        this.on.raw(this.rawId, data.subarray(pos, pos + n));
        pos += n;
        continue;
      }
      const end = data.indexOf(10, pos);
      if (end < 0) break;
      const text = data.toString('utf8', pos, end);
      pos = end + 1;
      const header = rawPart(text);
      if (header) {
        this.rawId = header.id;
        this.rawLeft = header.raw;
      } else this.on.line(text);
    }
    // a partial line waits for the rest (copied: the chunk's memory is the socket's to reuse)
    this.rest = pos < data.length ? Buffer.from(data.subarray(pos)) : Buffer.alloc(0);
  }
}

/** A raw part's header: exactly {"id": n, "raw": n}, written by rawHeader. */
function rawPart(text: string): { id: number; raw: number } | undefined {
  if (!text.includes('"raw":')) return undefined;
  try {
    const m = JSON.parse(text) as Record<string, unknown>;
    const keys = Object.keys(m);
    if (keys.length === 2 && Number.isSafeInteger(m.id) && Number.isSafeInteger(m.raw) && (m.raw as number) >= 0) {
      return m as { id: number; raw: number };
    }
  } catch { /* an ordinary message's business */ }
  return undefined;
}
