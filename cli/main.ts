/**
 * The podlife command line. Each command lives in its own module; this file only dispatches
 * and turns errors into one clear line and an exit code.
 */
import { replayCommand, UsageError } from './replay.ts';

type Command = { summary: string; run: (argv: string[]) => Promise<number> };

const COMMANDS: Record<string, Command> = {
  replay: {
    summary: 'replay recorded watch streams / Pod Lists and print lifecycle figures',
    run: (a) => replayCommand(a),
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
    process.stderr.write(`podlife: unknown command "${name}"\n\n${help()}\n`);
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
      process.stderr.write(`podlife ${name}: ${e.message}\nRun 'podlife ${name} --help' for usage.\n`);
      return 1;
    }
    if (e.code === 'ENOENT' || e.code === 'EACCES' || e.code === 'EISDIR') {
      process.stderr.write(`podlife ${name}: ${e.message}\n`);
      return 1;
    }
    if (e.message?.startsWith('not a duration')) {
      process.stderr.write(`podlife ${name}: ${e.message}\n`);
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
      process.stderr.write(`podlife: ${(err as Error).stack ?? err}\n`);
      process.exitCode = 1;
    },
  );
}
