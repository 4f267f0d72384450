/**
 * The thin persistence layer under the emulator's rules: opening (and atomically creating) the
 * state file, telling a foreign or damaged file from ours without writing to it, and running
 * each operation in one IMMEDIATE transaction so that concurrent processes serialise and a
 * refused or killed command leaves nothing behind.
 */
import Database from 'better-sqlite3';
import { closeSync, existsSync, linkSync, mkdirSync, openSync, readSync, renameSync, statSync, unlinkSync } from 'node:fs';
import { dirname } from 'node:path';
import { createRequire } from 'node:module';
import { internalError, unavailable, XgtError } from '../errors.js';
import { APPLICATION_ID, SCHEMA_SQL, SCHEMA_VERSION, UPGRADES } from './schema.js';
import { seedHost } from './host-layout.js';
import { recountGaps } from './gntdev.js';

const SQLITE_MAGIC = 'SQLite format 3\0';

/** How long a command waits for another process's transaction before giving up (exit 3). */
export function lockTimeoutMs(): number {
  const v = Number(process.env.XGT_LOCK_TIMEOUT_MS);
  return Number.isFinite(v) && v >= 0 ? v : 15000;
}

type Stmt = Database.Statement;

let binding: string | null | undefined;
/**
 * The compiled SQLite module, named directly: better-sqlite3's default lookup (the `bindings`
 * package) tries a dozen paths and reads stack traces on every start. Where a build put it
 * elsewhere, undefined lets that lookup find it.
 */
function sqliteBinding(): string | undefined {
  if (binding === undefined) {
    try {
      binding = createRequire(import.meta.url).resolve('better-sqlite3/build/Release/better_sqlite3.node');
    } catch {
      binding = null;
    }
  }
  return binding ?? undefined;
}

/** A query, and what makes a row of it an object. */
interface Query { stmt: Stmt; row: (values: unknown[]) => unknown }

/**
 * What makes a row's values (in column order) an object keyed by the column names. better-sqlite3
 * on Node 20 builds each row object a column at a time through V8's API, which costs about what
 * running the statement does; an object literal, made once per query from its columns (the names
 * are this program's own SQL, and quoted all the same), costs a fraction of that.
 */
function rowMaker(names: string[]): (values: unknown[]) => unknown {
  return new Function('v', `return { ${names.map((n, i) => `${JSON.stringify(n)}: v[${i}]`).join(', ')} };`) as (values: unknown[]) => unknown;
}

export class StateStore {
  private readonly stmts = new Map<string, Stmt>();
  private readonly queries = new Map<string, Query>();

  constructor(readonly db: Database.Database, readonly path: string) {}

  /** Opens the state file, creating it (holding just Domain-0) if it does not exist. */
  static open(path: string, { create = true } = {}): StateStore {
    if (!existsSync(path)) {
      if (!create) throw unavailable('emu.open', `state file ${path} does not exist`);
      createStateFile(path);
    }
    checkHeader(path);
    let db: Database.Database;
    try {
      db = new Database(path, { fileMustExist: true, timeout: lockTimeoutMs(), nativeBinding: sqliteBinding() });
    } catch (e) {
      throw sqliteUnavailable(e, path);
    }
    const store = new StateStore(db, path);
    try {
      store.validate();
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = OFF');
    } catch (e) {
      db.close();
      throw e instanceof XgtError ? e : sqliteUnavailable(e, path);
    }
    return store;
  }

  private validate(): void {
    const appId = this.db.pragma('application_id', { simple: true }) as number;
    const version = this.db.pragma('user_version', { simple: true }) as number;
    if (appId !== APPLICATION_ID) {
      throw unavailable('emu.open', `${this.path} is an SQLite file of another program, not an xgt state file`);
    }
    if (version < SCHEMA_VERSION && UPGRADES[version] !== undefined) this.upgrade(version);
    else if (version !== SCHEMA_VERSION) {
      const rel = version > SCHEMA_VERSION ? 'newer than' : 'older than';
      throw unavailable('emu.open',
        `state file ${this.path} has schema version ${version}, ${rel} this xgt's (${SCHEMA_VERSION})`);
    }
  }

  /**
   * Brings an older state file up to this schema, in one transaction: processes that open it at
   * once take turns, and the first one upgrades it.
   */
  private upgrade(from: number): void {
    try {
      this.db.transaction(() => {
        for (let v = this.db.pragma('user_version', { simple: true }) as number; v < SCHEMA_VERSION; v++) {
          this.db.exec(UPGRADES[v].sql);
          if (UPGRADES[v].recount) recountGaps(this);
          this.db.pragma(`user_version = ${v + 1}`);
        }
      }).immediate();
    } catch (e) {
      throw unavailable('emu.open', `${sqliteUnavailable(e, this.path).message}: it has schema version ${from}, `
        + `which this xgt upgrades to ${SCHEMA_VERSION} in place, and could not`);
    }
  }

