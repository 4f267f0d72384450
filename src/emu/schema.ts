/**
 * The emulated host's state file (SQLite). One file holds a whole host: domains, their memory
 * (p2m ranges over host frames, page contents sparse), grant tables, the per-domain
 * gntalloc/gntdev/evtchn device bookkeeping, ioreq servers, memory-type claims and pinned
 * extents. user_version is the schema version; application_id tells our files from any other
 * program's SQLite file.
 */

export const APPLICATION_ID = 0x78677431; // 'xgt1'
export const SCHEMA_VERSION = 3;

/**
 * Maps followed by free pages (and the last map), so that placing a mapping skips every run of
 * adjacent ones (gntdev.ts, placeIndex).
 */
const GNTDEV_GAP_INDEX = 'CREATE INDEX gntdev_maps_gap ON gntdev_maps (domid, page) WHERE gap_after IS NULL OR gap_after > 0';

/**
 * A domain's gntdev pages mapped (the maptrack entries they hold) and the grants its gntalloc
 * device holds, kept in its row by triggers, whatever code adds or removes the rows: a map or a
 * grant checks its limit without counting rows.
 */
const USAGE_TRIGGERS = `
CREATE TRIGGER maptrack_in AFTER INSERT ON gntdev_pages
  BEGIN UPDATE domains SET maptrack_used = maptrack_used + 1 WHERE domid = NEW.domid; END;
CREATE TRIGGER maptrack_out AFTER DELETE ON gntdev_pages
  BEGIN UPDATE domains SET maptrack_used = maptrack_used - 1 WHERE domid = OLD.domid; END;
CREATE TRIGGER gntalloc_in AFTER INSERT ON gntalloc WHEN NEW.released = 0
  BEGIN UPDATE domains SET gntalloc_used = gntalloc_used + 1 WHERE domid = NEW.domid; END;
CREATE TRIGGER gntalloc_out AFTER DELETE ON gntalloc WHEN OLD.released = 0
  BEGIN UPDATE domains SET gntalloc_used = gntalloc_used - 1 WHERE domid = OLD.domid; END;
CREATE TRIGGER gntalloc_released AFTER UPDATE OF released ON gntalloc WHEN OLD.released != NEW.released
  BEGIN UPDATE domains SET gntalloc_used = gntalloc_used + (NEW.released = 0) - (OLD.released = 0) WHERE domid = NEW.domid; END;`;

/** A captured domain Xen had paused (emu capture): listed as paused, otherwise as any running domain. */
const PAUSED_COLUMN = 'ALTER TABLE domains ADD COLUMN paused INTEGER NOT NULL DEFAULT 0;';

/** Injected faults (emu fault add, faults.ts): `times` 0 = until cleared. */
const FAULTS_TABLE = `CREATE TABLE faults (
  id     INTEGER PRIMARY KEY,
  op     TEXT NOT NULL,
  domid  INTEGER,
  code   TEXT NOT NULL,
  gntst  INTEGER,
  after  INTEGER NOT NULL DEFAULT 0,
  times  INTEGER NOT NULL DEFAULT 1
);`;

/** Sets every domain's usage counts from the rows themselves. */
export const RECOUNT_USAGE = `UPDATE domains SET
  maptrack_used = (SELECT count(*) FROM gntdev_pages p WHERE p.domid = domains.domid),
  gntalloc_used = (SELECT count(*) FROM gntalloc a WHERE a.domid = domains.domid AND a.released = 0)`;

/**
 * What brings a state file of schema version N up to N + 1 (run by StateStore.open, in one
 * transaction): its SQL, then `recount` (derived data: the gaps after gntdev mappings).
 */
export const UPGRADES: Record<number, { sql: string; recount?: true }> = {
  1: {
    sql: `ALTER TABLE gntdev_maps ADD COLUMN gap_after INTEGER; ${GNTDEV_GAP_INDEX};
    ALTER TABLE domains ADD COLUMN maptrack_used INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE domains ADD COLUMN gntalloc_used INTEGER NOT NULL DEFAULT 0;
    ${USAGE_TRIGGERS} ${RECOUNT_USAGE};`,
    recount: true,
  },
  2: { sql: `${FAULTS_TABLE} ${PAUSED_COLUMN}` },
};

