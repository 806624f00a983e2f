/**
 * The session catalog, `sessions/.catalog.db`: a SQLite cache of every session file (and of
 * every turn journal, see `turn_journal.ts`) that answers `list --limit`, `-c`, `--last`,
 * prefix lookup, full listings, search and usage without reading every file. The
 * `<id>.json` files stay the source of truth: the catalog can always be rebuilt from them and
 * is, whenever it is missing, corrupt, of another schema or out of date (`catalog_sync.ts`).
 *
 * Why the rollback journal in `PERSIST` mode and not WAL: the catalog knows it is current by
 * comparing the `sessions/` directory's mtime and inode with the stamp it recorded (that is
 * what keeps `list --limit` from looking at every file). WAL creates `-wal`/`-shm` files when
 * a connection opens and deletes them when the last one closes, which would change that
 * directory on every command; a persistent journal is created once and kept. Every access
 * happens under the store's own file lock (`store_lock.ts`), so WAL's concurrent readers
 * would bring nothing. `synchronous = OFF`: a killed process cannot lose what the kernel
 * already has, and after a power loss the catalog is a cache that heals (a corrupt one is
 * deleted and rebuilt).
 *
 * When the catalog cannot be opened or written (a read-only mount, a full disk), reads are
 * answered from an in-memory catalog built from the files — said once on stderr.
 * @module
 */
import type { OpenSqlite, SqliteDatabase } from "../platform/sqlite.ts";
import type { Fs } from "../platform/types.ts";
import { errorMessage, isAlreadyExists, isNotFound } from "../platform/fs_errors.ts";
import { CACHE_SIZE, CATALOG_DDL, CATALOG_SCHEMA } from "./catalog_schema.ts";
import { brokenLayout } from "./store_layout.ts";
import type { StorePaths } from "./store_paths.ts";

/** A connection for one locked operation. */
export interface CatalogConnection {
  db: SqliteDatabase;
  /** The in-memory stand-in, used when the file cannot be written. */
  memory: boolean;
}

/** What {@linkcode Catalog} needs. */
export interface CatalogOptions {
  fs: Fs;
  paths: StorePaths;
  openSqlite: OpenSqlite;
  warn: (message: string) => void;
}

/** Messages of SQLite errors that mean the file is not a usable database: rebuild it. */
const CORRUPT = /file is not a database|database disk image is malformed|malformed database/i;

/** Whether an error says the catalog file is corrupt (as opposed to unwritable). */
export function isCorruptCatalog(error: unknown): boolean {
  return CORRUPT.test(errorMessage(error));
}

/** Creates the schema unless the database already has this version of it. */
function ensureSchema(db: SqliteDatabase): void {
  const version = () =>
    (db.prepare("PRAGMA user_version").get() as { user_version: number })
      .user_version;
  if (version() === CATALOG_SCHEMA) return;
  db.exec("BEGIN IMMEDIATE");
  try {
    // Another process may have done it while this one waited for SQLite's write lock.
    if (version() !== CATALOG_SCHEMA) {
      const tables = db.prepare(
        "SELECT name, type FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%'",
      ).all() as { name: string; type: string }[];
      // FTS5 tables own shadow tables; dropping the virtual table drops them.
      for (const { name, type } of tables) {
        if (!/_(data|idx|content|docsize|config)$/.test(name)) {
          db.exec(`DROP ${type === "view" ? "VIEW" : "TABLE"} IF EXISTS "${name}"`);
        }
      }
      db.exec(CATALOG_DDL);
      db.exec(`PRAGMA user_version = ${CATALOG_SCHEMA}`);
    }
    db.exec("COMMIT");
  } catch (error) {
    db.exec("ROLLBACK");
    throw error;
  }
}

/**
 * How much of the catalog SQLite reads through a memory map instead of `read` calls: a full
 * listing reads every row, and at 100,000 sessions page reads were a third of its time.
 * Safe here: every access holds the store lock, so no other process changes the file under
 * a reader.
 */
const MMAP_SIZE = 256 * 1024 * 1024;

function configure(db: SqliteDatabase): void {
  db.exec(
    "PRAGMA busy_timeout = 10000; PRAGMA journal_mode = PERSIST; PRAGMA synchronous = OFF; " +
      `PRAGMA temp_store = MEMORY; PRAGMA cache_size = ${CACHE_SIZE}; PRAGMA mmap_size = ${MMAP_SIZE}`,
  );
  ensureSchema(db);
}