  /** A cached prepared statement: the same SQL is compiled once per process. */
  stmt(sql: string): Stmt {
    let s = this.stmts.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.stmts.set(sql, s);
    }
    return s;
  }

  get<T>(sql: string, ...params: unknown[]): T | undefined {
    const q = this.query(sql);
    const values = q.stmt.get(...params) as unknown[] | undefined;
    return values === undefined ? undefined : q.row(values) as T;
  }

  all<T>(sql: string, ...params: unknown[]): T[] {
    const q = this.query(sql);
    return (q.stmt.all(...params) as unknown[][]).map(q.row) as T[];
  }

  /** Rows one at a time, for a walk that may stop early. */
  *iterate<T>(sql: string, ...params: unknown[]): IterableIterator<T> {
    const q = this.query(sql);
    for (const values of q.stmt.iterate(...params) as IterableIterator<unknown[]>) yield q.row(values) as T;
  }

  /** A cached query, its rows read as arrays and made objects by `row`. */
  private query(sql: string): Query {
    let q = this.queries.get(sql);
    if (!q) {
      const stmt = this.db.prepare(sql).raw(true);
      q = { stmt, row: rowMaker(stmt.columns().map((c) => c.name)) };
      this.queries.set(sql, q);
    }
    return q;
  }

  run(sql: string, ...params: unknown[]): Database.RunResult {
    return this.stmt(sql).run(...params);
  }

  /**
   * Runs `fn` as one write transaction: all of it lands, or none of it. BEGIN IMMEDIATE takes
   * the write lock up front, so concurrent writers queue on the busy timeout instead of failing
   * at commit. (Plain statements, not db.transaction(), which would build a wrapper per call.)
   */
  tx<T>(fn: () => T): T {
    if (this.grouped) return this.txInGroup(fn);
    this.begin();
    try {
      const result = fn();
      this.stmt('COMMIT').run();
      return result;
    } catch (e) {
      if (this.db.inTransaction) this.stmt('ROLLBACK').run();
      throw storeFailure(e, this.path);
    }
  }

  private grouped = false;

  /**
   * Group commit (xgt batch): one IMMEDIATE transaction spans several commands, each of them a
   * savepoint that a refusal rolls back alone; flushGroup() commits them together.
   */
  beginGroup(): void {
    this.grouped = true;
  }

  flushGroup(): void {
    if (this.db.inTransaction) {
      try {
        this.stmt('COMMIT').run();
      } catch (e) {
        throw storeFailure(e, this.path);
      }
    }
  }

  /** Takes the write lock (a lock held past the busy timeout is "unavailable", exit 3). */
  private begin(): void {
    try {
      this.stmt('BEGIN IMMEDIATE').run();
    } catch (e) {
      throw storeFailure(e, this.path);
    }
  }

  private txInGroup<T>(fn: () => T): T {
    if (!this.db.inTransaction) this.begin();
    this.stmt('SAVEPOINT xgt_command').run();
    try {
      const result = fn();
      this.stmt('RELEASE xgt_command').run();
      return result;
    } catch (e) {
      this.stmt('ROLLBACK TO xgt_command').run();
      this.stmt('RELEASE xgt_command').run();
      throw storeFailure(e, this.path);
    }
  }

  /**
   * For operations Xen does not undo when they fail part way (set_mem_type, memory exchange):
   * what was done before the failure commits, then the failure is reported.
   */
  txPartial<T>(fn: () => { result: T; failure?: Error }): T {
    const { result, failure } = this.tx(fn);
    if (failure) throw failure;
    return result;
  }

  /** A consistent read (a deferred transaction). */
  read<T>(fn: () => T): T {
    // inside a transaction already (a batch's group): it is consistent as it is
    if (this.db.inTransaction) return this.readIn(fn);
    try {
      this.stmt('BEGIN DEFERRED').run();
      try {
        return fn();
      } finally {
        if (this.db.inTransaction) this.stmt('COMMIT').run();
      }
    } catch (e) {
      throw storeFailure(e, this.path);
    }
  }

  private readIn<T>(fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      throw storeFailure(e, this.path);
    }
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

