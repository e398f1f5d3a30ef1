import type { Command } from 'commander';
import {
  createBackupService,
  createCore,
  openKeyProvider,
  type Actor,
  type BackupProgress,
  type BackupService,
  type Config,
  type Core,
} from '@custos/core';

export interface BackupCliContext {
  loadConfig(): Config;
  say(s: string): void;
  warn(s: string): void;
  actor(): Actor;
  setExitCode(code: number): void;
  /** Exit code for "done, but the result is bad" (a broken audit chain). */
  failedCode: number;
}

/** Core with the key provider opened here, so the backup service wraps and unwraps with the very provider core uses. */
async function withBackup<T>(ctx: BackupCliContext, fn: (backup: BackupService, core: Core) => Promise<T>): Promise<T> {
  const config = ctx.loadConfig();
  const keyProvider = await openKeyProvider(config);
  try {
    const core = await createCore({
      config,
      keyProvider,
      logger: {
        info: (o) => ctx.warn(`… ${JSON.stringify(o)}`),
        warn: (o) => ctx.warn(JSON.stringify(o)),
        error: (o) => ctx.warn(JSON.stringify(o)),
      },
    });
    try {
      return await fn(createBackupService({ database: core.database, keyProvider, audit: core.audit, runner: core.runner }), core);
    } finally {
      await core.close();
    }
  } finally {
    await keyProvider.close();
  }
}

/** Progress on stderr: one line per non-empty table, and every 100 000 rows within a table. */
function progress(ctx: BackupCliContext): (p: BackupProgress) => void {
  const verb = { backup: 'backed up', verify: 'verified', restore: 'restored' } as const;
  return (p) => {
    if (p.done && p.rows === 0) return;
    ctx.warn(`${verb[p.phase]} ${p.table}: ${p.rows.toLocaleString('en')} row(s)${p.done ? '' : '…'}`);
  };
}

export function registerBackupCommands(program: Command, ctx: BackupCliContext): void {
  const backup = program
    .command('backup')
    .description('encrypted, integrity-protected backups; an archive can only be restored with the same key provider (KEK)');

  backup
    .command('create')
    .description(
      'write every table except the customers’ data keys into an encrypted archive with a manifest (the archive key is wrapped by the current KEK); --keys writes only the data keys, into an archive of its own',
    )
    .argument('<file>', 'archive to write (must not exist)')
    .option(
      '--keys',
      'back up the customers’ data keys only (keep these archives apart and for a short time: deleting a customer reaches them only when they expire)',
    )
    .action(async (file: string, options: { keys?: boolean }) => {
      await withBackup(ctx, async (svc) => {
        const r = await svc.create(ctx.actor(), { file, scope: options.keys ? 'keys' : 'data', onProgress: progress(ctx) });
        ctx.say(`${r.scope === 'keys' ? 'key' : 'data'} backup written: ${r.file}`);
        ctx.say(`  ${r.tables.length} tables, ${r.rows} rows, ${r.bytes} bytes, KEK version ${r.kekVersion}`);
        ctx.say(`  manifest sha256 ${r.manifestSha256}`);
        ctx.say('  restoring it needs this installation’s key provider (KEK): keep the keys backed up separately');
      });
    });

  backup
    .command('restore')
    .description(
      'verify an archive completely and restore it: a data archive into an empty database, then a key archive into that database; then verify the audit chain (exit 1 if broken)',
    )
    .argument('<file>', 'archive to restore')
    .action(async (file: string) => {
      await withBackup(ctx, async (svc) => {
        const r = await svc.restore(ctx.actor(), { file, onProgress: progress(ctx) });
        ctx.say(`restored ${r.file} (written ${r.backupCreatedAt}): ${r.tables.length} tables, ${r.rows} rows`);
        ctx.say(`  manifest sha256 ${r.manifestSha256}`);
        const a = r.audit;
        if (a.intact) ctx.say(`audit chain intact: ${a.checkedEvents} events${a.pendingEvents ? `, ${a.pendingEvents} pending` : ''}`);
        else
          ctx.say(
            `audit chain BROKEN at sequence ${a.firstBrokenSeq} (${a.reason}); ${a.checkedEvents} events verified before it; checkpoints failed: ${a.checkpoints.failed}`,
          );
        ctx.setExitCode(a.intact ? 0 : ctx.failedCode);
      });
    });
}
