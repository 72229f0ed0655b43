/**
 * The PostgreSQL advisory lock every migration run holds, database-wide. Several nodes started at
 * once on an empty database then migrate one after another: without it, two could both find the
 * bookkeeping tables missing and one would fail creating them. Kysely's migrator also scans every
 * schema's tables while it starts, which fails if another schema is dropped during the scan: a
 * tool that drops schemas (the tests' per-file schemas) takes this lock first.
 */
export const MIGRATION_LOCK_KEY = 7_304_811_290_331;