/**
 * A new state file appears whole or not at all: it is built under a temporary name and linked
 * into place, so a concurrent opener never sees a half-initialised file, and a file that exists
 * but is empty or damaged is never mistaken for a new one.
 */
function createStateFile(path: string): void {
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  } catch (e) {
    throw unavailable('emu.open', `cannot create the directory of ${path}: ${(e as Error).message}`);
  }
  // the pid keeps it apart from other processes' (node:crypto would cost every start its load)
  const tmp = `${path}.init-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
  try {
    const db = new Database(tmp, { nativeBinding: sqliteBinding() });
    try {
      initialise(db);
    } finally {
      db.close();
    }
    try {
      linkSync(tmp, path);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') return; // another process created it first: use theirs
      if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP') {
        if (!existsSync(path)) renameSync(tmp, path);
        return;
      }
      throw e;
    }
  } catch (e) {
    if (e instanceof XgtError) throw e;
    throw unavailable('emu.open', `cannot create state file ${path}: ${(e as Error).message}`);
  } finally {
    for (const f of [tmp, `${tmp}-wal`, `${tmp}-shm`, `${tmp}-journal`]) {
      try { unlinkSync(f); } catch { /* already gone */ }
    }
  }
}

/** Schema, then a fresh host holding Domain-0. */
export function initialise(db: Database.Database): void {
  db.pragma('journal_mode = WAL');
  db.transaction(() => {
    db.exec(SCHEMA_SQL);
    db.pragma(`application_id = ${APPLICATION_ID}`);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
    seedHost(new StateStore(db, '(new)'));
  }).immediate();
}

/**
 * Reads the first bytes ourselves, so that a truncated, empty or foreign file is refused before
 * SQLite could be tempted to treat it as a fresh database and write to it.
 */
function checkHeader(path: string): void {
  let fd: number;
  try {
    if (!statSync(path).isFile()) throw unavailable('emu.open', `state file ${path} is not a regular file`);
    fd = openSync(path, 'r');
  } catch (e) {
    if (e instanceof XgtError) throw e;
    throw unavailable('emu.open', `cannot read state file ${path}: ${(e as Error).message}`);
  }
  try {
    const buf = Buffer.alloc(100);
    const n = readSync(fd, buf, 0, 100, 0);
    if (n < 100 || buf.toString('latin1', 0, 16) !== SQLITE_MAGIC) {
      throw unavailable('emu.open', `state file ${path} is corrupt or not an xgt state file (no SQLite header)`);
    }
    if (buf.readUInt32BE(68) !== APPLICATION_ID) {
      throw unavailable('emu.open', `${path} is an SQLite file of another program, not an xgt state file`);
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * A failure inside a transaction: SQLite's own are the state file's (locked, corrupt, read-only,
 * disk full, a schema someone altered: "unavailable", exit 3); any other exception — a rule's
 * TypeError, say — is xgt's own bug and reported as one (EIO, exit 1).
 */
export function storeFailure(e: unknown, path: string, op = 'emu'): XgtError {
  if (e instanceof XgtError) return e;
  return e instanceof Database.SqliteError ? sqliteUnavailable(e, path) : internalError(e, op);
}

export function sqliteUnavailable(e: unknown, path: string): XgtError {
  const err = e as { code?: string; message?: string };
  const code = err.code ?? '';
  const why =
    code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED' ? `is locked by another process (waited ${lockTimeoutMs()} ms)`
      : code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT') ? 'is corrupt'
        : code.startsWith('SQLITE_READONLY') ? 'is read-only (file or directory not writable)'
          : code === 'SQLITE_FULL' ? 'cannot be written: the disk is full'
            : code.startsWith('SQLITE_CANTOPEN') ? 'cannot be opened'
              : code.startsWith('SQLITE_IOERR') ? 'cannot be read or written (I/O error)'
                : `cannot be used (${err.message ?? String(e)})`;
  return unavailable('emu.state', `state file ${path} ${why}`);
}

/** The default state file: $XDG_STATE_HOME/xgt/emu.db, else ~/.local/state/xgt/emu.db. */
export function defaultStatePath(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_STATE_HOME && env.XDG_STATE_HOME.startsWith('/')
    ? env.XDG_STATE_HOME
    : `${env.HOME ?? '/tmp'}/.local/state`;
  return `${base}/xgt/emu.db`;
}

/** Removes a damaged state file and its SQLite side files (emu init --force only). */
export function removeStateFile(path: string): void {
  for (const f of [path, `${path}-wal`, `${path}-shm`, `${path}-journal`]) {
    try { unlinkSync(f); } catch { /* not there */ }
  }
}
