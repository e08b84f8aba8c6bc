import { afterEach, expect, test } from 'vitest';
import { findUnclosedTicket, unclosedTicketStates } from '../../collector/tickets/ticket-store.js';
import { markRecovered, openTicket } from '../../collector/tickets/lifecycle.js';
import { hostsLastSeen, markHostRetired } from '../../collector/db/hosts.js';
import { hostProblemKey } from '../../collector/tickets/reachability.js';
import { makeWorld, MIN, type World } from './world.js';

/**
 * The silence judge's two light reads (every 5 s over every host): they must say what the full reads would, the
 * newest unclosed ticket of each host problem and every seen, live host, or a silent host opens a second ticket.
 */
let world: World;
afterEach(() => world?.db.close());

const open = (w: World, host: World['acmeHost'], kind: 'host-unreachable' | 'check') =>
  openTicket(w.db, { host, kind, checkName: kind === 'check' ? 'system.disk' : null, checkId: kind === 'check' ? 'system.disk' : null, status: 'CRITICAL', summary: 's', severity: 'P2', flapping: false, now: w.clock.now() });

test('the newest unclosed ticket of each host problem, as findUnclosedTicket finds it; check tickets are not host problems', () => {
  world = makeWorld();
  const w = world;
  const recoveredThenNew = w.addHost('web-1');
  const older = open(w, recoveredThenNew, 'host-unreachable');
  markRecovered(w.db, older, w.clock.advance(MIN), 'back');
  w.clock.advance(MIN);
  open(w, recoveredThenNew, 'host-unreachable'); // outside the reopen window: a second, newer ticket
  const onlyRecovered = w.addHost('web-2');
  markRecovered(w.db, open(w, onlyRecovered, 'host-unreachable'), w.clock.advance(MIN), 'back');
  open(w, w.betaHost, 'check');

  const states = unclosedTicketStates(w.db, hostProblemKey(''));
  expect(Object.fromEntries(states)).toEqual({ [hostProblemKey(recoveredThenNew.id)]: 'open', [hostProblemKey(onlyRecovered.id)]: 'recovered' });
  for (const [key, state] of states) expect(findUnclosedTicket(w.db, key, w.clock.now())?.state).toBe(state);
});

test('hosts last seen: every live host heard from, none never seen, none retired', () => {
  world = makeWorld();
  const w = world;
  const retired = w.addHost('old-1');
  w.addHost('never-seen');
  w.seen(w.acmeHost);
  w.seen(retired);
  markHostRetired(w.db, retired.id, w.clock.now());
  expect(hostsLastSeen(w.db)).toEqual([{ id: w.acmeHost.id, lastSeenAt: w.clock.now() }]);
});
