// Imported first by bench/fleet.ts: the collector modules it uses (seeding patrol.db) create their loggers when
// they load, and their info lines (migrations applied) would bury the bench's figures.
process.env.PATROL_LOG_LEVEL ??= 'warn';
