import { execFileSync } from 'node:child_process';
import { getPriority } from 'node:os';
import { describe, expect, it } from 'vitest';
import { niced } from './priority.js';

describe('niced', () => {
  it.runIf(process.platform === 'linux')('starts the command at the niceness asked, relative to this process', () => {
    const [command, ...args] = niced(['sh', '-c', 'ps -o nice= -p $$'], 7);
    expect(Number(execFileSync(command!, args, { encoding: 'utf8' }).trim())).toBe(Math.min(19, getPriority() + 7));
  });

  it('leaves the command as it is at niceness 0', () => {
    expect(niced(['node', 'main.js'], 0)).toEqual(['node', 'main.js']);
  });
});