export const SCHEMA_SQL = `
CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value ANY
) WITHOUT ROWID;

CREATE TABLE domains (
  domid             INTEGER PRIMARY KEY,
  name              TEXT NOT NULL UNIQUE,
  type              TEXT NOT NULL CHECK (type IN ('pv','pvh','hvm')),
  hap               INTEGER NOT NULL,
  memory_kb         INTEGER NOT NULL,
  vcpus             INTEGER NOT NULL,
  state             TEXT NOT NULL CHECK (state IN ('running','dying')),
  max_grant_frames  INTEGER NOT NULL,
  max_evtchn_port   INTEGER NOT NULL,
  nr_grant_frames   INTEGER NOT NULL,   -- current grant-table size; refs below nr*512 are valid
  gnt_next_unused   INTEGER NOT NULL,   -- refs at or above this were never handed out
  gntalloc_next_page INTEGER NOT NULL,  -- gntalloc indices only grow (in pages)
  dm_target         INTEGER,            -- a device-model stub domain: the domain it serves (XSM)
  gntalloc_limit    INTEGER NOT NULL DEFAULT 1024,  -- xen_gntalloc's module parameter 'limit'
  gntdev_limit      INTEGER NOT NULL DEFAULT 65536, -- xen_gntdev's module parameter 'limit'
  maptrack_used     INTEGER NOT NULL DEFAULT 0,     -- gntdev pages it maps (USAGE_TRIGGERS)
  gntalloc_used     INTEGER NOT NULL DEFAULT 0      -- grants its gntalloc device holds (USAGE_TRIGGERS)
);

-- guest frame -> machine frame, in ranges, with the p2m type of each range
CREATE TABLE p2m (
  domid     INTEGER NOT NULL,
  first_gfn INTEGER NOT NULL,
  count     INTEGER NOT NULL,
  first_mfn INTEGER NOT NULL,
  type      TEXT NOT NULL DEFAULT 'ram_rw',
  PRIMARY KEY (domid, first_gfn)
) WITHOUT ROWID;

CREATE TABLE free_mfns (
  first_mfn INTEGER PRIMARY KEY,
  count     INTEGER NOT NULL
);

-- page contents; a frame without a row holds zeros
CREATE TABLE frames (
  mfn  INTEGER PRIMARY KEY,
  data BLOB NOT NULL
);

-- grant-table entries (v1). GTF_reading/GTF_writing are derived from the pin counts.
CREATE TABLE grants (
  domid     INTEGER NOT NULL,
  ref       INTEGER NOT NULL,
  flags     INTEGER NOT NULL,           -- GTF_permit_access | GTF_readonly
  to_domid  INTEGER NOT NULL,
  gfn       INTEGER NOT NULL,
  pin_read  INTEGER NOT NULL DEFAULT 0, -- host read-only pins
  pin_write INTEGER NOT NULL DEFAULT 0, -- host writable pins
  PRIMARY KEY (domid, ref)
) WITHOUT ROWID;

-- the guest kernel's free grant references, most recently freed on top (Linux's free list)
CREATE TABLE grant_free (
  domid INTEGER NOT NULL,
  pos   INTEGER NOT NULL,
  ref   INTEGER NOT NULL,
  PRIMARY KEY (domid, pos)
) WITHOUT ROWID;

-- gntalloc: pages a domain granted; released = deallocated but still mapped by the grantee
CREATE TABLE gntalloc (
  domid      INTEGER NOT NULL,
  ref        INTEGER NOT NULL,
  run_page   INTEGER NOT NULL,   -- index (in pages) of the ALLOC_GREF run
  run_count  INTEGER NOT NULL,
  pos        INTEGER NOT NULL,   -- position in the run
  gfn        INTEGER NOT NULL,
  to_domid   INTEGER NOT NULL,
  readonly   INTEGER NOT NULL,
  released   INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (domid, ref)
) WITHOUT ROWID;
CREATE INDEX gntalloc_run ON gntalloc (domid, run_page, pos);
CREATE INDEX gntalloc_gfn ON gntalloc (domid, gfn);

-- gntdev: mappings a domain holds (index and count in pages)
CREATE TABLE gntdev_maps (
  domid    INTEGER NOT NULL,
  page     INTEGER NOT NULL,
  count    INTEGER NOT NULL,
  granter  INTEGER NOT NULL,
  readonly INTEGER NOT NULL,
  gap_after INTEGER,             -- free pages from its end to the next map; NULL after the last
  PRIMARY KEY (domid, page)
) WITHOUT ROWID;
${GNTDEV_GAP_INDEX};

CREATE TABLE gntdev_pages (
  domid   INTEGER NOT NULL,
  page    INTEGER NOT NULL,
  pos     INTEGER NOT NULL,
  granter INTEGER NOT NULL,
  ref     INTEGER NOT NULL,
  mfn     INTEGER NOT NULL,
  PRIMARY KEY (domid, page, pos)
) WITHOUT ROWID;
CREATE INDEX gntdev_pages_grant ON gntdev_pages (granter, ref);

-- event channels (one row per allocated port); bound_here = bound through the domain's evtchn device
CREATE TABLE evtchn (
  domid        INTEGER NOT NULL,
  port         INTEGER NOT NULL,
  state        TEXT NOT NULL,
  remote_domid INTEGER,
  remote_port  INTEGER,
  virq         INTEGER,
  vcpu         INTEGER NOT NULL DEFAULT 0,
  pending      INTEGER NOT NULL DEFAULT 0,
  masked       INTEGER NOT NULL DEFAULT 0,
  bound_here   INTEGER NOT NULL DEFAULT 0,
  enabled      INTEGER NOT NULL DEFAULT 1,
  PRIMARY KEY (domid, port)
) WITHOUT ROWID;

-- ports delivered to a domain's evtchn device and not yet read
CREATE TABLE evtchn_ring (
  domid INTEGER NOT NULL,
  seq   INTEGER NOT NULL,
  port  INTEGER NOT NULL,
  PRIMARY KEY (domid, seq)
) WITHOUT ROWID;

CREATE TABLE ioreq_servers (
  domid     INTEGER NOT NULL,
  id        INTEGER NOT NULL,
  owner     INTEGER NOT NULL,
  bufioreq  INTEGER NOT NULL,
  PRIMARY KEY (domid, id)
) WITHOUT ROWID;

-- which ioreq server holds the p2m_ioreq_server type of a domain
CREATE TABLE mem_type_claims (
  domid     INTEGER PRIMARY KEY,
  server_id INTEGER NOT NULL,
  flags     INTEGER NOT NULL
);

-- extents exchanged by get-dma-buf and pinned until put-dma-buf
CREATE TABLE pinned_extents (
  domid INTEGER NOT NULL,
  gpfn  INTEGER NOT NULL,
  mfn   INTEGER NOT NULL,
  ord   INTEGER NOT NULL,
  PRIMARY KEY (domid, gpfn)
) WITHOUT ROWID;
${USAGE_TRIGGERS}
${FAULTS_TABLE}
${PAUSED_COLUMN}
`;
