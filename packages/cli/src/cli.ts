import os from 'node:os';
import { Command, CommanderError } from 'commander';
import {
  ConfigError,
  configWarnings,
  createCore,
  CustosError,
  InvalidError,
  migrate,
  openDatabase,
  parseConfig,
  pendingMigrations,
  ROLE_IDS,
  type Actor,
  type Config,
  type Core,
} from '@custos/core';
import { piDetect } from './commands/pi-detect.js';
import { registerBackupCommands } from './commands/backup.js';

/** Exit codes: 0 ok, 1 failure (e.g. a broken audit chain), 2 bad usage or configuration, 3 runtime error. */
export const EXIT = { ok: 0, failed: 1, usage: 2, error: 3 } as const;

/** The CLI acts as a local operator: audited under the operating-system user's name. */
function cliActor(): Actor {
  return {
    type: 'system',
    userId: null,
    username: `cli:${os.userInfo().username}`,
    departmentId: null,
    roles: ['administrator'],
    authMethod: 'cli',
  };
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Parses argv and runs one command; returns the exit code. `env` is read here once, into Config. */
export async function runCli(
  argv: string[],
  env: Record<string, string | undefined>,
  io = { out: process.stdout, err: process.stderr },
): Promise<number> {
  let code: number = EXIT.ok;
  const say = (s: string) => io.out.write(s + '\n');
  const warn = (s: string) => io.err.write(s + '\n');
  const loadConfig = (): Config => parseConfig(env);
  const withCore = async <T>(fn: (core: Core) => Promise<T>): Promise<T> => {
    const core = await createCore({
      config: loadConfig(),
      logger: { info: (o) => warn(`… ${JSON.stringify(o)}`), warn: (o) => warn(JSON.stringify(o)), error: (o) => warn(JSON.stringify(o)) },
    });
    try {
      return await fn(core);
    } finally {
      await core.close();
    }
  };

  const program = new Command()
    .name('custos')
    .description('Custos: customer personal-information protection, from the command line')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out.write(s), writeErr: (s) => io.err.write(s) });

  program
    .command('migrate')
    .description('apply pending database migrations (safe to run while other servers start: advisory lock)')
    .action(async () => {
      const config = loadConfig();
      const database = await openDatabase(
        config.database.kind === 'postgres' ? config.database : { kind: 'pglite', dataDir: config.database.dataDir },
      );
      try {
        const r = await migrate(database, (m) => warn(m));
        say(
          r.applied.length
            ? `applied ${r.applied.length} migration(s): ${r.applied.join(', ')}`
            : `database is up to date (${r.alreadyApplied} migrations)`,
        );
      } finally {
        await database.close();
      }
    });

  program
    .command('config')
    .description('configuration tasks')
    .command('check')
    .description('validate the configuration from the environment, reach the database, report warnings')
    .action(async () => {
      const config = loadConfig();
      say(`mode: ${config.mode}`);
      say(
        `database: ${config.database.kind === 'postgres' ? 'PostgreSQL (DATABASE_URL)' : `embedded PGlite in ${config.database.dataDir}`}`,
      );
      say(`listen: ${config.http.host}:${config.http.port}`);
      say(`audit checkpoints: ${config.audit.checkpointFile} every ${config.audit.checkpointSeconds}s`);
      say(`OIDC: ${config.oidc ? config.oidc.issuer : 'not configured'}`);
      for (const w of configWarnings(config)) warn(`warning: ${w}`);
      const database = await openDatabase(
        config.database.kind === 'postgres' ? config.database : { kind: 'pglite', dataDir: config.database.dataDir },
      );
      try {
        await database.query('SELECT 1');
        const pending = await pendingMigrations(database);
        say(`database reachable; ${pending.length ? `pending migrations: ${pending.join(', ')}` : 'migrations up to date'}`);
      } finally {
        await database.close();
      }
      say('configuration OK');
    });

  const user = program.command('user').description('staff accounts');
  user
    .command('create')
    .description('create a staff user (password read from standard input)')
    .requiredOption('--username <name>', 'login name')
    .requiredOption('--department <name-or-id>', 'department (name or id)')
    .option('--display-name <name>', 'display name (default: the username)')
    .option('--role <role>', `role, repeatable: ${ROLE_IDS.join(', ')}`, (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--email <email>', 'work email')
    .action(async (o: { username: string; department: string; displayName?: string; role: string[]; email?: string }) => {
      if (!o.role.length) throw new InvalidError('give at least one --role', [{ field: 'role', reason: 'required' }]);
      if (process.stdin.isTTY) warn('password (end with Ctrl-D):');
      const password = (await readStdin()).replace(/\r?\n$/, '');
      await withCore(async (core) => {
        const actor = cliActor();
        const depts = await core.departments.list(actor);
        const dept = depts.find((d) => d.id === o.department) ?? depts.find((d) => d.name === o.department);
        if (!dept)
          throw new InvalidError(`no department named or with id "${o.department}"`, [{ field: 'department', reason: 'not_found' }]);
        const u = await core.users.create(actor, {
          username: o.username,
          displayName: o.displayName ?? o.username,
          password,
          departmentId: dept.id,
          roles: o.role as never,
          email: o.email ?? null,
        });
        say(`created user ${u.username} (${u.id}) in ${dept.name} with roles ${u.roles.join(', ')}`);
      });
    });

  const audit = program.command('audit').description('the tamper-evident audit log');
  audit
    .command('verify')
    .description('walk the hash chain and the signed checkpoints; exit 0 when intact, 1 when broken')
    .option('--json', 'print the result as JSON')
    .action(async (o: { json?: boolean }) => {
      await withCore(async (core) => {
        let last = 0;
        const r = await core.auditLog.verify(cliActor(), {
          onProgress: (n) => {
            if (n - last >= 100_000) {
              warn(`verified ${n.toLocaleString('en')} events…`);
              last = n;
            }
          },
        });
        if (o.json) say(JSON.stringify(r));
        else if (r.intact)
          say(
            `audit chain intact: ${r.checkedEvents} events, ${r.checkpoints.checked} signed checkpoint(s) match${r.pendingEvents ? `, ${r.pendingEvents} pending` : ''}`,
          );
        else
          say(
            `audit chain BROKEN at sequence ${r.firstBrokenSeq} (${r.reason}); ${r.checkedEvents} events verified before it; checkpoints failed: ${r.checkpoints.failed}`,
          );
        code = r.intact ? EXIT.ok : EXIT.failed;
      });
    });
  audit
    .command('checkpoint')
    .description('sign the current chain head into the checkpoint file now')
    .action(async () => {
      await withCore(async (core) => {
        const c = await core.auditLog.checkpoint(cliActor());
        say(c ? `checkpoint at sequence ${c.seq}: ${c.hash}` : 'the audit log is empty');
      });
    });

  registerBackupCommands(program, { loadConfig, say, warn, actor: cliActor, setExitCode: (c) => (code = c), failedCode: EXIT.failed });

  const pi = program.command('pi').description('personal-information types');
  pi.command('detect')
    .description('read values (one per line) on standard input; print one JSON line each: value_index, type, valid, reason, masked')
    .option('--normalized', 'also print the normalised (plain) value')
    .action(async (o: { normalized?: boolean }) => {
      await piDetect(process.stdin, io.out, { normalized: o.normalized === true });
    });

  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
    if (e instanceof ConfigError) {
      warn(`custos: configuration error: ${e.message}`);
      return EXIT.usage;
    }
    if (e instanceof InvalidError) {
      warn(`custos: ${e.message}${e.problems.length ? ': ' + e.problems.map((p) => `${p.field}: ${p.reason}`).join('; ') : ''}`);
      return EXIT.usage;
    }
    if (e instanceof CustosError) {
      warn(`custos: ${e.message}`);
      return EXIT.error;
    }
    throw e;
  }
  return code;
}
