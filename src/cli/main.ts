/** rankface command-line entry: dispatches to one module per command, loaded lazily so that
 * `rankface doctor` does not pay for loading the clustering code and vice versa. */

import { RankfaceError } from '#core/errors.ts';

export type CommandRun = (args: string[]) => Promise<number>;

const commands: Record<string, { summary: string; load: () => Promise<{ run: CommandRun }> }> = {
  cluster: {
    summary: 'cluster <photos-dir> [--out dir] [--json]   group a photo folder into people, write a report',
    load: () => import('./commands/cluster.ts'),
  },
  detect: {
    summary: 'detect <image...> [--json]                  find faces: boxes, scores, 5 landmarks',
    load: () => import('./commands/detect.ts'),
  },
  eval: {
    summary:
      'eval <labelled-dir> [--json]                verification + clustering metrics on folder-per-identity data',
    load: () => import('./commands/eval.ts'),
  },
  serve: {
    summary: 'serve [--out dir] [--port n] [--host addr]  browse and correct people in a browser (web app + REST API)',
    load: () => import('./commands/serve.ts'),
  },
  bench: {
    summary: 'bench cluster --faces N [--json]            clustering scale benchmark on synthetic faces',
    load: () => import('./commands/bench.ts'),
  },
  name: {
    summary: 'name <person-id> <name> [--out dir]          name a person (edits apply at once, see docs/people.md)',
    load: () => editCommand('name'),
  },
  merge: {
    summary: 'merge <person-id> <into-person-id>          merge a person into another',
    load: () => editCommand('merge'),
  },
  move: {
    summary: 'move <face-id> <person-id>                  move a face into a person, for good',
    load: () => editCommand('move'),
  },
  not: {
    summary: 'not <face-id>                               not this person: the face leaves and never returns',
    load: () => editCommand('not'),
  },
  hide: { summary: 'hide <person-id>                            hide a person', load: () => editCommand('hide') },
  unhide: {
    summary: 'unhide <person-id>                          show a hidden person again',
    load: () => editCommand('unhide'),
  },
  why: {
    summary: 'why <face-id> [--json]                      why a face is in its person',
    load: () => editCommand('why'),
  },
  people: {
    summary: 'people [--json]                             the people of people.json',
    load: () => editCommand('people'),
  },
  cloud: {
    summary:
      "cloud migrate --user <id> [--json]          queue a user's re-embedding after the stack's embedder changed",
    load: () => import('./commands/cloud.ts'),
  },
  doctor: {
    summary: 'doctor                                      backends, models and versions',
    load: () => import('./commands/doctor.ts'),
  },
};

const editCommand = async (name: string): Promise<{ run: CommandRun }> =>
  (await import('./commands/edits.ts')).commandOf(name);

function usage(): string {
  return [
    'usage: rankface <command> [options]',
    '',
    ...Object.values(commands).map((c) => `  rankface ${c.summary}`),
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage() + '\n');
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`rankface: unknown command '${name}'\n${usage()}\n`);
    return 2;
  }
  const { run } = await command.load();
  try {
    return await run(rest);
  } catch (err) {
    // A setup failure any command meets (a bad RANKFACE_* value...) is one line with the fix;
    // anything else is a bug: keep the stack.
    if (!(err instanceof RankfaceError)) throw err;
    process.stderr.write(`rankface ${name}: ${err.message}\n`);
    return 2;
  }
}
