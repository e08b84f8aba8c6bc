import { expect, test } from 'vitest';
import { Hono } from 'hono';
import { openDatabase } from '../../collector/db/database.js';
import { createUser, setPassword } from '../../collector/db/users.js';
import { basicAuthenticator } from '../../collector/http/basic-auth.js';

test('a remembered Basic login stops working the moment the password changes or the user is disabled', async () => {
  const db = openDatabase(':memory:');
  const user = createUser(db, { username: 'li', password: 'first-pw', role: 'admin', now: 1 });
  const auth = basicAuthenticator(db);
  const app = new Hono().get('/', async (c) => c.text((await auth(c))?.username ?? 'nobody'));
  const as = async (pw: string) => (await app.request('/', { headers: { authorization: `Basic ${Buffer.from(`li:${pw}`).toString('base64')}` } })).text();
  expect(await as('first-pw')).toBe('li');
  expect(await as('first-pw')).toBe('li'); // from memory
  expect(await as('wrong')).toBe('nobody');
  setPassword(db, user.id, 'second-pw');
  expect(await as('first-pw')).toBe('nobody');
  expect(await as('second-pw')).toBe('li');
  db.prepare('UPDATE users SET disabled_at = 1 WHERE id = ?').run(user.id);
  expect(await as('second-pw')).toBe('nobody');
});
