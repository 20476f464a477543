import { describe, expect, it } from 'vitest';
import { tsxExecArgv } from './threads.js';

describe('tsxExecArgv', () => {
  it('adds the tsx loader only where the process does not run under tsx already', () => {
    expect(tsxExecArgv(['--conditions', 'node'])).toEqual(['--conditions', 'node', '--import', 'tsx']);
    const underTsx = ['--require', '/app/node_modules/tsx/dist/preflight.cjs', '--import', 'file:///app/node_modules/tsx/dist/loader.mjs'];
    expect(tsxExecArgv(underTsx)).toEqual(underTsx);
  });
});
