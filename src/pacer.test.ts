import { describe, expect, it } from 'vitest';
import { Pacer } from './pacer.js';

/** Whether a callback queued with setImmediate before `step` has run by the time `step` resolves. */
async function loopTurnedDuring(step: () => Promise<void>): Promise<boolean> {
  let ran = false;
  setImmediate(() => (ran = true));
  await step();
  const turned = ran;
  await new Promise((r) => setImmediate(r)); // let the queued callback run before the next test
  return turned;
}

describe('Pacer', () => {
  it('keeps working while its budget lasts', async () => {
    const pacer = new Pacer(60_000);
    expect(pacer.due).toBe(false);
    expect(await loopTurnedDuring(() => pacer.pace())).toBe(false);
  });

  it('lets the event loop turn once its budget is spent', async () => {
    const pacer = new Pacer(1);
    const until = performance.now() + 3;
    while (performance.now() < until); // work past the budget
    expect(pacer.due).toBe(true);
    expect(await loopTurnedDuring(() => pacer.pace())).toBe(true);
  });
});
