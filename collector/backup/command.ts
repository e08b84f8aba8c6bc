import type { Command } from 'commander';
import type { CollectorConfig } from '../config.js';
import { backupDataDir, BackupRefused } from './backup.js';
import { restoreBackup } from './restore.js';

type ConfigOptions = { config?: string; dataDir?: string };

const fail = (err: unknown): never => {
  console.error(`patrol-collector: ${(err as Error).message}`);
  // A refusal (wrong folder, damaged backup) is the user's to fix; anything else is a failure.
  process.exit(err instanceof BackupRefused ? 2 : 1);
};

/**
 * `patrol-collector backup --out DIR` (while the collector runs) and `patrol-collector restore --from DIR
 * --data-dir DIR [--force]`. What a backup holds and how to restore it: docs/backup.md.
 */
export function registerBackupCommands(program: Command, common: (c: Command) => Command, config: (o: ConfigOptions) => CollectorConfig): void {
  common(program.command('backup'))
    .description('back up the data dir while the collector runs: SQLite stores (online backup), key files, reports; with a sha256 manifest')
    .requiredOption('--out <dir>', 'a new folder outside the data dir (it holds the keys: keep it as safe as the data dir)')
    .action(async (o: ConfigOptions & { out: string }) => {
      const c = config(o);
      const metricsStore = c.influxUrl ? 'influxdb' : 'sqlite';
      const { manifest, skipped } = await backupDataDir({ dataDir: c.dataDir, outDir: o.out, metricsStore }).catch(fail);
      const bytes = manifest.files.reduce((n, f) => n + f.bytes, 0);
      console.log(`backup of ${c.dataDir} written to ${o.out}: ${manifest.files.length} files, ${(bytes / 1048576).toFixed(1)} MiB`);
      if (skipped.length) console.log(`not backed up (not regular files, or gone while copying): ${skipped.join(', ')}`);
      if (metricsStore === 'influxdb') console.log(`metrics are in InfluxDB (${c.influxUrl}): back them up with its own tools, e.g. influxd backup -portable (docs/backup.md)`);
    });

  common(program.command('restore'))
    .description('restore a backup into a data dir (refuses a non-empty one unless --force); verifies every sha256 first')
    .requiredOption('--from <dir>', 'a folder written by patrol-collector backup')
    .option('--force', 'restore into a data dir that holds files (stop the collector first)')
    .action(async (o: ConfigOptions & { from: string; force?: boolean }) => {
      const c = config(o);
      const r = await restoreBackup({ from: o.from, dataDir: c.dataDir, force: o.force }).catch(fail);
      console.log(`restored ${r.manifest.files.length} files of the backup made ${r.manifest.createdAt} (Patrol ${r.manifest.patrolVersion}) into ${c.dataDir}`);
      if (r.leftInPlace.length) console.log(`left in place (not in the backup): ${r.leftInPlace.join(', ')}`);
      if (r.manifest.metricsStore === 'influxdb') console.log('metrics were in InfluxDB when the backup was made: restore them there with influxd restore -portable (docs/backup.md)');
    });
}
