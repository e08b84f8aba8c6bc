import { afterAll, beforeAll, expect, test } from 'vitest';
import { startDovecot, type RunningDovecot } from '../helpers/dovecot.js';

let dovecot: RunningDovecot;
beforeAll(async () => {
  dovecot = await startDovecot();
});
afterAll(async () => dovecot?.stop());

test('the test Dovecot takes a delivered message and shows it unseen', async () => {
  await dovecot.deliver('From: a@b.test\r\nTo: support@patrol.test\r\nSubject: hi\r\n\r\nbody\r\n');
  const flags = await dovecot.flags();
  expect([...flags.values()].map((f) => f.has('\\Seen'))).toEqual([false]);
});
