/**
 * The podlife command line. Each command lives in its own module; this file only dispatches
 * and turns errors into one clear line and an exit code.
 */

import { safeLines, safeText } from '../core/terminal-text.ts';
import { didYouMean, UsageError } from './errors.ts';

// Each command's module is imported only when it runs (or when an error needs its options), so
// that `podlife --help` loads nothing but this file, and `podlife replay` no AWS SDK.
type Loaded = {
  run: (argv: string[]) => Promise<number>;
  options: Record<string, { type: string; short?: string }>;
};
type Command = { summary: string; load: () => Promise<Loaded> };

const COMMANDS: Record<string, Command> = {
  local: {
    summary: 'the whole pipeline on this machine: DynamoDB Local, handlers, query API, dashboard',
    load: async () => {
      const m = await import('./local.ts');
      return { run: (a) => m.localCommand(a), options: m.LOCAL_OPTIONS };
    },
  },
  replay: {
    summary: 'replay recorded watch streams / Pod Lists and print lifecycle figures',
    load: async () => {
      const m = await import('./replay.ts');
      return { run: (a) => m.replayCommand(a), options: m.REPLAY_OPTIONS };
    },
  },
  history: {
    summary: "a pod's history from the query API: every incarnation, figures and timeline",
    load: async () => {
      const m = await import('./history.ts');
      return { run: (a) => m.historyCommand(a), options: m.HISTORY_OPTIONS };
    },
  },
  pending: {
    summary: "pods Pending now, how long, and why (the scheduler's message)",
    load: async () => {
      const m = await import('./pending.ts');
      return { run: (a) => m.pendingCommand(a), options: m.PENDING_OPTIONS };
    },
  },
  crashloops: {
    summary: 'pods crash-looping now: restarts, last termination reason and exit code',
    load: async () => {
      const m = await import('./crashloops.ts');
      return { run: (a) => m.crashloopsCommand(a), options: m.CRASHLOOPS_OPTIONS };
    },
  },
  stats: {
    summary: 'p50/p90/p99 of lifecycle durations per cluster, namespace or owner',
    load: async () => {
      const m = await import('./stats.ts');
      return { run: (a) => m.statsCommand(a), options: m.STATS_OPTIONS };
    },
  },
  pods: {
    summary: 'find pods by what happened to them: filters, any figure sorted, any time range',
    load: async () => {
      const m = await import('./pods.ts');
      return { run: (a) => m.podsCommand(a), options: m.PODS_OPTIONS };
    },
  },
  silence: {
    summary: 'silences of new pod alerts, with an expiry: create, list, delete',
    load: async () => {
      const m = await import('./silence.ts');
      return { run: (a) => m.silenceCommand(a), options: m.SILENCE_OPTIONS };
    },
  },
  purge: {
    summary: "delete a namespace's history; say which copies remain and when they expire",
    load: async () => {
      const m = await import('./purge.ts');
      return { run: (a) => m.purgeCommand(a), options: m.PURGE_OPTIONS };
    },
  },
};

/** An option no command but others know: "--speed is an option of podlife local". */
async function elsewhere(option: string, except: string): Promise<string> {
  const name = option.replace(/^-+/, '').split('=')[0] ?? '';
  const owners: string[] = [];
  for (const [cmd, c] of Object.entries(COMMANDS)) {
    if (cmd === except) continue;
    const { options } = await c.load();
    if (
      option.startsWith('--')
        ? Object.hasOwn(options, name)
        : Object.values(options).some((o) => o.short === name)
    )
      owners.push(`podlife ${cmd}`);
  }
  return owners.length ? `did you mean ${owners.map((o) => `${o} ${option}`).join(' or ')}?` : '';
}

function help(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((k) => k.length));
  const list = Object.entries(COMMANDS)
    .map(([name, c]) => `  ${name.padEnd(width)}   ${c.summary}`)
    .join('\n');
  return `podlife: how your Kubernetes pods actually live and die.

Usage: podlife COMMAND [options]

Commands:
${list}

Run 'podlife COMMAND --help' for a command's options and examples.`;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '-h' || name === '--help' || name === 'help') {
    process.stdout.write(`${help()}\n`);
    return name ? 0 : 1;
  }
  // Own commands only: `podlife toString` or `podlife __proto__` is an unknown command, not Object's.
  const cmd = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!cmd) {
    const what = name.startsWith('-')
      ? `unknown option ${safeText(name)}`
      : `unknown command "${safeText(name)}"`;
    const hint = name.startsWith('-')
      ? didYouMean(name, ['--help'])
      : didYouMean(name, Object.keys(COMMANDS));
    process.stderr.write(
      `podlife: ${what}${hint ? ` (${hint})` : ''}\n` +
        `Commands: ${Object.keys(COMMANDS).join(', ')}. Run 'podlife --help' for what each does.\n`,
    );
    return 2;
  }
  try {
    const loaded = await cmd.load();
    return await loaded.run(rest);
  } catch (err) {
    const e = err as Error & { code?: string; unknownOption?: string; exitCode?: number };
    if (err instanceof UsageError || e.name === 'UsageError' || e.code?.startsWith('ERR_PARSE_ARGS')) {
      const other = e.unknownOption ? await elsewhere(e.unknownOption, name) : '';
      const message = other ? `${e.message} (${other})` : e.message;
      process.stderr.write(
        `podlife ${name}: ${safeText(message)}\nRun 'podlife ${name} --help' for usage.\n`,
      );
      return e.exitCode ?? 1;
    }
    if (e.code === 'ENOENT' || e.code === 'EACCES' || e.code === 'EISDIR') {
      process.stderr.write(`podlife ${name}: ${safeText(e.message)}\n`);
      return 1;
    }
    if (e.message?.startsWith('not a duration')) {
      process.stderr.write(`podlife ${name}: ${safeText(e.message)}\n`);
      return 1;
    }
    throw err;
  }
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('cli/main.ts')) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      process.stderr.write(`podlife: ${safeLines(String((err as Error).stack ?? err))}\n`);
      process.exitCode = 1;
    },
  );
}
