import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU seconds (user + system) a process has used so far (Linux /proc), 0 when unknown; with `tid`, only that thread of
 * it (the main thread's tid is the pid).
 */
export function cpuSeconds(pid: number | undefined, tid?: number): number {
  if (!pid) return 0;
  try {
    const file = tid === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${tid}/stat`;
    const fields = readFileSync(file, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** The pids of a process's children and their children (Linux /proc), e.g. the run worker `npm start` supervises. */
export function descendants(pid: number | undefined): number[] {
  if (!pid) return [];
  const out: number[] = [];
  const visit = (p: number) => {
    let tasks: string[] = [];
    try {
      tasks = readdirSync(`/proc/${p}/task`);
    } catch {
      return;
    }
    for (const t of tasks) {
      let children = '';
      try {
        children = readFileSync(`/proc/${p}/task/${t}/children`, 'utf8');
      } catch {
        continue;
      }
      for (const c of children.split(' ').filter(Boolean).map(Number)) {
        out.push(c);
        visit(c);
      }
    }
  };
  visit(pid);
  return out;
}

/** One thread of a process; a process's main thread, where its event loop runs, has tid = pid. */
export interface Thread {
  pid: number;
  tid: number;
}

/** CPU seconds of named processes (each a set of pids, summed), sampled every `everyMs` until stopped. */
export class CpuSampler {
  readonly samples: Array<{ at: number; cpu: Record<string, number> }> = [];
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly processes: () => Record<string, Array<number | Thread>>,
    everyMs: number,
  ) {
    this.sample();
    this.timer = setInterval(() => this.sample(), everyMs);
  }

  private sample(): void {
    const cpu: Record<string, number> = {};
    for (const [name, pids] of Object.entries(this.processes()))
      cpu[name] = pids.reduce<number>((sum, p) => sum + (typeof p === 'number' ? cpuSeconds(p) : cpuSeconds(p.pid, p.tid)), 0);
    this.samples.push({ at: Date.now(), cpu });
  }

  stop(): this {
    clearInterval(this.timer);
    this.sample();
    return this;
  }

  /** Share of one core (1 = a whole core) each process used between `from` and `to` (epoch ms), from the nearest samples. */
  usage(from: number, to: number): Record<string, number> {
    const near = (t: number) => this.samples.reduce((best, s) => (Math.abs(s.at - t) < Math.abs(best.at - t) ? s : best));
    const a = near(from);
    const b = near(to);
    const out: Record<string, number> = {};
    for (const name of Object.keys(b.cpu)) out[name] = b.at > a.at ? (b.cpu[name]! - (a.cpu[name] ?? 0)) / ((b.at - a.at) / 1000) : 0;
    return out;
  }
}
