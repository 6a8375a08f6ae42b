/**
 * The podlife command line. Each command lives in its own module; this file only dispatches
 * and turns errors into one clear line and an exit code.
 */
import { crashloopsCommand } from './crashloops.ts';
import { historyCommand } from './history.ts';
import { localCommand } from './local.ts';
import { pendingCommand } from './pending.ts';
import { replayCommand, UsageError } from './replay.ts';
import { statsCommand } from './stats.ts';
import { safeLines, safeText } from './terminal-text.ts';

type Command = { summary: string; run: (argv: string[]) => Promise<number> };

const COMMANDS: Record<string, Command> = {
  local: {
    summary: 'the whole pipeline on this machine: DynamoDB Local, handlers, query API, dashboard',
    run: (a) => localCommand(a),
  },
  replay: {
    summary: 'replay recorded watch streams / Pod Lists and print lifecycle figures',
    run: (a) => replayCommand(a),
  },
  history: {
    summary: "a pod's history from the query API: every incarnation, figures and timeline",
    run: (a) => historyCommand(a),
  },
  pending: {
    summary: "pods Pending now, how long, and why (the scheduler's message)",
    run: (a) => pendingCommand(a),
  },
  crashloops: {
    summary: 'pods crash-looping now: restarts, last termination reason and exit code',
    run: (a) => crashloopsCommand(a),
  },
  stats: {
    summary: 'p50/p90/p99 of lifecycle durations per cluster, namespace or owner',
    run: (a) => statsCommand(a),
  },
};

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
  const cmd = COMMANDS[name];
  if (!cmd) {
    process.stderr.write(`podlife: unknown command "${safeText(name)}"\n\n${help()}\n`);
    return 1;
  }
  try {
    return await cmd.run(rest);
  } catch (err) {
    const e = err as Error & { code?: string };
    if (
      e instanceof UsageError ||
      e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ||
      e.code?.startsWith('ERR_PARSE_ARGS')
    ) {
      process.stderr.write(
        `podlife ${name}: ${safeText(e.message)}\nRun 'podlife ${name} --help' for usage.\n`,
      );
      return 1;
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
