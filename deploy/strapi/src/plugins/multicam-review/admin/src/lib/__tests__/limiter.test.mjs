import assert from 'node:assert/strict';
import test from 'node:test';
import { limiter } from '../limiter.mjs';

test('no more than n run at once, every one runs, in order, failures included', async () => {
  const limit = limiter(2);
  let running = 0;
  let most = 0;
  const started = [];
  const task = (i) => async () => {
    started.push(i);
    running += 1;
    most = Math.max(most, running);
    await new Promise((r) => setImmediate(r));
    running -= 1;
    if (i === 3) throw new Error('part refused');
    return i * 10;
  };
  const results = await Promise.allSettled([0, 1, 2, 3, 4].map((i) => limit(task(i))));
  assert.equal(most, 2);
  assert.deepEqual(started, [0, 1, 2, 3, 4]);
  assert.deepEqual(
    results.map((r) => (r.status === 'fulfilled' ? r.value : r.reason.message)),
    [0, 10, 20, 'part refused', 40]
  );
});