/** The catalog of one store, opened lazily and reopened when its file was replaced. */
export class Catalog {
  readonly #options: CatalogOptions;
  #db: SqliteDatabase | undefined;
  #ino: number | undefined;
  #memory: SqliteDatabase | undefined;
  #unsaid: string | undefined;

  constructor(options: CatalogOptions) {
    this.#options = options;
  }

  /** Whether this process answers from an in-memory catalog (the file could not be used). */
  get inMemory(): boolean {
    return this.#memory !== undefined;
  }

  /** The connection to use while holding the store lock. */
  async open(options: { quiet?: boolean } = {}): Promise<CatalogConnection> {
    if (this.#memory) return { db: this.#memory, memory: true };
    const { paths } = this.#options;
    let ino: number;
    try {
      ino = await this.#ensureFile();
    } catch (error) {
      if (error instanceof Error && error.name === "ClinvkError") throw error;
      if (error instanceof Error && error.name === "NotCapable") throw error;
      return this.fallBack(errorMessage(error), options);
    }
    if (this.#db && this.#ino === ino) return { db: this.#db, memory: false };
    this.#closeFile();
    for (let attempt = 0;; attempt++) {
      let db: SqliteDatabase | undefined;
      try {
        db = this.#options.openSqlite(paths.catalog);
        configure(db);
        this.#db = db;
        this.#ino = ino;
        return { db, memory: false };
      } catch (error) {
        db?.close();
        if (attempt === 0 && isCorruptCatalog(error)) {
          await this.discard();
          ino = await this.#ensureFile().catch(() => 0);
          continue;
        }
        return this.fallBack(errorMessage(error), options);
      }
    }
  }

  /**
   * Switches this process to an in-memory catalog built from the files, and says so once.
   * Called when the file cannot be created, opened or written.
   */
  fallBack(reason: string, options: { quiet?: boolean } = {}): CatalogConnection {
    if (!this.#memory) {
      this.#closeFile();
      const message = `Cannot update the session catalog ${this.#options.paths.catalog} ` +
        `(${reason}); reading the session files directly`;
      if (options.quiet) this.#unsaid = message;
      else this.#options.warn(message);
      const db = this.#options.openSqlite(":memory:");
      db.exec(CATALOG_DDL);
      this.#memory = db;
    }
    return { db: this.#memory, memory: true };
  }

  /**
   * Throws a corrupt catalog away (it is a cache, rebuilt from the session files on next
   * use). Exclusive lock.
   */
  async discard(): Promise<void> {
    const { fs, paths } = this.#options;
    this.#closeFile();
    await fs.remove(paths.catalog).catch(() => {});
    await fs.remove(`${paths.catalog}-journal`).catch(() => {});
  }

  /**
   * Says what a quiet {@linkcode fallBack} kept back. A write whose files fail too says only
   * that (one line); a write that succeeds without its catalog says this afterwards.
   */
  sayPending(): void {
    if (this.#unsaid) this.#options.warn(this.#unsaid);
    this.#unsaid = undefined;
  }

  /** Closes the connections (tests and long-lived library users). */
  close(): void {
    this.#closeFile();
    this.#memory?.close();
    this.#memory = undefined;
  }

  #closeFile(): void {
    this.#db?.close();
    this.#db = undefined;
    this.#ino = undefined;
  }

  /** Makes sure the catalog is a regular file (created 0600 when missing); its inode. */
  async #ensureFile(): Promise<number> {
    const { fs, paths } = this.#options;
    for (let attempt = 0;; attempt++) {
      try {
        const info = await fs.lstat(paths.catalog);
        if (info.isSymlink || !info.isFile) throw brokenLayout(paths.catalog, info, "file");
        return info.ino ?? 0;
      } catch (error) {
        if (!isNotFound(error) || attempt > 0) throw error;
      }
      try {
        // SQLite would create it with the umask's mode; the catalog holds prompts: 0600.
        (await fs.open(paths.catalog, { write: true, createNew: true, mode: 0o600 })).close();
      } catch (error) {
        if (!isAlreadyExists(error)) throw error;
      }
    }
  }
}
