import { afterAll, beforeAll, expect, test } from 'vitest';
import { influx2MetricsStore } from '../../collector/metrics/influx2-store.js';
import { MetricsStoreUnavailableError } from '../../collector/metrics/store.js';
import { startVictoriaMetrics } from '../helpers/victoria-metrics.js';
import { freePort, waitFor } from '../helpers/ports.js';

let vm: Awaited<ReturnType<typeof startVictoriaMetrics>>;
beforeAll(async () => {
  vm = await startVictoriaMetrics();
});
afterAll(async () => vm?.stop());

test('the InfluxDB 2.x store writes line protocol through @influxdata/influxdb-client', async () => {
  const store = influx2MetricsStore({ url: vm.url, org: 'patrol', bucket: 'patrol', token: 'test-token' });
  await store.init();
  const t0 = Math.floor(Date.now() / 1000) * 1000 - 10_000;
  await store.write(
    Array.from({ length: 5 }, (_, i) => ({ measurement: 'probe', tags: { customer: 'acme', host: 'h1' }, fields: { value: i + 0.5 }, time: t0 + i * 1000 })),
  );
  const exported = await waitFor(async () => {
    const text = await vm.export('probe_value');
    return text.includes('"values"') ? text : undefined;
  }, 'exported series');
  const row = JSON.parse(exported.trim().split('\n')[0]!) as { metric: Record<string, string>; values: number[]; timestamps: number[] };
  expect(row.metric).toMatchObject({ __name__: 'probe_value', customer: 'acme', host: 'h1' });
  expect(row.values).toEqual([0.5, 1.5, 2.5, 3.5, 4.5]);
  expect(row.timestamps).toEqual([0, 1, 2, 3, 4].map((i) => t0 + i * 1000));
});

test('a write to an InfluxDB 2.x that is not there fails as "unavailable" (the agent keeps its batch)', async () => {
  const store = influx2MetricsStore({ url: `http://127.0.0.1:${await freePort()}`, org: 'o', bucket: 'b', token: 't' });
  await expect(store.write([{ measurement: 'x', tags: {}, fields: { v: 1 }, time: 1 }])).rejects.toBeInstanceOf(MetricsStoreUnavailableError);
});
